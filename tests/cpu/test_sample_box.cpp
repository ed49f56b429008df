// tests/cpu/test_sample_box.cpp: `weightinit sample --box` writes one shard of the global --shape
// as .npy: its shape is the box's extent and its values the whole tensor's at those coordinates.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "tests/common/run_tool.hpp"
#include "tests/common/shard_util.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;

TEST(SampleBox, WritesTheBoxOfTheGlobalTensor) {
  if (!weightinit_test::tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  const std::string path = std::string(WEIGHTINIT_BINARY_DIR) + "/test_sample_box.npy";
  const auto r = weightinit_test::run_tool(
      "sample --init 'xavier_uniform' --shape 64,48 --box 8:16,12:24 "
      "--dtype bf16 --seed 3 --stream 9 --out " +
      path);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("[8:16, 12:24] of [64, 48]"), std::string::npos) << r.out;
  const auto file = weightinit_test::read_file(path);
  ASSERT_GT(file.size(), 10u);
  const std::size_t header_len = file[8] | (file[9] << 8);
  const std::string header(file.begin() + 10, file.begin() + 10 + header_len);
  EXPECT_NE(header.find("'shape': (16, 24)"), std::string::npos) << header;
  std::vector<unsigned char> whole(64 * 48 * 2);
  wi::fill_host({whole.data(), wi::dtype::bf16, {64, 48}}, wi::xavier_uniform(), {3, 9});
  const auto want =
      weightinit_test::gather_box({64, 48}, wi::shard_box{{8, 12}, {16, 24}}, 2, whole.data());
  ASSERT_EQ(file.size(), 10 + header_len + want.size());
  EXPECT_EQ(std::memcmp(file.data() + 10 + header_len, want.data(), want.size()), 0);
}
