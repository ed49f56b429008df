// tests/gpu/gpu_test.hpp: what every GPU test shares: a fixture that skips (never passes) when
// cudaGetDeviceCount reports no device, a CUDA check for test code, a device buffer, and the
// WEIGHTINIT_GPU_TEST_SMALL switch that compute-sanitizer runs use to keep sizes small.
#pragma once

#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

/// Asserts that a CUDA call in test code succeeded, naming the call and the error.
#define WEIGHTINIT_TEST_CUDA(call)                                                          \
  do {                                                                                      \
    const cudaError_t weightinit_test_status_ = (call);                                     \
    ASSERT_EQ(weightinit_test_status_, cudaSuccess)                                         \
        << #call << ": " << cudaGetErrorName(weightinit_test_status_) << ": "                \
        << cudaGetErrorString(weightinit_test_status_);                                     \
  } while (0)

namespace weightinit_test {

/// True when WEIGHTINIT_GPU_TEST_SMALL is set to anything but "" or "0": sizes stop at 4097
/// elements and the 2^32-element test skips (for compute-sanitizer, which runs kernels slowly).
inline bool small_sizes_only() {
  const char* v = std::getenv("WEIGHTINIT_GPU_TEST_SMALL");
  return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
}

/// Base fixture of every GPU test: skips with the reason when there is no usable device, and
/// checks after each test that no CUDA error is pending.
class gpu_test : public ::testing::Test {
 protected:
  void SetUp() override {
    int devices = 0;
    const cudaError_t e = cudaGetDeviceCount(&devices);
    if (e != cudaSuccess || devices == 0) {
      cudaGetLastError();
      GTEST_SKIP() << "no CUDA device (cudaGetDeviceCount: " << cudaGetErrorName(e) << ", "
                   << devices << " devices): GPU test not run";
    }
  }
  void TearDown() override {
    if (IsSkipped()) return;
    EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess) << "a kernel of this test failed";
    EXPECT_EQ(cudaGetLastError(), cudaSuccess) << "a CUDA error was left pending";
  }
};

/// cudaMalloc'd bytes, freed on destruction (256-byte aligned, as cudaMalloc guarantees).
class device_bytes {
 public:
  explicit device_bytes(std::size_t n) : size_(n) {
    if (cudaMalloc(&ptr_, n) != cudaSuccess) {
      cudaGetLastError();
      ptr_ = nullptr;
    }
  }
  ~device_bytes() {
    if (ptr_) cudaFree(ptr_);
  }
  device_bytes(const device_bytes&) = delete;
  device_bytes& operator=(const device_bytes&) = delete;
  unsigned char* get() const { return static_cast<unsigned char*>(ptr_); }
  std::size_t size() const { return size_; }
  explicit operator bool() const { return ptr_ != nullptr; }

 private:
  void* ptr_ = nullptr;
  std::size_t size_;
};

}  // namespace weightinit_test
