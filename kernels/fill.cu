// kernels/fill.cu: the device fill kernels, one per (storage type, distribution kind), and their
// launchers. A kernel is a grid-stride loop of kernels/fill_unit.cuh's fill_thread: each thread
// draws its units' Philox blocks from cuRAND, computes the exact values shared with the CPU fill
// and stores them 16 bytes at a time where the alignment allows. Same bits as fill_host.
#include <cstdint>

#include "launch_kernel.cuh"
#include "fill.hpp"
#include "fill_unit.cuh"

namespace weightinit {
namespace detail {
namespace {

template <class Storage, class T, distribution_kind Kind>
__global__ void fill_kernel(const prepared<T> params, const launch::plan plan, const key k,
                            unsigned char* const data) {
  fill_thread<Storage, T, Kind>(params, plan, k, data,
                                launch::global_thread(blockIdx.x, blockDim.x, threadIdx.x),
                                static_cast<std::uint64_t>(gridDim.x) * blockDim.x);
}

template <class T>
using kernel_fn = void (*)(prepared<T>, launch::plan, key, unsigned char*);

template <class Storage, class T>
kernel_fn<T> kernel_for(distribution_kind kind) {
  switch (kind) {
    case distribution_kind::constant: return fill_kernel<Storage, T, distribution_kind::constant>;
    case distribution_kind::uniform: return fill_kernel<Storage, T, distribution_kind::uniform>;
    case distribution_kind::normal: return fill_kernel<Storage, T, distribution_kind::normal>;
    case distribution_kind::truncated_normal:
      return fill_kernel<Storage, T, distribution_kind::truncated_normal>;
  }
  return nullptr;
}

// The kernel for a dtype: f64 runs on prepared<double>, the others on prepared<float>.
kernel_fn<float> kernel_f32_math(dtype type, distribution_kind kind) {
  switch (type) {
    case dtype::f32: return kernel_for<float, float>(kind);
    case dtype::f16: return kernel_for<f16_bits, float>(kind);
    case dtype::bf16: return kernel_for<bf16_bits, float>(kind);
    case dtype::f64: break;
  }
  return nullptr;
}
kernel_fn<double> kernel_f64_math(dtype type, distribution_kind kind) {
  return type == dtype::f64 ? kernel_for<double, double>(kind) : nullptr;
}

template <class T>
cudaError_t launch_with(kernel_fn<T> kernel, const prepared<T>& p, const launch::plan& plan,
                        void* data, key k, unsigned blocks, unsigned threads, cudaStream_t stream) {
  if (kernel == nullptr) return cudaErrorInvalidValue;
  return launch_kernel(kernel, blocks, threads, 0, stream, p, plan, k,
                       static_cast<unsigned char*>(data));
}

}  // namespace

cudaError_t fill_blocks_per_sm(dtype type, distribution_kind kind, unsigned threads, int* blocks) {
  const void* kernel = type == dtype::f64
                           ? reinterpret_cast<const void*>(kernel_f64_math(type, kind))
                           : reinterpret_cast<const void*>(kernel_f32_math(type, kind));
  if (kernel == nullptr) return cudaErrorInvalidValue;
  return cudaOccupancyMaxActiveBlocksPerMultiprocessor(blocks, kernel, static_cast<int>(threads),
                                                       0);
}

cudaError_t launch_fill(const prepared<float>& p, dtype type, const launch::plan& plan, void* data,
                        key k, unsigned blocks, unsigned threads, cudaStream_t stream) {
  return launch_with(kernel_f32_math(type, p.kind), p, plan, data, k, blocks, threads, stream);
}

cudaError_t launch_fill(const prepared<double>& p, dtype type, const launch::plan& plan, void* data,
                        key k, unsigned blocks, unsigned threads, cudaStream_t stream) {
  return launch_with(kernel_f64_math(type, p.kind), p, plan, data, k, blocks, threads, stream);
}

}  // namespace detail
}  // namespace weightinit
