// host/cuda_check.hpp: WEIGHTINIT_CUDA_TRY(call), the one way host code checks a CUDA runtime call:
// on failure it throws weightinit::cuda_error naming the call, the file and the line. The message is
// formatted out of line (host/cuda_check.cpp) so each use costs a compare and a cold call.
#pragma once

#include <cuda_runtime_api.h>

namespace weightinit {
namespace detail {

/// Throws weightinit::cuda_error(status, "<file>:<line>: <call> failed: <name> (<code>): <text>").
[[noreturn]] void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line);

}  // namespace detail
}  // namespace weightinit

/// Evaluates `call` (an expression of type cudaError_t) once; throws weightinit::cuda_error unless it
/// returned cudaSuccess.
#define WEIGHTINIT_CUDA_TRY(call)                                                       \
  do {                                                                                  \
    const cudaError_t weightinit_cuda_status_ = (call);                                 \
    if (weightinit_cuda_status_ != cudaSuccess)                                         \
      ::weightinit::detail::throw_cuda_error(weightinit_cuda_status_, #call, __FILE__, __LINE__); \
  } while (0)
