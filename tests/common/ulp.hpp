// tests/common/ulp.hpp: the error of a computed value in units of the last place of the reference's
// format (f32 or f64) at the reference value, the measure the accuracy tests bound.
#pragma once

#include <algorithm>
#include <cmath>

namespace weightinit_test {

inline double ulp_error(long double got, long double ref, int mantissa_bits, int min_exponent) {
  if (ref == 0) return got == 0 ? 0 : 1e9;
  int e;
  std::frexp(static_cast<double>(ref), &e);  // |ref| in [2^(e-1), 2^e)
  const long double ulp = std::ldexp(1.0L, std::max(e - mantissa_bits, min_exponent));
  return static_cast<double>(std::fabs(got - ref) / ulp);
}
inline double ulp_error_f32(float got, long double ref) { return ulp_error(got, ref, 24, -149); }
inline double ulp_error_f64(double got, long double ref) { return ulp_error(got, ref, 53, -1074); }

}  // namespace weightinit_test
