// host/normal_mass.cpp: the probability of an interval under the standard normal, each bound taken
// in the tail where it is accurate. The one place the truncated normal's mass is computed (the
// fills' parameter checks and the variance correction of truncated_normal_sigma both use it).
#include "prepare.hpp"

namespace weightinit {
namespace detail {

// Each form where its terms do not cancel: far right, far left, and near the centre (the erf
// difference keeps narrow intervals at and beside 0 accurate).
double normal_interval_mass(double a, double b) {
  if (a >= 1) return normal_ccdf(a) - normal_ccdf(b);
  if (b <= -1) return normal_cdf(b) - normal_cdf(a);
  return normal_half_minus_cdf(a) - normal_half_minus_cdf(b);
}

}  // namespace detail
}  // namespace weightinit
