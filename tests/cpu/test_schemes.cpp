// tests/cpu/test_schemes.cpp: the elementwise schemes: every formula against the paper's, written
// out independently here, over many shapes and both layouts; each scheme's samples at fixed seeds
// (mean and variance within 6 standard errors, KS for f32); packed weights; windows; f16/bf16 as
// the rounded f32 fill; and every bad input, with sentinel buffers proving nothing was written.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "tests/common/options.hpp"
#include "kernels/transforms.hpp"
#include "scheme_test_util.hpp"
#include "tests/common/bad_schemes.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using scheme_test::buffer;
using scheme_test::expect_invalid;
using scheme_test::expect_ks;
using scheme_test::expect_moments;
using scheme_test::filled;
using scheme_test::keras_fans;
using scheme_test::phi_cdf;
using scheme_test::torch_fans;
using weightinit_test::bad_scheme;
using weightinit_test::bad_schemes;

using weightinit_test::with_fans;
using weightinit_test::with_layout;

namespace {

const wi::key kKey{0x5eed5eed12345678ull, 7};
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Relative agreement to 1e-15 (about 4.5 ulp): the formula written as in the paper may round
// differently from the framework's operation order by an ulp or two, never more.
void expect_close(double got, double want, const std::string& what) {
  EXPECT_NEAR(got, want, 1e-15 * std::fabs(want)) << what;
}

double phi_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI); }

// Standard deviation of N(0,1) truncated to [a, b] by Simpson's rule (independent of the
// closed form the library uses).
double truncated_std_numeric(double a, double b) {
  const int n = 20000;
  const double h = (b - a) / n;
  double m0 = 0, m1 = 0, m2 = 0;
  for (int i = 0; i <= n; ++i) {
    const double x = a + i * h, w = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);
    m0 += w * phi_pdf(x);
    m1 += w * x * phi_pdf(x);
    m2 += w * x * x * phi_pdf(x);
  }
  const double mean = m1 / m0;
  return std::sqrt(m2 / m0 - mean * mean);
}

// CDF of N(mu, sigma²) truncated to [lo, hi].
std::function<double(double)> truncated_cdf(double mu, double sigma, double lo, double hi) {
  const double pa = phi_cdf((lo - mu) / sigma), pb = phi_cdf((hi - mu) / sigma);
  return [=](double x) { return (phi_cdf((x - mu) / sigma) - pa) / (pb - pa); };
}

// Mean and variance of N(mu, sigma²) truncated to [lo, hi] (closed form).
void truncated_moments(double mu, double sigma, double lo, double hi, double* mean, double* var) {
  const double a = (lo - mu) / sigma, b = (hi - mu) / sigma;
  const double z = phi_cdf(b) - phi_cdf(a);
  const double d = (phi_pdf(a) - phi_pdf(b)) / z;
  *mean = mu + sigma * d;
  *var = sigma * sigma * (1 + (a * phi_pdf(a) - b * phi_pdf(b)) / z - d * d);
}

}  // namespace

// ---- formulas -----------------------------------------------------------------------------------

TEST(SchemeFormulas, MatchThePapersOverManyShapesAndBothLayouts) {
  std::mt19937_64 rng(4);
  std::uniform_int_distribution<int> extent(1, 40), rank(2, 5);
  const double sqrt3 = std::sqrt(3.0);
  for (int t = 0; t < 400; ++t) {
    wi::shape s;
    for (int r = rank(rng); r > 0; --r) s.push_back(extent(rng));
    for (wi::layout l : {wi::layout::out_in, wi::layout::in_out}) {
      const wi::fans f = l == wi::layout::out_in ? torch_fans(s) : keras_fans(s);
      const std::string at = wi::to_string(s) + " " + wi::to_string(l);
      const double fi = f.fan_in, fo = f.fan_out;
      for (double g : {1.0, 5.0 / 3.0, 0.5}) {
        // Glorot & Bengio: bound gain·√(6/(fi+fo)), σ = gain·√(2/(fi+fo)).
        const wi::distribution xu = wi::resolve(wi::xavier_uniform(g), s, l);
        ASSERT_EQ(xu.kind, wi::distribution_kind::uniform);
        expect_close(xu.high, g * std::sqrt(6.0 / (fi + fo)), "xavier_uniform " + at);
        EXPECT_EQ(xu.low, -xu.high);
        // ... and bit for bit PyTorch's order: std = gain*sqrt(2/(fi+fo)); a = sqrt(3)*std.
        EXPECT_EQ(xu.high, sqrt3 * (g * std::sqrt(2.0 / (fi + fo)))) << at;
        const wi::distribution xn = wi::resolve(wi::xavier_normal(g), s, l);
        ASSERT_EQ(xn.kind, wi::distribution_kind::normal);
        expect_close(xn.stddev, g * std::sqrt(2.0 / (fi + fo)), "xavier_normal " + at);
        EXPECT_EQ(xn.mean, 0.0);
      }
      for (wi::fan_mode m : {wi::fan_mode::fan_in, wi::fan_mode::fan_out}) {
        const double fan = m == wi::fan_mode::fan_in ? fi : fo;
        for (auto [nl, slope, gain] :
             {std::tuple{wi::nonlinearity::relu, 0.0, std::sqrt(2.0)},
              std::tuple{wi::nonlinearity::leaky_relu, 0.2, std::sqrt(2 / 1.04)},
              std::tuple{wi::nonlinearity::tanh, 0.0, 5.0 / 3},
              std::tuple{wi::nonlinearity::linear, 0.0, 1.0}}) {
          // He et al.: σ = gain/√fan, bound = gain·√(3/fan).
          const wi::distribution hn = wi::resolve(wi::he_normal(m, nl, slope), s, l);
          expect_close(hn.stddev, gain / std::sqrt(fan), "he_normal " + at);
          const wi::distribution hu = wi::resolve(wi::kaiming_uniform(m, nl, slope), s, l);
          expect_close(hu.high, gain * std::sqrt(3.0 / fan), "he_uniform " + at);
          EXPECT_EQ(hu.low, -hu.high);
        }
      }
      // LeCun et al. 1998: U(±√(3/fi)), N(0, 1/fi).
      expect_close(wi::resolve(wi::lecun_uniform(), s, l).high, std::sqrt(3.0 / fi),
                   "lecun_u " + at);
      expect_close(wi::resolve(wi::lecun_normal(), s, l).stddev, 1 / std::sqrt(fi),
                   "lecun_n " + at);
      // Variance scaling, every mode and distribution.
      for (double scale : {1.0, 2.0, 0.1}) {
        for (auto [mode, n] :
             {std::pair{wi::fan_mode::fan_in, fi}, std::pair{wi::fan_mode::fan_out, fo},
              std::pair{wi::fan_mode::fan_avg, (fi + fo) / 2},
              std::pair{wi::fan_mode::fan_geo_avg, std::sqrt(fi * fo)}}) {
          const double v = scale / n;
          const std::string vs = "variance_scaling " + at + " " + wi::to_string(mode);
          const wi::distribution u =
              wi::resolve(wi::variance_scaling(scale, mode, wi::scale_distribution::uniform), s, l);
          expect_close(u.high, std::sqrt(3 * v), vs + " uniform");
          const wi::distribution nn =
              wi::resolve(wi::variance_scaling(scale, mode, wi::scale_distribution::normal), s, l);
          expect_close(nn.stddev, std::sqrt(v), vs + " normal");
          const wi::distribution tn = wi::resolve(wi::variance_scaling(scale, mode), s, l);
          ASSERT_EQ(tn.kind, wi::distribution_kind::truncated_normal);
          expect_close(tn.stddev, std::sqrt(v) / 0.87962566103423978, vs + " truncated");
          EXPECT_EQ(tn.high, 2 * tn.stddev);
          EXPECT_EQ(tn.low, -2 * tn.stddev);
        }
      }
    }
  }
}

TEST(SchemeFormulas, KerasTruncationConstantIsTheStdOfTheNormalTruncatedAtTwoSigma) {
  EXPECT_NEAR(truncated_std_numeric(-2, 2), 0.87962566103423978, 1e-12);
}

TEST(SchemeFormulas, TruncatedNormalInSigmaUnitsWithAndWithoutVarianceCorrection) {
  // JAX truncated_normal(stddev=0.02): N(0, 0.02²) on [-2σ, 2σ], no correction.
  const wi::distribution j = wi::resolve_with_fans(wi::truncated_normal_sigma(0, 0.02), wi::fans{});
  EXPECT_EQ(j.stddev, 0.02);
  EXPECT_EQ(j.low, -0.04);
  EXPECT_EQ(j.high, 0.04);
  // Corrected, asymmetric: the parent σ is std / s(a, b), bounds mean + a·σ, mean + b·σ.
  for (auto [a, b] :
       {std::pair{-2.0, 2.0}, std::pair{-1.0, 3.0}, std::pair{-0.5, 0.5}, std::pair{0.0, 4.0}}) {
    const wi::distribution c =
        wi::resolve_with_fans(wi::truncated_normal_sigma(1.5, 0.3, a, b, true), wi::fans{});
    const double sigma = 0.3 / truncated_std_numeric(a, b);
    EXPECT_NEAR(c.stddev, sigma, 1e-10 * sigma) << a << " " << b;
    EXPECT_NEAR(c.low, 1.5 + a * c.stddev, 1e-15);
    EXPECT_NEAR(c.high, 1.5 + b * c.stddev, 1e-15);
  }
}

TEST(SchemeFormulas, PlainDistributionsResolveToThemselves) {
  EXPECT_EQ(wi::to_string(wi::resolve(wi::zeros(), {3, 4})), "constant(value=0)");
  EXPECT_EQ(wi::to_string(wi::resolve(wi::ones(), {3})), "constant(value=1)");
  EXPECT_EQ(wi::to_string(wi::resolve(wi::constant(0.25), {})), "constant(value=0.25)");
  EXPECT_EQ(wi::to_string(wi::resolve(wi::uniform(-3, 5), {7})), "uniform(a=-3, b=5)");
  EXPECT_EQ(wi::to_string(wi::resolve(wi::normal(1, 2), {7})), "normal(mean=1, std=2)");
  EXPECT_EQ(wi::to_string(wi::resolve(wi::truncated_normal(0, 1, -kInf, 0.5), {7})),
            "truncated_normal(mean=0, std=1, a=-inf, b=0.5)");
}

TEST(SchemeFormulas, BiasUniformUsesTheWeightsFanIn) {
  const wi::fans w = wi::compute_fans({64, 3, 5, 5});
  const wi::distribution d = wi::resolve_with_fans(wi::bias_uniform(), w);
  EXPECT_EQ(d.high, 1 / std::sqrt(75.0));
  EXPECT_EQ(d.low, -d.high);
  expect_invalid([] { wi::resolve(wi::bias_uniform(), wi::shape{64}); },
                 {"bias_uniform", "weight's fans", "[64]"}, "bias against its own shape");
}

// ---- statistics ---------------------------------------------------------------------------------

TEST(SchemeSamples, EachElementwiseSchemeHasItsDistributionAtFixedSeeds) {
  struct sample_case {
    std::string name;
    wi::initializer init;
    wi::shape dims;
    wi::layout l;
    double mean, variance, kurtosis;
    std::function<double(double)> cdf;
    double lo, hi;  // every sample must lie in [lo, hi]
  };
  auto uni = [](double a, double b) { return [=](double x) { return (x - a) / (b - a); }; };
  auto nor = [](double m, double s) { return [=](double x) { return phi_cdf((x - m) / s); }; };
  std::vector<sample_case> cases;
  {  // Xavier uniform, (256, 512): fans 512, 256.
    const double b = std::sqrt(6.0 / 768);
    cases.push_back({"xavier_uniform",
                     wi::xavier_uniform(),
                     {256, 512},
                     wi::layout::out_in,
                     0,
                     b * b / 3,
                     1.8,
                     uni(-b, b),
                     -b,
                     b});
  }
  {  // Xavier normal, Keras conv kernel (7, 7, 32, 64): fans 1568, 3136, gain 5/3.
    const double s = 5.0 / 3 * std::sqrt(2.0 / (1568 + 3136));
    cases.push_back({"xavier_normal",
                     wi::xavier_normal(5.0 / 3),
                     {7, 7, 32, 64},
                     wi::layout::in_out,
                     0,
                     s * s,
                     3,
                     nor(0, s),
                     -kInf,
                     kInf});
  }
  {  // He uniform, fan_out, leaky 0.2, (128, 64, 3, 3): fan_out 1152.
    const double b = std::sqrt(2 / 1.04) * std::sqrt(3.0 / 1152);
    cases.push_back({"he_uniform",
                     wi::he_uniform(wi::fan_mode::fan_out, wi::nonlinearity::leaky_relu, 0.2),
                     {128, 64, 3, 3},
                     wi::layout::out_in,
                     0,
                     b * b / 3,
                     1.8,
                     uni(-b, b),
                     -b,
                     b});
  }
  {  // He normal, fan_in, relu, (512, 256): fan_in 256.
    const double s = std::sqrt(2.0 / 256);
    cases.push_back({"he_normal",
                     wi::he_normal(),
                     {512, 256},
                     wi::layout::out_in,
                     0,
                     s * s,
                     3,
                     nor(0, s),
                     -kInf,
                     kInf});
  }
  {  // LeCun uniform, (300, 400) in_out: fan_in 300.
    const double b = std::sqrt(3.0 / 300);
    cases.push_back({"lecun_uniform",
                     wi::lecun_uniform(),
                     {300, 400},
                     wi::layout::in_out,
                     0,
                     b * b / 3,
                     1.8,
                     uni(-b, b),
                     -b,
                     b});
  }
  {  // LeCun normal, (400, 300) out_in: fan_in 300.
    const double s = std::sqrt(1.0 / 300);
    cases.push_back({"lecun_normal",
                     wi::lecun_normal(),
                     {400, 300},
                     wi::layout::out_in,
                     0,
                     s * s,
                     3,
                     nor(0, s),
                     -kInf,
                     kInf});
  }
  {  // Variance scaling, truncated, fan_geo_avg, scale 2, (256, 512): the truncated variance is
     // exactly scale / n thanks to the 0.8796 correction.
    const double v = 2 / std::sqrt(256.0 * 512), s = std::sqrt(v) / 0.87962566103423978;
    cases.push_back({"variance_scaling truncated",
                     wi::variance_scaling(2, wi::fan_mode::fan_geo_avg),
                     {256, 512},
                     wi::layout::out_in,
                     0,
                     v,
                     3,
                     truncated_cdf(0, s, -2 * s, 2 * s),
                     -2 * s,
                     2 * s});
  }
  {  // Variance scaling, uniform, fan_avg, (384, 256).
    const double v = 0.5 / 320, b = std::sqrt(3 * v);
    cases.push_back(
        {"variance_scaling uniform",
         wi::variance_scaling(0.5, wi::fan_mode::fan_avg, wi::scale_distribution::uniform),
         {384, 256},
         wi::layout::out_in,
         0,
         v,
         1.8,
         uni(-b, b),
         -b,
         b});
  }
  {  // Truncated normal with absolute, asymmetric bounds (PyTorch trunc_normal_).
    double m, v;
    truncated_moments(0.1, 0.5, -0.4, 1.1, &m, &v);
    cases.push_back({"truncated_normal",
                     wi::truncated_normal(0.1, 0.5, -0.4, 1.1),
                     {100000},
                     wi::layout::out_in,
                     m,
                     v,
                     3,
                     truncated_cdf(0.1, 0.5, -0.4, 1.1),
                     -0.4,
                     1.1});
  }
  {  // Truncated in σ units with correction: the samples' std is the std asked for.
    const double s = 0.1 / truncated_std_numeric(-2, 2);
    cases.push_back({"truncated_normal_sigma corrected",
                     wi::truncated_normal_sigma(0.5, 0.1, -2, 2, true),
                     {100000},
                     wi::layout::out_in,
                     0.5,
                     0.01,
                     3,
                     truncated_cdf(0.5, s, 0.5 - 2 * s, 0.5 + 2 * s),
                     0.5 - 2 * s,
                     0.5 + 2 * s});
  }
  cases.push_back({"uniform",
                   wi::uniform(-3, 5),
                   {100000},
                   wi::layout::out_in,
                   1,
                   64.0 / 12,
                   1.8,
                   uni(-3, 5),
                   -3,
                   5});
  cases.push_back(
      {"normal", wi::normal(1, 2), {100000}, wi::layout::out_in, 1, 4, 3, nor(1, 2), -kInf, kInf});

  for (const sample_case& c : cases) {
    for (std::uint64_t seed : {1ull, 2ull}) {
      const std::vector<double> x = filled(c.init, c.dims, wi::dtype::f32, {seed, 3}, c.l).values();
      const std::string what = c.name + " seed " + std::to_string(seed);
      expect_moments(x, c.mean, c.variance, c.kurtosis, what);
      expect_ks(x, c.cdf, what);
      // Bounds rounded inward to f32 (the fill's contract), so compare against float(bound).
      for (double v : x) {
        ASSERT_GE(v, static_cast<double>(static_cast<float>(c.lo)) - 1e-300) << what;
        ASSERT_LE(v, static_cast<double>(static_cast<float>(c.hi)) + 1e-300) << what;
      }
    }
  }
}

TEST(SchemeSamples, ConstantsAreExact) {
  for (auto [init, value] : {std::pair{wi::zeros(), 0.0}, std::pair{wi::ones(), 1.0},
                             std::pair{wi::constant(-0.375), -0.375}})
    for (wi::dtype t : {wi::dtype::f32, wi::dtype::f64, wi::dtype::f16, wi::dtype::bf16})
      for (double v : filled(init, {5, 7}, t, kKey).values())
        ASSERT_EQ(v, value) << wi::to_string(init);
}

// ---- contracts ----------------------------------------------------------------------------------

TEST(SchemeFill, ElementwiseSchemeEqualsTheFillOfItsResolvedDistributionBitForBit) {
  const wi::shape dims{48, 20, 3};
  for (const wi::initializer& init :
       {wi::xavier_uniform(), wi::xavier_normal(2), wi::he_normal(wi::fan_mode::fan_out),
        wi::lecun_uniform(), wi::variance_scaling(), wi::truncated_normal_sigma(0, 0.02)})
    for (wi::dtype t : {wi::dtype::f32, wi::dtype::f64, wi::dtype::f16, wi::dtype::bf16})
      for (wi::layout l : {wi::layout::out_in, wi::layout::in_out}) {
        const buffer a = filled(init, dims, t, kKey, l);
        buffer b(t, wi::element_count(dims));
        wi::fill_host(wi::tensor_view{b.data(), t, dims}, wi::resolve(init, dims, l), kKey);
        EXPECT_EQ(a.bytes, b.bytes) << wi::to_string(init) << " " << wi::to_string(t);
      }
}

TEST(SchemeFill, SixteenBitFillsAreTheRoundedF32Fill) {
  const wi::shape dims{33, 17};
  for (const wi::initializer& init : {wi::xavier_uniform(), wi::he_normal(), wi::variance_scaling(),
                                      wi::orthogonal(2), wi::eye(0.3), wi::sparse(0.3, 0.5)}) {
    const buffer f = filled(init, dims, wi::dtype::f32, kKey);
    const buffer h = filled(init, dims, wi::dtype::f16, kKey);
    const buffer b = filled(init, dims, wi::dtype::bf16, kKey);
    for (std::int64_t i = 0; i < wi::element_count(dims); ++i) {
      const float v = static_cast<float>(f.at(i));
      std::uint16_t hb, bb;
      std::memcpy(&hb, &h.bytes[static_cast<std::size_t>(2 * i)], 2);
      std::memcpy(&bb, &b.bytes[static_cast<std::size_t>(2 * i)], 2);
      ASSERT_EQ(hb, wi::xf::to_f16_bits(v)) << wi::to_string(init) << " element " << i;
      ASSERT_EQ(bb, wi::xf::to_bf16_bits(v)) << wi::to_string(init) << " element " << i;
    }
  }
}

TEST(SchemeFill, EverySchemeFillsAnyWindowWithTheWholeTensorsValues) {
  struct window_case {
    wi::initializer init;
    wi::shape dims;
    wi::fan_layout lay;
  };
  wi::fan_layout packed = wi::layout::out_in;
  packed.parts = {24, 8, 8};
  const std::vector<window_case> cases = {{wi::he_uniform(), {40, 13}, wi::layout::out_in},
                                          {wi::xavier_normal(), {40, 13}, packed},
                                          {wi::orthogonal(1.5), {40, 13}, wi::layout::out_in},
                                          {wi::orthogonal(), {13, 40}, packed.convention},
                                          {wi::orthogonal(), {40, 13}, packed},
                                          {wi::eye(2), {40, 13}, wi::layout::out_in},
                                          {wi::dirac(2), {8, 5, 3, 3}, wi::layout::out_in},
                                          {wi::sparse(0.4), {40, 13}, wi::layout::out_in}};
  for (const window_case& c : cases)
    for (wi::dtype t : {wi::dtype::f32, wi::dtype::f64, wi::dtype::bf16}) {
      const std::int64_t n = wi::element_count(c.dims);
      const buffer whole = filled(c.init, c.dims, t, kKey, c.lay);
      const std::size_t e = wi::size_of(t);
      for (auto [first, count] : {std::pair<std::int64_t, std::int64_t>{0, n},
                                  {1, n - 1},
                                  {3, 1},
                                  {7, 90},
                                  {n - 5, 5},
                                  {130, 211},
                                  {13, 26}}) {
        buffer part(t, count);
        wi::fill_host(wi::tensor_view{part.data(), t, c.dims, first, count}, c.init, kKey,
                      with_layout(c.lay));
        const std::vector<unsigned char> want(
            whole.bytes.begin() + static_cast<std::ptrdiff_t>(first * e),
            whole.bytes.begin() + static_cast<std::ptrdiff_t>((first + count) * e));
        EXPECT_EQ(part.bytes, want) << wi::to_string(c.init) << " " << wi::to_string(t)
                                    << " window [" << first << ", +" << count << ")";
      }
    }
}

TEST(SchemeFill, PackedWeightGetsTheDistributionsOfSeparateWeights) {
  // Equal parts: a (3E, E) QKV weight resolves to the distribution of one (E, E) weight.
  const std::int64_t e = 64;
  wi::fan_layout qkv = wi::layout::out_in;
  qkv.parts = {e, e, e};
  for (const wi::initializer& init : {wi::xavier_uniform(), wi::he_normal(wi::fan_mode::fan_out),
                                      wi::variance_scaling(1, wi::fan_mode::fan_avg)}) {
    EXPECT_TRUE(wi::to_string(wi::resolve(init, {3 * e, e}, qkv)) ==
                wi::to_string(wi::resolve(init, {e, e})))
        << wi::to_string(init);
    EXPECT_NE(wi::to_string(wi::resolve(init, {3 * e, e})),
              wi::to_string(wi::resolve(init, {e, e})))
        << "unpacked, the fused weight would be narrower: " << wi::to_string(init);
  }
  wi::fan_layout qkv_keras = wi::layout::in_out;
  qkv_keras.parts = {e, e, e};
  EXPECT_EQ(wi::to_string(wi::resolve(wi::xavier_normal(), {e, 3 * e}, qkv_keras)),
            wi::to_string(wi::resolve(wi::xavier_normal(), {e, e}, wi::layout::in_out)));
  // Unequal parts (GQA, q 64 rows, k and v 16 rows each): each part's elements are exactly the
  // fill of the whole tensor with that part's own distribution.
  wi::fan_layout gqa = wi::layout::out_in;
  gqa.parts = {64, 16, 16};
  const wi::shape dims{96, 64};
  const wi::initializer init = wi::xavier_uniform();
  const buffer got = filled(init, dims, wi::dtype::f32, kKey, gqa);
  std::int64_t row = 0;
  for (std::int64_t rows : gqa.parts) {
    buffer want(wi::dtype::f32, wi::element_count(dims));
    wi::fill_host(wi::tensor_view{want.data(), wi::dtype::f32, dims}, wi::resolve(init, {rows, 64}),
                  kKey);
    for (std::int64_t i = row * 64; i < (row + rows) * 64; ++i)
      ASSERT_EQ(got.at(i), want.at(i)) << "part of " << rows << " rows, element " << i;
    row += rows;
  }
  expect_invalid(
      [] {
        wi::resolve(wi::xavier_uniform(), {96, 64}, [] {
          wi::fan_layout l = wi::layout::out_in;
          l.parts = {64, 16, 16};
          return l;
        }());
      },
      {"xavier_uniform", "different distributions"}, "resolve of unequal parts");
}

TEST(SchemeFill, ZeroElementTensorsAreANoOp) {
  buffer sentinel(wi::dtype::f32, 4);
  for (const wi::shape& dims : {wi::shape{0, 16}, wi::shape{16, 0}, wi::shape{8, 0, 3, 3}})
    for (const wi::initializer& init : {wi::he_normal(wi::fan_mode::fan_out), wi::xavier_uniform(),
                                        wi::normal(), wi::orthogonal(), wi::sparse(0.5)}) {
      if (init.kind() == wi::scheme::sparse && dims.size() != 2) continue;  // sparse is 2-D only
      wi::fill_host(wi::tensor_view{sentinel.data(), wi::dtype::f32, dims}, init, kKey);
      EXPECT_TRUE(sentinel.untouched()) << wi::to_string(init) << " " << wi::to_string(dims);
    }
  wi::fill_host(wi::tensor_view{nullptr, wi::dtype::f32, {0, 3}}, wi::eye(), kKey);
  wi::fill_host(wi::tensor_view{nullptr, wi::dtype::f32, {0, 3, 3, 3}}, wi::dirac(), kKey);
  // An empty window of a non-empty tensor, too.
  wi::fill_host(wi::tensor_view{sentinel.data(), wi::dtype::f32, {8, 8}, 5, 0}, wi::orthogonal(),
                kKey);
  EXPECT_TRUE(sentinel.untouched());
}

// ---- bad input ----------------------------------------------------------------------------------

TEST(SchemeFill, EveryBadInputThrowsNamingTheValuesAndWritesNothing) {
  for (const bad_scheme& c : bad_schemes())
    for (wi::dtype t : {wi::dtype::f32, wi::dtype::f64}) {
      const std::int64_t n = std::max<std::int64_t>(1, wi::element_count(c.dims));
      buffer b(t, n);
      expect_invalid(
          [&] {
            wi::fill_host(wi::tensor_view{b.data(), t, c.dims}, c.init, kKey, with_layout(c.lay));
          },
          c.words, c.what);
      EXPECT_TRUE(b.untouched()) << c.what << ": the buffer was written";
    }
}

TEST(SchemeFill, BadSchemeParametersThrowEvenForZeroElementTensors) {
  expect_invalid(
      [] {
        wi::fill_host(wi::tensor_view{nullptr, wi::dtype::f32, {0, 4}}, wi::normal(0, -1), kKey);
      },
      {"normal", "std"}, "std < 0 on an empty tensor");
  expect_invalid(
      [] {
        wi::fill_host(wi::tensor_view{nullptr, wi::dtype::f32, {0}}, wi::xavier_uniform(), kKey);
      },
      {"xavier_uniform", "rank >= 2"}, "rank 1, empty");
}

TEST(SchemeFill, ZeroFanGivenExplicitlyAndBadWindowsThrowBeforeWriting) {
  buffer b(wi::dtype::f32, 16);
  expect_invalid(
      [&] {
        wi::fill_host(wi::tensor_view{b.data(), wi::dtype::f32, {16}}, wi::xavier_uniform(), kKey,
                      with_fans(wi::fans{0, 10, 1}));
      },
      {"xavier_uniform", "fan_in", "0"}, "zero fan_in");
  expect_invalid(
      [&] {
        wi::fill_host(wi::tensor_view{b.data(), wi::dtype::f32, {16}},
                      wi::he_normal(wi::fan_mode::fan_out), kKey, with_fans(wi::fans{4, 0, 1}));
      },
      {"he_normal", "fan_out", "0"}, "zero fan_out");
  expect_invalid(
      [&] {
        wi::resolve_with_fans(wi::lecun_normal(), wi::fans{kNan, 3, 1});
      },
      {"lecun_normal", "fan_in", "nan"}, "NaN fan");
  expect_invalid(
      [&] {
        wi::fill_host(wi::tensor_view{b.data(), wi::dtype::f32, {4, 4}, 10, 7}, wi::orthogonal(),
                      kKey);
      },
      {"fill_host", "window"}, "window outside");
  expect_invalid(
      [&] {
        wi::fill_host(wi::tensor_view{nullptr, wi::dtype::f32, {4, 4}}, wi::eye(), kKey);
      },
      {"fill_host", "null"}, "null pointer");
  EXPECT_TRUE(b.untouched());
}
