// bench/store_only.hpp: the roofline kernel of the GPU benchmarks (bench/store_only.cu): stores a
// byte pattern over a buffer with 16-byte vector stores and does nothing else.
#pragma once

#include <cstddef>

#include <cuda_runtime_api.h>

namespace wib {

/// Blocks for launch_store_only on the current device: enough to keep every SM busy.
int store_only_blocks();

/// Writes `pattern` to every byte of [p, p + bytes) on `stream`; p 16-byte aligned. Returns the
/// launch status.
cudaError_t launch_store_only(void* p, std::size_t bytes, unsigned char pattern, int blocks,
                              cudaStream_t stream);

}  // namespace wib
