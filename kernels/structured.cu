// kernels/structured.cu: the GPU kernels of eye, dirac and sparse's column mask. Each element's
// value comes from the rules in kernels/structured.hpp that the CPU fill uses, so both write the
// same bits; the grid is a tuning knob only (grid-stride loops over global element or column
// indices).
#include <cuda_runtime.h>

#include <cstdint>

#include "curand_philox.cuh"
#include "element.hpp"
#include "launch_kernel.cuh"
#include "structured.hpp"

namespace weightinit {
namespace detail {
namespace {

using structured::blocks_for;
using structured::k_threads;

// ---------------------------------------------------------------------------------------------
// eye and dirac: one grid-stride pass over the window.

template <class Storage, class T>
__global__ void eye_kernel(Storage* out, std::int64_t first, std::int64_t count, std::int64_t cols,
                           T gain) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += stride)
    store_value(out + i, structured::eye_on_diagonal(first + i, cols) ? gain : T(0));
}

template <class Storage, class T>
__global__ void dirac_kernel(Storage* out, std::int64_t first, std::int64_t count,
                             structured::dirac_geometry d) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += stride)
    store_value(out + i, structured::dirac_is_one(d, first + i) ? T(1) : T(0));
}

// ---------------------------------------------------------------------------------------------
// sparse: one thread block per column. The `zeros`-th smallest selection key of the column is found
// by an 8-pass radix select (8 bits per pass, most significant first) over the column's distinct
// 64-bit keys; then every element of the window in that column whose key is <= it becomes +0. Keys
// are cached in shared memory when the column fits (Cached), else recomputed on each pass.

constexpr std::int64_t k_cached_rows = 4096;  // 32 KiB of keys

__device__ __forceinline__ std::uint64_t column_key(key k, std::int64_t r, std::int64_t cols,
                                                    std::int64_t c) {
  const std::uint64_t i = structured::sparse_index(r, cols, c);
  return structured::sparse_key_of(
      curand_philox_block(k.seed, k.stream, structured::sparse_block(i)), i, r);
}

template <class Storage, bool Cached>
__global__ void sparse_mask_kernel(Storage* out, std::int64_t first, std::int64_t count,
                                   std::int64_t rows, std::int64_t cols, std::int64_t c0,
                                   std::int64_t ncols, std::int64_t zeros, key k) {
  extern __shared__ std::uint64_t cache[];
  __shared__ unsigned long long hist[256];
  __shared__ std::uint64_t prefix_s, mask_s;
  __shared__ unsigned long long want_s;
  const std::int64_t last = first + count;  // exclusive
  for (std::int64_t j = blockIdx.x; j < ncols; j += gridDim.x) {
    const std::int64_t c = (c0 + j) % cols;
    if (Cached) {
      for (std::int64_t r = threadIdx.x; r < rows; r += blockDim.x)
        cache[r] = column_key(k, r, cols, c);
    }
    if (threadIdx.x == 0) {
      prefix_s = 0;
      mask_s = 0;
      want_s = static_cast<unsigned long long>(zeros);  // 1-based rank of the threshold
    }
    __syncthreads();
    for (int pass = 0; pass < 8; ++pass) {
      const int shift = 56 - 8 * pass;
      for (int b = threadIdx.x; b < 256; b += blockDim.x) hist[b] = 0;
      __syncthreads();
      const std::uint64_t prefix = prefix_s, mask = mask_s;
      for (std::int64_t r = threadIdx.x; r < rows; r += blockDim.x) {
        const std::uint64_t key_r = Cached ? cache[r] : column_key(k, r, cols, c);
        if ((key_r & mask) == prefix) atomicAdd(&hist[(key_r >> shift) & 0xffu], 1ull);
      }
      __syncthreads();
      if (threadIdx.x == 0) {
        unsigned long long want = want_s;
        int b = 0;
        while (hist[b] < want) want -= hist[b++];  // the bin holding the want-th smallest key
        want_s = want;
        prefix_s = prefix | (static_cast<std::uint64_t>(b) << shift);
        mask_s = mask | (std::uint64_t{0xff} << shift);
      }
      __syncthreads();
    }
    const std::uint64_t threshold = prefix_s;  // keys are distinct: exactly the zeros-th smallest
    for (std::int64_t r = threadIdx.x; r < rows; r += blockDim.x) {
      const std::int64_t g = r * cols + c;
      if (g < first || g >= last) continue;
      const std::uint64_t key_r = Cached ? cache[r] : column_key(k, r, cols, c);
      if (key_r <= threshold) out[g - first] = Storage{};  // +0 in every type
    }
    __syncthreads();  // the cache and the shared state are reused by the next column
  }
}

template <class Storage>
cudaError_t launch_mask(void* data, std::int64_t first, std::int64_t count, std::int64_t rows,
                        std::int64_t cols, std::int64_t zeros, key k, cudaStream_t stream) {
  const std::int64_t ncols = count < cols ? count : cols;
  const std::int64_t c0 = first % cols;
  const unsigned blocks = static_cast<unsigned>(ncols < 65535 ? ncols : 65535);
  Storage* out = static_cast<Storage*>(data);
  if (rows <= k_cached_rows)
    return launch_kernel(sparse_mask_kernel<Storage, true>, blocks, k_threads,
                         static_cast<std::size_t>(rows) * sizeof(std::uint64_t), stream, out, first,
                         count, rows, cols, c0, ncols, zeros, k);
  return launch_kernel(sparse_mask_kernel<Storage, false>, blocks, k_threads, 0, stream, out, first,
                       count, rows, cols, c0, ncols, zeros, k);
}

}  // namespace

int launch_eye(void* data, dtype type, std::int64_t first, std::int64_t count, std::int64_t cols,
               double gain, cudaStream_t stream) {
  const unsigned blocks = blocks_for(count);
  switch (type) {
    case dtype::f32:
      return launch_kernel(eye_kernel<float, float>, blocks, k_threads, 0, stream,
                           static_cast<float*>(data), first, count, cols, static_cast<float>(gain));
    case dtype::f64:
      return launch_kernel(eye_kernel<double, double>, blocks, k_threads, 0, stream,
                           static_cast<double*>(data), first, count, cols, gain);
    case dtype::f16:
      return launch_kernel(eye_kernel<f16_bits, float>, blocks, k_threads, 0, stream,
                           static_cast<f16_bits*>(data), first, count, cols,
                           static_cast<float>(gain));
    case dtype::bf16:
      return launch_kernel(eye_kernel<bf16_bits, float>, blocks, k_threads, 0, stream,
                           static_cast<bf16_bits*>(data), first, count, cols,
                           static_cast<float>(gain));
  }
  return static_cast<int>(cudaErrorInvalidValue);
}

int launch_dirac(void* data, dtype type, std::int64_t first, std::int64_t count,
                 const structured::dirac_geometry& geometry, cudaStream_t stream) {
  const unsigned blocks = blocks_for(count);
  switch (type) {
    case dtype::f32:
      return launch_kernel(dirac_kernel<float, float>, blocks, k_threads, 0, stream,
                           static_cast<float*>(data), first, count, geometry);
    case dtype::f64:
      return launch_kernel(dirac_kernel<double, double>, blocks, k_threads, 0, stream,
                           static_cast<double*>(data), first, count, geometry);
    case dtype::f16:
      return launch_kernel(dirac_kernel<f16_bits, float>, blocks, k_threads, 0, stream,
                           static_cast<f16_bits*>(data), first, count, geometry);
    case dtype::bf16:
      return launch_kernel(dirac_kernel<bf16_bits, float>, blocks, k_threads, 0, stream,
                           static_cast<bf16_bits*>(data), first, count, geometry);
  }
  return static_cast<int>(cudaErrorInvalidValue);
}

int launch_sparse_mask(void* data, dtype type, std::int64_t first, std::int64_t count,
                       std::int64_t rows, std::int64_t cols, std::int64_t zeros, key k,
                       cudaStream_t stream) {
  switch (type) {
    case dtype::f32: return launch_mask<float>(data, first, count, rows, cols, zeros, k, stream);
    case dtype::f64: return launch_mask<double>(data, first, count, rows, cols, zeros, k, stream);
    case dtype::f16:
    case dtype::bf16:
      return launch_mask<std::uint16_t>(data, first, count, rows, cols, zeros, k, stream);
  }
  return static_cast<int>(cudaErrorInvalidValue);
}

}  // namespace detail
}  // namespace weightinit
