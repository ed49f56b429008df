// kernels/normal_quantile.hpp: the inverse normal CDF of value contract v2 (DESIGN.md §1), shared
// bit for bit by the GPU kernels and the CPU fill. f32: a table of cubics indexed by binade and
// four mantissa bits of the nearer-tail probability (kernels/normal_quantile_table.hpp), reached
// either from a word (u = (2w+1) 2^-33, split on the integer) or from a double probability
// (truncated normal). f64: Wichura's AS 241 with our exact log on exact p and 1/2 - p. Only
// IEEE-exact operations.
#pragma once

#include <cstdint>

#include "weightinit/config.hpp"
#include "normal_quantile_table.hpp"
#include "transforms.hpp"

namespace weightinit {
namespace xf {
namespace nq {

// One definition of the literal rows, compiled on both sides: a constexpr array for host code, a
// global-memory array (read through the read-only cache, __ldg) for device code. Not __constant__:
// the lanes of a warp read different rows, which the constant cache would serialize.
alignas(16) inline constexpr float host_rows[WEIGHTINIT_NQ_ROWS][4] = {WEIGHTINIT_NQ_TABLE_DATA};
#if defined(__CUDACC__)
static __device__ const float4 device_rows[WEIGHTINIT_NQ_ROWS] = {WEIGHTINIT_NQ_TABLE_DATA};
#endif

constexpr std::uint32_t centre_rows = WEIGHTINIT_NQ_CENTRE_ROWS;  // rows of d = 1/2 - u come first
constexpr std::uint32_t tail_rows = WEIGHTINIT_NQ_ROWS - WEIGHTINIT_NQ_CENTRE_ROWS;
constexpr int subs_log2 = 4;  // 16 sub-intervals per binade

struct coeffs {
  float c0, c1, c2, c3;
};

WEIGHTINIT_HOST_DEVICE inline coeffs row(std::uint32_t i) {
#if defined(__CUDA_ARCH__)
  const float4 r = __ldg(&device_rows[i]);
  return {r.x, r.y, r.z, r.w};
#else
  return {host_rows[i][0], host_rows[i][1], host_rows[i][2], host_rows[i][3]};
#endif
}

/// z = c0 + t (c1 + t (c2 + t c3)) by Horner with explicit fma.
WEIGHTINIT_HOST_DEVICE inline float eval(std::uint32_t i, float t) {
  const coeffs c = row(i);
  return fma_(t, fma_(t, fma_(t, c.c3, c.c2), c.c1), c.c0);
}

WEIGHTINIT_HOST_DEVICE inline int clz32(std::uint32_t x) {  // x != 0
#if defined(__CUDA_ARCH__)
  return __clz(static_cast<int>(x));
#else
  return __builtin_clz(x);
#endif
}

}  // namespace nq

// ---------------------------------------------------------------------------------------------
// f32, from a word. For w' in [0, 2^31) (the lower half; callers fold the upper half onto it with
// ~w), u = (2w'+1) 2^-33 = v 2^-33 with v = 2w'+1 odd in [1, 2^32). Tail: u < 1/4 (v < 2^31), the
// variable is v. Centre: u > 1/4, the variable is e = 2^32 - v, i.e. d = 1/2 - u = e 2^-33 exactly,
// so z near 0 keeps its relative accuracy. c = clz(x) in [1, 31] gives the binade b = c + 2 of
// x 2^-33, the next 4 bits the row, the remaining 27 bits t in [-1, 1) (one rounding, harmless:
// a row spans 1/16 of a binade).

/// Phi^-1((2w'+1) 2^-33) for w' < 2^31: negative.
WEIGHTINIT_HOST_DEVICE inline float normal_quantile_lower_word(std::uint32_t wl) {
  const std::uint32_t v = 2u * wl + 1u;
  const std::uint32_t centre = 0u - (v >> 31);    // all ones when v >= 2^31 (u > 1/4)
  const std::uint32_t x = (v ^ centre) - centre;  // centre ? 2^32 - v : v
  const int c = nq::clz32(x);
  const std::uint32_t r = (x << c) << 1;  // the bits after the leading one, left-aligned
  const std::uint32_t i = (~centre & nq::centre_rows) +
                          (static_cast<std::uint32_t>(c - 1) << nq::subs_log2) + (r >> 28);
  const float t = static_cast<float>(static_cast<std::int32_t>((r << 4) ^ 0x80000000u)) * 0x1p-31f;
  return nq::eval(i, t);
}

/// The standard normal value of a word (contract v2): Phi^-1((2w+1) 2^-33) on the nearer tail,
/// so normal_f32(~w) == -normal_f32(w) exactly. |z| <= 6.34.
WEIGHTINIT_HOST_DEVICE inline float normal_f32(std::uint32_t w) {
  const std::uint32_t upper = 0u - (w >> 31);  // all ones for the upper half
  const float z = normal_quantile_lower_word(w ^ upper);
  return float_of(bits_of(z) ^ (upper & 0x80000000u));  // -z there (z is never NaN)
}

// ---------------------------------------------------------------------------------------------
// f32, from a double probability (truncated normal): p carries 53 bits, so narrow and far-out
// intervals keep the resolution the 33-bit word has. The binade comes from the exponent, the row
// from the top 4 mantissa bits, t = (m - 1) 32 - (2s + 1) (exact in double) rounded once to float.

WEIGHTINIT_HOST_DEVICE inline float nq_eval_double(std::uint32_t base, double p) {
  const std::uint64_t b = bits_of(p);
  const std::uint32_t e = static_cast<std::uint32_t>(b >> 52);  // biased; p in [2^(e-1023), ..)
  const std::uint32_t s = static_cast<std::uint32_t>(b >> 48) & 15u;
  const double m = double_of((b & 0x000fffffffffffffull) | 0x3ff0000000000000ull);
  const double td = (m - 1.0) * 32.0 - static_cast<double>(2u * s + 1u);
  const std::uint32_t binade = 1023u - e;  // b with p in [2^-b, 2^-b+1)
  return nq::eval(base + ((binade - 3u) << nq::subs_log2) + s, static_cast<float>(td));
}

/// Phi^-1(p) for a lower-tail probability p in (0, 1/4]; p is clamped to [2^-127, 1/4) (the
/// table's range; 2^-127 is 13.0 sigma). Negative.
WEIGHTINIT_HOST_DEVICE inline float normal_quantile_tail_from(double p) {
  p = p < 0x1p-127 ? 0x1p-127 : p;
  p = p > 0x1.fffffffffffffp-3 ? 0x1.fffffffffffffp-3 : p;
  return nq_eval_double(nq::centre_rows, p);
}

/// Phi^-1(1/2 - d) for d in [0, 1/4] (clamped below 1/4): non-positive. Below 2^-33 the series
/// -sqrt(2 pi) d (1 + pi d^2 / 3) is exact to far below an f32 ulp; it is evaluated in double.
WEIGHTINIT_HOST_DEVICE inline float normal_quantile_centre_from(double d) {
  if (d < 0x1p-33) {
    return static_cast<float>(-(d * fma_(d * d, 2.6250660372309563 /* sqrt(2 pi) pi / 3 */,
                                         2.5066282746310002 /* sqrt(2 pi) */)));
  }
  d = d > 0x1.fffffffffffffp-3 ? 0x1.fffffffffffffp-3 : d;
  return nq_eval_double(0u, d);
}

// ---------------------------------------------------------------------------------------------
// f64: Wichura's AS 241 (PPND16, Applied Statistics 37(3), 1988), relative error about 1e-16,
// evaluated with explicit fma and our exact log_f64. Takes the lower-tail probability p <= 1/2 and
// d = 1/2 - p, each computed exactly (or to 53 bits) by the caller, so the central branch
// (|q| <= 0.425, q = -d) keeps its relative accuracy near 0. Returns Phi^-1(p) <= 0.

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

WEIGHTINIT_HOST_DEVICE inline double normal_quantile_f64(double p, double d) {
  if (d <= 0.425) {
    const double q = -d;
    const double r = fma_(-q, q, 0.180625);
    const double num =
        horner8(r, 3.3871328727963666080e0, 1.3314166789178437745e+2, 1.9715909503065514427e+3,
                1.3731693765509461125e+4, 4.5921953931549871457e+4, 6.7265770927008700853e+4,
                3.3430575583588128105e+4, 2.5090809287301226727e+3);
    const double den =
        horner8(r, 1.0, 4.2313330701600911252e+1, 6.8718700749205790830e+2,
                5.3941960214247511077e+3, 2.1213794301586595867e+4, 3.9307895800092710610e+4,
                2.8729085735721942674e+4, 5.2264952788528545610e+3);
    return q * num / den;
  }
  double r = sqrt_(-log_f64(p));
  double num, den;
  if (r <= 5.0) {
    r = r - 1.6;
    num = horner8(r, 1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0,
                  3.64784832476320460504e0, 1.27045825245236838258e0, 2.41780725177450611770e-1,
                  2.27238449892691845833e-2, 7.74545014278341407640e-4);
    den = horner8(r, 1.0, 2.05319162663775882187e0, 1.67638483018380384940e0,
                  6.89767334985100004550e-1, 1.48103976427480074590e-1, 1.51986665636164571966e-2,
                  5.47593808499534494600e-4, 1.05075007164441684324e-9);
  } else {
    r = r - 5.0;
    num = horner8(r, 6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0,
                  2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
                  2.71155556874348757815e-5, 2.01033439929228813265e-7);
    den = horner8(r, 1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1,
                  1.48753612908506148525e-2, 7.86869131145613259100e-4, 1.84631831751005468180e-5,
                  1.42151175831644588870e-7, 2.04426310338993978564e-15);
  }
  return -(num / den);
}

/// The standard normal value of x = word(2i) | word(2i+1) << 32 (contract v2): k = x >> 11 (53
/// bits), u = (2k+1) 2^-54 on the nearer tail: k' = k or ~k (52 bits), p = (2k'+1) 2^-54 and
/// d = (2(2^52-1-k')+1) 2^-54, both exact in double. normal_f64(~x) == -normal_f64(x); |z| <= 8.29.
WEIGHTINIT_HOST_DEVICE inline double normal_f64(std::uint64_t x) {
  const bool upper = (x >> 63) != 0;
  const std::uint64_t k = ((upper ? ~x : x) >> 11) & 0x000fffffffffffffull;  // [0, 2^52)
  const double p = static_cast<double>(static_cast<std::int64_t>(2 * k + 1)) * 0x1p-54;
  const double d =
      static_cast<double>(static_cast<std::int64_t>(2 * (0x000fffffffffffffull - k) + 1)) * 0x1p-54;
  const double z = normal_quantile_f64(p, d);
  return upper ? -z : z;
}

}  // namespace xf
}  // namespace weightinit
