// weightinit/gains.hpp: PyTorch's torch.nn.init.calculate_gain table, by enum and by name.
#pragma once

#include <optional>
#include <string>

namespace weightinit {

enum class nonlinearity {
  linear,
  identity,
  conv1d,
  conv2d,
  conv3d,
  conv_transpose1d,
  conv_transpose2d,
  conv_transpose3d,
  sigmoid,
  tanh,
  relu,
  leaky_relu,
  selu,
};

/// The recommended gain: linear, identity, conv*, conv_transpose*, sigmoid → 1; tanh → 5/3;
/// relu → √2; leaky_relu → √(2 / (1 + negative_slope²)), negative_slope default 0.01; selu → 3/4.
/// `negative_slope` is read only by leaky_relu (PyTorch's `param`, ignored by the others as in
/// PyTorch) but must be finite whenever given. Throws std::invalid_argument("gain: ...") for a
/// non-finite negative_slope or a value outside the enum.
double gain(nonlinearity nl, std::optional<double> negative_slope = std::nullopt);

/// The same by name: the names of the enum, and the other activations recommended_init knows
/// (see presets.hpp) with the gain it applies to them. Unknown names throw std::invalid_argument
/// naming the word and listing the known ones.
double gain(const std::string& name, std::optional<double> negative_slope = std::nullopt);

/// The enum's names ("leaky_relu"); "?" for a value outside the enum.
const char* to_string(nonlinearity nl) noexcept;
/// The enum value of a name of the enum; throws std::invalid_argument otherwise.
nonlinearity parse_nonlinearity(const std::string& name);

}  // namespace weightinit
