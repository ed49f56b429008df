// host/fans.cpp: fan_in, fan_out and receptive field of a weight shape under PyTorch's (out, in,
// *k), Keras/TF's (*k, in, out) or explicit JAX-style axes, with grouped convolutions and packed
// parts. Products are taken in double: the fans enter the formulas as doubles and are exact up to
// 2^53.
#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "schemes_internal.hpp"

namespace weightinit {
namespace detail {

void throw_invalid(const std::string& function, const std::string& what) {
  throw std::invalid_argument(function + ": " + what);
}

bool is_valid(layout l) noexcept { return l == layout::out_in || l == layout::in_out; }

namespace {

std::string list_string(const std::vector<int>& v) {
  std::ostringstream s;
  s << '{';
  for (std::size_t i = 0; i < v.size(); ++i) s << (i ? ", " : "") << v[i];
  s << '}';
  return s.str();
}

struct axis_roles {
  std::vector<int> in, out, batch;  // normalized, non-negative
};

axis_roles roles_of(const shape& dims, const fan_layout& lay, const char* fn) {
  const int rank = static_cast<int>(dims.size());
  axis_roles r;
  if (!lay.axes) {
    if (lay.convention == layout::out_in) {
      r.out = {0};
      r.in = {1};
    } else if (lay.convention == layout::in_out) {
      r.in = {rank - 2};
      r.out = {rank - 1};
    } else {
      throw_invalid(fn, "unknown layout value " + std::to_string(static_cast<int>(lay.convention)));
    }
    return r;
  }
  const fan_axes& a = *lay.axes;
  if (a.in.empty() || a.out.empty())
    throw_invalid(fn, "explicit axes need non-empty in and out lists, got in " + list_string(a.in) +
                          ", out " + list_string(a.out));
  std::vector<int> seen(static_cast<std::size_t>(rank), 0);
  auto take = [&](const std::vector<int>& src, std::vector<int>& dst, const char* what) {
    for (int ax : src) {
      const int n = ax < 0 ? ax + rank : ax;
      if (n < 0 || n >= rank)
        throw_invalid(fn, std::string(what) + " axis " + std::to_string(ax) +
                              " is out of range for shape " + to_string(dims));
      if (seen[static_cast<std::size_t>(n)]++)
        throw_invalid(fn, "axis " + std::to_string(ax) + " appears twice in in " +
                              list_string(a.in) + ", out " + list_string(a.out) + ", batch " +
                              list_string(a.batch));
      dst.push_back(n);
    }
  };
  take(a.in, r.in, "in");
  take(a.out, r.out, "out");
  take(a.batch, r.batch, "batch");
  return r;
}

}  // namespace

std::vector<fans> part_fans(const shape& dims, const fan_layout& lay, const char* fn) {
  if (dims.size() < 2)
    throw_invalid(fn, "needs rank >= 2 (a weight with input and output dimensions), got shape " +
                          to_string(dims));
  for (std::int64_t d : dims)
    if (d < 0) throw_invalid(fn, "negative extent in shape " + to_string(dims));
  const axis_roles r = roles_of(dims, lay, fn);
  std::vector<int> role(dims.size(), 0);  // 0 receptive, 1 in, 2 out, 3 batch
  for (int a : r.in) role[static_cast<std::size_t>(a)] = 1;
  for (int a : r.out) role[static_cast<std::size_t>(a)] = 2;
  for (int a : r.batch) role[static_cast<std::size_t>(a)] = 3;
  // The element count must fit in int64, and the output extent is computed as a checked integer,
  // so the divisibility by groups is exact (never a double cast back to int64).
  element_count(dims);
  double in = 1, out = 1, rf = 1;
  std::int64_t out_extent = 1;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const double d = static_cast<double>(dims[i]);
    if (role[i] == 0) rf *= d;
    if (role[i] == 1) in *= d;
    if (role[i] == 2) {
      out *= d;
      // The output extent alone can exceed int64 when another extent is 0 (no elements at all).
      if (__builtin_mul_overflow(out_extent, dims[i], &out_extent))
        throw_invalid(fn, "the output extent of shape " + to_string(dims) + " exceeds 2^63 - 1");
    }
  }
  if (lay.groups < 1) throw_invalid(fn, "groups must be >= 1, got " + std::to_string(lay.groups));
  if (lay.groups > 1) {
    if (!lay.parts.empty()) throw_invalid(fn, "groups and packed parts cannot be combined");
    if (out_extent % lay.groups != 0)
      throw_invalid(fn, "output extent " + std::to_string(out_extent) + " of shape " +
                            to_string(dims) + " is not divisible by groups " +
                            std::to_string(lay.groups));
    out = static_cast<double>(out_extent / lay.groups);
  }
  if (lay.parts.empty()) return {fans{in * rf, out * rf, rf}};
  if (r.out.size() != 1)
    throw_invalid(fn,
                  "packed parts need a single output axis, got " + std::to_string(r.out.size()));
  const std::int64_t extent = dims[static_cast<std::size_t>(r.out[0])];
  std::int64_t sum = 0;
  std::vector<fans> result;
  for (std::int64_t p : lay.parts) {
    if (p <= 0) throw_invalid(fn, "packed part sizes must be > 0, got " + std::to_string(p));
    if (p > extent - sum) {
      sum = extent + 1;  // reported below
      break;
    }
    sum += p;
    result.push_back(fans{in * rf, static_cast<double>(p) * rf, rf});
  }
  if (sum != extent) {
    std::ostringstream s;
    s << "packed part sizes {";
    for (std::size_t i = 0; i < lay.parts.size(); ++i) s << (i ? ", " : "") << lay.parts[i];
    s << "} do not add up to the output extent " << extent << " of shape " << to_string(dims);
    throw_invalid(fn, s.str());
  }
  return result;
}

bool output_axis_outermost(const shape& dims, const fan_layout& lay) {
  return roles_of(dims, lay, "output_axis_outermost").out == std::vector<int>{0};
}

}  // namespace detail

const char* to_string(layout l) noexcept {
  switch (l) {
    case layout::out_in: return "out_in";
    case layout::in_out: return "in_out";
  }
  return "?";
}

layout parse_layout(const std::string& name) {
  if (name == "out_in" || name == "pytorch" || name == "torch") return layout::out_in;
  if (name == "in_out" || name == "keras" || name == "tf" || name == "tensorflow" ||
      name == "jax" || name == "flax")
    return layout::in_out;
  throw std::invalid_argument("parse_layout: unknown layout '" + name +
                              "' (expected out_in (PyTorch) or in_out (Keras/TF/JAX))");
}

std::vector<fans> compute_part_fans(const shape& dims, const fan_layout& lay) {
  return detail::part_fans(dims, lay, "compute_fans");
}

fans compute_fans(const shape& dims, const fan_layout& lay) {
  const std::vector<fans> parts = detail::part_fans(dims, lay, "compute_fans");
  for (const fans& f : parts)
    if (f.fan_out != parts[0].fan_out)
      detail::throw_invalid("compute_fans",
                            "packed parts of shape " + to_string(dims) +
                                " differ in size, so their fans differ: use compute_part_fans");
  return parts[0];
}

}  // namespace weightinit
