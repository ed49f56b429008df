// tests/cpu/test_cli.cpp: the `weightinit` tool as a user runs it: `bits` writes the stream's
// words, `sample` writes a .npy equal to the library's fill, bad arguments exit with status 2.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tests/common/run_tool.hpp"
#include "weightinit/fill.hpp"
#include "weightinit/philox.hpp"

namespace wi = weightinit;

using weightinit_test::kTool;
using weightinit_test::read_file;
using weightinit_test::run_tool;
using weightinit_test::tool_exists;
using weightinit_test::tool_result;

TEST(Cli, BitsWritesTheStreamsWordsLittleEndian) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built (WEIGHTINIT_BUILD_TOOLS=OFF)";
  const tool_result r = run_tool("bits --seed 123456789 --stream 5 --offset 6 --count 11");
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_EQ(r.out.size(), 44u);
  for (int i = 0; i < 11; ++i) {
    const auto* b = reinterpret_cast<const unsigned char*>(r.out.data()) + 4 * i;
    const std::uint32_t w = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
    EXPECT_EQ(w, wi::philox_word(123456789, 5, 6 + i)) << "word " << 6 + i;
  }
}

TEST(Cli, BitsCountInfStopsQuietlyWhenTheReaderCloses) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  const std::string cmd = kTool + " bits --count inf | head -c 1000000 | wc -c";
  std::FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[64] = {0};
  ASSERT_NE(std::fgets(buf, sizeof buf, p), nullptr);
  EXPECT_EQ(pclose(p), 0);
  EXPECT_EQ(std::stol(buf), 1000000);
}

TEST(Cli, SampleWritesANpyFileEqualToTheLibraryFill) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  const std::string path = std::string(WEIGHTINIT_BINARY_DIR) + "/test_cli_sample.npy";
  const tool_result r = run_tool("sample --init 'truncated_normal(std=0.02,a=-0.04,b=0.04)' --shape 64,3,7,7 "
                                 "--dtype f32 --seed 9 --stream 4 --out " + path);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("mean"), std::string::npos);
  EXPECT_NE(r.out.find("[64, 3, 7, 7]"), std::string::npos);
  const auto file = read_file(path);
  ASSERT_GT(file.size(), 128u);
  ASSERT_EQ(std::memcmp(file.data(), "\x93NUMPY\x01\x00", 8), 0);
  const std::size_t header_len = file[8] | (file[9] << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u) << "header not padded to 64 bytes";
  const std::string header(file.begin() + 10, file.begin() + 10 + header_len);
  EXPECT_NE(header.find("'descr': '<f4'"), std::string::npos) << header;
  EXPECT_NE(header.find("'shape': (64, 3, 7, 7)"), std::string::npos) << header;
  EXPECT_NE(header.find("'fortran_order': False"), std::string::npos) << header;
  std::vector<float> expect(64 * 3 * 7 * 7);
  wi::fill_host({expect.data(), wi::dtype::f32, {64, 3, 7, 7}},
                wi::distribution::truncated_normal(0, 0.02, -0.04, 0.04), {9, 4});
  ASSERT_EQ(file.size(), 10 + header_len + expect.size() * 4);
  EXPECT_EQ(std::memcmp(file.data() + 10 + header_len, expect.data(), expect.size() * 4), 0);
}

TEST(Cli, BadArgumentsExitWithStatusTwoAndSayWhatWasWrong) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  struct bad {
    const char* args;
    const char* says;
  };
  const bad cases[] = {
      {"sample --init 'bogus(x=1)'", "bogus"},
      {"sample --init 'normal(sdt=1)'", "sdt"},
      {"sample --init 'normal(std=abc)'", "abc"},
      {"sample --init 'uniform(a=1,b=0)'", "a < b"},
      {"sample --dtype f8", "f8"},
      {"sample --shape 3,x", "--shape"},
      {"sample --layout sideways", "sideways"},
      {"bits --count -1", "--count"},
      {"bits --seed notanumber", "seed"},
      {"frobnicate", "frobnicate"},
      {"", "subcommand"},
  };
  for (const auto& c : cases) {
    const tool_result r = run_tool(c.args);
    EXPECT_EQ(r.status, 2) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.says), std::string::npos) << c.args << " printed: " << r.out;
  }
}
