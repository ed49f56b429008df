// kernels/element.hpp: the values of one Philox block, shared by the GPU kernels and the CPU fill.
// A block of 4 words yields 4 elements of an f32/f16/bf16 tensor (element i: word i) or 2 of an
// f64 tensor (words 2i, 2i+1), for every distribution (DESIGN.md §1, value contract v2).
#pragma once

#include <cstdint>
#include <cstring>

#include "weightinit/config.hpp"
#include "weightinit/philox.hpp"
#include "weightinit/types.hpp"
#include "normal_quantile.hpp"
#include "transforms.hpp"

#if defined(__CUDACC__)
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#endif

namespace weightinit {

/// A distribution's parameters in the precision of the math (float for f32/f16/bf16, double for
/// f64), derived once on the host (host/prepare.cpp) and passed by value to kernels and CPU fill
/// alike, so both see the same bits.
template <class T>
struct prepared {
  distribution_kind kind = distribution_kind::constant;
  T value = 0;          // constant
  T mid = 0, half = 0;  // uniform: mid + half * v, v in (-1, 1)
  T mean = 0, stddev = 1;
  // truncated normal, in standard units: alpha = (low - mean) / stddev, beta likewise, rounded to T
  // (the clamp of z); lo/hi = the bounds rounded inward to T (the final clamp). In double for both
  // precisions, each computed without cancellation: p_alpha = Phi(alpha), q_beta = 1 - Phi(beta),
  // d_alpha = 1/2 - Phi(alpha), width = Phi(beta) - Phi(alpha).
  T alpha = 0, beta = 0, lo = 0, hi = 0;
  double p_alpha = 0, q_beta = 0, d_alpha = 0, width = 0;
};

/// Whether a distribution draws words at all.
WEIGHTINIT_HOST_DEVICE inline bool draws_words(distribution_kind k) {
  return k != distribution_kind::constant;
}

/// Elements of a tensor of `t` that one Philox block yields: 2 for f64, 4 otherwise.
WEIGHTINIT_HOST_DEVICE inline int elements_per_block(dtype t) { return t == dtype::f64 ? 2 : 4; }

/// Truncated normal, f32 math (contract v2): u = (2w+1) 2^-33 and 1 - u, both exact in double;
/// the target probability P = Phi(alpha) + u width is formed in double on its nearer side: the
/// lower tail p = Phi(alpha) + u width when P < 1/4, the upper tail q = Q(beta) + (1-u) width when
/// P > 3/4, else the distance d = (1/2 - Phi(alpha)) - u width from the centre, so far-out and
/// narrow intervals keep 53 bits of the probability. Then the table quantile from that double
/// (kernels/normal_quantile.hpp), clamped to [alpha, beta] and, after scaling, to [lo, hi]: never
/// outside the bounds. This exact sequence is what the SIMD path (host/fill_host_simd.inl) repeats.
WEIGHTINIT_HOST_DEVICE inline float truncated_normal_f32(const prepared<float>& p,
                                                         std::uint32_t w) {
  const double u =
      static_cast<double>(static_cast<std::int64_t>(2 * static_cast<std::uint64_t>(w) + 1)) *
      0x1p-33;
  const double u1 =
      static_cast<double>(static_cast<std::int64_t>(2 * static_cast<std::uint64_t>(~w) + 1)) *
      0x1p-33;
  const double lower = xf::fma_(u, p.width, p.p_alpha);
  const double upper = xf::fma_(u1, p.width, p.q_beta);
  const double d = xf::fma_(-u, p.width, p.d_alpha);
  const bool tail_lo = lower < 0.25;
  const bool tail_hi = !tail_lo && lower > 0.75;
  const bool centre = !tail_lo && !tail_hi;
  const double a = tail_lo ? lower : tail_hi ? upper : (d < 0 ? -d : d);
  float z;
  if (centre) {
    z = xf::normal_quantile_centre_from(a);
  } else {
    z = xf::normal_quantile_tail_from(a);
  }
  z = (tail_hi || (centre && d < 0)) ? -z : z;
  const float x = xf::clamp_(z, p.alpha, p.beta);
  return xf::clamp_(xf::fma_(p.stddev, x, p.mean), p.lo, p.hi);
}

/// Truncated normal, f64 math: k = x >> 11, u = (2k+1) 2^-54 and 1 - u = (2(2^53-1-k)+1) 2^-54,
/// each rounded once to double; the same three sides as the f32 form, then AS 241
/// (normal_quantile_f64) on the side's probability and its distance from 1/2.
WEIGHTINIT_HOST_DEVICE inline double truncated_normal_f64(const prepared<double>& p,
                                                          std::uint64_t x) {
  const std::uint64_t k = x >> 11;
  const double u = static_cast<double>(static_cast<std::int64_t>(2 * k + 1)) * 0x1p-54;
  const double u1 =
      static_cast<double>(static_cast<std::int64_t>(2 * (0x001fffffffffffffull - k) + 1)) * 0x1p-54;
  const double lower = xf::fma_(u, p.width, p.p_alpha);
  double z;
  if (lower < 0.25) {
    z = xf::normal_quantile_f64(lower, 0.5 - lower);
  } else if (lower > 0.75) {
    const double q = xf::fma_(u1, p.width, p.q_beta);
    z = -xf::normal_quantile_f64(q, 0.5 - q);
  } else {
    const double d = xf::fma_(-u, p.width, p.d_alpha);
    const double ad = d < 0 ? -d : d;
    z = xf::normal_quantile_f64(0.5 - ad, ad);
    z = d < 0 ? -z : z;
  }
  const double y = xf::clamp_(z, p.alpha, p.beta);
  return xf::clamp_(xf::fma_(p.stddev, y, p.mean), p.lo, p.hi);
}

/// The 4 float values of block `w` (elements 4b .. 4b+3): element j uses word j.
WEIGHTINIT_HOST_DEVICE inline void block_values(const prepared<float>& p, const words4& w,
                                                float out[4]) {
  const std::uint32_t ws[4] = {w.x, w.y, w.z, w.w};
  switch (p.kind) {
    case distribution_kind::constant: out[0] = out[1] = out[2] = out[3] = p.value; return;
    case distribution_kind::uniform:
      for (int j = 0; j < 4; ++j)
        out[j] = xf::clamp_(xf::fma_(p.half, xf::symmetric_f32(ws[j]), p.mid), p.lo, p.hi);
      return;
    case distribution_kind::normal:
      for (int j = 0; j < 4; ++j) out[j] = xf::fma_(p.stddev, xf::normal_f32(ws[j]), p.mean);
      return;
    case distribution_kind::truncated_normal:
      for (int j = 0; j < 4; ++j) out[j] = truncated_normal_f32(p, ws[j]);
      return;
  }
}

/// The 2 double values of block `w` (elements 2b, 2b+1). Words (x, y) make the first 64-bit half,
/// (z, w) the second.
WEIGHTINIT_HOST_DEVICE inline void block_values(const prepared<double>& p, const words4& w,
                                                double out[2]) {
  const std::uint64_t x[2] = {xf::join64(w.x, w.y), xf::join64(w.z, w.w)};
  switch (p.kind) {
    case distribution_kind::constant: out[0] = out[1] = p.value; return;
    case distribution_kind::uniform:
      for (int j = 0; j < 2; ++j)
        out[j] = xf::clamp_(xf::fma_(p.half, xf::symmetric_f64(x[j]), p.mid), p.lo, p.hi);
      return;
    case distribution_kind::normal:
      for (int j = 0; j < 2; ++j) out[j] = xf::fma_(p.stddev, xf::normal_f64(x[j]), p.mean);
      return;
    case distribution_kind::truncated_normal:
      for (int j = 0; j < 2; ++j) out[j] = truncated_normal_f64(p, x[j]);
      return;
  }
}

/// Storage conversions: the f32 value rounded to nearest even for f16/bf16. On the device the
/// hardware's IEEE conversions (cvt.rn.bf16x2.f32 / cvt.rn.f16x2.f32), on the host the software
/// rounding of kernels/transforms.hpp: RNE is unique, so the bits are equal for every non-NaN float
/// (tests/cpu/test_transforms.cpp checks the software side against an independent RNE for all
/// 2^32).
struct f16_bits {
  std::uint16_t bits;
};
struct bf16_bits {
  std::uint16_t bits;
};

/// Two rounded values packed as little-endian 16-bit halves (lo in bits 0..15).
WEIGHTINIT_HOST_DEVICE inline std::uint32_t pack2(bf16_bits*, float lo, float hi) {
#if defined(__CUDA_ARCH__)
  const __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
  std::uint32_t r;
  std::memcpy(&r, &h, sizeof r);
  return r;
#else
  return static_cast<std::uint32_t>(xf::to_bf16_bits(lo)) |
         (static_cast<std::uint32_t>(xf::to_bf16_bits(hi)) << 16);
#endif
}
WEIGHTINIT_HOST_DEVICE inline std::uint32_t pack2(f16_bits*, float lo, float hi) {
#if defined(__CUDA_ARCH__)
  const __half2 h = __floats2half2_rn(lo, hi);
  std::uint32_t r;
  std::memcpy(&r, &h, sizeof r);
  return r;
#else
  return static_cast<std::uint32_t>(xf::to_f16_bits(lo)) |
         (static_cast<std::uint32_t>(xf::to_f16_bits(hi)) << 16);
#endif
}

WEIGHTINIT_HOST_DEVICE inline void store_value(float* dst, float v) { *dst = v; }
WEIGHTINIT_HOST_DEVICE inline void store_value(double* dst, double v) { *dst = v; }
WEIGHTINIT_HOST_DEVICE inline void store_value(f16_bits* dst, float v) {
#if defined(__CUDA_ARCH__)
  const __half h = __float2half_rn(v);
  std::memcpy(&dst->bits, &h, sizeof dst->bits);
#else
  dst->bits = xf::to_f16_bits(v);
#endif
}
WEIGHTINIT_HOST_DEVICE inline void store_value(bf16_bits* dst, float v) {
#if defined(__CUDA_ARCH__)
  const __nv_bfloat16 h = __float2bfloat16_rn(v);
  std::memcpy(&dst->bits, &h, sizeof dst->bits);
#else
  dst->bits = xf::to_bf16_bits(v);
#endif
}

}  // namespace weightinit
