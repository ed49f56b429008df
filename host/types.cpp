// host/types.cpp: dtype names and sizes, shapes, tensor windows, distribution constructors.
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "weightinit/types.hpp"

#include "../kernels/transforms.hpp"

namespace weightinit {

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

float f16_to_float(std::uint16_t bits) noexcept { return xf::from_f16_bits(bits); }
float bf16_to_float(std::uint16_t bits) noexcept { return xf::from_bf16_bits(bits); }

std::int64_t element_count(const shape& dims) {
  std::int64_t n = 1;
  for (std::int64_t d : dims) {
    if (d < 0) throw std::invalid_argument("element_count: negative extent in shape " + to_string(dims));
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
  const std::int64_t total = element_count(view.dims);
  if (view.first < 0 || view.first > total)
    throw std::invalid_argument(std::string(function) + ": window start " + std::to_string(view.first) +
                                " lies outside tensor " + to_string(view.dims) + " of " +
                                std::to_string(total) + " elements");
  if (view.count == -1) return total - view.first;
  if (view.count < 0 || view.count > total - view.first)
    throw std::invalid_argument(std::string(function) + ": window [" + std::to_string(view.first) +
                                ", +" + std::to_string(view.count) + ") lies outside tensor " +
                                to_string(view.dims) + " of " + std::to_string(total) + " elements");
  return view.count;
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
  std::ostringstream s;
  s.precision(std::numeric_limits<double>::max_digits10);
  switch (d.kind) {
    case distribution_kind::constant: s << "constant(value=" << d.value << ')'; break;
    case distribution_kind::uniform: s << "uniform(a=" << d.low << ", b=" << d.high << ')'; break;
    case distribution_kind::normal: s << "normal(mean=" << d.mean << ", std=" << d.stddev << ')'; break;
    case distribution_kind::truncated_normal:
      s << "truncated_normal(mean=" << d.mean << ", std=" << d.stddev << ", a=" << d.low
        << ", b=" << d.high << ')';
      break;
  }
  return s.str();
}

}  // namespace weightinit
