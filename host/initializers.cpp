// host/initializers.cpp: the initializer value type: names of the schemes and their enums, the
// parameter structs' equality, the factories, SPEC text of an initializer, and validate().
#include <cmath>
#include <stdexcept>
#include <string>

#include "schemes_internal.hpp"

namespace weightinit {
namespace {

[[noreturn]] void bad(const initializer& init, const std::string& why) {
  detail::throw_invalid(to_string(init.kind()), why);
}

void require_finite(const initializer& init, const char* name, double v) {
  if (!std::isfinite(v))
    bad(init, std::string(name) + " must be a finite number, got " + format_number(v));
}

void require_positive_gain(const initializer& init, double g) {
  if (!(std::isfinite(g) && g > 0))
    bad(init, "gain must be a finite number > 0, got " + format_number(g));
}

void require_he(const initializer& init, fan_mode mode, nonlinearity nl, double negative_slope) {
  if (mode != fan_mode::fan_in && mode != fan_mode::fan_out)
    bad(init, std::string("mode must be fan_in or fan_out, got ") +
                  (detail::is_valid(mode) ? to_string(mode)
                                          : std::to_string(static_cast<int>(mode)).c_str()) +
                  " (variance_scaling takes fan_avg and fan_geo_avg)");
  if (!std::isfinite(negative_slope))
    bad(init,
        "a (the negative slope) must be a finite number, got " + format_number(negative_slope));
  if (!detail::is_valid(nl))
    bad(init, "unknown nonlinearity value " + std::to_string(static_cast<int>(nl)));
}

void require_truncation(const initializer& init, double mean, double stddev, double a, double b) {
  require_finite(init, "mean", mean);
  if (!(std::isfinite(stddev) && stddev > 0))
    bad(init, "std must be a finite number > 0, got " + format_number(stddev));
  if (std::isnan(a) || std::isnan(b) || !(a < b))
    bad(init, "needs a < b, got a=" + format_number(a) + ", b=" + format_number(b));
}

}  // namespace

namespace detail {
bool is_valid(fan_mode m) noexcept {
  return m == fan_mode::fan_in || m == fan_mode::fan_out || m == fan_mode::fan_avg ||
         m == fan_mode::fan_geo_avg;
}
bool is_valid(nonlinearity nl) noexcept {
  return static_cast<int>(nl) >= static_cast<int>(nonlinearity::linear) &&
         static_cast<int>(nl) <= static_cast<int>(nonlinearity::selu);
}
bool is_valid(scale_distribution d) noexcept {
  return d == scale_distribution::uniform || d == scale_distribution::normal ||
         d == scale_distribution::truncated_normal;
}
}  // namespace detail

// ---- names ------------------------------------------------------------------------------------

const char* to_string(fan_mode m) noexcept {
  switch (m) {
    case fan_mode::fan_in: return "fan_in";
    case fan_mode::fan_out: return "fan_out";
    case fan_mode::fan_avg: return "fan_avg";
    case fan_mode::fan_geo_avg: return "fan_geo_avg";
  }
  return "?";
}

fan_mode parse_fan_mode(const std::string& name) {
  if (name == "fan_in") return fan_mode::fan_in;
  if (name == "fan_out") return fan_mode::fan_out;
  if (name == "fan_avg") return fan_mode::fan_avg;
  if (name == "fan_geo_avg") return fan_mode::fan_geo_avg;
  throw std::invalid_argument("parse_fan_mode: unknown mode '" + name +
                              "' (expected fan_in, fan_out, fan_avg, fan_geo_avg)");
}

const char* to_string(scale_distribution d) noexcept {
  switch (d) {
    case scale_distribution::uniform: return "uniform";
    case scale_distribution::normal: return "normal";
    case scale_distribution::truncated_normal: return "truncated_normal";
  }
  return "?";
}

scale_distribution parse_scale_distribution(const std::string& name) {
  if (name == "uniform") return scale_distribution::uniform;
  if (name == "normal" || name == "untruncated_normal") return scale_distribution::normal;
  if (name == "truncated_normal") return scale_distribution::truncated_normal;
  throw std::invalid_argument(
      "parse_scale_distribution: unknown distribution '" + name +
      "' (expected uniform, normal (= untruncated_normal), truncated_normal)");
}

const char* to_string(scheme s) noexcept {
  switch (s) {
    case scheme::zeros: return "zeros";
    case scheme::ones: return "ones";
    case scheme::constant: return "constant";
    case scheme::uniform: return "uniform";
    case scheme::normal: return "normal";
    case scheme::truncated_normal: return "truncated_normal";
    case scheme::truncated_normal_sigma: return "truncated_normal_sigma";
    case scheme::xavier_uniform: return "xavier_uniform";
    case scheme::xavier_normal: return "xavier_normal";
    case scheme::he_uniform: return "he_uniform";
    case scheme::he_normal: return "he_normal";
    case scheme::lecun_uniform: return "lecun_uniform";
    case scheme::lecun_normal: return "lecun_normal";
    case scheme::variance_scaling: return "variance_scaling";
    case scheme::bias_uniform: return "bias_uniform";
    case scheme::orthogonal: return "orthogonal";
    case scheme::eye: return "eye";
    case scheme::dirac: return "dirac";
    case scheme::sparse: return "sparse";
  }
  return "?";
}

bool is_elementwise(scheme s) noexcept {
  return !(s == scheme::orthogonal || s == scheme::eye || s == scheme::dirac ||
           s == scheme::sparse);
}

bool uses_fans(scheme s) noexcept {
  switch (s) {
    case scheme::xavier_uniform:
    case scheme::xavier_normal:
    case scheme::he_uniform:
    case scheme::he_normal:
    case scheme::lecun_uniform:
    case scheme::lecun_normal:
    case scheme::variance_scaling:
    case scheme::bias_uniform: return true;
    default: return false;
  }
}

// ---- the parameter structs --------------------------------------------------------------------

namespace params {
bool operator==(const zeros&, const zeros&) noexcept { return true; }
bool operator==(const ones&, const ones&) noexcept { return true; }
bool operator==(const constant& x, const constant& y) noexcept { return x.value == y.value; }
bool operator==(const uniform& x, const uniform& y) noexcept { return x.a == y.a && x.b == y.b; }
bool operator==(const normal& x, const normal& y) noexcept {
  return x.mean == y.mean && x.stddev == y.stddev;
}
bool operator==(const truncated_normal& x, const truncated_normal& y) noexcept {
  return x.mean == y.mean && x.stddev == y.stddev && x.a == y.a && x.b == y.b;
}
bool operator==(const truncated_normal_sigma& x, const truncated_normal_sigma& y) noexcept {
  return x.mean == y.mean && x.stddev == y.stddev && x.a == y.a && x.b == y.b &&
         x.correct_variance == y.correct_variance;
}
bool operator==(const xavier_uniform& x, const xavier_uniform& y) noexcept {
  return x.gain == y.gain;
}
bool operator==(const xavier_normal& x, const xavier_normal& y) noexcept {
  return x.gain == y.gain;
}
bool operator==(const he_uniform& x, const he_uniform& y) noexcept {
  return x.mode == y.mode && x.nonlinearity == y.nonlinearity &&
         x.negative_slope == y.negative_slope;
}
bool operator==(const he_normal& x, const he_normal& y) noexcept {
  return x.mode == y.mode && x.nonlinearity == y.nonlinearity &&
         x.negative_slope == y.negative_slope;
}
bool operator==(const lecun_uniform&, const lecun_uniform&) noexcept { return true; }
bool operator==(const lecun_normal&, const lecun_normal&) noexcept { return true; }
bool operator==(const variance_scaling& x, const variance_scaling& y) noexcept {
  return x.scale == y.scale && x.mode == y.mode && x.distribution == y.distribution;
}
bool operator==(const bias_uniform&, const bias_uniform&) noexcept { return true; }
bool operator==(const orthogonal& x, const orthogonal& y) noexcept { return x.gain == y.gain; }
bool operator==(const eye& x, const eye& y) noexcept { return x.gain == y.gain; }
bool operator==(const dirac& x, const dirac& y) noexcept { return x.groups == y.groups; }
bool operator==(const sparse& x, const sparse& y) noexcept {
  return x.sparsity == y.sparsity && x.stddev == y.stddev;
}
}  // namespace params

initializer::initializer(const distribution& d) {
  switch (d.kind) {
    case distribution_kind::constant: p_ = params::constant{d.value}; return;
    case distribution_kind::uniform: p_ = params::uniform{d.low, d.high}; return;
    case distribution_kind::normal: p_ = params::normal{d.mean, d.stddev}; return;
    case distribution_kind::truncated_normal:
      p_ = params::truncated_normal{d.mean, d.stddev, d.low, d.high};
      return;
  }
  detail::throw_invalid(
      "initializer", "unknown distribution kind value " + std::to_string(static_cast<int>(d.kind)));
}

// ---- SPEC text ----------------------------------------------------------------------------------

std::string to_string(const initializer& i) {
  const std::string n = to_string(i.kind());
  auto he = [&](fan_mode mode, nonlinearity nl, double slope) {
    return n + "(mode=" + to_string(mode) + ",nonlinearity=" + to_string(nl) +
           ",a=" + format_number(slope) + ")";
  };
  switch (i.kind()) {
    case scheme::zeros:
    case scheme::ones:
    case scheme::lecun_uniform:
    case scheme::lecun_normal:
    case scheme::bias_uniform: return n;
    case scheme::constant:
      return n + "(value=" + format_number(i.get_if<params::constant>()->value) + ")";
    case scheme::uniform: {
      const auto& p = *i.get_if<params::uniform>();
      return n + "(a=" + format_number(p.a) + ",b=" + format_number(p.b) + ")";
    }
    case scheme::normal: {
      const auto& p = *i.get_if<params::normal>();
      return n + "(mean=" + format_number(p.mean) + ",std=" + format_number(p.stddev) + ")";
    }
    case scheme::truncated_normal: {
      const auto& p = *i.get_if<params::truncated_normal>();
      return n + "(mean=" + format_number(p.mean) + ",std=" + format_number(p.stddev) +
             ",a=" + format_number(p.a) + ",b=" + format_number(p.b) + ")";
    }
    case scheme::truncated_normal_sigma: {
      const auto& p = *i.get_if<params::truncated_normal_sigma>();
      return n + "(mean=" + format_number(p.mean) + ",std=" + format_number(p.stddev) +
             ",a=" + format_number(p.a) + ",b=" + format_number(p.b) +
             ",correct_variance=" + (p.correct_variance ? "true" : "false") + ")";
    }
    case scheme::xavier_uniform:
      return n + "(gain=" + format_number(i.get_if<params::xavier_uniform>()->gain) + ")";
    case scheme::xavier_normal:
      return n + "(gain=" + format_number(i.get_if<params::xavier_normal>()->gain) + ")";
    case scheme::orthogonal:
      return n + "(gain=" + format_number(i.get_if<params::orthogonal>()->gain) + ")";
    case scheme::eye: return n + "(gain=" + format_number(i.get_if<params::eye>()->gain) + ")";
    case scheme::he_uniform: {
      const auto& p = *i.get_if<params::he_uniform>();
      return he(p.mode, p.nonlinearity, p.negative_slope);
    }
    case scheme::he_normal: {
      const auto& p = *i.get_if<params::he_normal>();
      return he(p.mode, p.nonlinearity, p.negative_slope);
    }
    case scheme::variance_scaling: {
      const auto& p = *i.get_if<params::variance_scaling>();
      return n + "(scale=" + format_number(p.scale) + ",mode=" + to_string(p.mode) +
             ",distribution=" + to_string(p.distribution) + ")";
    }
    case scheme::dirac:
      return n + "(groups=" + std::to_string(i.get_if<params::dirac>()->groups) + ")";
    case scheme::sparse: {
      const auto& p = *i.get_if<params::sparse>();
      return n + "(sparsity=" + format_number(p.sparsity) + ",std=" + format_number(p.stddev) + ")";
    }
  }
  return "?";
}

// ---- factories --------------------------------------------------------------------------------

initializer zeros() { return params::zeros{}; }
initializer ones() { return params::ones{}; }
initializer constant(double value) { return params::constant{value}; }
initializer uniform(double a, double b) { return params::uniform{a, b}; }
initializer normal(double mean, double stddev) { return params::normal{mean, stddev}; }
initializer truncated_normal(double mean, double stddev, double a, double b) {
  return params::truncated_normal{mean, stddev, a, b};
}
initializer truncated_normal_sigma(double mean, double stddev, double a, double b,
                                   bool correct_variance) {
  return params::truncated_normal_sigma{mean, stddev, a, b, correct_variance};
}
initializer xavier_uniform(double g) { return params::xavier_uniform{g}; }
initializer xavier_normal(double g) { return params::xavier_normal{g}; }
initializer he_uniform(fan_mode mode, nonlinearity nl, double negative_slope) {
  return params::he_uniform{mode, nl, negative_slope};
}
initializer he_normal(fan_mode mode, nonlinearity nl, double negative_slope) {
  return params::he_normal{mode, nl, negative_slope};
}
initializer lecun_uniform() { return params::lecun_uniform{}; }
initializer lecun_normal() { return params::lecun_normal{}; }
initializer variance_scaling(double scale, fan_mode mode, scale_distribution dist) {
  return params::variance_scaling{scale, mode, dist};
}
initializer bias_uniform() { return params::bias_uniform{}; }
initializer orthogonal(double g) { return params::orthogonal{g}; }
initializer eye(double g) { return params::eye{g}; }
initializer dirac(std::int64_t groups) { return params::dirac{groups}; }
initializer sparse(double sparsity, double stddev) { return params::sparse{sparsity, stddev}; }

// ---- validation ---------------------------------------------------------------------------------

void validate(const initializer& init) {
  switch (init.kind()) {
    case scheme::zeros:
    case scheme::ones:
    case scheme::lecun_uniform:
    case scheme::lecun_normal:
    case scheme::bias_uniform: return;
    case scheme::constant:
      require_finite(init, "value", init.get_if<params::constant>()->value);
      return;
    case scheme::uniform: {
      const auto& p = *init.get_if<params::uniform>();
      require_finite(init, "a", p.a);
      require_finite(init, "b", p.b);
      if (!(p.a < p.b))
        bad(init, "needs a < b, got a=" + format_number(p.a) + ", b=" + format_number(p.b));
      return;
    }
    case scheme::normal: {
      const auto& p = *init.get_if<params::normal>();
      require_finite(init, "mean", p.mean);
      if (!(std::isfinite(p.stddev) && p.stddev >= 0))
        bad(init, "std must be a finite number >= 0, got " + format_number(p.stddev));
      return;
    }
    case scheme::sparse: {
      const auto& p = *init.get_if<params::sparse>();
      if (!(std::isfinite(p.stddev) && p.stddev >= 0))
        bad(init, "std must be a finite number >= 0, got " + format_number(p.stddev));
      if (!(p.sparsity >= 0 && p.sparsity <= 1))
        bad(init, "sparsity must lie in [0, 1], got " + format_number(p.sparsity));
      return;
    }
    case scheme::truncated_normal: {
      const auto& p = *init.get_if<params::truncated_normal>();
      require_truncation(init, p.mean, p.stddev, p.a, p.b);
      return;
    }
    case scheme::truncated_normal_sigma: {
      const auto& p = *init.get_if<params::truncated_normal_sigma>();
      require_truncation(init, p.mean, p.stddev, p.a, p.b);
      if (p.correct_variance && !std::isfinite(detail::truncated_standard_normal_std(p.a, p.b)))
        bad(init, "cannot correct the variance of [a, b] = [" + format_number(p.a) + ", " +
                      format_number(p.b) + "] sigma: the interval is too far in the tail");
      return;
    }
    case scheme::xavier_uniform:
      require_positive_gain(init, init.get_if<params::xavier_uniform>()->gain);
      return;
    case scheme::xavier_normal:
      require_positive_gain(init, init.get_if<params::xavier_normal>()->gain);
      return;
    case scheme::he_uniform: {
      const auto& p = *init.get_if<params::he_uniform>();
      require_he(init, p.mode, p.nonlinearity, p.negative_slope);
      return;
    }
    case scheme::he_normal: {
      const auto& p = *init.get_if<params::he_normal>();
      require_he(init, p.mode, p.nonlinearity, p.negative_slope);
      return;
    }
    case scheme::variance_scaling: {
      const auto& p = *init.get_if<params::variance_scaling>();
      if (!(std::isfinite(p.scale) && p.scale > 0))
        bad(init, "scale must be a finite number > 0, got " + format_number(p.scale));
      if (!detail::is_valid(p.mode))
        bad(init, "unknown mode value " + std::to_string(static_cast<int>(p.mode)));
      if (!detail::is_valid(p.distribution))
        bad(init, "unknown distribution value " + std::to_string(static_cast<int>(p.distribution)));
      return;
    }
    case scheme::orthogonal:
      require_finite(init, "gain", init.get_if<params::orthogonal>()->gain);
      return;
    case scheme::eye: require_finite(init, "gain", init.get_if<params::eye>()->gain); return;
    case scheme::dirac: {
      const std::int64_t g = init.get_if<params::dirac>()->groups;
      if (g < 1) bad(init, "groups must be >= 1, got " + std::to_string(g));
      return;
    }
  }
  detail::throw_invalid("validate",
                        "unknown scheme value " + std::to_string(static_cast<int>(init.kind())));
}

}  // namespace weightinit
