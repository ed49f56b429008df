// host/cusolver_loader.hpp: cuSOLVER for the GPU orthogonal, loaded on first use (dlopen of
// libcusolver.so.<major>), and one cuSOLVER handle per device and host thread, created on first use
// and destroyed when the thread exits. Nothing else in the library touches cuSOLVER.
#pragma once

#include "../kernels/cusolver_api.hpp"

namespace weightinit {
namespace detail {

/// The loaded entry points. Throws weightinit::cuda_error (cudaErrorSharedObjectInitFailed) naming
/// `function` when the library cannot be loaded or lacks a symbol.
const cusolver_api& cusolver(const char* function);

/// The calling thread's handle for the current device (created on first use). Throws
/// weightinit::cusolver_error naming `function` when cusolverDnCreate fails.
cusolverDnHandle_t cusolver_handle(const char* function);

}  // namespace detail
}  // namespace weightinit
