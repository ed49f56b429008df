// bench/gpu_timer.cu: the blocking kernel of bench/gpu_timer.hpp and an empty kernel (the launch
// floor). The blocking kernel spins on a flag in pinned host memory until the host releases it or
// 2 s of %globaltimer pass.
#include <cstdint>

#include "gpu_timer.hpp"

namespace wib {
namespace {

constexpr std::uint64_t kTimeoutNs = 2000000000ull;

__device__ std::uint64_t global_ns() {
  std::uint64_t t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

__global__ void blocking_kernel(volatile unsigned* flags) {
  const std::uint64_t t0 = global_ns();
  while (flags[0] == 0) {
    if (global_ns() - t0 > kTimeoutNs) {
      flags[1] = 1;
      break;
    }
  }
}

__global__ void empty_kernel() {}

}  // namespace

stream_blocker::~stream_blocker() {
  if (host_) cudaFreeHost(const_cast<unsigned*>(host_));
}

cudaError_t stream_blocker::init() {
  void* p = nullptr;
  cudaError_t e = cudaHostAlloc(&p, 2 * sizeof(unsigned), cudaHostAllocMapped);
  if (e != cudaSuccess) return e;
  host_ = static_cast<volatile unsigned*>(p);
  host_[0] = host_[1] = 0;
  void* d = nullptr;
  e = cudaHostGetDevicePointer(&d, p, 0);
  device_ = static_cast<unsigned*>(d);
  return e;
}

cudaError_t stream_blocker::block(cudaStream_t stream) {
  host_[0] = 0;
  host_[1] = 0;
  blocking_kernel<<<1, 1, 0, stream>>>(device_);
  return cudaGetLastError();
}

void stream_blocker::release() {
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  host_[0] = 1;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool stream_blocker::timed_out() const { return host_[1] != 0; }

cudaError_t launch_empty(cudaStream_t stream) {
  empty_kernel<<<1, 32, 0, stream>>>();
  return cudaGetLastError();
}

}  // namespace wib
