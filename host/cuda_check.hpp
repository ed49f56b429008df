// host/cuda_check.hpp: the one path by which CUDA runtime and cuSOLVER failures become exceptions.
// WEIGHTINIT_CUDA_TRY(call, function) checks a cudaError_t; the message is formatted out of line
// (host/cuda_check.cpp), names the public function the user called and says what went wrong in user
// terms, e.g. "weightinit::fill: no usable CUDA device: the installed NVIDIA driver is older than
// the CUDA runtime (cudaErrorInsufficientDriver from cudaPointerGetAttributes)".
#pragma once

#include <cuda_runtime_api.h>

namespace weightinit {
namespace detail {

/// Throws weightinit::cuda_error(status, message) naming `function` (the public call, e.g. "fill")
/// and `call` (the failing CUDA call; text after its name is dropped).
[[noreturn]] void throw_cuda_error(cudaError_t status, const char* function, const char* call);
/// Throws weightinit::cusolver_error(status, message); `status` is a cusolverStatus_t.
[[noreturn]] void throw_cusolver_error(int status, const char* function, const char* call);

/// A kernel launch's status as the caller should see it: `launch` is what the launch API returned
/// for this launch. If it failed with the same error the context already held before the call
/// (`before`, from cudaPeekAtLastError), the message says that the error is an earlier one.
[[noreturn]] void throw_launch_error(cudaError_t launch, cudaError_t before, const char* function,
                                     const char* kernel);

}  // namespace detail
}  // namespace weightinit

/// Evaluates `call` (an expression of type cudaError_t) once; throws weightinit::cuda_error naming
/// the public function `function` unless it returned cudaSuccess.
#define WEIGHTINIT_CUDA_TRY(call, function)                                               \
  do {                                                                                    \
    const cudaError_t weightinit_cuda_status_ = (call);                                   \
    if (weightinit_cuda_status_ != cudaSuccess)                                           \
      ::weightinit::detail::throw_cuda_error(weightinit_cuda_status_, (function), #call); \
  } while (0)
