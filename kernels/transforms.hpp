// kernels/transforms.hpp: the exact transforms of DESIGN.md §1, shared by the GPU kernels and the
// CPU fill: IEEE primitives, Philox words -> uniform, the exact log (for the f64 quantile), and the
// f16/bf16 rounding. The inverse normal CDF is kernels/normal_quantile.hpp. Only IEEE-exact
// operations (+ - * /, sqrt, fma, integer and bit operations, conversions with round-to-nearest),
// so nvcc (--fmad=false) and g++ (-ffp-contract=off) compute the same bits. No libm or CUDA
// transcendental is called here.
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
//   symmetric_f32(w) = (2k+1-2^23) * 2^-23,  k = w >> 9 (23 bits):   (-1, 1), symmetric
//   symmetric_f64(x) = (2k+1-2^52) * 2^-52,  k = x >> 12 (52 bits):  (-1, 1), symmetric
// where x = word(2i) | word(2i+1) << 32 for f64. The open, symmetric forms keep U(-b, b) symmetric
// and strictly inside (-b, b). (Normal and truncated normal use u = (2w+1) 2^-33 and
// (2k+1) 2^-54 with all the word's bits: kernels/normal_quantile.hpp, kernels/element.hpp.)

WEIGHTINIT_HOST_DEVICE inline float symmetric_f32(std::uint32_t w) {
  const std::int32_t k = static_cast<std::int32_t>(w >> 9);
  return static_cast<float>(2 * k + 1 - (1 << 23)) * 0x1p-23f;
}
WEIGHTINIT_HOST_DEVICE inline std::uint64_t join64(std::uint32_t lo, std::uint32_t hi) {
  return static_cast<std::uint64_t>(lo) | (static_cast<std::uint64_t>(hi) << 32);
}
WEIGHTINIT_HOST_DEVICE inline double symmetric_f64(std::uint64_t x) {
  const std::int64_t k = static_cast<std::int64_t>(x >> 12);
  return static_cast<double>(2 * k + 1 - (std::int64_t{1} << 52)) * 0x1p-52;
}

// ---------------------------------------------------------------------------------------------
// Natural logarithm (double) for finite x > 0 (normal or subnormal), used by the f64 quantile.
// x = m * 2^e with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716, by
// its odd series in s^2 (Horner, explicit fma); e*ln2 is added in two parts (hi + lo) with fma.
// Measured accuracy: see the tests.

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
  if (a >= 0x7f800000u)
    return static_cast<std::uint16_t>(sign | (a > 0x7f800000u ? 0x7e00u : 0x7c00u));
  if (a >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // >= 65520: inf
  if (a >= 0x38800000u) {                                                   // normal f16
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
