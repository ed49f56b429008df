// tests/cpu/test_sample_device.cpp: `weightinit sample --device gpu` on a machine without a GPU
// fails as a runtime error (exit status 1) that says it needs a CUDA device, and writes no file.
// (With a GPU, tests/gpu/test_sample_gpu.cpp checks that it writes the CPU's .npy.)
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace {

const std::string kTool = std::string(WEIGHTINIT_BINARY_DIR) + "/weightinit";

}  // namespace

TEST(SampleDeviceGpu, WithoutAGpuExitsWithStatusOneAndSaysItNeedsACudaDevice) {
  if (!std::ifstream(kTool).good()) GTEST_SKIP() << "weightinit tool not built";
  int devices = 0;
  const bool gpu = cudaGetDeviceCount(&devices) == cudaSuccess && devices > 0;
  cudaGetLastError();
  if (gpu) GTEST_SKIP() << "a CUDA device is present: tests/gpu/test_sample_gpu.cpp covers this";
  const std::string out_path = testing::TempDir() + "weightinit_sample_no_gpu.npy";
  std::remove(out_path.c_str());
  const std::string cmd = kTool + " sample --device gpu --dtype bf16 --shape 8,4 --out " +
                          out_path + " 2>&1";
  std::FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int st = pclose(p);
  ASSERT_TRUE(WIFEXITED(st)) << out;
  EXPECT_EQ(WEXITSTATUS(st), 1) << out;
  EXPECT_NE(out.find("--device gpu needs a CUDA device"), std::string::npos) << out;
  EXPECT_FALSE(std::ifstream(out_path).good()) << "a .npy was written without a GPU";
}
