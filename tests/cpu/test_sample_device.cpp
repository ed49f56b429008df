// tests/cpu/test_sample_device.cpp: `weightinit sample --device gpu` on a machine without a GPU
// fails as a runtime error (exit status 1) that says it needs a CUDA device, and writes no file.
// (With a GPU, tests/gpu/test_sample_gpu.cpp checks that it writes the CPU's .npy.)
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "tests/common/run_tool.hpp"

using weightinit_test::run_tool;
using weightinit_test::tool_exists;
using weightinit_test::tool_result;

TEST(SampleDeviceGpu, WithoutAGpuExitsWithStatusOneAndSaysItNeedsACudaDevice) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  int devices = 0;
  const bool gpu = cudaGetDeviceCount(&devices) == cudaSuccess && devices > 0;
  cudaGetLastError();
  if (gpu) GTEST_SKIP() << "a CUDA device is present: tests/gpu/test_sample_gpu.cpp covers this";
  const std::string out_path = testing::TempDir() + "weightinit_sample_no_gpu.npy";
  std::remove(out_path.c_str());
  const tool_result r = run_tool("sample --device gpu --dtype bf16 --shape 8,4 --out " + out_path);
  ASSERT_NE(r.status, -1) << "the tool did not start or did not exit: " << r.out;
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("--device gpu needs a CUDA device"), std::string::npos) << r.out;
  EXPECT_FALSE(std::ifstream(out_path).good()) << "a .npy was written without a GPU";
}
