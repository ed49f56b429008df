// tests/gpu/test_multi_gpu.cpp: the device fill with more than one GPU. A pointer to memory of a
// device other than the current one is refused (std::invalid_argument naming "device", nothing
// written, the current device left alone), and the check follows the current device rather than
// device 0. Skips with fewer than two devices (and without any).
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "gpu_test.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using weightinit_test::gpu_test;

namespace {

constexpr std::int64_t kElements = 4097;
constexpr int kPoison = 0xff;  // a NaN in every dtype: an element the fill wrote shows
const wi::distribution kNormal = wi::distribution::normal(0.0, 0.02);
const wi::key kKey{20261201, 5};

// The one call of the device fill in this file (the API gains a fill_options argument soon).
void fill_f32(void* data, cudaStream_t stream) {
  wi::fill({data, wi::dtype::f32, {kElements}}, kNormal, kKey, stream);
}

// Makes `device` current for a scope and restores the previous current device after it.
class on_device {
 public:
  explicit on_device(int device) {
    cudaGetDevice(&previous_);
    cudaSetDevice(device);
  }
  ~on_device() { cudaSetDevice(previous_); }
  on_device(const on_device&) = delete;
  on_device& operator=(const on_device&) = delete;

 private:
  int previous_ = 0;
};

// f32 memory on one device, poisoned, freed on that device.
class buffer_on {
 public:
  explicit buffer_on(int device) : device_(device) {
    on_device scope(device_);
    if (cudaMalloc(&ptr_, bytes()) != cudaSuccess ||
        cudaMemset(ptr_, kPoison, bytes()) != cudaSuccess ||
        cudaDeviceSynchronize() != cudaSuccess) {
      cudaGetLastError();
      if (ptr_) cudaFree(ptr_);
      ptr_ = nullptr;
    }
  }
  ~buffer_on() {
    if (!ptr_) return;
    on_device scope(device_);
    cudaFree(ptr_);
  }
  buffer_on(const buffer_on&) = delete;
  buffer_on& operator=(const buffer_on&) = delete;
  void* get() const { return ptr_; }
  static std::size_t bytes() { return static_cast<std::size_t>(kElements) * sizeof(float); }
  std::vector<unsigned char> contents() const {  // unified addressing: a copy from any device
    std::vector<unsigned char> h(bytes());
    if (cudaMemcpy(h.data(), ptr_, h.size(), cudaMemcpyDefault) != cudaSuccess) h.clear();
    return h;
  }

 private:
  int device_;
  void* ptr_ = nullptr;
};

}  // namespace

class MultiGpu : public gpu_test {
 protected:
  void SetUp() override {
    gpu_test::SetUp();
    if (IsSkipped()) return;
    int devices = 0;
    ASSERT_EQ(cudaGetDeviceCount(&devices), cudaSuccess);
    if (devices < 2) GTEST_SKIP() << "needs two CUDA devices, found " << devices;
    ASSERT_EQ(cudaGetDevice(&current_), cudaSuccess);
    other_ = current_ == 0 ? 1 : 0;
  }
  int current_ = 0, other_ = 1;
};

TEST_F(MultiGpu, DeviceFillRefusesAPointerOnAnotherDevice) {
  buffer_on foreign(other_);
  ASSERT_NE(foreign.get(), nullptr) << "cudaMalloc on device " << other_;
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);  // a stream of the current device
  std::string message;
  try {
    fill_f32(foreign.get(), stream);
    ADD_FAILURE() << "fill accepted memory of device " << other_ << " while device " << current_
                  << " is current";
  } catch (const std::invalid_argument& e) {
    message = e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected std::invalid_argument, got: " << e.what();
  }
  EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  cudaStreamDestroy(stream);
  EXPECT_NE(message.find("device"), std::string::npos) << "the message: " << message;
  int now = -1;
  EXPECT_EQ(cudaGetDevice(&now), cudaSuccess);
  EXPECT_EQ(now, current_) << "the fill changed the current device";
  EXPECT_EQ(foreign.contents(), std::vector<unsigned char>(buffer_on::bytes(), kPoison))
      << "the refused fill wrote the buffer";
}

TEST_F(MultiGpu, DeviceFillFollowsTheCurrentDeviceNotDeviceZero) {
  buffer_on there(other_);
  ASSERT_NE(there.get(), nullptr) << "cudaMalloc on device " << other_;
  {
    on_device scope(other_);
    cudaStream_t stream = nullptr;
    ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);  // a stream of device other_
    EXPECT_NO_THROW(fill_f32(there.get(), stream));
    EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
    cudaStreamDestroy(stream);
  }
  std::vector<unsigned char> want(buffer_on::bytes());
  wi::fill_host({want.data(), wi::dtype::f32, {kElements}}, kNormal, kKey);
  EXPECT_EQ(there.contents(), want) << "the fill on device " << other_ << " differs from fill_host";
}
