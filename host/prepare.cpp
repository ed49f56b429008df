// host/prepare.cpp: argument checks for distributions and the per-call constants of the fills.
// Phi, Q and 1/2 - Phi use the C library's erfc / erf in double precision: they run once per call
// on the host (not per element), and the CPU and GPU fills receive the same rounded constants.
#include "prepare.hpp"

#include <cfloat>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "../kernels/transforms.hpp"

namespace weightinit {
namespace detail {
namespace {

[[noreturn]] void fail(const char* function, const distribution& d, const std::string& why) {
  throw std::invalid_argument(std::string(function) + ": " + to_string(d) + ": " + why);
}

void require_finite(const char* function, const distribution& d, double v, const char* name) {
  if (!std::isfinite(v)) fail(function, d, std::string(name) + " must be finite");
}

// The largest T <= x and the smallest T >= x: the bounds rounded inward.
template <class T>
T round_down(double x) {
  T t = static_cast<T>(x);
  if (static_cast<double>(t) > x) t = std::nextafter(t, -std::numeric_limits<T>::infinity());
  return t;
}
template <class T>
T round_up(double x) {
  T t = static_cast<T>(x);
  if (static_cast<double>(t) < x) t = std::nextafter(t, std::numeric_limits<T>::infinity());
  return t;
}

// The bounds rounded inward to the storage type: for f16/bf16 the f32 bound moved to the nearest
// 16-bit value inside [a, b] (an f32 value exactly), so that the clamp in f32 followed by the
// round-to-nearest store cannot leave [a, b]: rounding is monotone and keeps lo and hi fixed.
float storage_value(float f, dtype storage, std::uint16_t* bits) {
  *bits = storage == dtype::bf16 ? xf::to_bf16_bits(f) : xf::to_f16_bits(f);
  return storage == dtype::bf16 ? xf::from_bf16_bits(*bits) : xf::from_f16_bits(*bits);
}
float from_storage(std::uint16_t b, dtype storage) {
  return storage == dtype::bf16 ? xf::from_bf16_bits(b) : xf::from_f16_bits(b);
}
// The largest 16-bit value <= f (toward -inf by one step when rounding went up).
float storage_down(float f, dtype storage) {
  std::uint16_t b;
  const float v = storage_value(f, storage, &b);
  if (v <= f) return v;
  b = b == 0x0000    ? std::uint16_t{0x8001}
      : (b & 0x8000) ? std::uint16_t(b + 1)
                     : std::uint16_t(b - 1);
  return from_storage(b, storage);
}
// The smallest 16-bit value >= f.
float storage_up(float f, dtype storage) {
  std::uint16_t b;
  const float v = storage_value(f, storage, &b);
  if (v >= f) return v;
  b = b == 0x8000    ? std::uint16_t{0x0001}
      : (b & 0x8000) ? std::uint16_t(b - 1)
                     : std::uint16_t(b + 1);
  return from_storage(b, storage);
}
template <class T>
void round_bounds_inward(prepared<T>& p, double a, double b, dtype storage) {
  p.lo = round_up<T>(a);
  p.hi = round_down<T>(b);
  if constexpr (std::is_same_v<T, float>) {
    if (storage == dtype::f16 || storage == dtype::bf16) {
      p.lo = storage_up(p.lo, storage);
      p.hi = storage_down(p.hi, storage);
    }
  }
}

template <class T>
prepared<T> prepare(const distribution& d, const char* function, dtype storage) {
  const char* type_name = to_string(storage);
  prepared<T> p;
  p.kind = d.kind;
  switch (d.kind) {
    case distribution_kind::constant:
      require_finite(function, d, d.value, "value");
      p.value = static_cast<T>(d.value);
      break;
    case distribution_kind::uniform: {
      require_finite(function, d, d.low, "a");
      require_finite(function, d, d.high, "b");
      if (!(d.low < d.high)) fail(function, d, "needs a < b");
      const double mid = 0.5 * d.low + 0.5 * d.high;
      const double half = 0.5 * d.high - 0.5 * d.low;
      if (!std::isfinite(static_cast<T>(mid)) || !std::isfinite(static_cast<T>(half)))
        fail(function, d, std::string("bounds overflow ") + type_name);
      p.mid = static_cast<T>(mid);
      p.half = static_cast<T>(half);
      round_bounds_inward(p, d.low, d.high, storage);
      if (!(p.lo <= p.hi))
        fail(function, d, std::string("interval is narrower than ") + type_name + " spacing");
      break;
    }
    case distribution_kind::normal:
      require_finite(function, d, d.mean, "mean");
      require_finite(function, d, d.stddev, "std");
      if (d.stddev < 0) fail(function, d, "std must be >= 0");
      if (!std::isfinite(static_cast<T>(d.mean)) || !std::isfinite(static_cast<T>(d.stddev)))
        fail(function, d, std::string("parameters overflow ") + type_name);
      p.mean = static_cast<T>(d.mean);
      p.stddev = static_cast<T>(d.stddev);
      break;
    case distribution_kind::truncated_normal: {
      require_finite(function, d, d.mean, "mean");
      require_finite(function, d, d.stddev, "std");
      if (!(d.stddev > 0)) fail(function, d, "std must be > 0");
      if (std::isnan(d.low) || std::isnan(d.high)) fail(function, d, "bounds must not be NaN");
      if (!(d.low < d.high)) fail(function, d, "needs a < b");
      const double alpha = (d.low - d.mean) / d.stddev;
      const double beta = (d.high - d.mean) / d.stddev;
      const double width = normal_interval_mass(alpha, beta);
      // Below this mass the quantile's range is left: f32 math reads its table down to lower-tail
      // probabilities of 2^-127 (13 sigma), and u * width >= 2^-33 * 2^-94; f64 keeps p normal.
      const double min_width = std::is_same<T, float>::value ? 0x1p-94 : 1e-290;
      if (!(width >= min_width)) {
        std::ostringstream s;
        s << "interval has probability " << width << " under the normal; too far in the tail for "
          << type_name << " (needs >= " << min_width << ")";
        fail(function, d, s.str());
      }
      p.mean = static_cast<T>(d.mean);
      p.stddev = static_cast<T>(d.stddev);
      p.alpha = static_cast<T>(alpha);
      p.beta = static_cast<T>(beta);
      p.p_alpha = normal_cdf(alpha);
      p.q_beta = normal_ccdf(beta);
      p.d_alpha = normal_half_minus_cdf(alpha);
      p.width = width;
      round_bounds_inward(p, d.low, d.high, storage);
      if (!(p.lo <= p.hi))
        fail(function, d, std::string("interval is narrower than ") + type_name + " spacing");
      break;
    }
  }
  return p;
}

}  // namespace

double normal_cdf(double x) { return 0.5 * std::erfc(-x * 0.70710678118654752440); }
double normal_half_minus_cdf(double x) { return -0.5 * std::erf(x * 0.70710678118654752440); }
double normal_ccdf(double x) { return 0.5 * std::erfc(x * 0.70710678118654752440); }

prepared<float> prepare_f32(const distribution& d, dtype type, const char* function) {
  return prepare<float>(d, function, type);
}
prepared<double> prepare_f64(const distribution& d, const char* function) {
  return prepare<double>(d, function, dtype::f64);
}

}  // namespace detail
}  // namespace weightinit
