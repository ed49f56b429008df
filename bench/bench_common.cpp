// bench/bench_common.cpp: the benchmark's own helpers that weightinit's public API does not offer:
// the CPU path name for the report and a moment check of fill output (with local f16/bf16
// decoding).
#include <cmath>
#include <cstring>

#include "bench_common.hpp"

namespace wib {
namespace {

namespace wi = weightinit;

float bits_to_float(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// IEEE binary16 and bfloat16 to float, exact (every 16-bit value is a float).
float from_bf16(std::uint16_t h) { return bits_to_float(static_cast<std::uint32_t>(h) << 16); }
float from_f16(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const int exp = (h >> 10) & 0x1f;
  const std::uint32_t man = h & 0x3ffu;
  if (exp == 0x1f) return bits_to_float(sign | 0x7f800000u | (man << 13));  // inf, NaN
  if (exp != 0)
    return bits_to_float(sign | (static_cast<std::uint32_t>(exp + 112) << 23) | (man << 13));
  const float sub = std::ldexp(static_cast<float>(man), -24);  // subnormal or zero
  return sign ? -sub : sub;
}

double value_at(const void* p, wi::dtype t, std::size_t i) {
  std::uint16_t h;
  switch (t) {
    case wi::dtype::f32: return static_cast<const float*>(p)[i];
    case wi::dtype::f64: return static_cast<const double*>(p)[i];
    case wi::dtype::f16:
      std::memcpy(&h, static_cast<const unsigned char*>(p) + 2 * i, 2);
      return from_f16(h);
    case wi::dtype::bf16:
      std::memcpy(&h, static_cast<const unsigned char*>(p) + 2 * i, 2);
      return from_bf16(h);
  }
  return NAN;
}

double phi(double x) { return 0.3989422804014327 * std::exp(-0.5 * x * x); }  // 1/sqrt(2 pi)
double cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

}  // namespace

const char* cpu_fill_path() { return wi::cpu_simd_path(); }

bool plausible(const void* host, wi::dtype t, std::int64_t n, const wi::distribution& d,
               std::string* why) {
  const std::size_t m = static_cast<std::size_t>(n < (1 << 16) ? n : (1 << 16));
  if (d.kind == wi::distribution_kind::constant) {
    for (std::size_t i = 0; i < m; ++i) {
      const double v = value_at(host, t, i);
      // The 16-bit types hold the constant rounded; zeros and small integers are exact anyway.
      if (!(std::fabs(v - d.value) <= std::fabs(d.value) * 1e-2)) {
        *why = "element " + std::to_string(i) + " is " + std::to_string(v) + ", not the constant";
        return false;
      }
    }
    return true;
  }
  double mean = 0, var = 0;
  switch (d.kind) {
    case wi::distribution_kind::uniform:
      mean = 0.5 * (d.low + d.high);
      var = (d.high - d.low) * (d.high - d.low) / 12;
      break;
    case wi::distribution_kind::normal:
      mean = d.mean;
      var = d.stddev * d.stddev;
      break;
    case wi::distribution_kind::truncated_normal: {
      const double a = (d.low - d.mean) / d.stddev, b = (d.high - d.mean) / d.stddev;
      const double z = cdf(b) - cdf(a), r = (phi(a) - phi(b)) / z;
      mean = d.mean + d.stddev * r;
      var = d.stddev * d.stddev * (1 + (a * phi(a) - b * phi(b)) / z - r * r);
      break;
    }
    default: break;
  }
  double s = 0, s2 = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const double v = value_at(host, t, i);
    s += v;
    s2 += v * v;
  }
  const double k = static_cast<double>(m), sm = s / k, sv = s2 / k - sm * sm;
  // 6 sigma for the mean; the variance's spread is at most sqrt(2/k) var for these
  // distributions (kurtosis <= 3); sqrt(3/k) leaves room for the 16-bit rounding.
  if (std::fabs(sm - mean) < 6 * std::sqrt(var / k) &&
      std::fabs(sv - var) < 6 * var * std::sqrt(3 / k))
    return true;
  *why = "sample mean " + std::to_string(sm) + " and variance " + std::to_string(sv) + " of " +
         std::to_string(m) + " values, expected " + std::to_string(mean) + " and " +
         std::to_string(var);
  return false;
}

}  // namespace wib
