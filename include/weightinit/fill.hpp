// weightinit/fill.hpp: filling a tensor with a resolved distribution, on the GPU (fill) or the CPU
// (fill_host). Both write exactly the same bits: every value is a pure function of (key, global
// element index, distribution, dtype), DESIGN.md §1.
#pragma once

#include "weightinit/types.hpp"

typedef struct CUstream_st* cudaStream_t;  // the same declaration as cuda_runtime_api.h

namespace weightinit {

/// How the CPU fill runs. The values never depend on it.
struct host_policy {
  unsigned threads = 0;  ///< worker threads; 0 = std::thread::hardware_concurrency()
};

/// Fills host memory. Synchronous. Throws std::invalid_argument (nothing written) on a bad
/// distribution, a null pointer, or a window outside the tensor. A zero-element window is a no-op.
void fill_host(const tensor_view& tensor, const distribution& dist, key k, host_policy policy = {});

/// Fills device memory on `stream`: asynchronous, allocates nothing, synchronizes nothing, can be
/// captured in a CUDA graph. Throws std::invalid_argument (nothing launched) on a bad distribution,
/// a null or host pointer, or a window outside the tensor; weightinit::cuda_error on a CUDA failure.
/// A zero-element window launches nothing.
void fill(const tensor_view& tensor, const distribution& dist, key k, cudaStream_t stream);

}  // namespace weightinit
