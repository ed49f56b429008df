// host/representable.cpp: refuses a distribution whose values the tensor's dtype cannot hold. The
// rule (the same for every dtype): every value the fill can produce must be a finite value of the
// dtype, so nothing becomes inf and nothing is clamped to the largest finite value. For the normal,
// "can produce" is mean ± reach·std with the contract's reach (DESIGN.md §1 v2): |z| <= Φ⁻¹(1 −
// 2⁻³³) = 6.338 for f32, f16 and bf16 (16-bit fills round the f32 value) and Φ⁻¹(1 − 2⁻⁵⁴) = 8.292
// for f64. Truncated normals are bounded by [a, b] as well.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "schemes_internal.hpp"

namespace weightinit {
namespace detail {
namespace {

double largest_finite(dtype t) {
  switch (t) {
    case dtype::f32: return std::numeric_limits<float>::max();
    case dtype::f64: return std::numeric_limits<double>::max();
    case dtype::f16: return 65504.0;
    case dtype::bf16: return 3.3895313892515355e38;  // 0x7f7f
  }
  return 0;
}

}  // namespace

double normal_reach(dtype t) noexcept {
  return t == dtype::f64 ? 8.2923610758135955 : 6.3379577545537894;
}

void check_representable(const distribution& d, dtype t, const char* function) {
  const double max = largest_finite(t);
  double lo = 0, hi = 0;
  switch (d.kind) {
    case distribution_kind::constant: lo = hi = d.value; break;
    case distribution_kind::uniform:
      lo = d.low;
      hi = d.high;
      break;
    case distribution_kind::normal:
      lo = d.mean - normal_reach(t) * d.stddev;
      hi = d.mean + normal_reach(t) * d.stddev;
      break;
    case distribution_kind::truncated_normal:
      lo = std::max(d.low, d.mean - normal_reach(t) * d.stddev);
      hi = std::min(d.high, d.mean + normal_reach(t) * d.stddev);
      break;
  }
  if (std::isnan(lo) || std::isnan(hi)) return;  // the distribution's own checks report NaN
  if (lo < -max || hi > max)
    throw_invalid(function, to_string(d) + " can produce values in [" + format_number(lo) + ", " +
                                format_number(hi) + "], beyond the largest finite " + to_string(t) +
                                " (" + format_number(max) + "): they would overflow to infinity");
}

}  // namespace detail
}  // namespace weightinit
