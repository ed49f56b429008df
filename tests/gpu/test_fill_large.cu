// tests/gpu/test_fill_large.cu: a bf16 tensor of 2^32 + 2,000,000 elements filled by the device
// fill and checked on the device, element by element, against a deliberately simple reference
// kernel: one thread per element, our own host-device Philox (not cuRAND), kernels/element.hpp's
// values. Nothing is copied to the host but a count, the first bad index and the guard bytes.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "gpu_test.hpp"
#include "host/prepare.hpp"
#include "kernels/element.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using weightinit_test::device_bytes;
using weightinit_test::gpu_test;

namespace {

// One element per thread: element i takes block i / 4 of the stream and lane i % 4 of its values.
__global__ void check_bf16_kernel(const wi::prepared<float> p, const wi::key k,
                                  const std::uint16_t* out, std::uint64_t n,
                                  unsigned long long* mismatches, unsigned long long* first_bad) {
  const std::uint64_t i = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  float v[4];
  wi::block_values(p, wi::philox_block(k.seed, k.stream, i / 4), v);
  wi::bf16_bits want;
  wi::store_value(&want, v[i % 4]);
  if (out[i] != want.bits) {
    atomicAdd(mismatches, 1ull);
    atomicMin(first_bad, static_cast<unsigned long long>(i));
  }
}

}  // namespace

class DeviceFillLarge : public gpu_test {};

TEST_F(DeviceFillLarge, Bf16PastTwoToThe32ElementsEqualsAOneThreadPerElementReference) {
  if (weightinit_test::small_sizes_only())
    GTEST_SKIP() << "WEIGHTINIT_GPU_TEST_SMALL is set: the 2^32-element test needs 8.6 GB";
  const std::uint64_t n = (std::uint64_t{1} << 32) + 2000000;
  const std::size_t guard = 256, bytes = static_cast<std::size_t>(n) * 2;
  device_bytes buf(guard + bytes + guard);
  if (!buf) GTEST_SKIP() << "this device cannot allocate " << buf.size() << " bytes";
  device_bytes counters(2 * sizeof(unsigned long long));
  ASSERT_TRUE(counters);
  const wi::distribution d = wi::distribution::normal(0.0, 0.02);
  const wi::key k{0x0123456789abcdefull, 41};

  WEIGHTINIT_TEST_CUDA(cudaMemset(buf.get(), 0xff, buf.size()));
  std::uint16_t* out = reinterpret_cast<std::uint16_t*>(buf.get() + guard);
  wi::fill({out, wi::dtype::bf16, {static_cast<std::int64_t>(n)}}, d, k, nullptr);

  const unsigned long long init[2] = {0, ~0ull};
  WEIGHTINIT_TEST_CUDA(cudaMemcpy(counters.get(), init, sizeof init, cudaMemcpyHostToDevice));
  unsigned long long* mismatches = reinterpret_cast<unsigned long long*>(counters.get());
  const unsigned threads = 256;
  const std::uint64_t blocks = (n + threads - 1) / threads;  // 16.8 million: fits gridDim.x
  ASSERT_LT(blocks, std::uint64_t{1} << 31);
  check_bf16_kernel<<<static_cast<unsigned>(blocks), threads>>>(
      wi::detail::prepare_f32(d, wi::dtype::bf16, "test"), k, out, n, mismatches, mismatches + 1);
  WEIGHTINIT_TEST_CUDA(cudaGetLastError());
  unsigned long long result[2];
  WEIGHTINIT_TEST_CUDA(cudaMemcpy(result, counters.get(), sizeof result, cudaMemcpyDeviceToHost));
  EXPECT_EQ(result[0], 0ull) << "elements differing from the reference; the first at index "
                             << result[1];

  // The last 8 elements (indices past 2^32) also equal the CPU fill of that window.
  std::vector<std::uint16_t> tail(8), cpu(8);
  WEIGHTINIT_TEST_CUDA(cudaMemcpy(tail.data(), out + (n - 8), 16, cudaMemcpyDeviceToHost));
  wi::fill_host({cpu.data(),
                 wi::dtype::bf16,
                 {static_cast<std::int64_t>(n)},
                 static_cast<std::int64_t>(n - 8),
                 8},
                d, k);
  EXPECT_EQ(tail, cpu);

  std::vector<unsigned char> before(guard), after(guard);
  WEIGHTINIT_TEST_CUDA(cudaMemcpy(before.data(), buf.get(), guard, cudaMemcpyDeviceToHost));
  WEIGHTINIT_TEST_CUDA(
      cudaMemcpy(after.data(), buf.get() + guard + bytes, guard, cudaMemcpyDeviceToHost));
  EXPECT_EQ(before, std::vector<unsigned char>(guard, 0xff)) << "guard before the tensor written";
  EXPECT_EQ(after, std::vector<unsigned char>(guard, 0xff)) << "guard after the tensor written";
}
