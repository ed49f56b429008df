// tests/gpu/test_sample_gpu.cpp: `weightinit sample --device gpu` writes byte for byte the .npy
// that
// `--device cpu` writes, for distributions and schemes in every dtype. Skips without a GPU.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpu_test.hpp"
#include "tests/common/run_tool.hpp"

using weightinit_test::read_file;
using weightinit_test::run_tool;
using weightinit_test::tool_exists;
using weightinit_test::tool_result;

class SampleDeviceGpu : public weightinit_test::gpu_test {};

TEST_F(SampleDeviceGpu, WritesTheSameNpyAsTheCpu) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  const char* specs[] = {"'truncated_normal(std=0.02)'",
                         "'uniform(a=-1,b=3)'",
                         "normal",
                         "xavier_uniform",
                         "'he_normal(mode=fan_out)'",
                         "zeros"};
  const char* dtypes[] = {"f32", "f64", "f16", "bf16"};
  const std::string dir = testing::TempDir();
  for (const char* spec : specs) {
    for (const char* dt : dtypes) {
      std::vector<unsigned char> files[2];
      const char* devices[] = {"cpu", "gpu"};
      for (int d = 0; d < 2; ++d) {
        const std::string path = dir + "weightinit_sample_" + devices[d] + ".npy";
        const std::string args = std::string("sample --init ") + spec + " --shape 37,5,3 --dtype " +
                                 dt + " --seed 77 --stream 4 --device " + devices[d] + " --out " +
                                 path;
        const tool_result r = run_tool(args);
        ASSERT_EQ(r.status, 0) << "weightinit " << args << "\n" << r.out;
        files[d] = read_file(path);
      }
      ASSERT_GT(files[0].size(), 37u * 5 * 3) << spec << " " << dt;
      EXPECT_TRUE(files[0] == files[1]) << spec << " " << dt << ": the GPU's .npy differs";
    }
  }
}
