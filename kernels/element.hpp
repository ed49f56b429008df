// kernels/element.hpp: the values of one Philox block, shared by the GPU kernels and the CPU fill.
// A block of 4 words yields 4 elements of an f32/f16/bf16 tensor or 2 of an f64 tensor, so element
// i of a tensor lives in block i / elements_per_block (DESIGN.md §1, "words of an element").
#pragma once

#include <cstdint>

#include "weightinit/config.hpp"
#include "weightinit/philox.hpp"
#include "weightinit/types.hpp"
#include "transforms.hpp"

namespace weightinit {

/// A distribution's parameters in the precision of the math (float for f32/f16/bf16, double for
/// f64), derived once on the host (host/prepare.cpp) and passed by value to kernels and CPU fill
/// alike, so both see the same bits.
template <class T>
struct prepared {
  distribution_kind kind = distribution_kind::constant;
  T value = 0;           // constant
  T mid = 0, half = 0;   // uniform: mid + half * v, v in (-1, 1)
  T mean = 0, stddev = 1;
  // truncated normal, in standard units: alpha = (low - mean) / stddev, beta likewise;
  // p_alpha = Phi(alpha), width = Phi(beta) - Phi(alpha), q_beta = 1 - Phi(beta), each computed
  // without cancellation; lo/hi = the bounds rounded inward to T, the final clamp.
  T alpha = 0, beta = 0, p_alpha = 0, width = 0, q_beta = 0, lo = 0, hi = 0;
};

/// Whether a distribution draws words at all.
WEIGHTINIT_HOST_DEVICE inline bool draws_words(distribution_kind k) {
  return k != distribution_kind::constant;
}

/// Elements of a tensor of `t` that one Philox block yields: 2 for f64, 4 otherwise.
WEIGHTINIT_HOST_DEVICE inline int elements_per_block(dtype t) { return t == dtype::f64 ? 2 : 4; }

/// Truncated normal by inverse CDF on the nearer tail: the lower-tail probability
/// p = Phi(alpha) + u*width when that is <= 1/2, else the upper-tail probability
/// q = q_beta + (1-u)*width (1-u is exact for our u), so far-out and narrow intervals keep their
/// accuracy. Clamped to [alpha, beta] and then to [lo, hi]: never outside the bounds.
template <class T>
WEIGHTINIT_HOST_DEVICE inline T truncated_normal_value(const prepared<T>& p, T u) {
  const T lower = xf::fma_(u, p.width, p.p_alpha);
  T x;
  if (lower <= T(0.5)) {
    x = xf::normal_quantile_lower(lower);
  } else {
    x = -xf::normal_quantile_lower(xf::fma_(T(1) - u, p.width, p.q_beta));
  }
  x = xf::clamp_(x, p.alpha, p.beta);
  return xf::clamp_(xf::fma_(p.stddev, x, p.mean), p.lo, p.hi);
}

/// The 4 float values of block `w` (elements 4b .. 4b+3).
WEIGHTINIT_HOST_DEVICE inline void block_values(const prepared<float>& p, const words4& w,
                                                float out[4]) {
  switch (p.kind) {
    case distribution_kind::constant:
      out[0] = out[1] = out[2] = out[3] = p.value;
      return;
    case distribution_kind::uniform:
      out[0] = xf::clamp_(xf::fma_(p.half, xf::symmetric_f32(w.x), p.mid), p.lo, p.hi);
      out[1] = xf::clamp_(xf::fma_(p.half, xf::symmetric_f32(w.y), p.mid), p.lo, p.hi);
      out[2] = xf::clamp_(xf::fma_(p.half, xf::symmetric_f32(w.z), p.mid), p.lo, p.hi);
      out[3] = xf::clamp_(xf::fma_(p.half, xf::symmetric_f32(w.w), p.mid), p.lo, p.hi);
      return;
    case distribution_kind::normal: {
      const xf::pair_f32 a = xf::box_muller_f32(w.x, w.y);
      const xf::pair_f32 b = xf::box_muller_f32(w.z, w.w);
      out[0] = xf::fma_(p.stddev, a.z0, p.mean);
      out[1] = xf::fma_(p.stddev, a.z1, p.mean);
      out[2] = xf::fma_(p.stddev, b.z0, p.mean);
      out[3] = xf::fma_(p.stddev, b.z1, p.mean);
      return;
    }
    case distribution_kind::truncated_normal:
      out[0] = truncated_normal_value(p, xf::uniform_open_f32(w.x));
      out[1] = truncated_normal_value(p, xf::uniform_open_f32(w.y));
      out[2] = truncated_normal_value(p, xf::uniform_open_f32(w.z));
      out[3] = truncated_normal_value(p, xf::uniform_open_f32(w.w));
      return;
  }
}

/// The 2 double values of block `w` (elements 2b, 2b+1). Words (x, y) make the first 64-bit half,
/// (z, w) the second.
WEIGHTINIT_HOST_DEVICE inline void block_values(const prepared<double>& p, const words4& w,
                                                double out[2]) {
  const std::uint64_t x0 = xf::join64(w.x, w.y);
  const std::uint64_t x1 = xf::join64(w.z, w.w);
  switch (p.kind) {
    case distribution_kind::constant:
      out[0] = out[1] = p.value;
      return;
    case distribution_kind::uniform:
      out[0] = xf::clamp_(xf::fma_(p.half, xf::symmetric_f64(x0), p.mid), p.lo, p.hi);
      out[1] = xf::clamp_(xf::fma_(p.half, xf::symmetric_f64(x1), p.mid), p.lo, p.hi);
      return;
    case distribution_kind::normal: {
      const xf::pair_f64 a = xf::box_muller_f64(x0, x1);
      out[0] = xf::fma_(p.stddev, a.z0, p.mean);
      out[1] = xf::fma_(p.stddev, a.z1, p.mean);
      return;
    }
    case distribution_kind::truncated_normal:
      out[0] = truncated_normal_value(p, xf::uniform_open_f64(x0));
      out[1] = truncated_normal_value(p, xf::uniform_open_f64(x1));
      return;
  }
}

/// Storage conversions: the f32 value rounded to nearest even for f16/bf16.
struct f16_bits {
  std::uint16_t bits;
};
struct bf16_bits {
  std::uint16_t bits;
};
WEIGHTINIT_HOST_DEVICE inline void store_value(float* dst, float v) { *dst = v; }
WEIGHTINIT_HOST_DEVICE inline void store_value(double* dst, double v) { *dst = v; }
WEIGHTINIT_HOST_DEVICE inline void store_value(f16_bits* dst, float v) {
  dst->bits = xf::to_f16_bits(v);
}
WEIGHTINIT_HOST_DEVICE inline void store_value(bf16_bits* dst, float v) {
  dst->bits = xf::to_bf16_bits(v);
}

}  // namespace weightinit
