// host/resolve.cpp: an elementwise scheme against fans → the distribution a fill draws, with the
// formulas of the papers computed in the operation order PyTorch and Keras use (so resolved
// parameters equal theirs in double).
#include <cmath>
#include <limits>
#include <string>

#include "prepare.hpp"
#include "schemes_internal.hpp"

namespace weightinit {
namespace {

// Keras/JAX: the standard deviation of the standard normal truncated to [-2, 2], as the literal
// those frameworks divide by (variance_scaling with truncated_normal), so our σ equals theirs.
constexpr double k_trunc2_std = .87962566103423978;

[[noreturn]] void bad(const initializer& init, const std::string& why) {
  detail::throw_invalid(to_string(init.kind()), why);
}

// The fan a mode divides by, after checking that the fans it reads are finite and > 0.
double fan_for(const initializer& init, fan_mode m, const fans& f) {
  const bool need_in = m != fan_mode::fan_out, need_out = m != fan_mode::fan_in;
  if (need_in && !(std::isfinite(f.fan_in) && f.fan_in > 0))
    bad(init, "needs fan_in > 0, got fan_in " + format_number(f.fan_in) +
                  " (a zero extent in the shape?)");
  if (need_out && !(std::isfinite(f.fan_out) && f.fan_out > 0))
    bad(init, "needs fan_out > 0, got fan_out " + format_number(f.fan_out) +
                  " (a zero extent in the shape?)");
  switch (m) {
    case fan_mode::fan_in: return f.fan_in;
    case fan_mode::fan_out: return f.fan_out;
    case fan_mode::fan_avg: return (f.fan_in + f.fan_out) / 2.0;
    case fan_mode::fan_geo_avg: return std::sqrt(f.fan_in * f.fan_out);
  }
  bad(init, "unknown mode value " + std::to_string(static_cast<int>(m)));
}

// He et al.: σ = gain/√fan, bound = √3·σ = gain·√(3/fan) (PyTorch's kaiming_* order).
double he_std(const initializer& init, fan_mode mode, nonlinearity nl, double negative_slope,
              const fans& f) {
  const double fan = fan_for(init, mode, f);
  return gain(nl, negative_slope) / std::sqrt(fan);
}

}  // namespace

namespace detail {

bool same_distribution(const distribution& x, const distribution& y) {
  return x.kind == y.kind && x.value == y.value && x.low == y.low && x.high == y.high &&
         x.mean == y.mean && x.stddev == y.stddev;
}

double truncated_standard_normal_std(double a, double b) {
  const double inv_sqrt_2pi = 0.39894228040143267794;
  auto phi = [&](double x) { return std::isinf(x) ? 0.0 : inv_sqrt_2pi * std::exp(-0.5 * x * x); };
  auto x_phi = [&](double x) { return std::isinf(x) ? 0.0 : x * phi(x); };
  const double z = normal_interval_mass(a, b);
  const double m = (phi(a) - phi(b)) / z;
  const double var = 1.0 + (x_phi(a) - x_phi(b)) / z - m * m;
  return var > 0 && std::isfinite(var) ? std::sqrt(var) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace detail

distribution resolve_with_fans(const initializer& init, const fans& f) {
  validate(init);
  const double sqrt3 = std::sqrt(3.0);
  switch (init.kind()) {
    case scheme::zeros: return distribution::constant(0.0);
    case scheme::ones: return distribution::constant(1.0);
    case scheme::constant: return distribution::constant(init.get_if<params::constant>()->value);
    case scheme::uniform: {
      const auto& p = *init.get_if<params::uniform>();
      return distribution::uniform(p.a, p.b);
    }
    case scheme::normal: {
      const auto& p = *init.get_if<params::normal>();
      return distribution::normal(p.mean, p.stddev);
    }
    case scheme::truncated_normal: {
      const auto& p = *init.get_if<params::truncated_normal>();
      return distribution::truncated_normal(p.mean, p.stddev, p.a, p.b);
    }
    case scheme::truncated_normal_sigma: {
      const auto& p = *init.get_if<params::truncated_normal_sigma>();
      const double sigma = p.correct_variance
                               ? p.stddev / detail::truncated_standard_normal_std(p.a, p.b)
                               : p.stddev;
      return distribution::truncated_normal(p.mean, sigma, p.mean + p.a * sigma,
                                            p.mean + p.b * sigma);
    }
    case scheme::xavier_uniform: {
      // Glorot & Bengio: bound = gain·√(6/(fan_in+fan_out)); PyTorch's order: √3 ·
      // gain·√(2/(in+out)).
      fan_for(init, fan_mode::fan_avg, f);  // checks both fans
      const double std =
          init.get_if<params::xavier_uniform>()->gain * std::sqrt(2.0 / (f.fan_in + f.fan_out));
      return distribution::uniform(-sqrt3 * std, sqrt3 * std);
    }
    case scheme::xavier_normal:
      fan_for(init, fan_mode::fan_avg, f);
      return distribution::normal(0.0, init.get_if<params::xavier_normal>()->gain *
                                           std::sqrt(2.0 / (f.fan_in + f.fan_out)));
    case scheme::he_uniform: {
      const auto& p = *init.get_if<params::he_uniform>();
      const double std = he_std(init, p.mode, p.nonlinearity, p.negative_slope, f);
      return distribution::uniform(-sqrt3 * std, sqrt3 * std);
    }
    case scheme::he_normal: {
      const auto& p = *init.get_if<params::he_normal>();
      return distribution::normal(0.0, he_std(init, p.mode, p.nonlinearity, p.negative_slope, f));
    }
    case scheme::lecun_uniform: {
      const double limit = std::sqrt(3.0 / fan_for(init, fan_mode::fan_in, f));
      return distribution::uniform(-limit, limit);
    }
    case scheme::lecun_normal:
      return distribution::normal(0.0, std::sqrt(1.0 / fan_for(init, fan_mode::fan_in, f)));
    case scheme::variance_scaling: {
      // Keras/JAX VarianceScaling, same operations in the same order.
      const auto& p = *init.get_if<params::variance_scaling>();
      const double variance = p.scale / fan_for(init, p.mode, f);
      switch (p.distribution) {
        case scale_distribution::uniform: {
          const double limit = std::sqrt(3.0 * variance);
          return distribution::uniform(-limit, limit);
        }
        case scale_distribution::normal: return distribution::normal(0.0, std::sqrt(variance));
        case scale_distribution::truncated_normal: {
          // Keras/JAX: σ = √variance / 0.8796… so the variance after truncation at ±2σ is
          // `variance`.
          const double std = std::sqrt(variance) / k_trunc2_std;
          return distribution::truncated_normal(0.0, std, -2.0 * std, 2.0 * std);
        }
      }
      break;
    }
    case scheme::bias_uniform: {
      const double bound = 1.0 / std::sqrt(fan_for(init, fan_mode::fan_in, f));
      return distribution::uniform(-bound, bound);
    }
    case scheme::orthogonal:
    case scheme::eye:
    case scheme::dirac:
    case scheme::sparse:
      bad(init,
          "is a structured scheme, not an elementwise distribution: fill the tensor with "
          "fill_host or fill instead of resolving it");
  }
  bad(init, "cannot resolve");
}

distribution resolve(const initializer& init, const shape& dims, const fan_layout& lay) {
  validate(init);
  if (!uses_fans(init.kind())) return resolve_with_fans(init, fans{});
  const char* fn = to_string(init.kind());
  if (init.kind() == scheme::bias_uniform && dims.size() < 2)
    detail::throw_invalid(fn,
                          "a bias is resolved with its weight's fans (resolve_with_fans, "
                          "fill_options::fan_override, or a layer preset), got shape " +
                              to_string(dims));
  const std::vector<fans> parts = detail::part_fans(dims, lay, fn);
  const distribution first = resolve_with_fans(init, parts[0]);
  for (std::size_t p = 1; p < parts.size(); ++p)
    if (!detail::same_distribution(resolve_with_fans(init, parts[p]), first))
      detail::throw_invalid(fn, "the packed parts of shape " + to_string(dims) +
                                    " resolve to different distributions; fill_host and fill "
                                    "handle them part by part");
  return first;
}

}  // namespace weightinit
