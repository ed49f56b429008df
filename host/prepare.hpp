// host/prepare.hpp: validates a distribution and derives the parameters the fills use
// (kernels/element.hpp), once, on the host, in double precision, then rounded to the math type.
#pragma once

#include "../kernels/element.hpp"
#include "weightinit/types.hpp"

namespace weightinit {
namespace detail {

/// Throws std::invalid_argument naming `function` when the distribution is malformed for `type`.
prepared<float> prepare_f32(const distribution& d, dtype type, const char* function);
prepared<double> prepare_f64(const distribution& d, const char* function);

/// Standard normal CDF Phi(x) and upper tail Q(x) = 1 - Phi(x), each accurate in its own tail.
double normal_cdf(double x);
double normal_ccdf(double x);
/// 1/2 - Phi(x), accurate near x = 0 (the centre side of the truncated normal).
double normal_half_minus_cdf(double x);
/// Probability of [a, b] under the standard normal (host/normal_mass.cpp): the one computation of
/// the truncated normal's mass, each form where its terms do not cancel.
double normal_interval_mass(double a, double b);

}  // namespace detail
}  // namespace weightinit
