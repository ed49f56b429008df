// host/scheme_spec.cpp: SPEC strings for every scheme (DESIGN.md §3), e.g.
// "he_normal(mode=fan_out)" or "variance_scaling(scale=2,mode=fan_in,distribution=uniform)".
// Parameters left out take PyTorch's defaults (Keras's for variance_scaling). Every error names the
// unknown word and what was expected.
#include <cmath>
#include <stdexcept>
#include <string>

#include "weightinit/initializers.hpp"
#include "weightinit/spec.hpp"

namespace weightinit {
namespace {

const char* const k_schemes =
    "zeros, ones, constant, uniform, normal, truncated_normal, truncated_normal_sigma, "
    "xavier_uniform, xavier_normal, glorot_uniform, glorot_normal, he_uniform, he_normal, "
    "kaiming_uniform, kaiming_normal, lecun_uniform, lecun_normal, variance_scaling, bias_uniform, "
    "orthogonal, eye, dirac, sparse";

std::string text_param(const spec& s, const std::string& k, const std::string& fallback) {
  const auto it = s.params.find(k);
  return it == s.params.end() ? fallback : it->second;
}

bool bool_param(const spec& s, const std::string& k, bool fallback) {
  const std::string v = text_param(s, k, fallback ? "true" : "false");
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  throw std::invalid_argument(s.name + ": parameter " + k + "='" + v +
                              "' is not a boolean (expected true, false, 1 or 0)");
}

fan_mode mode_param(const spec& s, bool he) {
  const std::string v = text_param(s, "mode", "fan_in");
  if (v == "fan_in") return fan_mode::fan_in;
  if (v == "fan_out") return fan_mode::fan_out;
  if (!he && v == "fan_avg") return fan_mode::fan_avg;
  if (!he && v == "fan_geo_avg") return fan_mode::fan_geo_avg;
  throw std::invalid_argument(
      s.name + ": unknown mode '" + v + "' (expected " +
      (he ? "fan_in or fan_out" : "fan_in, fan_out, fan_avg or fan_geo_avg") + ")");
}

nonlinearity nonlinearity_param(const spec& s) {
  const std::string v = text_param(s, "nonlinearity", "relu");
  try {
    return parse_nonlinearity(v);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument(s.name + ": unknown nonlinearity '" + v +
                                "' (expected linear, identity, conv1d, conv2d, conv3d, "
                                "conv_transpose1d, conv_transpose2d, conv_transpose3d, sigmoid, "
                                "tanh, relu, leaky_relu, selu)");
  }
}

scale_distribution distribution_param(const spec& s) {
  const std::string v = text_param(s, "distribution", "truncated_normal");
  try {
    return parse_scale_distribution(v);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument(
        s.name + ": unknown distribution '" + v +
        "' (expected uniform, normal, untruncated_normal or truncated_normal)");
  }
}

initializer parse(const spec& s) {
  const std::string& n = s.name;
  if (n == "zeros" || n == "ones" || n == "lecun_uniform" || n == "lecun_normal" ||
      n == "bias_uniform") {
    spec_expect_only(s, "");
    if (n == "zeros") return zeros();
    if (n == "ones") return ones();
    if (n == "lecun_uniform") return lecun_uniform();
    if (n == "lecun_normal") return lecun_normal();
    return bias_uniform();
  }
  if (n == "constant") {
    spec_expect_only(s, "value");
    if (!s.params.count("value"))
      throw std::invalid_argument("constant: needs value=... (a number)");
    return constant(spec_number(s, "value", 0));
  }
  if (n == "uniform") {
    spec_expect_only(s, "a,b");
    return uniform(spec_number(s, "a", 0), spec_number(s, "b", 1));
  }
  if (n == "normal") {
    spec_expect_only(s, "mean,std");
    return normal(spec_number(s, "mean", 0), spec_number(s, "std", 1));
  }
  if (n == "truncated_normal") {
    spec_expect_only(s, "mean,std,a,b");
    return truncated_normal(spec_number(s, "mean", 0), spec_number(s, "std", 1),
                            spec_number(s, "a", -2), spec_number(s, "b", 2));
  }
  if (n == "truncated_normal_sigma") {
    spec_expect_only(s, "mean,std,a,b,correct_variance");
    return truncated_normal_sigma(spec_number(s, "mean", 0), spec_number(s, "std", 1),
                                  spec_number(s, "a", -2), spec_number(s, "b", 2),
                                  bool_param(s, "correct_variance", false));
  }
  if (n == "xavier_uniform" || n == "glorot_uniform" || n == "xavier_normal" ||
      n == "glorot_normal") {
    spec_expect_only(s, "gain");
    const double g = spec_number(s, "gain", 1);
    return n == "xavier_uniform" || n == "glorot_uniform" ? xavier_uniform(g) : xavier_normal(g);
  }
  if (n == "he_uniform" || n == "kaiming_uniform" || n == "he_normal" || n == "kaiming_normal") {
    spec_expect_only(s, "mode,nonlinearity,a");
    const fan_mode m = mode_param(s, true);
    const nonlinearity nl = nonlinearity_param(s);
    const double a = spec_number(s, "a", 0);
    return n == "he_uniform" || n == "kaiming_uniform" ? he_uniform(m, nl, a) : he_normal(m, nl, a);
  }
  if (n == "variance_scaling") {
    spec_expect_only(s, "scale,mode,distribution");
    return variance_scaling(spec_number(s, "scale", 1), mode_param(s, false),
                            distribution_param(s));
  }
  if (n == "orthogonal" || n == "eye") {
    spec_expect_only(s, "gain");
    const double g = spec_number(s, "gain", 1);
    return n == "orthogonal" ? orthogonal(g) : eye(g);
  }
  if (n == "dirac") {
    spec_expect_only(s, "groups");
    const double g = spec_number(s, "groups", 1);
    if (!(g >= 1 && g <= 9.0e15 && g == std::floor(g)))
      throw std::invalid_argument("dirac: groups must be an integer >= 1, got '" +
                                  text_param(s, "groups", "") + "'");
    return dirac(static_cast<std::int64_t>(g));
  }
  if (n == "sparse") {
    spec_expect_only(s, "sparsity,std");
    if (!s.params.count("sparsity"))
      throw std::invalid_argument(
          "sparse: needs sparsity=... (the fraction of each column set to "
          "zero, in [0, 1])");
    return sparse(spec_number(s, "sparsity", 0), spec_number(s, "std", 0.01));
  }
  throw std::invalid_argument("parse_initializer: unknown scheme '" + n + "' (expected " +
                              k_schemes + ")");
}

}  // namespace

const char* initializer_names() noexcept { return k_schemes; }

initializer parse_initializer(const std::string& text) {
  const initializer init = parse(parse_spec(text));
  validate(init);  // bad values fail here, before any tensor is touched
  return init;
}

}  // namespace weightinit
