// tests/cpu/test_fill_device_args.cpp: weightinit::fill's argument checks, which run on the host
// before any CUDA call and so are tested without a GPU, and WEIGHTINIT_CUDA_TRY's error message.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "host/cuda_check.hpp"
#include "host/fill_device.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;

namespace {

bool has_device() {
  int n = 0;
  const bool ok = cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
  cudaGetLastError();  // a failed query is no error of the test's
  return ok;
}

template <class F>
std::string invalid_argument_message(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("wrong exception: ") + e.what();
  }
  return "no exception";
}

cudaError_t fails_with(cudaError_t e, int* calls) {
  ++*calls;
  return e;
}

}  // namespace

TEST(DeviceFillArguments, NullPointerIsRejectedBeforeAnyCudaCall) {
  const wi::tensor_view t{nullptr, wi::dtype::f32, {16, 4}};
  const std::string m = invalid_argument_message([&] {
    wi::fill(t, wi::distribution::normal(0, 1), {1, 2}, nullptr);
  });
  EXPECT_NE(m.find("fill: null data pointer for 64 f32 elements"), std::string::npos) << m;
}

TEST(DeviceFillArguments, BadDistributionIsRejectedEvenForAnEmptyWindow) {
  const wi::tensor_view t{nullptr, wi::dtype::bf16, {0, 4}};
  const std::string m = invalid_argument_message([&] {
    wi::fill(t, wi::distribution::normal(0, -1), {1, 2}, nullptr);
  });
  EXPECT_NE(m.find("fill: "), std::string::npos) << m;
  EXPECT_NE(m.find("std must be a finite number >= 0, got -1"), std::string::npos) << m;
  const std::string u = invalid_argument_message([&] {
    wi::fill(t, wi::distribution::uniform(1, 1), {1, 2}, nullptr);
  });
  EXPECT_NE(u.find("needs a < b"), std::string::npos) << u;
}

TEST(DeviceFillArguments, WindowOutsideTheTensorIsRejected) {
  wi::tensor_view t{reinterpret_cast<void*>(0x1000), wi::dtype::f32, {10}};
  t.first = 8;
  t.count = 3;
  const std::string m =
      invalid_argument_message([&] { wi::fill(t, wi::distribution::uniform(0, 1), {}, nullptr); });
  EXPECT_NE(m.find("fill: window [8, +3) lies outside tensor [10]"), std::string::npos) << m;
}

TEST(DeviceFillArguments, PointerNotAlignedToItsElementIsRejected) {
  const wi::tensor_view t{reinterpret_cast<void*>(0x1002), wi::dtype::f32, {10}};
  const std::string m =
      invalid_argument_message([&] { wi::fill(t, wi::distribution::uniform(0, 1), {}, nullptr); });
  EXPECT_NE(m.find("fill: data pointer 0x1002 is not aligned to its 4-byte f32 elements"),
            std::string::npos)
      << m;
  const wi::tensor_view h{reinterpret_cast<void*>(0x1001), wi::dtype::bf16, {10}};
  EXPECT_NE(invalid_argument_message([&] {
              wi::fill(h, wi::distribution::uniform(0, 1), {}, nullptr);
            }).find("not aligned"),
            std::string::npos);
}

TEST(DeviceFillArguments, ThreadsPerBlockOutsideMultiplesOf32UpTo1024AreRejected) {
  std::vector<float> host(4);
  const wi::tensor_view t{host.data(), wi::dtype::f32, {4}};
  for (unsigned threads : {0u, 31u, 33u, 2048u}) {
    const std::string m = invalid_argument_message([&] {
      wi::detail::fill_device(t, wi::distribution::uniform(0, 1), {}, {1, threads}, nullptr);
    });
    EXPECT_NE(m.find("threads per block must be a multiple of 32 in [32, 1024], got " +
                     std::to_string(threads)),
              std::string::npos)
        << m;
  }
}

TEST(DeviceFillArguments, EmptyWindowMakesNoCudaCallAndNeedsNoPointer) {
  // Without a device every CUDA call fails, so returning quietly here shows none was made.
  wi::tensor_view t{nullptr, wi::dtype::f64, {1000, 3}};
  t.first = 3000;
  EXPECT_NO_THROW(wi::fill(t, wi::distribution::normal(0, 1), {}, nullptr));
  const wi::tensor_view empty{nullptr, wi::dtype::f16, {0}};
  EXPECT_NO_THROW(wi::fill(empty, wi::distribution::constant(3), {}, nullptr));
}

TEST(DeviceFillArguments, HostPointerIsRejectedWithAClearMessage) {
  std::vector<float> host(64);
  const wi::tensor_view t{host.data(), wi::dtype::f32, {64}};
  if (has_device()) {
    // The runtime can tell pageable memory apart: a clear std::invalid_argument.
    const std::string m =
        invalid_argument_message([&] { wi::fill(t, wi::distribution::normal(0, 1), {}, nullptr); });
    EXPECT_NE(m.find("is host memory (pageable, not registered with CUDA)"), std::string::npos)
        << m;
    EXPECT_NE(m.find("use fill_host"), std::string::npos) << m;
  } else {
    // No device or driver: the pointer query itself fails, which is a cuda_error naming that call.
    try {
      wi::fill(t, wi::distribution::normal(0, 1), {}, nullptr);
      FAIL() << "fill on a machine without a GPU returned";
    } catch (const wi::cuda_error& e) {
      const std::string m = e.what();
      // Named after the public function and the failing call, in user terms, no build-tree path.
      EXPECT_EQ(m.rfind("weightinit::fill: ", 0), 0u) << m;
      EXPECT_NE(m.find("from cudaPointerGetAttributes)"), std::string::npos) << m;
      EXPECT_EQ(m.find(".cpp"), std::string::npos) << m;
      EXPECT_NE(e.code(), 0);
    }
  }
  EXPECT_EQ(host[0], 0.0f);  // nothing written
}

TEST(CudaTry, FailureThrowsCudaErrorNamingThePublicFunctionWhatWentWrongAndTheCall) {
  int calls = 0;
  try {
    WEIGHTINIT_CUDA_TRY(fails_with(cudaErrorInsufficientDriver, &calls), "fill");
    FAIL() << "WEIGHTINIT_CUDA_TRY did not throw";
  } catch (const wi::cuda_error& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.code(), static_cast<int>(cudaErrorInsufficientDriver));
    EXPECT_EQ(m,
              "weightinit::fill: no usable CUDA device: the installed NVIDIA driver is older than "
              "the CUDA runtime (cudaErrorInsufficientDriver from fails_with)");
    // No build-tree path in what the user reads.
    EXPECT_EQ(m.find(".cpp"), std::string::npos) << m;
    // It is also a std::runtime_error, as DESIGN.md §2 promises.
    const std::runtime_error& base = e;
    EXPECT_STREQ(base.what(), e.what());
  }
  EXPECT_EQ(calls, 1);
}

TEST(CudaTry, SuccessDoesNotThrowAndEvaluatesTheCallOnce) {
  int calls = 0;
  EXPECT_NO_THROW(WEIGHTINIT_CUDA_TRY(fails_with(cudaSuccess, &calls), "fill"));
  EXPECT_EQ(calls, 1);
}
