// bench/store_only.cu: the roofline of the GPU benchmarks: a grid-stride kernel that writes the
// same bytes as a fill with 16-byte stores and computes nothing, so a fill's time over this
// kernel's is the price of generating its values.
#include <cstdint>

#include "store_only.hpp"

namespace wib {
namespace {

__global__ void store_only_kernel(uint4* p, std::size_t n16, uint4 v) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n16;
       i += stride)
    p[i] = v;
}

__global__ void store_tail_kernel(unsigned char* p, std::size_t n, unsigned char v) {
  const std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) p[i] = v;
}

constexpr int kThreads = 256;

}  // namespace

int store_only_blocks() {
  int device = 0, sms = 0, per_sm = 0;
  cudaGetDevice(&device);
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device);
  cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, store_only_kernel, kThreads, 0);
  return sms * (per_sm > 0 ? per_sm : 1);
}

cudaError_t launch_store_only(void* p, std::size_t bytes, unsigned char pattern, int blocks,
                              cudaStream_t stream) {
  const std::uint32_t w = 0x01010101u * pattern;
  const std::size_t n16 = bytes / 16;
  if (n16 > 0) {
    const std::size_t needed = (n16 + kThreads - 1) / kThreads;
    const int grid = static_cast<int>(needed < static_cast<std::size_t>(blocks) ? needed : blocks);
    store_only_kernel<<<grid, kThreads, 0, stream>>>(static_cast<uint4*>(p), n16,
                                                     make_uint4(w, w, w, w));
  }
  const std::size_t tail = bytes - n16 * 16;
  if (tail > 0)
    store_tail_kernel<<<1, kThreads, 0, stream>>>(static_cast<unsigned char*>(p) + n16 * 16, tail,
                                                  pattern);
  return cudaGetLastError();
}

}  // namespace wib
