// tests/cpu/test_cli.cpp: the `weightinit` tool as a user runs it: `bits` writes the stream's
// words, `sample` writes a .npy equal to the library's fill, bad arguments exit with status 2
// (every class of bad input: tests/cpu/test_bad_input_cli.cpp).
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tests/common/run_tool.hpp"
#include "weightinit/config.hpp"
#include "weightinit/fill.hpp"
#include "weightinit/philox.hpp"
#include "weightinit/weightinit.hpp"

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
    const std::uint32_t w =
        b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
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
  const tool_result r = run_tool(
      "sample --init 'truncated_normal(std=0.02,a=-0.04,b=0.04)' --shape 64,3,7,7 "
      "--dtype f32 --seed 9 --stream 4 --out " +
      path);
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

TEST(Cli, VersionNamesTheLibraryAndTheValueContract) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  const tool_result r = run_tool("--version");
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string expect = "weightinit " + std::to_string(WEIGHTINIT_VERSION_MAJOR) + "." +
                             std::to_string(WEIGHTINIT_VERSION_MINOR) + "." +
                             std::to_string(WEIGHTINIT_VERSION_PATCH) + " (value contract v" +
                             std::to_string(wi::contract_version) + ")\n";
  EXPECT_EQ(r.out, expect);
}

TEST(Cli, GainPrintsTheLibrarysGainAsTheShortestRoundTripDecimal) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  struct row {
    const char* args;
    double expect;
  };
  const row rows[] = {{"relu", std::sqrt(2.0)},
                      {"gelu", wi::gain("gelu")},
                      {"swish", wi::gain("swish")},
                      {"softmax", 1.0},
                      {"none", 1.0},
                      {"tanh", 5.0 / 3},
                      {"tanh --param 0.5", 5.0 / 3},
                      {"leaky_relu --param 0.2", wi::gain("leaky_relu", 0.2)},
                      {"selu", 0.75},
                      {"leaky_relu", wi::gain("leaky_relu")}};
  for (const row& x : rows) {
    const tool_result r = run_tool(std::string("gain ") + x.args);
    ASSERT_EQ(r.status, 0) << x.args << ": " << r.out;
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, x.expect);
    EXPECT_EQ(r.out, std::string(buf, res.ptr) + "\n") << x.args;
    EXPECT_EQ(std::strtod(r.out.c_str(), nullptr), x.expect) << x.args;
  }
}

TEST(Cli, SampleFanInFillsABiasAsTheLibraryDoesWithTheWeightsFans) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  const std::string path = std::string(WEIGHTINIT_BINARY_DIR) + "/test_cli_bias.npy";
  const tool_result r = run_tool(
      "sample --init bias_uniform --shape 64 --fan-in 147 --seed 3 --stream 2 --out " + path);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("fan_in=147"), std::string::npos) << r.out;
  std::vector<float> expect(64);
  wi::fill_host({expect.data(), wi::dtype::f32, {64}}, wi::bias_uniform(), {3, 2},
                wi::fill_options().with_fan_override(wi::fans{147, 0, 1}));
  const auto file = read_file(path);
  ASSERT_EQ(file.size(), 128 + expect.size() * 4);
  EXPECT_EQ(std::memcmp(file.data() + 128, expect.data(), expect.size() * 4), 0);
  for (float v : expect) EXPECT_LE(std::fabs(v), 1 / std::sqrt(147.0));
}

TEST(Cli, SampleHelpListsEveryScheme) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  const tool_result r = run_tool("sample --help");
  ASSERT_EQ(r.status, 0) << r.out;
  for (const char* s :
       {"zeros", "truncated_normal_sigma", "xavier_uniform", "he_normal", "lecun_normal",
        "variance_scaling", "bias_uniform", "orthogonal", "eye", "dirac", "sparse", "--fan-in"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << " not in:\n" << r.out;
}

TEST(Cli, SampleReplacesAnExistingFileWholeAndLeavesNoTemporary) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  const std::string dir = std::string(WEIGHTINIT_BINARY_DIR) + "/test_cli_replace";
  ASSERT_EQ(
      std::system(
          ("rm -rf " + dir + " && mkdir -p " + dir + " && echo old > " + dir + "/w.npy").c_str()),
      0);
  const tool_result r = run_tool("sample --shape 8,8 --dtype bf16 --out " + dir + "/w.npy");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto file = read_file(dir + "/w.npy");
  ASSERT_EQ(file.size(), 128u + 64 * 2);
  EXPECT_EQ(std::memcmp(file.data(), "\x93NUMPY\x01\x00", 8), 0);
  const tool_result ls = run_tool("--version >/dev/null; ls -a " + dir);
  EXPECT_EQ(ls.out, ".\n..\nw.npy\n");
}

TEST(Cli, FansPrintsShortestDecimals) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  const tool_result r = run_tool("fans --shape 64,3,7,7 --json");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out,
            "{\"shape\": [64, 3, 7, 7], \"layout\": \"out_in\", \"groups\": 1, \"fan_in\": 147, "
            "\"fan_out\": 3136, \"receptive_field\": 49}\n");
}

TEST(Cli, BitsInterleavesStreamsWordByWordAndReachesTheLastWordIndex) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  const tool_result r = run_tool("bits --seed 7 --stream 10 --streams 3 --offset 5 --count 6");
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_EQ(r.out.size(), 3u * 6 * 4);
  const auto* b = reinterpret_cast<const unsigned char*>(r.out.data());
  for (int j = 0; j < 6; ++j)
    for (int s = 0; s < 3; ++s) {
      const unsigned char* p = b + 4 * (3 * j + s);
      const std::uint32_t w =
          p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
      EXPECT_EQ(w, wi::philox_word(7, 10 + s, 5 + j)) << "stream " << 10 + s << " word " << 5 + j;
    }
  // The most streams: one word of each per write (a bounded buffer, not streams x a fixed chunk).
  const tool_result most = run_tool("bits --streams 1048576 --count 3 | wc -c");
  EXPECT_EQ(most.status, 0) << most.out;
  EXPECT_EQ(std::atol(most.out.c_str()), 3L * 1048576 * 4) << most.out;
  const tool_result last = run_tool("bits --seed 1 --offset 18446744073709551614 --count inf");
  ASSERT_EQ(last.status, 0);
  ASSERT_EQ(last.out.size(), 8u) << "--count inf ends after word 2^64 - 1";
  const auto* q = reinterpret_cast<const unsigned char*>(last.out.data()) + 4;
  EXPECT_EQ(q[0] | (q[1] << 8) | (q[2] << 16) | (static_cast<std::uint32_t>(q[3]) << 24),
            wi::philox_word(1, 0, ~std::uint64_t{0}));
}
