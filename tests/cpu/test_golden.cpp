// tests/cpu/test_golden.cpp: exact outputs of value contract v2, checked in as
// tests/data/golden_v2.txt: the first and last values of each distribution x dtype for a few seeds
// and streams, and values past 2^32 elements, as bit patterns, with the Philox words they use. Any
// change of values fails here and must be deliberate: regenerate the file with
//   WEIGHTINIT_WRITE_GOLDEN=tests/data/golden_v2.txt build/tests/weightinit_tests_cpu
//   --gtest_filter='Golden*'
// and say in the commit why the values changed (and bump weightinit::contract_version).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "host/fill_host.hpp"
#include "weightinit/fill.hpp"
#include "weightinit/philox.hpp"

namespace wi = weightinit;
using wi::distribution;
using wi::dtype;

namespace {

struct golden_case {
  const char* name;
  distribution dist;
};
const golden_case kCases[] = {
    {"uniform(-1,1)", distribution::uniform(-1, 1)},
    {"normal(0,1)", distribution::normal(0, 1)},
    {"normal(0.5,2)", distribution::normal(0.5, 2)},
    {"truncated_normal(0,1,-2,2)", distribution::truncated_normal(0, 1, -2, 2)},
    {"truncated_normal(0,1,6,8)", distribution::truncated_normal(0, 1, 6, 8)},
};
const dtype kTypes[] = {dtype::f32, dtype::f64, dtype::f16, dtype::bf16};
const wi::key kKeys[] = {{0, 0}, {42, 7}, {0x123456789abcdef0ull, (1ull << 40) + 3}};
struct window {
  std::int64_t total, first;
};
// The first 4 elements, the last 4 of a tensor of 1000003, and 4 past 2^32 in a tensor of 2^33.
const window kWindows[] = {
    {1000003, 0}, {1000003, 999999}, {std::int64_t{1} << 33, (std::int64_t{1} << 32) + 5}};
constexpr int kCount = 4;

std::string hex_bits(const unsigned char* p, std::size_t bytes) {
  std::uint64_t v = 0;
  std::memcpy(&v, p, bytes);
  char b[24];
  std::snprintf(b, sizeof b, "%0*llx", static_cast<int>(2 * bytes),
                static_cast<unsigned long long>(v));
  return b;
}

// One line per (case, dtype, key, window): the element bits, then the words those elements use.
std::vector<std::string> golden_lines(wi::detail::simd_level level) {
  std::vector<std::string> out;
  for (const golden_case& c : kCases) {
    for (dtype t : kTypes) {
      for (const wi::key& k : kKeys) {
        for (const window& w : kWindows) {
          const std::size_t size = wi::size_of(t);
          std::vector<unsigned char> buf(kCount * size);
          wi::detail::fill_host_at(level, {buf.data(), t, {w.total}, w.first, kCount}, c.dist, k,
                                   wi::detail::host_policy{1});
          std::ostringstream line;
          line << c.name << ' ' << wi::to_string(t) << ' ' << k.seed << ' ' << k.stream << ' '
               << w.first << " values";
          for (int i = 0; i < kCount; ++i) line << ' ' << hex_bits(&buf[i * size], size);
          line << " words";
          const std::uint64_t per = t == dtype::f64 ? 2 : 1;
          for (std::uint64_t j = per * w.first; j < per * (w.first + kCount); ++j) {
            const std::uint32_t word = wi::philox_word(k.seed, k.stream, j);
            line << ' ' << hex_bits(reinterpret_cast<const unsigned char*>(&word), 4);
          }
          out.push_back(line.str());
        }
      }
    }
  }
  return out;
}

}  // namespace

TEST(Golden, EveryPathReproducesTheCheckedInValuesOfContractV2) {
  const std::vector<std::string> want_scalar = golden_lines(wi::detail::simd_level::scalar);
  if (const char* path = std::getenv("WEIGHTINIT_WRITE_GOLDEN")) {
    std::ofstream f(path);
    f << "# weightinit value contract v2: exact outputs (tests/cpu/test_golden.cpp writes and "
         "checks)\n"
         "# <distribution> <dtype> <seed> <stream> <first element> values <4 values as bits, hex> "
         "words <the Philox words they use>\n";
    for (const auto& l : want_scalar) f << l << '\n';
    ASSERT_TRUE(f.good()) << path;
    std::printf("wrote %zu lines to %s\n", want_scalar.size(), path);
  }
  std::ifstream f(std::string(WEIGHTINIT_TEST_DATA) + "/golden_v2.txt");
  ASSERT_TRUE(f.good()) << "missing tests/data/golden_v2.txt";
  std::vector<std::string> file;
  for (std::string l; std::getline(f, l);)
    if (!l.empty() && l[0] != '#') file.push_back(l);
  ASSERT_EQ(file.size(), want_scalar.size());
  for (std::size_t i = 0; i < file.size(); ++i) EXPECT_EQ(want_scalar[i], file[i]) << "line " << i;
  // The vector paths give the same bits.
  for (auto level : {wi::detail::simd_level::avx2, wi::detail::simd_level::avx512}) {
    if (!wi::detail::simd_supported(level)) continue;
    const std::vector<std::string> got = golden_lines(level);
    for (std::size_t i = 0; i < file.size(); ++i)
      EXPECT_EQ(got[i], file[i]) << wi::detail::to_string(level) << " line " << i;
  }
}
