// kernels/fill.hpp: the launchers of the device fill kernels (kernels/fill.cu), callable from host
// code compiled by any C++ compiler. Launchers check nothing and format nothing:
// host/fill_device.cpp validates before calling them and turns their cudaError_t into
// weightinit::cuda_error.
#pragma once

#include <cuda_runtime_api.h>

#include "element.hpp"
#include "launch.hpp"
#include "weightinit/types.hpp"

namespace weightinit {
namespace detail {

/// Resident blocks per multiprocessor of the kernel that fills `type` with `kind`, at `threads`
/// threads per block, on the current device (cudaOccupancyMaxActiveBlocksPerMultiprocessor).
cudaError_t fill_blocks_per_sm(dtype type, distribution_kind kind, unsigned threads, int* blocks);

/// Launches the fill of the window `plan` at device address `data` on `stream` with `blocks` x
/// `threads` threads, and returns cudaGetLastError() right after the launch. f32, f16 and bf16 take
/// prepared<float>; f64 takes prepared<double> (any other pairing returns cudaErrorInvalidValue and
/// launches nothing).
cudaError_t launch_fill(const prepared<float>& p, dtype type, const launch::plan& plan, void* data,
                        key k, unsigned blocks, unsigned threads, cudaStream_t stream);
cudaError_t launch_fill(const prepared<double>& p, dtype type, const launch::plan& plan, void* data,
                        key k, unsigned blocks, unsigned threads, cudaStream_t stream);

}  // namespace detail
}  // namespace weightinit
