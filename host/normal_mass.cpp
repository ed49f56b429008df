// host/normal_mass.cpp: the probability of an interval under the standard normal, each bound taken
// in the tail where it is accurate. The one place the truncated normal's mass is computed (the
// fills' parameter checks and the variance correction of truncated_normal_sigma both use it).
#include "prepare.hpp"

namespace weightinit {
namespace detail {

double normal_interval_mass(double a, double b) {
  if (a >= 0) return normal_ccdf(a) - normal_ccdf(b);
  if (b <= 0) return normal_cdf(b) - normal_cdf(a);
  return 1.0 - normal_cdf(a) - normal_ccdf(b);
}

}  // namespace detail
}  // namespace weightinit
