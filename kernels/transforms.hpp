// kernels/transforms.hpp: the exact transforms of DESIGN.md §1, shared by the GPU kernels and the
// CPU fill: Philox words -> uniform -> log, sincospi, inverse normal CDF -> normal, truncated normal
// -> f16/bf16 rounding. Only IEEE-exact operations (+ - * /, sqrt, fma, integer and bit operations,
// conversions with round-to-nearest), so nvcc (--fmad=false) and g++ (-ffp-contract=off) compute
// the same bits. No libm or CUDA transcendental is called here.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "weightinit/config.hpp"

namespace weightinit {
namespace xf {  // exact functions

// ---------------------------------------------------------------------------------------------
// Bits and IEEE primitives

WEIGHTINIT_HOST_DEVICE inline std::uint32_t bits_of(float x) {
  std::uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
WEIGHTINIT_HOST_DEVICE inline float float_of(std::uint32_t b) {
  float x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}
WEIGHTINIT_HOST_DEVICE inline std::uint64_t bits_of(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
WEIGHTINIT_HOST_DEVICE inline double double_of(std::uint64_t b) {
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

// fma and sqrt are correctly rounded on both sides (IEEE 754 basic operations).
WEIGHTINIT_HOST_DEVICE inline float fma_(float a, float b, float c) { return ::fmaf(a, b, c); }
WEIGHTINIT_HOST_DEVICE inline double fma_(double a, double b, double c) { return ::fma(a, b, c); }
WEIGHTINIT_HOST_DEVICE inline float sqrt_(float x) { return ::sqrtf(x); }
WEIGHTINIT_HOST_DEVICE inline double sqrt_(double x) { return ::sqrt(x); }

// min/max that never produce NaN from a finite bound (bounds are finite or ±inf).
template <class T>
WEIGHTINIT_HOST_DEVICE inline T clamp_(T x, T lo, T hi) {
  x = x < lo ? lo : x;
  return x > hi ? hi : x;
}

// ---------------------------------------------------------------------------------------------
// Words -> uniforms. Exact ranges (every value below is exactly representable):
//   uniform_open_f32(w)   = (2k+1) * 2^-24,  k = w >> 9 (23 bits):   (0, 1), symmetric about 1/2
//   symmetric_f32(w)      = 2*uniform_open_f32(w) - 1 = (2k+1-2^23) * 2^-23:  (-1, 1), symmetric
//   radius_uniform_f32(w) = float(w) * 2^-32 + 2^-33:                 [2^-33, 1], never 0
//   uniform_open_f64(x)   = (2k+1) * 2^-53,  k = x >> 12 (52 bits):   (0, 1), symmetric about 1/2
//   symmetric_f64(x)      = (2k+1-2^52) * 2^-52:                      (-1, 1), symmetric
//   radius_uniform_f64(x) = ((x >> 11) + 1) * 2^-53:                   [2^-53, 1], never 0
// where x = word(2i) | word(2i+1) << 32 for f64. The open, symmetric forms keep U(-b, b) symmetric
// and strictly inside (-b, b); the radius forms use every bit the log can see so Box-Muller reaches
// sqrt(2*33*ln 2) = 6.76 sigma (f32) and 8.57 sigma (f64).

WEIGHTINIT_HOST_DEVICE inline float uniform_open_f32(std::uint32_t w) {
  return static_cast<float>(static_cast<std::int32_t>(((w >> 9) << 1) | 1u)) * 0x1p-24f;
}
WEIGHTINIT_HOST_DEVICE inline float symmetric_f32(std::uint32_t w) {
  const std::int32_t k = static_cast<std::int32_t>(w >> 9);
  return static_cast<float>(2 * k + 1 - (1 << 23)) * 0x1p-23f;
}
WEIGHTINIT_HOST_DEVICE inline float radius_uniform_f32(std::uint32_t w) {
  return static_cast<float>(w) * 0x1p-32f + 0x1p-33f;
}
WEIGHTINIT_HOST_DEVICE inline std::uint64_t join64(std::uint32_t lo, std::uint32_t hi) {
  return static_cast<std::uint64_t>(lo) | (static_cast<std::uint64_t>(hi) << 32);
}
WEIGHTINIT_HOST_DEVICE inline double uniform_open_f64(std::uint64_t x) {
  return static_cast<double>(static_cast<std::int64_t>(((x >> 12) << 1) | 1u)) * 0x1p-53;
}
WEIGHTINIT_HOST_DEVICE inline double symmetric_f64(std::uint64_t x) {
  const std::int64_t k = static_cast<std::int64_t>(x >> 12);
  return static_cast<double>(2 * k + 1 - (std::int64_t{1} << 52)) * 0x1p-52;
}
WEIGHTINIT_HOST_DEVICE inline double radius_uniform_f64(std::uint64_t x) {
  return static_cast<double>((x >> 11) + 1) * 0x1p-53;
}

// ---------------------------------------------------------------------------------------------
// Natural logarithm for finite x > 0 (normal or subnormal). x = m * 2^e with m in [sqrt(1/2),
// sqrt(2)); ln m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716, by its odd series in s^2 (Horner,
// explicit fma); e*ln2 is added in two parts (hi + lo) with fma. Measured accuracy: see the tests.

WEIGHTINIT_HOST_DEVICE inline float log_f32(float x) {
  std::uint32_t b = bits_of(x);
  int e = 0;
  if (b < 0x00800000u) {  // subnormal: scale into the normal range (exact)
    b = bits_of(x * 0x1p24f);
    e = -24;
  }
  e += static_cast<int>(b >> 23) - 127;
  std::uint32_t mb = (b & 0x007fffffu) | 0x3f800000u;  // m in [1, 2)
  if (mb > 0x3fb504f3u) {                              // m > sqrt(2): use m/2, e+1
    mb -= 0x00800000u;
    e += 1;
  }
  // ln(1+f) = 2s + s*R, R = sum_k 2 s^(2k)/(2k+1); with 2s = f - s*f this is f - s*(f - R):
  // f is exact and the rounded part s*(f - R) is below f/5 in size, which keeps the error < 1 ulp.
  const float f = float_of(mb) - 1.0f;  // exact (Sterbenz)
  const float s = f / (2.0f + f);
  const float z = s * s;
  float r = fma_(z, 0x1.745d18p-3f /* 2/11 */, 0x1.c71c72p-3f /* 2/9 */);
  r = fma_(z, r, 0x1.24924ap-2f /* 2/7 */);
  r = fma_(z, r, 0x1.99999ap-2f /* 2/5 */);
  r = fma_(z, r, 0x1.555556p-1f /* 2/3 */);
  r = r * z;
  const float corr = s * (f - r);
  const float ef = static_cast<float>(e);
  const float hi = fma_(ef, 0x1.62e400p-1f /* ln2 hi */, f);
  const float lo = fma_(ef, 0x1.7f7d1cp-20f /* ln2 lo */, -corr);
  return hi + lo;
}

WEIGHTINIT_HOST_DEVICE inline double log_f64(double x) {
  std::uint64_t b = bits_of(x);
  int e = 0;
  if (b < 0x0010000000000000ull) {
    b = bits_of(x * 0x1p54);
    e = -54;
  }
  e += static_cast<int>(b >> 52) - 1023;
  std::uint64_t mb = (b & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
  if (mb > 0x3ff6a09e667f3bccull) {  // sqrt(2)
    mb -= 0x0010000000000000ull;
    e += 1;
  }
  const double f = double_of(mb) - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  double r = fma_(z, 2.0 / 23, 2.0 / 21);
  r = fma_(z, r, 2.0 / 19);
  r = fma_(z, r, 2.0 / 17);
  r = fma_(z, r, 2.0 / 15);
  r = fma_(z, r, 2.0 / 13);
  r = fma_(z, r, 2.0 / 11);
  r = fma_(z, r, 2.0 / 9);
  r = fma_(z, r, 2.0 / 7);
  r = fma_(z, r, 2.0 / 5);
  r = fma_(z, r, 2.0 / 3);
  r = r * z;
  const double corr = s * (f - r);
  const double ed = static_cast<double>(e);
  const double hi = fma_(ed, 0x1.62e42feep-1 /* ln2 hi, 32 trailing zero bits */, f);
  const double lo = fma_(ed, 0x1.a39ef35793c76p-33 /* ln2 lo */, -corr);
  return hi + lo;
}

// ---------------------------------------------------------------------------------------------
// sin(pi t), cos(pi t) for the angle of a Box-Muller pair, reduced exactly on the integer word:
// the word w stands for the angle 2*pi*w/2^32. q = round(w / 2^30) mod 4 picks the quadrant and
// the remainder r = (w - q*2^30) / 2^31 lies in [-1/4, 1/4), so |pi r| <= pi/4 where the Taylor
// series of sin(pi r) (to r^9) and cos(pi r) (to r^10) are below 3e-9 relative truncation error.

struct sincos_f32 {
  float s, c;
};
struct sincos_f64 {
  double s, c;
};

WEIGHTINIT_HOST_DEVICE inline sincos_f32 sincospi_poly_f32(float r) {
  const float z = r * r;
  float s = fma_(z, 0x1.507834p-4f /* pi^9/9! */, -0x1.32d2ccp-1f /* -pi^7/7! */);
  s = fma_(z, s, 0x1.466bc6p+1f /* pi^5/5! */);
  s = fma_(z, s, -0x1.4abbcep+2f /* -pi^3/3! */);
  s = fma_(z, s, 0x1.921fb6p+1f /* pi */);
  float c = fma_(z, -0x1.a6d1f2p-6f /* -pi^10/10! */, 0x1.e1f506p-3f /* pi^8/8! */);
  c = fma_(z, c, -0x1.55d3c8p+0f /* -pi^6/6! */);
  c = fma_(z, c, 0x1.03c1f0p+2f /* pi^4/4! */);
  c = fma_(z, c, -0x1.3bd3ccp+2f /* -pi^2/2! */);
  c = fma_(z, c, 1.0f);
  return {r * s, c};
}

WEIGHTINIT_HOST_DEVICE inline sincos_f64 sincospi_poly_f64(double r) {
  const double z = r * r;
  double s = fma_(z, 7.952054001475512611129e-07, -2.191535344783021729224e-05);
  s = fma_(z, s, 4.663028057676125537161e-04);
  s = fma_(z, s, -7.370430945714350444431e-03);
  s = fma_(z, s, 8.214588661112823264610e-02);
  s = fma_(z, s, -5.992645293207921053380e-01);
  s = fma_(z, s, 2.550164039877345523166e+00);
  s = fma_(z, s, -5.167712780049970255902e+00);
  s = fma_(z, s, 3.141592653589793115998e+00);
  double c = fma_(z, -1.387895246221377136653e-07, 4.303069587032947293699e-06);
  c = fma_(z, c, -1.046381049248457046968e-04);
  c = fma_(z, c, 1.929574309403923144599e-03);
  c = fma_(z, c, -2.580689139001406118279e-02);
  c = fma_(z, c, 2.353306303588932058002e-01);
  c = fma_(z, c, -1.335262768854589499057e+00);
  c = fma_(z, c, 4.058712126416768484205e+00);
  c = fma_(z, c, -4.934802200544678996152e+00);
  c = fma_(z, c, 1.0);
  return {r * s, c};
}

/// sin and cos of the angle 2*pi*w/2^32.
WEIGHTINIT_HOST_DEVICE inline sincos_f32 sincos_turn_f32(std::uint32_t w) {
  const std::uint32_t q = ((w + (1u << 29)) >> 30) & 3u;
  const std::int32_t rem = static_cast<std::int32_t>(w - (q << 30));  // [-2^29, 2^29)
  const sincos_f32 p = sincospi_poly_f32(static_cast<float>(rem) * 0x1p-31f);
  switch (q) {
    case 0: return {p.s, p.c};
    case 1: return {p.c, -p.s};
    case 2: return {-p.s, -p.c};
    default: return {-p.c, p.s};
  }
}

/// sin and cos of the angle 2*pi*x/2^64.
WEIGHTINIT_HOST_DEVICE inline sincos_f64 sincos_turn_f64(std::uint64_t x) {
  const std::uint64_t q = ((x + (std::uint64_t{1} << 61)) >> 62) & 3u;
  const std::int64_t rem = static_cast<std::int64_t>(x - (q << 62));  // [-2^61, 2^61)
  const sincos_f64 p = sincospi_poly_f64(static_cast<double>(rem) * 0x1p-63);
  switch (q) {
    case 0: return {p.s, p.c};
    case 1: return {p.c, -p.s};
    case 2: return {-p.s, -p.c};
    default: return {-p.c, p.s};
  }
}

// ---------------------------------------------------------------------------------------------
// Box-Muller on a word pair: the first word sets the radius sqrt(-2 ln u), u in (0, 1]; the
// second the angle. z0 = r cos(theta), z1 = r sin(theta). f64 uses two 64-bit halves of a block.

struct pair_f32 {
  float z0, z1;
};
struct pair_f64 {
  double z0, z1;
};

WEIGHTINIT_HOST_DEVICE inline pair_f32 box_muller_f32(std::uint32_t w_radius, std::uint32_t w_angle) {
  const float r = sqrt_(-2.0f * log_f32(radius_uniform_f32(w_radius)));
  const sincos_f32 a = sincos_turn_f32(w_angle);
  return {r * a.c, r * a.s};
}

WEIGHTINIT_HOST_DEVICE inline pair_f64 box_muller_f64(std::uint64_t x_radius, std::uint64_t x_angle) {
  const double r = sqrt_(-2.0 * log_f64(radius_uniform_f64(x_radius)));
  const sincos_f64 a = sincos_turn_f64(x_angle);
  return {r * a.c, r * a.s};
}

// ---------------------------------------------------------------------------------------------
// Inverse standard normal CDF on the lower half, p in (0, 1/2]: Wichura's rational approximations
// (Algorithm AS 241, PPND16, Applied Statistics 37(3), 1988), evaluated with explicit fma and our
// own log. Its approximation error is about 1e-16 relative, so in f32 only rounding is left.
// Callers reach the upper half by symmetry, on the nearer tail.

template <class T>
WEIGHTINIT_HOST_DEVICE inline T horner8(T x, T c0, T c1, T c2, T c3, T c4, T c5, T c6, T c7) {
  T p = fma_(x, c7, c6);
  p = fma_(x, p, c5);
  p = fma_(x, p, c4);
  p = fma_(x, p, c3);
  p = fma_(x, p, c2);
  p = fma_(x, p, c1);
  return fma_(x, p, c0);
}

WEIGHTINIT_HOST_DEVICE inline float log_(float x) { return log_f32(x); }
WEIGHTINIT_HOST_DEVICE inline double log_(double x) { return log_f64(x); }

template <class T>
WEIGHTINIT_HOST_DEVICE inline T normal_quantile_lower(T p) {
  const T q = p - T(0.5);
  if (q >= T(-0.425)) {
    const T r = fma_(-q, q, T(0.180625));
    const T num = horner8<T>(r, T(3.3871328727963666080e0), T(1.3314166789178437745e+2),
                             T(1.9715909503065514427e+3), T(1.3731693765509461125e+4),
                             T(4.5921953931549871457e+4), T(6.7265770927008700853e+4),
                             T(3.3430575583588128105e+4), T(2.5090809287301226727e+3));
    const T den = horner8<T>(r, T(1), T(4.2313330701600911252e+1), T(6.8718700749205790830e+2),
                             T(5.3941960214247511077e+3), T(2.1213794301586595867e+4),
                             T(3.9307895800092710610e+4), T(2.8729085735721942674e+4),
                             T(5.2264952788528545610e+3));
    return q * num / den;
  }
  T r = sqrt_(-log_(p));
  T num, den;
  if (r <= T(5)) {
    r = r - T(1.6);
    num = horner8<T>(r, T(1.42343711074968357734e0), T(4.63033784615654529590e0),
                     T(5.76949722146069140550e0), T(3.64784832476320460504e0),
                     T(1.27045825245236838258e0), T(2.41780725177450611770e-1),
                     T(2.27238449892691845833e-2), T(7.74545014278341407640e-4));
    den = horner8<T>(r, T(1), T(2.05319162663775882187e0), T(1.67638483018380384940e0),
                     T(6.89767334985100004550e-1), T(1.48103976427480074590e-1),
                     T(1.51986665636164571966e-2), T(5.47593808499534494600e-4),
                     T(1.05075007164441684324e-9));
  } else {
    r = r - T(5);
    num = horner8<T>(r, T(6.65790464350110377720e0), T(5.46378491116411436990e0),
                     T(1.78482653991729133580e0), T(2.96560571828504891230e-1),
                     T(2.65321895265761230930e-2), T(1.24266094738807843860e-3),
                     T(2.71155556874348757815e-5), T(2.01033439929228813265e-7));
    den = horner8<T>(r, T(1), T(5.99832206555887937690e-1), T(1.36929880922735805310e-1),
                     T(1.48753612908506148525e-2), T(7.86869131145613259100e-4),
                     T(1.84631831751005468180e-5), T(1.42151175831644588870e-7),
                     T(2.04426310338993978564e-15));
  }
  return -(num / den);
}

// ---------------------------------------------------------------------------------------------
// Rounding f32 to the 16-bit formats, round to nearest, ties to even. NaN stays NaN (quiet).

WEIGHTINIT_HOST_DEVICE inline std::uint16_t to_bf16_bits(float x) {
  const std::uint32_t b = bits_of(x);
  if ((b & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((b >> 16) | 0x0040u);
  return static_cast<std::uint16_t>((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
}

WEIGHTINIT_HOST_DEVICE inline std::uint16_t to_f16_bits(float x) {
  const std::uint32_t b = bits_of(x);
  const std::uint32_t sign = (b >> 16) & 0x8000u;
  const std::uint32_t a = b & 0x7fffffffu;
  if (a >= 0x7f800000u) return static_cast<std::uint16_t>(sign | (a > 0x7f800000u ? 0x7e00u : 0x7c00u));
  if (a >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // >= 65520: inf
  if (a >= 0x38800000u) {                                                  // normal f16
    std::uint32_t h = (((a >> 23) - 112u) << 10) | ((a & 0x7fffffu) >> 13);
    const std::uint32_t rem = a & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;  // carries into the exponent correctly
    return static_cast<std::uint16_t>(sign | h);
  }
  if (a <= 0x33000000u) return static_cast<std::uint16_t>(sign);  // <= 2^-25 rounds to zero
  const std::uint32_t mant = (a & 0x7fffffu) | 0x800000u;         // subnormal f16: units of 2^-24
  const std::uint32_t shift = 126u - (a >> 23);                   // 14 .. 24
  std::uint32_t h = mant >> shift;
  const std::uint32_t rem = mant & ((1u << shift) - 1u);
  const std::uint32_t half = 1u << (shift - 1u);
  if (rem > half || (rem == half && (h & 1u))) ++h;
  return static_cast<std::uint16_t>(sign | h);
}

/// The f32 value of a bf16 / f16 bit pattern (exact), for tests and for readers of our output.
WEIGHTINIT_HOST_DEVICE inline float from_bf16_bits(std::uint16_t h) {
  return float_of(static_cast<std::uint32_t>(h) << 16);
}
WEIGHTINIT_HOST_DEVICE inline float from_f16_bits(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t e = (h >> 10) & 0x1fu;
  const std::uint32_t m = h & 0x3ffu;
  if (e == 0x1fu) return float_of(sign | 0x7f800000u | (m << 13));
  if (e == 0) return (sign ? -1.0f : 1.0f) * static_cast<float>(m) * 0x1p-24f;  // exact
  return float_of(sign | ((e + 112u) << 23) | (m << 13));
}

}  // namespace xf
}  // namespace weightinit
