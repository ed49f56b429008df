// kernels/launch_kernel.cuh: every kernel launch of the library goes through launch_kernel, which
// returns the status of *this* launch (cudaLaunchKernelEx), not whatever error an earlier call left
// in the thread's last-error slot: the host can tell an earlier failure from this call's
// (host/cuda_check.hpp, throw_launch_error). The last-error slot is left as the caller had it.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>

namespace weightinit {
namespace detail {

template <class... Params, class... Args>
cudaError_t launch_kernel(void (*kernel)(Params...), unsigned blocks, unsigned threads,
                          std::size_t shared_bytes, cudaStream_t stream, Args&&... args) {
  cudaLaunchConfig_t config{};
  config.gridDim = dim3(blocks);
  config.blockDim = dim3(threads);
  config.dynamicSmemBytes = shared_bytes;
  config.stream = stream;
  return cudaLaunchKernelEx(&config, kernel, static_cast<Params>(args)...);
}

}  // namespace detail
}  // namespace weightinit
