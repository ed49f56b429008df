// host/types.cpp: dtype names and sizes, shapes, tensor windows, distribution constructors.
#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "../kernels/transforms.hpp"
#include "weightinit/config.hpp"
#include "weightinit/types.hpp"

#include "../kernels/transforms.hpp"

namespace weightinit {

const char* version() noexcept {
#define WEIGHTINIT_STR2(x) #x
#define WEIGHTINIT_STR(x) WEIGHTINIT_STR2(x)
  return WEIGHTINIT_STR(WEIGHTINIT_VERSION_MAJOR) "." WEIGHTINIT_STR(
      WEIGHTINIT_VERSION_MINOR) "." WEIGHTINIT_STR(WEIGHTINIT_VERSION_PATCH);
#undef WEIGHTINIT_STR
#undef WEIGHTINIT_STR2
}

bool is_valid(dtype t) noexcept {
  return t == dtype::f32 || t == dtype::f64 || t == dtype::f16 || t == dtype::bf16;
}

float f16_to_float(std::uint16_t bits) noexcept { return xf::from_f16_bits(bits); }
float bf16_to_float(std::uint16_t bits) noexcept { return xf::from_bf16_bits(bits); }

std::string format_number(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);  // shortest round-trip form
  return std::string(buf, r.ptr);
}

std::size_t size_of(dtype t) noexcept {
  switch (t) {
    case dtype::f32: return 4;
    case dtype::f64: return 8;
    case dtype::f16:
    case dtype::bf16: return 2;
  }
  return 0;
}

const char* to_string(dtype t) noexcept {
  switch (t) {
    case dtype::f32: return "f32";
    case dtype::f64: return "f64";
    case dtype::f16: return "f16";
    case dtype::bf16: return "bf16";
  }
  return "?";
}

dtype parse_dtype(const std::string& name) {
  if (name == "f32" || name == "float32" || name == "float") return dtype::f32;
  if (name == "f64" || name == "float64" || name == "double") return dtype::f64;
  if (name == "f16" || name == "float16" || name == "half") return dtype::f16;
  if (name == "bf16" || name == "bfloat16") return dtype::bf16;
  throw std::invalid_argument("parse_dtype: unknown dtype '" + name +
                              "' (expected f32, f64, f16 or bf16)");
}

std::int64_t element_count(const shape& dims) {
  std::int64_t n = 1;
  for (std::int64_t d : dims) {
    if (d < 0)
      throw std::invalid_argument("element_count: negative extent in shape " + to_string(dims));
    if (d != 0 && n > std::numeric_limits<std::int64_t>::max() / d)
      throw std::invalid_argument("element_count: shape " + to_string(dims) +
                                  " has more than 2^63 - 1 elements");
    n *= d;
  }
  return n;
}

std::string to_string(const shape& dims) {
  std::ostringstream s;
  s << '[';
  for (std::size_t i = 0; i < dims.size(); ++i) s << (i ? ", " : "") << dims[i];
  s << ']';
  return s.str();
}

std::int64_t window_count(const tensor_view& view, const char* function) {
  if (!is_valid(view.type))
    throw std::invalid_argument(std::string(function) + ": unknown dtype value " +
                                std::to_string(static_cast<int>(view.type)) +
                                " (expected f32, f64, f16 or bf16)");
  const std::int64_t total = element_count(view.dims);
  if (view.first < 0 || view.first > total)
    throw std::invalid_argument(std::string(function) + ": window start " +
                                std::to_string(view.first) + " lies outside tensor " +
                                to_string(view.dims) + " of " + std::to_string(total) +
                                " elements");
  const std::int64_t n = view.count == -1 ? total - view.first : view.count;
  if (n < 0 || n > total - view.first)
    throw std::invalid_argument(std::string(function) + ": window [" + std::to_string(view.first) +
                                ", +" + std::to_string(view.count) + ") lies outside tensor " +
                                to_string(view.dims) + " of " + std::to_string(total) +
                                " elements");
  // Every byte address a fill computes is data + local index · size: it must fit.
  if (static_cast<std::uint64_t>(n) >
      std::numeric_limits<std::uint64_t>::max() / 2 / size_of(view.type))
    throw std::invalid_argument(std::string(function) + ": window of " + std::to_string(n) + " " +
                                to_string(view.type) +
                                " elements is larger than memory can address");
  return n;
}

distribution distribution::constant(double value) {
  distribution d;
  d.kind = distribution_kind::constant;
  d.value = value;
  return d;
}
distribution distribution::uniform(double low, double high) {
  distribution d;
  d.kind = distribution_kind::uniform;
  d.low = low;
  d.high = high;
  return d;
}
distribution distribution::normal(double mean, double stddev) {
  distribution d;
  d.kind = distribution_kind::normal;
  d.mean = mean;
  d.stddev = stddev;
  return d;
}
distribution distribution::truncated_normal(double mean, double stddev, double low, double high) {
  distribution d;
  d.kind = distribution_kind::truncated_normal;
  d.mean = mean;
  d.stddev = stddev;
  d.low = low;
  d.high = high;
  return d;
}

std::string to_string(const distribution& d) {
  const auto f = format_number;
  switch (d.kind) {
    case distribution_kind::constant: return "constant(value=" + f(d.value) + ")";
    case distribution_kind::uniform: return "uniform(a=" + f(d.low) + ", b=" + f(d.high) + ")";
    case distribution_kind::normal:
      return "normal(mean=" + f(d.mean) + ", std=" + f(d.stddev) + ")";
    case distribution_kind::truncated_normal:
      return "truncated_normal(mean=" + f(d.mean) + ", std=" + f(d.stddev) + ", a=" + f(d.low) +
             ", b=" + f(d.high) + ")";
  }
  return "distribution(kind=" + std::to_string(static_cast<int>(d.kind)) + ")";
}

}  // namespace weightinit
