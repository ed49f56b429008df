// weightinit/presets.hpp: what each framework does by default for a layer (PyTorch Linear/Conv,
// Keras Dense, Flax Dense, Megatron-LM), and the scheme users expect for an activation. The fills
// of a layer's weight and bias are in fill.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "weightinit/fans.hpp"
#include "weightinit/initializers.hpp"

namespace weightinit {

/// The scheme users expect for an activation: sigmoid, tanh, softmax, linear/identity/none →
/// xavier_uniform with gain(activation) (1, or 5/3 for tanh); relu, leaky_relu (negative_slope,
/// default 0.01), gelu, silu/swish, elu, mish → he_normal(fan_in) with the relu / leaky_relu gain;
/// selu → lecun_normal (Klambauer et al. 2017). Unknown names throw std::invalid_argument.
initializer recommended_init(const std::string& activation,
                             std::optional<double> negative_slope = std::nullopt);

/// A framework's default for one layer: the weight's scheme and layout, and the bias's scheme.
/// The bias is resolved with the *weight's* fans (bias_uniform needs them).
struct layer_preset {
  std::string name;
  initializer weight;
  initializer bias;
  fan_layout layout;
};

/// PyTorch nn.Linear, weight (out, in): kaiming_uniform(a = √5) = U(±1/√fan_in) (computed as
/// PyTorch does: gain √(2/(1+a²)), std gain/√fan_in, bound √3·std); bias U(±1/√fan_in).
layer_preset pytorch_linear();
/// PyTorch nn.Conv1d/2d/3d, weight (out, in/groups, *k): the same schemes as nn.Linear.
layer_preset pytorch_conv();
/// Keras Dense (and Conv*D), kernel (*k, in, out): glorot_uniform as Keras defines it,
/// variance_scaling(1, fan_avg, uniform) (the same distribution as xavier_uniform(1), with Keras's
/// operation order, so the bound equals Keras's in double), zero bias.
layer_preset keras_dense();
/// Flax nn.Dense, kernel (in, out): lecun_normal = variance_scaling(1, fan_in, truncated_normal)
/// (truncated at ±2σ, σ = 1/(√fan_in · 0.87962566103423978)), zero bias.
layer_preset flax_dense();
/// Megatron-LM: weights N(0, sigma²), zero bias.
layer_preset megatron(double sigma = 0.02);
/// Megatron-LM output projections (attention out, MLP down): N(0, (sigma / √(2·num_layers))²),
/// zero bias. Needs num_layers >= 1.
layer_preset megatron_output(std::int64_t num_layers, double sigma = 0.02);
/// By name: "pytorch_linear", "pytorch_conv", "keras_dense", "flax_dense", "megatron"
/// (sigma 0.02). Unknown names throw std::invalid_argument.
layer_preset preset_by_name(const std::string& name);

}  // namespace weightinit
