// tests/cpu/test_fill_simd.cpp: every vector path of the CPU fill (AVX2, AVX-512: those this CPU
// runs) against the scalar reference, bit for bit: Philox blocks, block values on edge and
// exhaustive words, f16/bf16 rounding, and whole fills for every distribution x dtype over sizes,
// windows, pointer offsets and thread counts, with guard bytes around the output.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "host/fill_host.hpp"
#include "host/prepare.hpp"
#include "kernels/element.hpp"
#include "weightinit/fill.hpp"

namespace wi = weightinit;
namespace xf = weightinit::xf;
using wi::distribution;
using wi::dtype;
using wi::detail::simd_level;

namespace {

const double kInf = std::numeric_limits<double>::infinity();

// Parameters that reach every select of the vector code: signed zeros, zero stddev, narrow and
// one-sided intervals, far tails on both sides (nearer-tail switch, r > 5 branch of AS 241).
const distribution kDists[] = {
    distribution::constant(0.25),
    distribution::constant(-0.0),
    distribution::uniform(-0.5, 1.5),
    distribution::uniform(-3.0, -2.999),
    distribution::normal(0.3, 2.0),
    distribution::normal(-0.0, 1.0),
    distribution::normal(5.0, 0.0),
    distribution::truncated_normal(0.0, 1.0, -2.0, 2.0),
    distribution::truncated_normal(1.0, 0.5, 1.2, 3.0),
    distribution::truncated_normal(0.0, 1.0, 6.0, 8.0),
    distribution::truncated_normal(0.0, 1.0, -8.0, -7.5),
    distribution::truncated_normal(0.0, 1.0, -kInf, 0.5),
    distribution::truncated_normal(-1.0, 3.0, -kInf, kInf),
    distribution::truncated_normal(0.0, 1.0, 0.1, 0.1001),
};
const dtype kTypes[] = {dtype::f32, dtype::f64, dtype::f16, dtype::bf16};

// The vector levels this machine runs. Empty on a CPU without AVX2: the comparisons then skip.
std::vector<simd_level> vector_levels() {
  std::vector<simd_level> out;
  for (simd_level l : {simd_level::avx2, simd_level::avx512})
    if (wi::detail::simd_supported(l)) out.push_back(l);
  return out;
}

#define SKIP_WITHOUT_VECTOR_PATHS() \
  if (vector_levels().empty()) GTEST_SKIP() << "this CPU runs no vector path (needs x86-64-v3)"

// Words that sit on every boundary of the transforms: 0 and ~0 (the extreme tails), the centre
// (0x7fffffff, 0x80000000), the 9 bits a uniform drops, and for the quantile every binade edge of
// v = 2w'+1 and of 2^32 - v (w' = 2^k - 1, 2^k, 2^31 - 2^k and their neighbours, both halves).
std::vector<std::uint32_t> edge_words() {
  std::vector<std::uint32_t> w = {
      0u,          1u,          2u,          0x1ffu,      0x200u,      0x201u,      0x3ffu,
      0xffffu,     0x10000u,    0x7fffffffu, 0x80000000u, 0x80000001u, 0xfffffdffu, 0xfffffe00u,
      0xfffffffeu, 0xffffffffu, 0x00800000u, 0x3f800000u, 0x3fffffffu, 0x40000000u, 0x40000001u};
  for (int k = 0; k < 31; ++k) {
    for (std::int64_t d : {-1, 0, 1}) {
      const std::uint32_t a = static_cast<std::uint32_t>((std::int64_t{1} << k) + d);
      const std::uint32_t b =
          static_cast<std::uint32_t>((std::int64_t{1} << 31) - (std::int64_t{1} << k) + d);
      for (std::uint32_t x : {a, b}) {
        w.push_back(x);
        w.push_back(~x);
      }
    }
  }
  return w;
}

std::string hex(std::uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

// Compares block values of `words` on `level` with kernels/element.hpp, reporting the first
// mismatching block (its words and both values as bits).
template <class T>
void expect_block_values_equal(simd_level level, const wi::prepared<T>& p,
                               const std::vector<wi::words4>& words, const std::string& what) {
  constexpr int per = sizeof(T) == 8 ? 2 : 4;
  std::vector<T> got(words.size() * per), want(words.size() * per);
  wi::detail::block_values_at(level, p, words.data(), words.size(), got.data());
  wi::detail::block_values_at(simd_level::scalar, p, words.data(), words.size(), want.data());
  if (std::memcmp(got.data(), want.data(), got.size() * sizeof(T)) == 0) return;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::memcmp(&got[i], &want[i], sizeof(T)) != 0) {
      const wi::words4& w = words[i / per];
      std::uint64_t gb = 0, wb = 0;
      std::memcpy(&gb, &got[i], sizeof(T));
      std::memcpy(&wb, &want[i], sizeof(T));
      ADD_FAILURE() << what << " on " << wi::detail::to_string(level) << ": element " << i % per
                    << " of block " << i / per << " (words " << hex(w.x) << " " << hex(w.y) << " "
                    << hex(w.z) << " " << hex(w.w) << "): got " << got[i] << " (" << hex(gb)
                    << "), scalar " << want[i] << " (" << hex(wb) << ")";
      return;
    }
  }
}

TEST(SimdLevels, TheBestLevelIsSupportedAndScalarAlwaysIs) {
  EXPECT_TRUE(wi::detail::simd_supported(simd_level::scalar));
  EXPECT_TRUE(wi::detail::simd_supported(wi::detail::best_simd_level()));
  // AVX-512 machines also run the AVX2 path; the best level is the widest.
  if (wi::detail::simd_supported(simd_level::avx512)) {
    EXPECT_TRUE(wi::detail::simd_supported(simd_level::avx2));
    EXPECT_EQ(wi::detail::best_simd_level(), simd_level::avx512);
  }
  std::printf("CPU fill paths here: scalar%s%s; fill_host uses %s\n",
              wi::detail::simd_supported(simd_level::avx2) ? ", avx2" : "",
              wi::detail::simd_supported(simd_level::avx512) ? ", avx512" : "",
              wi::detail::to_string(wi::detail::best_simd_level()));
}

TEST(SimdLevels, AnUnsupportedLevelIsRejectedBeforeWriting) {
  for (simd_level l : {simd_level::avx2, simd_level::avx512}) {
    if (wi::detail::simd_supported(l)) continue;
    float x = 7.0f;
    wi::tensor_view v{&x, dtype::f32, {1}};
    EXPECT_THROW(wi::detail::fill_host_at(l, v, distribution::normal(0, 1), {1, 2}, {1}),
                 std::invalid_argument);
    EXPECT_EQ(x, 7.0f);
  }
}

TEST(SimdPhilox, VectorBlocksEqualScalarBlocksIncludingTheCarryIntoTheHighCounterWord) {
  SKIP_WITHOUT_VECTOR_PATHS();
  const std::uint64_t firsts[] = {
      0, 5, (1ull << 32) - 3, (1ull << 32) - 16, (1ull << 40) + 7, ~0ull - 40};
  const wi::key keys[] = {{0, 0}, {42, 7}, {0x123456789abcdefull, ~0ull}};
  for (simd_level l : vector_levels()) {
    for (const wi::key& k : keys) {
      for (std::uint64_t first : firsts) {
        const std::size_t n = 37;
        std::vector<wi::words4> got(n), want(n);
        wi::detail::philox_blocks_at(l, k, first, n, got.data());
        wi::detail::philox_blocks_at(simd_level::scalar, k, first, n, want.data());
        for (std::size_t i = 0; i < n; ++i) {
          ASSERT_TRUE(got[i].x == want[i].x && got[i].y == want[i].y && got[i].z == want[i].z &&
                      got[i].w == want[i].w)
              << wi::detail::to_string(l) << " block " << first + i << " seed " << k.seed
              << " stream " << k.stream;
        }
      }
    }
  }
}

TEST(SimdBlockValues, F32EqualsScalarOnAllPairsOfEdgeWords) {
  SKIP_WITHOUT_VECTOR_PATHS();
  const std::vector<std::uint32_t> e = edge_words();
  std::vector<wi::words4> words;
  for (std::uint32_t a : e)
    for (std::uint32_t b : e) words.push_back({a, b, b, a});
  for (simd_level l : vector_levels())
    for (const distribution& d : kDists)
      expect_block_values_equal(l, wi::detail::prepare_f32(d, dtype::f32, "test"), words,
                                wi::to_string(d));
}

TEST(SimdBlockValues, F32UniformEqualsScalarForEveryWordItCanSee) {
  // Uniform reads the top 23 bits of a word: all 2^23 of them, once each, with random low bits.
  SKIP_WITHOUT_VECTOR_PATHS();
  std::mt19937 rng(5);
  std::vector<wi::words4> words(1u << 21);
  std::uint32_t k = 0;
  for (auto& w : words) {
    w.x = (k++ << 9) | (rng() & 0x1ff);
    w.y = (k++ << 9) | (rng() & 0x1ff);
    w.z = (k++ << 9) | (rng() & 0x1ff);
    w.w = (k++ << 9) | (rng() & 0x1ff);
  }
  ASSERT_EQ(k, 1u << 23);
  for (simd_level l : vector_levels())
    expect_block_values_equal(
        l, wi::detail::prepare_f32(distribution::uniform(-0.5, 1.5), dtype::f32, "test"), words,
        "uniform");
}

TEST(SimdBlockValues, F32NormalAndTruncatedNormalEqualScalarOnADenseSweepOfWords) {
  // Normal and truncated normal read all 32 bits: 2^23 evenly spaced words (random low 9 bits),
  // which visit every row of the quantile table the word path reaches, for normal and for
  // truncated normals on both tails, the centre, narrow and far-out intervals.
  SKIP_WITHOUT_VECTOR_PATHS();
  std::mt19937 rng(6);
  std::vector<wi::words4> words(1u << 21);
  std::uint32_t k = 0;
  for (auto& w : words) {
    w.x = (k++ << 9) | (rng() & 0x1ff);
    w.y = (k++ << 9) | (rng() & 0x1ff);
    w.z = (k++ << 9) | (rng() & 0x1ff);
    w.w = (k++ << 9) | (rng() & 0x1ff);
  }
  const distribution dists[] = {distribution::normal(0.0, 1.0),
                                distribution::normal(0.3, 2.0),
                                distribution::truncated_normal(0.0, 1.0, -2.0, 2.0),
                                distribution::truncated_normal(0.0, 1.0, 6.0, 8.0),
                                distribution::truncated_normal(0.0, 1.0, -8.0, -7.5),
                                distribution::truncated_normal(0.0, 1.0, -1e-7, 1e-7),
                                distribution::truncated_normal(0.0, 1.0, 1e-7, 3e-7),
                                distribution::truncated_normal(0.0, 1.0, 11.0, kInf),
                                distribution::truncated_normal(-1.0, 3.0, -kInf, kInf)};
  for (simd_level l : vector_levels())
    for (const distribution& d : dists)
      expect_block_values_equal(l, wi::detail::prepare_f32(d, dtype::f32, "test"), words,
                                wi::to_string(d));
}

TEST(SimdBlockValues, F64EqualsScalarOnEdgeAndRandomWords) {
  SKIP_WITHOUT_VECTOR_PATHS();
  // 64-bit halves on the boundaries: the bits each uniform drops (11, 12), the centre, the
  // quantile's 0.425 switch region (2^61 steps), signs, extremes; every pair, then random words.
  std::vector<std::uint64_t> halves = {0,
                                       1,
                                       0x7ff,
                                       0x800,
                                       0xfff,
                                       0x1000,
                                       ~0ull,
                                       ~0ull - 0x7ff,
                                       ~0ull - 0x800,
                                       1ull << 63,
                                       (1ull << 63) - 1};
  for (std::uint64_t q = 0; q < 8; ++q)
    for (std::int64_t d : {-1, 0, 1}) halves.push_back((q << 61) + static_cast<std::uint64_t>(d));
  std::vector<wi::words4> words;
  for (std::uint64_t a : halves)
    for (std::uint64_t b : halves)
      words.push_back({static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(a >> 32),
                       static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(b >> 32)});
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::uint32_t> word;
  for (int i = 0; i < (1 << 18); ++i) words.push_back({word(rng), word(rng), word(rng), word(rng)});
  for (simd_level l : vector_levels())
    for (const distribution& d : kDists)
      expect_block_values_equal(l, wi::detail::prepare_f64(d, "test"), words, wi::to_string(d));
}

TEST(SimdRounding, F16AndBf16EqualScalarAcrossAllExponentsAndRoundingBoundaries) {
  SKIP_WITHOUT_VECTOR_PATHS();
  std::vector<std::uint32_t> bits;
  for (std::uint64_t b = 0; b < (1ull << 32); b += 61)
    bits.push_back(static_cast<std::uint32_t>(b));
  // For every sign and exponent: mantissas exactly at, just below and just above the half-way
  // point of every shift f16 rounding uses (13 for normals, 14..24 for subnormals), with the kept
  // bit even and odd; then NaNs and infinities.
  std::mt19937 rng(8);
  for (std::uint32_t se = 0; se < 512; ++se) {
    for (int s = 13; s <= 24; ++s) {
      const std::uint32_t half = 1u << (s - 1);
      for (std::uint32_t parity = 0; parity < 2; ++parity) {
        for (std::int32_t d : {-1, 0, 1}) {
          const std::uint32_t m = (rng() << (s + 1)) | (parity << s) |
                                  ((half + static_cast<std::uint32_t>(d)) & ((1u << s) - 1u));
          bits.push_back((se << 23) | (m & 0x7fffffu));
        }
      }
    }
  }
  for (std::uint32_t b :
       {0x7f800000u, 0xff800000u, 0x7f800001u, 0x7fc00000u, 0xffffffffu, 0x7fbfffffu, 0x477fefffu,
        0x477ff000u, 0x38800000u, 0x387fffffu, 0x33000000u, 0x33000001u})
    bits.push_back(b);
  std::vector<float> in(bits.size());
  std::memcpy(in.data(), bits.data(), bits.size() * sizeof(float));
  for (simd_level l : vector_levels()) {
    for (bool f16 : {true, false}) {
      std::vector<std::uint16_t> got(in.size()), want(in.size());
      (f16 ? wi::detail::round_f16_at : wi::detail::round_bf16_at)(l, in.data(), in.size(),
                                                                   got.data());
      (f16 ? wi::detail::round_f16_at : wi::detail::round_bf16_at)(simd_level::scalar, in.data(),
                                                                   in.size(), want.data());
      for (std::size_t i = 0; i < in.size(); ++i)
        ASSERT_EQ(got[i], want[i]) << (f16 ? "f16" : "bf16") << " of f32 bits " << hex(bits[i])
                                   << " on " << wi::detail::to_string(l);
    }
  }
}

// One fill of `n` elements of a tensor of `total` elements starting at `first`, written `shift`
// elements into a buffer of 0xA5 bytes, on `level` with `threads`; returns the whole buffer so
// callers also see the guard bytes on both sides.
std::vector<unsigned char> fill_guarded(simd_level level, dtype t, const distribution& d, wi::key k,
                                        std::int64_t n, std::int64_t total, std::int64_t first,
                                        int shift, unsigned threads) {
  const std::size_t es = wi::size_of(t), guard = 256;
  std::vector<unsigned char> buf(2 * guard + (static_cast<std::size_t>(n) + 8) * es, 0xA5);
  wi::tensor_view v{buf.data() + guard + shift * es, t, {total}, first, n};
  wi::detail::fill_host_at(level, v, d, k, wi::detail::host_policy{threads});
  return buf;
}

void expect_fill_equal(simd_level level, dtype t, const distribution& d, wi::key k, std::int64_t n,
                       std::int64_t total, std::int64_t first, int shift, unsigned threads) {
  const auto got = fill_guarded(level, t, d, k, n, total, first, shift, threads);
  const auto want = fill_guarded(simd_level::scalar, t, d, k, n, total, first, shift, 1);
  if (got == want) return;
  std::size_t i = 0;
  while (got[i] == want[i]) ++i;
  const std::size_t es = wi::size_of(t);
  const std::int64_t element =
      (static_cast<std::int64_t>(i) - 256) / static_cast<std::int64_t>(es) - shift;
  ADD_FAILURE() << wi::detail::to_string(level) << " " << wi::to_string(t) << " "
                << wi::to_string(d) << " n " << n << " first " << first << " shift " << shift
                << " threads " << threads << ": first differing byte " << i << " (window element "
                << element << (element < 0 || element >= n ? ", a guard byte" : "") << ")";
}

TEST(SimdFill, EveryDistributionAndDtypeEqualsTheScalarReferenceForSmallOddSizesAndOffsets) {
  SKIP_WITHOUT_VECTOR_PATHS();
  const std::int64_t sizes[] = {0,  1,  2,  3,  4,  5,  7,   8,   9,    15,
                                17, 31, 33, 63, 64, 65, 127, 129, 1000, 4099};
  const std::int64_t firsts[] = {0, 1, 3, 61, (1ll << 32) - 7, (1ll << 40) + 3};
  const wi::key k{0x5eed, 3};
  for (simd_level l : vector_levels())
    for (dtype t : kTypes)
      for (const distribution& d : kDists)
        for (std::int64_t n : sizes)
          for (std::int64_t first : firsts)
            expect_fill_equal(l, t, d, k, n, first + n + 5, first, static_cast<int>(first % 3), 1);
}

TEST(SimdFill, LargeThreadedFillsEqualTheScalarReferenceForEveryThreadCount) {
  // Sizes past the per-thread minimum so that 2, 3 and 7 workers really split the range, with
  // windows that start off any batch boundary.
  SKIP_WITHOUT_VECTOR_PATHS();
  const wi::key k{1234, 99};
  for (simd_level l : vector_levels())
    for (dtype t : kTypes)
      for (const distribution& d : {distribution::uniform(-1, 1), distribution::normal(0.3, 2.0),
                                    distribution::truncated_normal(0.0, 1.0, -2.0, 2.0)})
        for (unsigned threads : {1u, 2u, 3u, 7u})
          for (std::int64_t first : {std::int64_t{0}, std::int64_t{13}})
            expect_fill_equal(l, t, d, k, (1 << 19) + 5, (1 << 20), first, 1, threads);
}

TEST(SimdFill, TheDispatchedPublicFillEqualsTheScalarReference) {
  const std::int64_t n = 100003;
  for (dtype t : kTypes) {
    for (const distribution& d : kDists) {
      std::vector<unsigned char> a(n * wi::size_of(t)), b(n * wi::size_of(t));
      wi::fill_host({a.data(), t, {n}}, d, {77, 1});
      wi::detail::fill_host_reference({b.data(), t, {n}}, d, {77, 1}, {1});
      EXPECT_TRUE(a == b) << wi::to_string(t) << " " << wi::to_string(d);
    }
  }
}

}  // namespace
