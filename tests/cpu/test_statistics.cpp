// tests/cpu/test_statistics.cpp: the v2 fills at high statistical power on the CPU, with fixed
// seeds. Each chi-square test bounds the statistic at mean + 6 sd of its null distribution
// (about 1e-9 false alarms per test at the large dof, about 1e-6 at the 64-dof 16-bit cases);
// correlations at 6 / sqrt(n). Also the exact
// tail masses of the word grid, the truncated normal against its correctly rounded quantile on a
// grid of intervals, and 16-bit fills against their exact discretized distributions. Statistics
// are printed on every run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "host/prepare.hpp"
#include "kernels/element.hpp"
#include "weightinit/fill.hpp"

namespace wi = weightinit;
namespace xf = weightinit::xf;
using wi::distribution;
using wi::dtype;

namespace {

constexpr long double kSqrt1_2 = 0.707106781186547524400844362104849039L;

long double cdf(long double x) { return 0.5L * std::erfc(-x * kSqrt1_2); }
long double ccdf(long double x) { return 0.5L * std::erfc(x * kSqrt1_2); }
long double half_minus_cdf(long double x) { return -0.5L * std::erf(x * kSqrt1_2); }  // 1/2 - Phi
// Phi(b) - Phi(a), each form where it does not cancel.
long double mass(long double a, long double b) {
  if (a >= 1) return ccdf(a) - ccdf(b);
  if (b <= -1) return cdf(b) - cdf(a);
  return half_minus_cdf(a) - half_minus_cdf(b);
}

std::vector<float> fill_f32(const distribution& d, wi::key k, std::int64_t n) {
  std::vector<float> v(static_cast<std::size_t>(n));
  wi::fill_host({v.data(), dtype::f32, {n}}, d, k, wi::fill_options().with_threads(1));
  return v;
}

// Chi-square of counts against expected counts; bound = dof + 6 sqrt(2 dof).
struct chi2 {
  double stat = 0;
  double dof = 0;
  double bound() const { return dof + 6 * std::sqrt(2 * dof); }
};
chi2 chi_square(const std::vector<double>& observed, const std::vector<double>& expected) {
  chi2 c;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    const double d = observed[i] - expected[i];
    c.stat += d * d / expected[i];
  }
  c.dof = static_cast<double>(observed.size()) - 1;
  return c;
}

// The truncated quantile at u in long double: P = Phi(a) + u (Phi(b) - Phi(a)) on its nearer side
// (each side written as a weighted sum, so nothing cancels), then Newton on that side.
long double truncated_quantile(long double a, long double b, long double u) {
  const long double inv_sqrt_2pi = 0.398942280401432677939946059934381868L;
  const long double lower = (1 - u) * cdf(a) + u * cdf(b);
  long double x;
  if (lower < 0.25L) {
    const long double p = lower;
    x = xf::normal_quantile_f64(static_cast<double>(p), static_cast<double>(0.5L - p));
    for (int i = 0; i < 3; ++i) x -= (cdf(x) - p) / (inv_sqrt_2pi * std::exp(-0.5L * x * x));
  } else if (lower > 0.75L) {
    const long double q = u * ccdf(b) + (1 - u) * ccdf(a);  // Q(x) = q
    x = -xf::normal_quantile_f64(static_cast<double>(q), static_cast<double>(0.5L - q));
    for (int i = 0; i < 3; ++i) x += (ccdf(x) - q) / (inv_sqrt_2pi * std::exp(-0.5L * x * x));
  } else {
    const long double d = (1 - u) * half_minus_cdf(a) + u * half_minus_cdf(b);  // 1/2 - Phi(x) = d
    const long double ad = std::fabs(d);
    x = xf::normal_quantile_f64(static_cast<double>(0.5L - ad), static_cast<double>(ad));
    x = d < 0 ? -x : x;
    for (int i = 0; i < 3; ++i)
      x += (half_minus_cdf(x) - d) / (inv_sqrt_2pi * std::exp(-0.5L * x * x));
  }
  return x;
}

// Chi-square of f32 samples of the normal truncated to [a, b] (a = -inf, b = inf: the normal)
// against the exact distribution of its correctly rounded values, in `bins` bins of about equal
// probability: bin edges are f32 rounding boundaries (midpoints between neighbouring floats)
// near the continuous quantiles j / bins, so a correctly rounded fill has exactly the expected
// counts (edges that coincide, where floats are sparse, are merged).
chi2 rounded_chi_square(const std::vector<float>& x, long double a, long double b, int bins) {
  std::vector<long double> edges;
  for (int j = 1; j < bins; ++j) {
    const float f =
        static_cast<float>(truncated_quantile(a, b, static_cast<long double>(j) / bins));
    const long double m = (static_cast<long double>(f) + std::nextafter(f, INFINITY)) / 2;
    if (m > a && m < b && (edges.empty() || m > edges.back())) edges.push_back(m);
  }
  const long double total = mass(a, b);
  std::vector<double> obs(edges.size() + 1, 0), exp(edges.size() + 1);
  long double prev = 0;
  for (std::size_t j = 0; j <= edges.size(); ++j) {
    const long double f = j < edges.size() ? mass(a, edges[j]) / total : 1.0L;
    exp[j] = static_cast<double>((f - prev) * x.size());
    prev = f;
  }
  for (float v : x)
    obs[std::upper_bound(edges.begin(), edges.end(), static_cast<long double>(v)) -
        edges.begin()] += 1;
  return chi_square(obs, exp);
}

double correlation(const std::vector<float>& a, const std::vector<float>& b, std::size_t lag) {
  const std::size_t n = std::min(a.size(), b.size()) - lag;
  long double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const long double x = a[i], y = b[i + lag];
    sa += x, sb += y, sab += x * y, saa += x * x, sbb += y * y;
  }
  const long double ma = sa / n, mb = sb / n;
  return static_cast<double>((sab / n - ma * mb) /
                             std::sqrt((saa / n - ma * ma) * (sbb / n - mb * mb)));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Normal

TEST(NormalStatistics, ProbabilityIntegralTransformIsUniformOver16384BinsAtTwoToThe24Samples) {
  const std::int64_t n = std::int64_t{1} << 24;
  const wi::key k{20261201, 3};
  const std::vector<float> z = fill_f32(distribution::normal(0, 1), k, n);
  const chi2 c = rounded_chi_square(z, -INFINITY, INFINITY, 1 << 14);
  std::printf(
      "normal f32 PIT: n = 2^24, seed %llu stream %llu, chi2 = %.1f (dof %.0f, bound %.1f)\n",
      static_cast<unsigned long long>(k.seed), static_cast<unsigned long long>(k.stream), c.stat,
      c.dof, c.bound());
  EXPECT_LT(c.stat, c.bound());
}

TEST(NormalStatistics, TheWordGridPutsExactlyTheNormalsTailMassBeyondThreeToSixSigma) {
  // z is monotone in the word, so the words below -t are a prefix: count them and compare with
  // Phi(-t) 2^32, the grid's exact mass. A quantile within 3 ulp can move the threshold by the
  // words that 3 ulp at t span (2^32 phi(t) ulp(t) per ulp), plus one for the grid.
  for (double t : {3.0, 4.0, 5.0, 6.0}) {
    std::uint64_t count = 0;
    while (xf::normal_f32(static_cast<std::uint32_t>(count)) < -t) ++count;
    const long double want = cdf(-t) * 4294967296.0L;
    const long double per_ulp = 4294967296.0L * 0.398942280401432677939946059934381868L *
                                std::exp(-0.5L * t * t) * std::ldexp(1.0L, std::ilogb(t) - 23);
    std::printf("words with z < -%.0f: %llu, Phi(-%.0f) 2^32 = %.2Lf (%.2Lf words per ulp)\n", t,
                static_cast<unsigned long long>(count), t, want, per_ulp);
    EXPECT_LE(std::fabs(static_cast<long double>(count) - want), 3 * per_ulp + 1) << t;
    // and the mirror: words above +t
    std::uint64_t upper = 0;
    while (xf::normal_f32(static_cast<std::uint32_t>(0xffffffffu - upper)) > t) ++upper;
    EXPECT_EQ(upper, count) << t;
  }
}

TEST(NormalStatistics, TailFrequenciesBeyondThreeFourFiveAndSixSigmaMatchAtTwoToThe26Samples) {
  // Poisson counts of |z| > t in 2^26 draws; bound |obs - exp| <= 6 sqrt(exp) + 3 (false alarm
  // < 1e-8 per threshold; at 6 sigma exp = 0.13, so the test only bounds gross excess there).
  const std::int64_t chunk = std::int64_t{1} << 22, chunks = 16;
  const double ts[] = {3, 4, 5, 6};
  double obs[4] = {0, 0, 0, 0};
  std::vector<float> v(static_cast<std::size_t>(chunk));
  for (std::int64_t c = 0; c < chunks; ++c) {
    wi::tensor_view view{v.data(), dtype::f32, {chunks * chunk}, c * chunk, chunk};
    wi::fill_host(view, distribution::normal(0, 1), {777, 0}, wi::fill_options().with_threads(1));
    for (float x : v)
      for (int j = 0; j < 4; ++j) obs[j] += std::fabs(x) > ts[j];
  }
  for (int j = 0; j < 4; ++j) {
    const double exp = static_cast<double>(2 * cdf(-ts[j])) * chunks * chunk;
    std::printf("|z| > %.0f: %.0f observed, %.2f expected (n = 2^26, seed 777)\n", ts[j], obs[j],
                exp);
    EXPECT_LE(std::fabs(obs[j] - exp), 6 * std::sqrt(exp) + 3) << ts[j];
  }
}

TEST(NormalStatistics, NeighbouringElementsAreUncorrelatedAndPairsFillTheUnitSquareEvenly) {
  const std::int64_t n = std::int64_t{1} << 24;
  const std::vector<float> z = fill_f32(distribution::normal(0, 1), {4242, 0}, n);
  const double bound = 6 / std::sqrt(static_cast<double>(n));
  for (std::size_t lag : {1, 2, 3, 4, 5}) {  // inside a Philox block and across blocks
    const double r = correlation(z, z, lag);
    std::printf("normal f32 lag-%zu correlation %.2e (bound %.2e)\n", lag, r, bound);
    EXPECT_LT(std::fabs(r), bound) << lag;
  }
  // (Phi(z_2i), Phi(z_2i+1)) and (Phi(z_i), Phi(z_i+4)) in 64 x 64 cells.
  for (std::size_t lag : {1, 4}) {
    const int side = 64;
    std::vector<double> obs(side * side, 0);
    std::size_t pairs = 0;
    for (std::size_t i = 0; i + lag < z.size(); i += 2 * lag) {
      const int a = std::min(side - 1, static_cast<int>(cdf(z[i]) * side));
      const int b = std::min(side - 1, static_cast<int>(cdf(z[i + lag]) * side));
      obs[a * side + b] += 1;
      ++pairs;
    }
    const std::vector<double> exp(side * side, static_cast<double>(pairs) / (side * side));
    const chi2 c = chi_square(obs, exp);
    std::printf("normal f32 pairs at lag %zu: chi2 = %.1f (dof %.0f, bound %.1f)\n", lag, c.stat,
                c.dof, c.bound());
    EXPECT_LT(c.stat, c.bound()) << lag;
  }
}

TEST(NormalStatistics, NeighbouringStreamsAreIndependent) {
  const std::int64_t n = std::int64_t{1} << 22;
  const double bound = 6 / std::sqrt(static_cast<double>(n));
  for (std::uint64_t s : {0ull, 1ull, 0xffffffffull, 1ull << 32}) {
    const std::vector<float> a = fill_f32(distribution::normal(0, 1), {99, s}, n);
    const std::vector<float> b = fill_f32(distribution::normal(0, 1), {99, s + 1}, n);
    const double r = correlation(a, b, 0);
    EXPECT_LT(std::fabs(r), bound) << "streams " << s << ", " << s + 1;
    const int side = 64;
    std::vector<double> obs(side * side, 0);
    for (std::size_t i = 0; i < a.size(); ++i) {
      const int x = std::min(side - 1, static_cast<int>(cdf(a[i]) * side));
      const int y = std::min(side - 1, static_cast<int>(cdf(b[i]) * side));
      obs[x * side + y] += 1;
    }
    const std::vector<double> exp(side * side, static_cast<double>(n) / (side * side));
    const chi2 c = chi_square(obs, exp);
    std::printf("streams %llu / %llu: correlation %.2e, joint chi2 = %.1f (bound %.1f)\n",
                static_cast<unsigned long long>(s), static_cast<unsigned long long>(s + 1), r,
                c.stat, c.bound());
    EXPECT_LT(c.stat, c.bound()) << "streams " << s << ", " << s + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Truncated normal

namespace {
struct interval {
  double a, b;
};
// Far tails, narrow intervals on both sides of 0 and at 0, wide ones. (Not intervals only a few
// f32 ulps wide, such as [1, 1 + 1e-6]: there a single-ulp misrounding moves a tenth of the mass
// and 2^24 samples see it; the accuracy test below covers them.)
const interval kAuditIntervals[] = {{2, 3},       {-3, -2}, {-0.005, 0.005},
                                    {6, 8},       {-8, -6}, {-1e-7, 1e-7},
                                    {1e-7, 3e-7}, {-2, 2},  {4, INFINITY}};
}  // namespace

TEST(TruncatedNormalStatistics,
     PassesA16384BinChiSquareAtTwoToThe24SamplesForFarTailAndNarrowIntervals) {
  const std::int64_t n = std::int64_t{1} << 24;
  std::uint64_t seed = 31337;
  for (const interval& iv : kAuditIntervals) {
    const wi::key k{++seed, 5};
    const std::vector<float> x = fill_f32(distribution::truncated_normal(0, 1, iv.a, iv.b), k, n);
    const chi2 c = rounded_chi_square(x, iv.a, iv.b, 1 << 14);
    std::printf(
        "truncated normal [%g, %g] f32: n = 2^24, seed %llu, chi2 = %.1f (dof %.0f, bound %.1f)\n",
        iv.a, iv.b, static_cast<unsigned long long>(k.seed), c.stat, c.dof, c.bound());
    EXPECT_LT(c.stat, c.bound()) << iv.a << ", " << iv.b;
  }
}

namespace {
long double truncated_reference(long double a, long double b, std::uint32_t w) {
  return truncated_quantile(a, b, (2.0L * w + 1) * 0x1p-33L);
}

// Error in f32 ulps at the reference, with a floor: where |z*| < 2^-26 (the few dozen words per
// interval that sit next to the zero crossing of an interval around 0), error is counted in units
// of 2^-49, the ulp at 2^-26. There the probability's distance from 1/2 is a difference of two
// rounded doubles (1/2 - Phi(a) and u * width), whose rounding (about 2^-54 absolute) dominates.
double ulp_error_floor(float got, long double ref) {
  const long double r = std::max(std::fabs(ref), 0x1p-26L);
  int e;
  std::frexp(static_cast<double>(r), &e);
  return static_cast<double>(std::fabs(got - ref) / std::ldexp(1.0L, e - 24));
}

std::vector<interval> accuracy_grid() {
  std::vector<interval> g;
  const double starts[] = {-8,    -7, -6,   -5,  -4, -3, -2, -1, -0.5, -0.005,
                           -1e-7, 0,  1e-7, 0.3, 1,  2,  3,  5,  7.9};
  const double widths[] = {1e-7, 1e-5, 1e-3, 0.1, 1, INFINITY};
  for (double s : starts)
    for (double w : widths) g.push_back({s, s + w});
  g.push_back({-INFINITY, -8});
  g.push_back({-INFINITY, 0});
  g.push_back({-INFINITY, INFINITY});
  return g;
}

double scan_truncated(const interval& iv, std::uint64_t step, std::uint32_t* worst_w) {
  const distribution d = distribution::truncated_normal(0, 1, iv.a, iv.b);
  const wi::prepared<float> p = wi::detail::prepare_f32(d, dtype::f32, "test");
  double worst = 0;
  auto one = [&](std::uint32_t w) {
    const double e =
        ulp_error_floor(wi::truncated_normal_f32(p, w), truncated_reference(iv.a, iv.b, w));
    if (e > worst) {
      worst = e;
      *worst_w = w;
    }
  };
  for (std::uint64_t w = 0; w < (1ull << 32); w += step) one(static_cast<std::uint32_t>(w));
  for (std::uint32_t w = 0; w < 64; ++w) {
    one(w);
    one(~w);
    one(0x80000000u - 32 + w);
  }
  return worst;
}
}  // namespace

// The bound the truncated normal reaches (README's accuracy table): within this many f32 ulps of
// the correctly rounded truncated quantile at that u, for every interval of the grid.
constexpr double kTruncatedUlpF32 = 3.0;

TEST(TruncatedNormalAccuracy,
     IsWithinThreeUlpOfTheCorrectlyRoundedTruncatedQuantileOnAGridOfIntervals) {
  double worst = 0;
  interval at{0, 0};
  std::uint32_t at_w = 0;
  int intervals = 0;
  for (const interval& iv : accuracy_grid()) {
    std::uint32_t w = 0;
    const double e = scan_truncated(iv, 65537, &w);
    ++intervals;
    if (e > worst) {
      worst = e;
      at = iv;
      at_w = w;
    }
    EXPECT_LE(e, kTruncatedUlpF32) << "[" << iv.a << ", " << iv.b << "] word " << w;
  }
  std::printf(
      "truncated normal f32: max %.3f ulp over %d intervals x 65730 words, at [%g, %g] w = %u\n",
      worst, intervals, at.a, at.b, at_w);
}

// ---------------------------------------------------------------------------------------------
// 16-bit fills against their exact discretized distributions: the probability of each bf16 / f16
// value is the mass of the reals that round to it (between the midpoints to its neighbours,
// clipped to [a, b]), pooled in value order into cells of expected count >= 20.

namespace {
chi2 sixteen_bit_chi_square(dtype t, const distribution& d, wi::key k, std::int64_t n) {
  std::vector<std::uint16_t> h(static_cast<std::size_t>(n));
  wi::fill_host({h.data(), t, {n}}, d, k, wi::fill_options().with_threads(1));
  auto value = [&](std::uint16_t b) {
    return t == dtype::bf16 ? xf::from_bf16_bits(b) : xf::from_f16_bits(b);
  };
  // All finite values in increasing order (-0 folded into +0), and each pattern's rank.
  std::vector<float> vals;
  for (std::uint32_t b = 0; b < 65536; ++b) {
    const float v = value(static_cast<std::uint16_t>(b));
    if (std::isfinite(v) && !(v == 0 && std::signbit(v))) vals.push_back(v);
  }
  std::sort(vals.begin(), vals.end());
  const long double a = d.kind == wi::distribution_kind::truncated_normal ? d.low : -INFINITY;
  const long double b = d.kind == wi::distribution_kind::truncated_normal ? d.high : INFINITY;
  const long double mean = d.mean, sd = d.stddev;
  const long double za = (a - mean) / sd, zb = (b - mean) / sd, total = mass(za, zb);
  auto F = [&](long double x) {  // CDF of the (truncated) normal at x, in value units
    const long double z = std::clamp((x - mean) / sd, za, zb);
    return mass(za, z) / total;
  };
  std::vector<double> expect(vals.size());
  for (std::size_t i = 0; i < vals.size(); ++i) {
    const long double lo =
        i == 0 ? -INFINITY : (static_cast<long double>(vals[i - 1]) + vals[i]) / 2;
    const long double hi =
        i + 1 == vals.size() ? INFINITY : (static_cast<long double>(vals[i]) + vals[i + 1]) / 2;
    expect[i] = static_cast<double>((F(hi) - F(lo)) * n);
  }
  std::vector<double> count(vals.size(), 0);
  for (std::uint16_t x : h) {
    float v = value(x);
    if (v == 0) v = 0;  // -0 -> +0
    count[std::lower_bound(vals.begin(), vals.end(), v) - vals.begin()] += 1;
  }
  std::vector<double> obs, exp;
  double eo = 0, ee = 0;
  for (std::size_t i = 0; i < vals.size(); ++i) {
    eo += count[i];
    ee += expect[i];
    if (ee >= 20) {
      obs.push_back(eo);
      exp.push_back(ee);
      eo = ee = 0;
    }
  }
  if (!exp.empty()) {
    obs.back() += eo;
    exp.back() += ee;
  }
  return chi_square(obs, exp);
}
}  // namespace

TEST(SixteenBitStatistics, Bf16AndF16FillsMatchTheirExactDiscretizedDistributionsAtTwoToThe24) {
  const distribution dists[] = {distribution::normal(0, 1), distribution::normal(0.5, 0.02),
                                distribution::truncated_normal(0, 1, -2, 2),
                                distribution::truncated_normal(0, 1, 2, 3)};
  std::uint64_t seed = 161616;
  for (dtype t : {dtype::bf16, dtype::f16}) {
    for (const distribution& d : dists) {
      const wi::key k{++seed, 0};
      const chi2 c = sixteen_bit_chi_square(t, d, k, std::int64_t{1} << 24);
      std::printf("%s %s: n = 2^24, seed %llu, chi2 = %.1f over %.0f dof (bound %.1f)\n",
                  wi::to_string(t), wi::to_string(d).c_str(),
                  static_cast<unsigned long long>(k.seed), c.stat, c.dof, c.bound());
      EXPECT_LT(c.stat, c.bound()) << wi::to_string(t) << ' ' << wi::to_string(d);
    }
  }
}
