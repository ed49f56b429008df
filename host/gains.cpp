// host/gains.cpp: PyTorch's calculate_gain table, nonlinearity names, and recommended_init, the
// activation → scheme table users expect (Xavier for saturating activations, He for rectifiers).
#include <cmath>
#include <stdexcept>
#include <string>

#include "schemes_internal.hpp"

namespace weightinit {
namespace {

struct nonlinearity_name {
  nonlinearity nl;
  const char* name;
};
constexpr nonlinearity_name k_names[] = {
    {nonlinearity::linear, "linear"},
    {nonlinearity::identity, "identity"},
    {nonlinearity::conv1d, "conv1d"},
    {nonlinearity::conv2d, "conv2d"},
    {nonlinearity::conv3d, "conv3d"},
    {nonlinearity::conv_transpose1d, "conv_transpose1d"},
    {nonlinearity::conv_transpose2d, "conv_transpose2d"},
    {nonlinearity::conv_transpose3d, "conv_transpose3d"},
    {nonlinearity::sigmoid, "sigmoid"},
    {nonlinearity::tanh, "tanh"},
    {nonlinearity::relu, "relu"},
    {nonlinearity::leaky_relu, "leaky_relu"},
    {nonlinearity::selu, "selu"},
};

// The activations recommended_init knows that are no nonlinearity of PyTorch's table, with the gain
// recommended_init uses for them: the rectifier-like ones take relu's √2 (He normal), softmax and
// none the linear gain 1 (Xavier uniform).
constexpr nonlinearity_name k_activation_names[] = {
    {nonlinearity::relu, "gelu"},   {nonlinearity::relu, "silu"}, {nonlinearity::relu, "swish"},
    {nonlinearity::relu, "elu"},    {nonlinearity::relu, "mish"}, {nonlinearity::linear, "softmax"},
    {nonlinearity::linear, "none"},
};

std::string known_names() {
  std::string s;
  for (const auto& n : k_names) s += (s.empty() ? "" : ", ") + std::string(n.name);
  return s;
}

}  // namespace

const char* to_string(nonlinearity nl) noexcept {
  for (const auto& n : k_names)
    if (n.nl == nl) return n.name;
  return "?";
}

nonlinearity parse_nonlinearity(const std::string& name) {
  for (const auto& n : k_names)
    if (name == n.name) return n.nl;
  throw std::invalid_argument("gain: unknown nonlinearity '" + name + "' (expected " +
                              known_names() + ")");
}

double gain(nonlinearity nl, std::optional<double> param) {
  if (param && !std::isfinite(*param))
    detail::throw_invalid("gain", std::string(to_string(nl)) +
                                      ": param (negative slope) must be a "
                                      "finite number, got " +
                                      std::to_string(*param));
  switch (nl) {
    case nonlinearity::linear:
    case nonlinearity::identity:
    case nonlinearity::conv1d:
    case nonlinearity::conv2d:
    case nonlinearity::conv3d:
    case nonlinearity::conv_transpose1d:
    case nonlinearity::conv_transpose2d:
    case nonlinearity::conv_transpose3d:
    case nonlinearity::sigmoid: return 1.0;
    case nonlinearity::tanh: return 5.0 / 3;
    case nonlinearity::relu: return std::sqrt(2.0);
    case nonlinearity::leaky_relu: {
      const double slope = param ? *param : 0.01;
      return std::sqrt(2.0 / (1 + slope * slope));  // PyTorch: math.sqrt(2.0 / (1 + slope**2))
    }
    case nonlinearity::selu: return 3.0 / 4;
  }
  detail::throw_invalid("gain",
                        "unknown nonlinearity value " + std::to_string(static_cast<int>(nl)));
}

double gain(const std::string& name, std::optional<double> param) {
  for (const auto& n : k_names)
    if (name == n.name) return gain(n.nl, param);
  for (const auto& n : k_activation_names)
    if (name == n.name) return gain(n.nl, param);
  std::string known = known_names();
  for (const auto& n : k_activation_names) known += ", " + std::string(n.name);
  throw std::invalid_argument("gain: unknown nonlinearity '" + name + "' (expected " + known + ")");
}

initializer recommended_init(const std::string& activation, std::optional<double> param) {
  const std::string& a = activation;
  if (param && !std::isfinite(*param))
    detail::throw_invalid("recommended_init", a + ": param must be a finite number");
  if (a == "sigmoid" || a == "softmax" || a == "linear" || a == "identity" || a == "none")
    return xavier_uniform(1.0);
  if (a == "tanh") return xavier_uniform(gain(nonlinearity::tanh));
  if (a == "relu" || a == "gelu" || a == "silu" || a == "swish" || a == "elu" || a == "mish")
    return he_normal(fan_mode::fan_in, nonlinearity::relu, 0);
  if (a == "leaky_relu")
    return he_normal(fan_mode::fan_in, nonlinearity::leaky_relu, param ? *param : 0.01);
  if (a == "selu") return lecun_normal();
  throw std::invalid_argument("recommended_init: unknown activation '" + a +
                              "' (expected sigmoid, tanh, softmax, linear, identity, none, relu, "
                              "leaky_relu, gelu, silu, swish, elu, mish, selu)");
}

}  // namespace weightinit
