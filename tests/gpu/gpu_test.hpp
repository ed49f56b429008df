// tests/gpu/gpu_test.hpp: what every GPU test shares: a fixture that skips (never passes) when
// cudaGetDeviceCount reports no device, a CUDA check for test code, a device buffer, owners of a
// stream and of a graph, the check of a captured graph, an element's bytes in hex for messages,
// and the WEIGHTINIT_GPU_TEST_SMALL switch that compute-sanitizer runs use to keep sizes small.
#pragma once

#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

/// Asserts that a CUDA call in test code succeeded, naming the call and the error.
#define WEIGHTINIT_TEST_CUDA(call)                                            \
  do {                                                                        \
    const cudaError_t weightinit_test_status_ = (call);                       \
    ASSERT_EQ(weightinit_test_status_, cudaSuccess)                           \
        << #call << ": " << cudaGetErrorName(weightinit_test_status_) << ": " \
        << cudaGetErrorString(weightinit_test_status_);                       \
  } while (0)

namespace weightinit_test {

/// True when WEIGHTINIT_GPU_TEST_SMALL is set to anything but "" or "0": sizes stop at 4097
/// elements and the 2^32-element test skips (for compute-sanitizer, which runs kernels slowly).
inline bool small_sizes_only() {
  const char* v = std::getenv("WEIGHTINIT_GPU_TEST_SMALL");
  return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
}

/// The `bytes` bytes at `p` as one little-endian hexadecimal number ("0x3f80" for a bf16 1.0),
/// for messages about an element that differs.
inline std::string hex(const unsigned char* p, std::size_t bytes) {
  std::ostringstream s;
  s << "0x";
  for (std::size_t i = bytes; i-- > 0;) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", p[i]);
    s << b;
  }
  return s.str();
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

/// A stream, destroyed on destruction (create it into `s`).
struct stream_guard {
  cudaStream_t s = nullptr;
  ~stream_guard() {
    if (s) cudaStreamDestroy(s);
  }
};

/// A captured graph and its executable, destroyed on destruction.
struct graph_guard {
  cudaGraph_t g = nullptr;
  cudaGraphExec_t exec = nullptr;
  ~graph_guard() {
    if (exec) cudaGraphExecDestroy(exec);
    if (g) cudaGraphDestroy(g);
  }
};

/// Checks a graph just captured from fills into `buffers`, each poisoned with the byte `poison`
/// before the capture: it holds `kernels` nodes (`why` says why that many), every one a kernel
/// node, and capturing ran none of them (every byte of every buffer is still `poison`). A failed
/// CUDA call is a fatal failure: call it inside ASSERT_NO_FATAL_FAILURE.
inline void expect_captured_kernels_only(cudaGraph_t g, std::size_t kernels, const char* why,
                                         const std::vector<std::unique_ptr<device_bytes>>& buffers,
                                         int poison) {
  std::size_t nodes = 0;
  WEIGHTINIT_TEST_CUDA(cudaGraphGetNodes(g, nullptr, &nodes));
  EXPECT_EQ(nodes, kernels) << why;
  std::vector<cudaGraphNode_t> list(nodes);
  WEIGHTINIT_TEST_CUDA(cudaGraphGetNodes(g, list.data(), &nodes));
  for (cudaGraphNode_t node : list) {
    cudaGraphNodeType type;
    WEIGHTINIT_TEST_CUDA(cudaGraphNodeGetType(node, &type));
    EXPECT_EQ(type, cudaGraphNodeTypeKernel);
  }
  for (const auto& b : buffers) {
    std::vector<unsigned char> got(b->size());
    WEIGHTINIT_TEST_CUDA(cudaMemcpy(got.data(), b->get(), got.size(), cudaMemcpyDeviceToHost));
    EXPECT_EQ(got, std::vector<unsigned char>(got.size(), static_cast<unsigned char>(poison)))
        << "capturing executed a fill";
  }
}

}  // namespace weightinit_test
