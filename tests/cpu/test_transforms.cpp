// tests/cpu/test_transforms.cpp: accuracy of the exact transforms against higher-precision
// references (double for f32 functions, long double for f64 ones): exhaustive where the input space
// allows, dense sampling elsewhere; exact endpoints of the uniforms; f16/bf16 rounding; tail reach.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

#include "kernels/element.hpp"
#include "kernels/transforms.hpp"

namespace xf = weightinit::xf;

namespace {

// Error of `got` in units of the last place of the reference's format at the reference value.
double ulp_error_f32(float got, long double ref) {
  if (ref == 0) return got == 0 ? 0 : 1e9;
  int e;
  std::frexp(static_cast<double>(ref), &e);  // |ref| in [2^(e-1), 2^e)
  const long double ulp = std::ldexp(1.0L, std::max(e - 24, -149));
  return static_cast<double>(std::fabs(static_cast<long double>(got) - ref) / ulp);
}
double ulp_error_f64(double got, long double ref) {
  if (ref == 0) return got == 0 ? 0 : 1e9;
  int e;
  std::frexp(static_cast<double>(ref), &e);
  const long double ulp = std::ldexp(1.0L, std::max(e - 53, -1074));
  return static_cast<double>(std::fabs(static_cast<long double>(got) - ref) / ulp);
}

// Measured bounds (see the README's contract section). Tight enough that a wrong coefficient or a
// lost fma fails; the measured maxima are printed on every run.
constexpr double kLogUlpF32 = 1.25;  // measured 1.074
constexpr double kLogUlpF64 = 1.25;  // measured 1.023
constexpr double kSinCosUlpF32 = 2.0;  // measured 1.687
constexpr double kSinCosUlpF64 = 2.0;  // measured 1.564
constexpr double kQuantileUlpF32 = 6.0;  // measured 4.857
constexpr double kQuantileUlpF64 = 8.0;  // measured 5.415

}  // namespace

TEST(LogF32, IsWithinItsUlpBoundForEveryFloatTheRadiusUniformCanTake) {
  // Every float in [2^-33, 1]: all values radius_uniform_f32 can produce (276 million).
  double worst = 0;
  float worst_x = 0;
  for (std::uint32_t b = 0x2f000000u; b <= 0x3f800000u; ++b) {
    const float x = xf::float_of(b);
    const double err = ulp_error_f32(xf::log_f32(x), std::log(static_cast<double>(x)));
    if (err > worst) {
      worst = err;
      worst_x = x;
    }
  }
  std::printf("log_f32: max error %.3f ulp at x = %a over [2^-33, 1]\n", worst, worst_x);
  EXPECT_LE(worst, kLogUlpF32);
}

TEST(LogF32, HandlesSubnormalsAndLargeArguments) {
  for (float x : {0x1p-149f, 0x1.8p-140f, 0x1p-127f, 0x1.fffffep-127f, 0x1p-126f, 3.0f, 1e30f, 0x1.fffffep127f}) {
    EXPECT_LE(ulp_error_f32(xf::log_f32(x), std::log(static_cast<double>(x))), kLogUlpF32) << x;
  }
}

TEST(LogF64, IsWithinItsUlpBoundOnDenseSamples) {
  std::mt19937_64 rng(12345);
  double worst = 0;
  for (int i = 0; i < 4000000; ++i) {
    // Half the samples log-uniform over (2^-1074, 1], half uniform in (0, 1] (53-bit grid).
    double x;
    if (i & 1) {
      x = static_cast<double>((rng() >> 11) + 1) * 0x1p-53;
    } else {
      x = std::ldexp(1.0 + static_cast<double>(rng() >> 12) * 0x1p-52, -static_cast<int>(rng() % 1074) - 1);
    }
    worst = std::max(worst, ulp_error_f64(xf::log_f64(x), std::log(static_cast<long double>(x))));
  }
  for (double x : {0x1p-1074, 0x1p-1022, 0x1.fffffffffffffp-1, 1.0, 0x1.6a09e667f3bccp+0, 0x1.6a09e667f3bcdp+0}) {
    worst = std::max(worst, ulp_error_f64(xf::log_f64(x), std::log(static_cast<long double>(x))));
  }
  std::printf("log_f64: max error %.3f ulp over 4e6 samples\n", worst);
  EXPECT_LE(worst, kLogUlpF64);
}

TEST(SinCosF32, IsWithinItsUlpBoundOnAFineGridOfQuantizedAngles) {
  // The angle of word w is 2*pi*w/2^32 reduced on the integer; the polynomial sees
  // r = float(rem) * 2^-31 with rem in [-2^29, 2^29). Every 61st rem, all four quadrants.
  const long double pi = 3.141592653589793238462643383279502884L;
  double worst = 0;
  for (std::int64_t rem = -(1 << 29); rem < (1 << 29); rem += 61) {
    for (std::uint32_t q = 0; q < 4; ++q) {
      const std::uint32_t w = (q << 30) + static_cast<std::uint32_t>(rem);
      const xf::sincos_f32 got = xf::sincos_turn_f32(w);
      const long double a = pi * static_cast<long double>(static_cast<float>(rem) * 0x1p-31f);
      const long double s0 = std::sin(a), c0 = std::cos(a);
      const long double rs[4] = {s0, c0, -s0, -c0}, rc[4] = {c0, -s0, -c0, s0};
      worst = std::max(worst, ulp_error_f32(got.s, rs[q]));
      worst = std::max(worst, ulp_error_f32(got.c, rc[q]));
    }
  }
  std::printf("sincos_turn_f32: max error %.3f ulp\n", worst);
  EXPECT_LE(worst, kSinCosUlpF32);
}

TEST(SinCosF64, IsWithinItsUlpBoundOnDenseSamples) {
  const long double pi = 3.141592653589793238462643383279502884L;
  std::mt19937_64 rng(777);
  double worst = 0;
  for (int i = 0; i < 3000000; ++i) {
    const std::uint64_t x = rng();
    const xf::sincos_f64 got = xf::sincos_turn_f64(x);
    const std::uint64_t q = ((x + (1ull << 61)) >> 62) & 3u;
    const std::int64_t rem = static_cast<std::int64_t>(x - (q << 62));
    // Reference: sin/cos of pi*r in long double, rotated by the quadrant exactly, so that results
    // near zero keep their relative accuracy.
    const long double a = pi * static_cast<long double>(static_cast<double>(rem) * 0x1p-63);
    const long double s0 = std::sin(a), c0 = std::cos(a);
    const long double rs[4] = {s0, c0, -s0, -c0}, rc[4] = {c0, -s0, -c0, s0};
    worst = std::max(worst, ulp_error_f64(got.s, rs[q]));
    worst = std::max(worst, ulp_error_f64(got.c, rc[q]));
  }
  std::printf("sincos_turn_f64: max error %.3f ulp\n", worst);
  EXPECT_LE(worst, kSinCosUlpF64);
}

namespace {
// The exact quantile by Newton's method on Phi in long double, from a close start.
long double quantile_reference(long double p, long double x) {
  const long double sqrt1_2 = 0.707106781186547524400844362104849039L;
  const long double inv_sqrt_2pi = 0.398942280401432677939946059934381868L;
  for (int i = 0; i < 4; ++i) {
    const long double cdf = 0.5L * std::erfc(-x * sqrt1_2);
    const long double pdf = inv_sqrt_2pi * std::exp(-0.5L * x * x);
    x -= (cdf - p) / pdf;
  }
  return x;
}
}  // namespace

TEST(NormalQuantileF32, IsWithinItsUlpBoundOverTheWholeLowerHalf) {
  // Every 509th float p in [2^-126, 1/2]: all three branches of AS 241.
  double worst = 0;
  float worst_p = 0;
  for (std::uint32_t b = 0x00800000u; b <= 0x3f000000u; b += 509) {
    const float p = xf::float_of(b);
    const float got = xf::normal_quantile_lower(p);
    const long double ref = quantile_reference(p, xf::normal_quantile_lower(static_cast<double>(p)));
    const double err = ulp_error_f32(got, ref);
    if (err > worst) {
      worst = err;
      worst_p = p;
    }
  }
  std::printf("normal_quantile_lower<float>: max error %.3f ulp at p = %a\n", worst, worst_p);
  EXPECT_LE(worst, kQuantileUlpF32);
}

TEST(NormalQuantileF64, IsWithinItsUlpBoundOnDenseSamples) {
  std::mt19937_64 rng(99);
  double worst = 0;
  double worst_p = 0;
  for (int i = 0; i < 300000; ++i) {
    double p;
    if (i & 1) {
      p = static_cast<double>((rng() >> 12) + 1) * 0x1p-53;  // (0, 1/2]
    } else {
      p = std::ldexp(1.0 + static_cast<double>(rng() >> 12) * 0x1p-52, -static_cast<int>(rng() % 1000) - 2);
    }
    const double got = xf::normal_quantile_lower(p);
    const double err = ulp_error_f64(got, quantile_reference(p, got));
    if (err > worst) {
      worst = err;
      worst_p = p;
    }
  }
  std::printf("normal_quantile_lower<double>: max error %.3f ulp at p = %a\n", worst, worst_p);
  EXPECT_LE(worst, kQuantileUlpF64);
}

TEST(Uniforms, HaveTheDocumentedExactEndpointsAndSymmetry) {
  EXPECT_EQ(xf::uniform_open_f32(0u), 0x1p-24f);
  EXPECT_EQ(xf::uniform_open_f32(0xffffffffu), 1.0f - 0x1p-24f);
  EXPECT_EQ(xf::symmetric_f32(0u), -(1.0f - 0x1p-23f));
  EXPECT_EQ(xf::symmetric_f32(0xffffffffu), 1.0f - 0x1p-23f);
  EXPECT_EQ(xf::radius_uniform_f32(0u), 0x1p-33f);
  EXPECT_EQ(xf::radius_uniform_f32(0xffffffffu), 1.0f);
  EXPECT_EQ(xf::uniform_open_f64(0u), 0x1p-53);
  EXPECT_EQ(xf::uniform_open_f64(~0ull), 1.0 - 0x1p-53);
  EXPECT_EQ(xf::symmetric_f64(0u), -(1.0 - 0x1p-52));
  EXPECT_EQ(xf::symmetric_f64(~0ull), 1.0 - 0x1p-52);
  EXPECT_EQ(xf::radius_uniform_f64(0u), 0x1p-53);
  EXPECT_EQ(xf::radius_uniform_f64(~0ull), 1.0);
  std::mt19937 rng(5);
  for (int i = 0; i < 100000; ++i) {
    const std::uint32_t w = rng();
    // Complementary words give mirrored values: the distributions are exactly symmetric.
    ASSERT_EQ(xf::symmetric_f32(w), -xf::symmetric_f32(~w));
    ASSERT_EQ(xf::uniform_open_f32(w), 1.0f - xf::uniform_open_f32(~w));
    ASSERT_EQ(xf::symmetric_f32(w), 2.0f * xf::uniform_open_f32(w) - 1.0f);
  }
}

TEST(BoxMuller, ReachesBeyondSixSigma) {
  // The smallest radius uniform (word 0) gives the largest radius: sqrt(-2 ln 2^-33) = 6.7637 (f32)
  // and sqrt(-2 ln 2^-53) = 8.5717 (f64); angle word 0 puts it all on z0.
  const xf::pair_f32 a = xf::box_muller_f32(0u, 0u);
  EXPECT_NEAR(a.z0, std::sqrt(66.0 * std::log(2.0)), 1e-5);
  EXPECT_EQ(a.z1, 0.0f);
  EXPECT_GE(a.z0, 6.0f);
  const xf::pair_f64 b = xf::box_muller_f64(0u, 0u);
  EXPECT_NEAR(b.z0, std::sqrt(106.0 * std::log(2.0)), 1e-12);
  EXPECT_GE(b.z0, 8.0);
  // The largest radius uniform (1) gives exactly zero.
  EXPECT_EQ(xf::box_muller_f32(0xffffffffu, 12345u).z0, 0.0f);
}

TEST(RoundToF16, MatchesTheCompilersFloat16ConversionOnAStridedSweepOfAllFloats) {
  std::uint64_t checked = 0;
  for (std::uint64_t b = 0; b <= 0xffffffffull; b += 61) {
    const float x = xf::float_of(static_cast<std::uint32_t>(b));
    const _Float16 h = static_cast<_Float16>(x);
    std::uint16_t expect;
    std::memcpy(&expect, &h, 2);
    const std::uint16_t got = xf::to_f16_bits(x);
    if (std::isnan(x)) {
      ASSERT_EQ(got & 0x7c00u, 0x7c00u);
      ASSERT_NE(got & 0x03ffu, 0u);
    } else {
      ASSERT_EQ(got, expect) << "x = " << std::hexfloat << x;
    }
    ++checked;
  }
  // Hand-picked boundaries: overflow, the largest finite, ties, subnormals, signed zero.
  for (float x : {65504.0f, 65519.99f, 65520.0f, 0x1p-24f, 0x1p-25f, 0x1.000002p-25f, 0x1.8p-24f,
                  0x1p-14f, 0x1.ffcp-15f, -0.0f, 1.0f + 0x1p-11f, 1.0f + 0x1.8p-10f}) {
    const _Float16 h = static_cast<_Float16>(x);
    std::uint16_t expect;
    std::memcpy(&expect, &h, 2);
    EXPECT_EQ(xf::to_f16_bits(x), expect) << std::hexfloat << x;
    EXPECT_EQ(static_cast<float>(h), xf::from_f16_bits(expect)) << std::hexfloat << x;
  }
  EXPECT_GT(checked, 70000000u);
}

TEST(RoundToBf16, IsNearestWithTiesToEvenOnAStridedSweepOfAllFloats) {
  for (std::uint64_t b = 0; b <= 0xffffffffull; b += 31) {
    const float x = xf::float_of(static_cast<std::uint32_t>(b));
    const std::uint16_t h = xf::to_bf16_bits(x);
    if (std::isnan(x)) {
      ASSERT_TRUE(std::isnan(xf::from_bf16_bits(h)));
      continue;
    }
    // The two bf16 values around x are the truncation t and its successor (same sign); past the
    // largest finite bf16 the successor is 2^128, which IEEE rounding turns into infinity.
    const std::uint32_t t = static_cast<std::uint32_t>(b) & 0xffff0000u;
    const double lo = xf::float_of(t);
    const bool top = (t & 0x7fffffffu) == 0x7f7f0000u;
    const double hi = top ? std::copysign(0x1p128, lo) : static_cast<double>(xf::float_of(t + 0x10000u));
    const double dl = std::fabs(x - lo), dh = std::fabs(hi - x);
    double expect = dl < dh ? lo : dh < dl ? hi : ((t >> 16) & 1u) ? hi : lo;
    if (std::isinf(x)) expect = x;
    if (std::fabs(expect) == 0x1p128) expect = std::copysign(INFINITY, expect);
    ASSERT_EQ(static_cast<double>(xf::from_bf16_bits(h)), expect) << std::hexfloat << x;
  }
}
