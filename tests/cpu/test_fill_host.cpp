// tests/cpu/test_fill_host.cpp: the CPU fill against the value contract (DESIGN.md §1): which words
// each element uses, f16/bf16 = rounded f32, independence from thread count, window and prefix,
// statistics per distribution and dtype at fixed seeds, bounds, and bad input writing nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "host/prepare.hpp"
#include "kernels/element.hpp"
#include "weightinit/fill.hpp"
#include "weightinit/philox.hpp"

namespace wi = weightinit;
namespace xf = weightinit::xf;
using wi::distribution;
using wi::dtype;

namespace {

const distribution kDists[] = {
    distribution::constant(0.25),
    distribution::uniform(-0.5, 1.5),
    distribution::normal(0.3, 2.0),
    distribution::truncated_normal(0.0, 1.0, -2.0, 2.0),
    distribution::truncated_normal(1.0, 0.5, 1.2, 3.0),
};
const dtype kTypes[] = {dtype::f32, dtype::f64, dtype::f16, dtype::bf16};

std::vector<unsigned char> fill_bytes(dtype t, const distribution& d, wi::key k, std::int64_t n,
                                      unsigned threads = 0, std::int64_t total = -1,
                                      std::int64_t first = 0) {
  std::vector<unsigned char> buf(static_cast<std::size_t>(n) * wi::size_of(t));
  wi::tensor_view v{buf.data(), t, {total < 0 ? n : total}, first, n};
  wi::fill_host(v, d, k, wi::fill_options().with_threads(threads));
  return buf;
}

double value_of(const std::vector<unsigned char>& b, dtype t, std::size_t i) {
  switch (t) {
    case dtype::f32: {
      float v;
      std::memcpy(&v, &b[4 * i], 4);
      return v;
    }
    case dtype::f64: {
      double v;
      std::memcpy(&v, &b[8 * i], 8);
      return v;
    }
    case dtype::f16: {
      std::uint16_t h;
      std::memcpy(&h, &b[2 * i], 2);
      return xf::from_f16_bits(h);
    }
    case dtype::bf16: {
      std::uint16_t h;
      std::memcpy(&h, &b[2 * i], 2);
      return xf::from_bf16_bits(h);
    }
  }
  return 0;
}

// The contract written out element by element, straight from DESIGN.md's table of words: an
// independent re-derivation of which Philox words element i uses.
float expected_f32(const distribution& d, wi::key k, std::uint64_t i) {
  const auto p = wi::detail::prepare_f32(d, dtype::f32, "test");
  auto word = [&](std::uint64_t j) { return wi::philox_word(k.seed, k.stream, j); };
  switch (d.kind) {
    case wi::distribution_kind::constant: return p.value;
    case wi::distribution_kind::uniform:
      return xf::clamp_(xf::fma_(p.half, xf::symmetric_f32(word(i)), p.mid), p.lo, p.hi);
    case wi::distribution_kind::normal:  // v2: word i through the quantile
      return xf::fma_(p.stddev, xf::normal_f32(word(i)), p.mean);
    case wi::distribution_kind::truncated_normal: return wi::truncated_normal_f32(p, word(i));
  }
  return 0;
}
double expected_f64(const distribution& d, wi::key k, std::uint64_t i) {
  const auto p = wi::detail::prepare_f64(d, "test");
  auto word = [&](std::uint64_t j) { return wi::philox_word(k.seed, k.stream, j); };
  switch (d.kind) {
    case wi::distribution_kind::constant: return p.value;
    case wi::distribution_kind::uniform:
      return xf::clamp_(
          xf::fma_(p.half, xf::symmetric_f64(xf::join64(word(2 * i), word(2 * i + 1))), p.mid),
          p.lo, p.hi);
    case wi::distribution_kind::normal:  // v2: words 2i, 2i+1 through the quantile
      return xf::fma_(p.stddev, xf::normal_f64(xf::join64(word(2 * i), word(2 * i + 1))), p.mean);
    case wi::distribution_kind::truncated_normal:
      return wi::truncated_normal_f64(p, xf::join64(word(2 * i), word(2 * i + 1)));
  }
  return 0;
}

float from16(dtype t, std::uint16_t h) {
  return t == dtype::bf16 ? xf::from_bf16_bits(h) : xf::from_f16_bits(h);
}
std::uint16_t to16(dtype t, float v) {
  return t == dtype::bf16 ? xf::to_bf16_bits(v) : xf::to_f16_bits(v);
}

// The clamp interval of a 16-bit fill: for uniform and truncated normal, [a, b] rounded inward to
// t, found by scanning every bit pattern (independent of the library's stepping): the smallest
// finite value >= a and the largest <= b. Other distributions are not clamped.
std::pair<float, float> clamp16(dtype t, const distribution& d) {
  const float inf = std::numeric_limits<float>::infinity();
  if (d.kind != wi::distribution_kind::uniform && d.kind != wi::distribution_kind::truncated_normal)
    return {-inf, inf};
  float lo = inf, hi = -inf;
  for (std::uint32_t h = 0; h < 65536; ++h) {
    const float v = from16(t, static_cast<std::uint16_t>(h));
    if (!std::isfinite(v)) continue;
    if (v >= d.low && v < lo) lo = v;
    if (v <= d.high && v > hi) hi = v;
  }
  return {lo, hi};
}

// The 16-bit element: the f32 value clamped to clamp16's interval (so the rounding cannot step
// outside [a, b]), then rounded to nearest even.
std::uint16_t expected16(dtype t, std::pair<float, float> bounds, float v) {
  return to16(t, xf::clamp_(v, bounds.first, bounds.second));
}

void expect_contract(const std::vector<unsigned char>& b, dtype t, const distribution& d, wi::key k,
                     std::uint64_t first, std::size_t n) {
  const bool half = t == dtype::f16 || t == dtype::bf16;
  const std::pair<float, float> bounds = half ? clamp16(t, d) : std::pair<float, float>{};
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t g = first + i;
    switch (t) {
      case dtype::f32: {
        float v;
        std::memcpy(&v, &b[4 * i], 4);
        ASSERT_EQ(xf::bits_of(v), xf::bits_of(expected_f32(d, k, g)))
            << to_string(d) << " element " << g;
        break;
      }
      case dtype::f64: {
        double v;
        std::memcpy(&v, &b[8 * i], 8);
        ASSERT_EQ(xf::bits_of(v), xf::bits_of(expected_f64(d, k, g)))
            << to_string(d) << " element " << g;
        break;
      }
      case dtype::f16: {
        std::uint16_t h;
        std::memcpy(&h, &b[2 * i], 2);
        ASSERT_EQ(h, expected16(t, bounds, expected_f32(d, k, g)))
            << to_string(d) << " element " << g;
        break;
      }
      case dtype::bf16: {
        std::uint16_t h;
        std::memcpy(&h, &b[2 * i], 2);
        ASSERT_EQ(h, expected16(t, bounds, expected_f32(d, k, g)))
            << to_string(d) << " element " << g;
        break;
      }
    }
  }
}

}  // namespace

TEST(FillHost, UsesExactlyTheWordsTheContractAssignsToEachElement) {
  const wi::key k{0x5eed, 7};
  for (const auto& d : kDists)
    for (dtype t : kTypes) {
      const auto b = fill_bytes(t, d, k, 1001);
      expect_contract(b, t, d, k, 0, 1001);
    }
}

TEST(FillHost, WindowsFarPastTwoToThe32UseTheGlobalIndex) {
  // A tensor of 2^33 + 8 elements, never allocated: windows at 2^31-1, 2^32-3, 2^33-1 and 2^33+3.
  const wi::key k{99, 3};
  const std::int64_t total = (std::int64_t{1} << 33) + 8;
  for (std::int64_t first : {(std::int64_t{1} << 31) - 1, (std::int64_t{1} << 32) - 3,
                             (std::int64_t{1} << 33) - 1, (std::int64_t{1} << 33) + 3})
    for (const auto& d : kDists)
      for (dtype t : kTypes) {
        const auto b = fill_bytes(t, d, k, 5, 1, total, first);
        expect_contract(b, t, d, k, static_cast<std::uint64_t>(first), 5);
      }
}

TEST(FillHost, ThreadCountNeverChangesABit) {
  const wi::key k{1234, 0};
  const std::int64_t n = 300007;  // odd: partial blocks at the end
  for (const auto& d : kDists)
    for (dtype t : kTypes) {
      const auto ref = fill_bytes(t, d, k, n, 1);
      for (unsigned threads : {2u, 3u, 5u, 8u}) {
        ASSERT_EQ(fill_bytes(t, d, k, n, threads), ref)
            << to_string(d) << ' ' << to_string(t) << " threads " << threads;
      }
    }
}

TEST(FillHost, AnyWindowEqualsTheSameSliceOfTheWholeTensor) {
  const wi::key k{77, 11};
  const std::int64_t total = 100003;
  std::mt19937_64 rng(2024);
  for (const auto& d : kDists)
    for (dtype t : kTypes) {
      const auto whole = fill_bytes(t, d, k, total, 2);
      const std::size_t es = wi::size_of(t);
      for (int trial = 0; trial < 12; ++trial) {
        const std::int64_t first = static_cast<std::int64_t>(rng() % total);
        const std::int64_t count = static_cast<std::int64_t>(rng() % (total - first + 1));
        const auto part = fill_bytes(t, d, k, count, 1 + trial % 3, total, first);
        ASSERT_TRUE(std::equal(part.begin(), part.end(), whole.begin() + first * es))
            << to_string(d) << ' ' << to_string(t) << " window " << first << "+" << count;
      }
    }
}

TEST(FillHost, APrefixOfALongerFillIsTheShorterFill) {
  const wi::key k{5, 5};
  for (const auto& d : kDists)
    for (dtype t : kTypes)
      for (std::int64_t n : {1, 2, 3, 5, 7, 9, 4097, 70001}) {
        const auto shorter = fill_bytes(t, d, k, n);
        const auto longer = fill_bytes(t, d, k, n + 13);
        ASSERT_TRUE(std::equal(shorter.begin(), shorter.end(), longer.begin()))
            << to_string(d) << ' ' << to_string(t) << " n " << n;
      }
}

TEST(FillHost, SixteenBitFillsAreTheF32FillRoundedToNearestEvenInsideTheBounds) {
  // Every distribution of kDists plus bounds no 16-bit type represents (0.1, 0.7, 1.2): the 16-bit
  // element is the f32 element rounded to nearest even, except where that rounding would leave
  // [a, b], where it is the nearest 16-bit value inside. That case must occur here (about 0.07 % of
  // uniform(-0.1, 0.1) in bf16 rounds to 0.10009765625 > 0.1), so the test sees the clamp.
  std::vector<distribution> dists(std::begin(kDists), std::end(kDists));
  dists.push_back(distribution::uniform(-0.1, 0.1));
  dists.push_back(distribution::uniform(0.3, 0.7));
  dists.push_back(distribution::truncated_normal(0.0, 0.05, -0.1, 0.1));
  dists.push_back(distribution::truncated_normal(1.0, 0.5, 1.2, 3.0));
  const wi::key k{31337, 2};
  const std::int64_t n = 1 << 18;
  std::int64_t clamped = 0;
  for (const auto& d : dists) {
    const auto f32 = fill_bytes(dtype::f32, d, k, n);
    for (dtype t : {dtype::f16, dtype::bf16}) {
      const auto b16 = fill_bytes(t, d, k, n);
      const std::pair<float, float> bounds = clamp16(t, d);
      for (std::int64_t i = 0; i < n; ++i) {
        float v;
        std::memcpy(&v, &f32[4 * i], 4);
        std::uint16_t h;
        std::memcpy(&h, &b16[2 * i], 2);
        ASSERT_EQ(h, expected16(t, bounds, v))
            << to_string(d) << " " << wi::to_string(t) << " element " << i;
        const double x = from16(t, h);
        if (d.kind == wi::distribution_kind::uniform ||
            d.kind == wi::distribution_kind::truncated_normal) {
          ASSERT_GE(x, d.low) << to_string(d) << " " << wi::to_string(t) << " element " << i;
          ASSERT_LE(x, d.high) << to_string(d) << " " << wi::to_string(t) << " element " << i;
          const double rounded = from16(t, to16(t, v));
          clamped += rounded < d.low || rounded > d.high;
        } else {
          ASSERT_EQ(h, to16(t, v)) << to_string(d) << " " << wi::to_string(t) << " element " << i;
        }
      }
    }
  }
  EXPECT_GT(clamped, 100) << "the bounds case was not exercised";
}

TEST(FillHost, DifferentStreamsAndSeedsGiveDifferentTensors) {
  const auto d = distribution::normal(0, 1);
  const auto a = fill_bytes(dtype::f32, d, {1, 0}, 1000);
  EXPECT_NE(a, fill_bytes(dtype::f32, d, {1, 1}, 1000));
  EXPECT_NE(a, fill_bytes(dtype::f32, d, {2, 0}, 1000));
}

// ---------------------------------------------------------------------------------------------
// Statistics. Fixed seeds; each bound is 6 standard errors (two-sided false-alarm rate 2e-9 per
// check under normality of the estimator), and KS uses P(D*sqrt(n) > 3.0) ~ 2 exp(-18) = 3e-8.

namespace {

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
double normal_ccdf(double x) { return 0.5 * std::erfc(x / std::sqrt(2.0)); }
double normal_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * M_PI); }
// P(a < Z < b), computed in the tail that keeps it accurate.
double normal_mass(double a, double b) {
  return a >= 0 ? normal_ccdf(a) - normal_ccdf(b) : normal_cdf(b) - normal_cdf(a);
}

struct moments {
  double mean, var, m4;  // m4 = fourth central moment
};

moments exact_moments(const distribution& d) {
  switch (d.kind) {
    case wi::distribution_kind::constant: return {d.value, 0, 0};
    case wi::distribution_kind::uniform: {
      const double w = d.high - d.low;
      return {0.5 * (d.low + d.high), w * w / 12, w * w * w * w / 80};
    }
    case wi::distribution_kind::normal: {
      const double v = d.stddev * d.stddev;
      return {d.mean, v, 3 * v * v};
    }
    case wi::distribution_kind::truncated_normal: {
      // Raw moments of the standard truncated normal by recursion, then centred.
      const double a = (d.low - d.mean) / d.stddev, b = (d.high - d.mean) / d.stddev;
      const double z = normal_mass(a, b);
      double m[5];
      m[0] = 1;
      m[1] = (normal_pdf(a) - normal_pdf(b)) / z;
      for (int k = 2; k <= 4; ++k)
        m[k] = (k - 1) * m[k - 2] +
               (std::pow(a, k - 1) * normal_pdf(a) - std::pow(b, k - 1) * normal_pdf(b)) / z;
      const double mu = m[1], var = m[2] - mu * mu;
      const double c4 = m[4] - 4 * mu * m[3] + 6 * mu * mu * m[2] - 3 * mu * mu * mu * mu;
      const double s = d.stddev;
      return {d.mean + s * mu, s * s * var, s * s * s * s * c4};
    }
  }
  return {0, 0, 0};
}

double exact_cdf(const distribution& d, double x) {
  switch (d.kind) {
    case wi::distribution_kind::uniform:
      return std::clamp((x - d.low) / (d.high - d.low), 0.0, 1.0);
    case wi::distribution_kind::normal: return normal_cdf((x - d.mean) / d.stddev);
    case wi::distribution_kind::truncated_normal: {
      const double a = (d.low - d.mean) / d.stddev, b = (d.high - d.mean) / d.stddev;
      const double c = (std::clamp(x, d.low, d.high) - d.mean) / d.stddev;
      return normal_mass(a, c) / normal_mass(a, b);
    }
    default: return x >= d.value ? 1.0 : 0.0;
  }
}

void check_moments(const std::vector<double>& v, const distribution& d, const std::string& what,
                   double rounding_slack) {
  const double n = static_cast<double>(v.size());
  double s = 0;
  for (double x : v) s += x;
  const double mean = s / n;
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  const double var = ss / (n - 1);
  const moments m = exact_moments(d);
  const double se_mean = std::sqrt(m.var / n);
  const double se_var = std::sqrt((m.m4 - m.var * m.var) / n);
  EXPECT_NEAR(mean, m.mean, 6 * se_mean + rounding_slack)
      << what << ": n " << n << " mean " << mean;
  EXPECT_NEAR(var, m.var,
              6 * se_var + 2 * rounding_slack * std::sqrt(m.var) + rounding_slack * rounding_slack)
      << what << ": n " << n << " var " << var << " expected " << m.var;
}

double ks_statistic(std::vector<double> v, const distribution& d) {
  std::sort(v.begin(), v.end());
  const double n = static_cast<double>(v.size());
  double dmax = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double f = exact_cdf(d, v[i]);
    dmax = std::max({dmax, f - i / n, (i + 1) / n - f});
  }
  return dmax;
}

}  // namespace

TEST(FillHostStatistics, MomentsAndKolmogorovSmirnovMatchEachDistributionInF32AndF64) {
  const std::int64_t n = 1 << 20;
  std::uint64_t seed = 1000;
  for (const auto& d : kDists) {
    if (d.kind == wi::distribution_kind::constant) continue;
    for (dtype t : {dtype::f32, dtype::f64}) {
      const wi::key k{++seed, 0};
      const auto b = fill_bytes(t, d, k, n);
      std::vector<double> v(n);
      for (std::int64_t i = 0; i < n; ++i) v[i] = value_of(b, t, i);
      const std::string what =
          to_string(d) + " " + to_string(t) + " seed " + std::to_string(k.seed);
      check_moments(v, d, what, 0.0);
      v.resize(1 << 16);
      const double ks = ks_statistic(v, d) * std::sqrt(static_cast<double>(v.size()));
      EXPECT_LT(ks, 3.0) << what << ": KS D*sqrt(n) = " << ks;
    }
  }
}

TEST(FillHostStatistics, SixteenBitMomentsMatchUpToTheRoundingOfTheGrid) {
  // Rounding to a grid of relative spacing 2^-11 (f16) or 2^-8 (bf16) moves each value by at most
  // half a spacing: the slack below bounds that bias for the largest values that occur (|x| < 10).
  const std::int64_t n = 1 << 20;
  std::uint64_t seed = 5000;
  for (const auto& d : kDists) {
    if (d.kind == wi::distribution_kind::constant) continue;
    for (dtype t : {dtype::f16, dtype::bf16}) {
      const wi::key k{++seed, 0};
      const auto b = fill_bytes(t, d, k, n);
      std::vector<double> v(n);
      for (std::int64_t i = 0; i < n; ++i) v[i] = value_of(b, t, i);
      const double slack = 10.0 * (t == dtype::f16 ? 0x1p-11 : 0x1p-8) / 2;
      check_moments(v, d, to_string(d) + " " + to_string(t), slack);
    }
  }
}

TEST(FillHostStatistics, ConstantsAreExact) {
  for (dtype t : kTypes) {
    const auto b = fill_bytes(t, distribution::constant(0.25), {1, 1}, 1003);
    for (int i = 0; i < 1003; ++i) ASSERT_EQ(value_of(b, t, i), 0.25);
  }
}

TEST(FillHostStatistics, UniformSymmetricBoundsAreNeverReached) {
  for (dtype t : kTypes) {
    const auto b = fill_bytes(t, distribution::uniform(-0.125, 0.125), {3, 3}, 1 << 18);
    double lo = 1, hi = -1;
    for (int i = 0; i < (1 << 18); ++i) {
      lo = std::min(lo, value_of(b, t, i));
      hi = std::max(hi, value_of(b, t, i));
    }
    if (t == dtype::f32 || t == dtype::f64) {
      EXPECT_GT(lo, -0.125) << to_string(t);
      EXPECT_LT(hi, 0.125) << to_string(t);
    } else {  // the 16-bit grids may round the extreme draws onto the bound itself
      EXPECT_GE(lo, -0.125) << to_string(t);
      EXPECT_LE(hi, 0.125) << to_string(t);
    }
    EXPECT_LT(lo, -0.12) << to_string(t);
    EXPECT_GT(hi, 0.12) << to_string(t);
  }
}

TEST(FillHostStatistics, TruncatedNormalNeverLeavesItsBoundsIncludingFarTailsAndNarrowIntervals) {
  const distribution cases[] = {distribution::truncated_normal(0, 1, -8, 8),
                                distribution::truncated_normal(0, 1, 8, 9),
                                distribution::truncated_normal(0, 1, -9, -8),
                                distribution::truncated_normal(0, 1, 7.99, 8.0),
                                distribution::truncated_normal(0, 1, 1.0, 1.01),
                                distribution::truncated_normal(0, 1, -0.005, 0.005),
                                distribution::truncated_normal(2, 0.02, 2.04, 2.06),
                                distribution::truncated_normal(0, 1, -INFINITY, -3),
                                distribution::truncated_normal(0, 1, 4, INFINITY)};
  const std::int64_t n = 1 << 17;
  std::uint64_t seed = 9000;
  for (const auto& d : cases) {
    for (dtype t : {dtype::f32, dtype::f64}) {
      const wi::key k{++seed, 1};
      const auto b = fill_bytes(t, d, k, n);
      std::vector<double> v(n);
      for (std::int64_t i = 0; i < n; ++i) {
        v[i] = value_of(b, t, i);
        ASSERT_GE(v[i], d.low) << to_string(d) << ' ' << to_string(t) << " element " << i;
        ASSERT_LE(v[i], d.high) << to_string(d) << ' ' << to_string(t) << " element " << i;
      }
      v.resize(1 << 15);
      const double ks = ks_statistic(v, d) * std::sqrt(static_cast<double>(v.size()));
      EXPECT_LT(ks, 3.0) << to_string(d) << ' ' << to_string(t) << ": KS D*sqrt(n) = " << ks;
    }
    // The extreme uniforms (smallest and largest word) stay inside too.
    const auto pf = wi::detail::prepare_f32(d, dtype::f32, "test");
    const auto pd = wi::detail::prepare_f64(d, "test");
    for (std::uint32_t w : {0u, 1u, 0xfffffffeu, 0xffffffffu}) {
      const float x = wi::truncated_normal_f32(pf, w);
      EXPECT_TRUE(x >= d.low && x <= d.high) << to_string(d) << " word " << w << " -> " << x;
    }
    for (std::uint64_t w : {0ull, 1ull, ~0ull - 1, ~0ull}) {
      const double x = wi::truncated_normal_f64(pd, w);
      EXPECT_TRUE(x >= d.low && x <= d.high) << to_string(d) << " word " << w << " -> " << x;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Bad input: std::invalid_argument naming the function, and nothing written.

TEST(FillHostErrors, BadArgumentsThrowAndWriteNothing) {
  const float sentinel = -12345.0f;
  std::vector<float> buf(64, sentinel);
  auto view = [&](std::int64_t first = 0, std::int64_t count = -1) {
    return wi::tensor_view{buf.data(), dtype::f32, {64}, first, count};
  };
  struct bad_case {
    const char* what;
    wi::tensor_view v;
    distribution d;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = INFINITY;
  const bad_case cases[] = {
      {"a == b", view(), distribution::uniform(1, 1)},
      {"a > b", view(), distribution::uniform(2, 1)},
      {"infinite bound", view(), distribution::uniform(0, inf)},
      {"NaN bound", view(), distribution::uniform(nan, 1)},
      {"negative std", view(), distribution::normal(0, -1)},
      {"infinite std", view(), distribution::normal(0, inf)},
      {"NaN mean", view(), distribution::normal(nan, 1)},
      {"std overflows f32", view(), distribution::normal(0, 1e300)},
      {"truncated std 0", view(), distribution::truncated_normal(0, 0, -1, 1)},
      {"truncated a >= b", view(), distribution::truncated_normal(0, 1, 1, -1)},
      {"truncated NaN bound", view(), distribution::truncated_normal(0, 1, nan, 1)},
      {"truncated zero mass", view(), distribution::truncated_normal(0, 1, 40, 41)},
      {"truncated narrower than f32", view(),
       distribution::truncated_normal(1, 1, 1.00000001, 1.00000002)},
      {"constant NaN", view(), distribution::constant(nan)},
      {"window past the end", view(60, 5), distribution::normal(0, 1)},
      {"negative window start", view(-1, 5), distribution::normal(0, 1)},
      {"negative count", view(0, -2), distribution::normal(0, 1)},
  };
  for (const auto& c : cases) {
    try {
      wi::fill_host(c.v, c.d, {1, 1});
      ADD_FAILURE() << c.what << ": no exception";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("fill_host"), std::string::npos) << e.what();
    }
    for (float x : buf) ASSERT_EQ(x, sentinel) << c.what << ": buffer was written";
  }
  // Null pointer with elements to write; and a negative extent in the shape.
  EXPECT_THROW(wi::fill_host({nullptr, dtype::f32, {4}}, distribution::normal(0, 1), {}),
               std::invalid_argument);
  EXPECT_THROW(wi::fill_host({buf.data(), dtype::f32, {-4}}, distribution::normal(0, 1), {}),
               std::invalid_argument);
  // Zero elements: a no-op, even with a null pointer; a bad distribution is still an error.
  EXPECT_NO_THROW(wi::fill_host({nullptr, dtype::f32, {0, 5}}, distribution::normal(0, 1), {}));
  EXPECT_THROW(wi::fill_host({nullptr, dtype::f32, {0}}, distribution::normal(0, -1), {}),
               std::invalid_argument);
  // Overflowing shapes are rejected, not wrapped.
  EXPECT_THROW(wi::fill_host({buf.data(), dtype::f32, {1ll << 40, 1ll << 40}},
                             distribution::normal(0, 1), {}),
               std::invalid_argument);
}
