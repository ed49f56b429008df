// host/presets.cpp: each framework's default initialization of a layer (PyTorch Linear/Conv, Keras
// Dense, Flax Dense, Megatron-LM), and the fills of a weight with its bias, whose fans are the
// weight's.
#include <cmath>
#include <stdexcept>
#include <string>

#include "schemes_internal.hpp"

namespace weightinit {

layer_preset pytorch_linear() {
  // nn.Linear.reset_parameters: kaiming_uniform_(weight, a=math.sqrt(5)); bias U(±1/√fan_in).
  return {"pytorch_linear", he_uniform(fan_mode::fan_in, nonlinearity::leaky_relu, std::sqrt(5.0)),
          bias_uniform(), layout::out_in};
}

layer_preset pytorch_conv() {
  layer_preset p = pytorch_linear();  // nn.ConvNd.reset_parameters is the same code
  p.name = "pytorch_conv";
  return p;
}

layer_preset keras_dense() {
  // Keras defines GlorotUniform as VarianceScaling(1.0, "fan_avg", "uniform"): limit =
  // √(3·1/n_avg), which can differ from PyTorch's √3·√(2/(in+out)) in the last bit of the double.
  return {"keras_dense", variance_scaling(1.0, fan_mode::fan_avg, scale_distribution::uniform),
          zeros(), layout::in_out};
}

layer_preset flax_dense() {
  return {"flax_dense",
          variance_scaling(1.0, fan_mode::fan_in, scale_distribution::truncated_normal), zeros(),
          layout::in_out};
}

layer_preset megatron(double sigma) {
  if (!(std::isfinite(sigma) && sigma >= 0))
    detail::throw_invalid("megatron",
                          "sigma must be a finite number >= 0, got " + std::to_string(sigma));
  return {"megatron", normal(0.0, sigma), zeros(), layout::out_in};
}

layer_preset megatron_output(std::int64_t num_layers, double sigma) {
  if (num_layers < 1)
    detail::throw_invalid("megatron_output",
                          "num_layers must be >= 1, got " + std::to_string(num_layers));
  if (!(std::isfinite(sigma) && sigma >= 0))
    detail::throw_invalid("megatron_output",
                          "sigma must be a finite number >= 0, got " + std::to_string(sigma));
  // Megatron-LM scaled_init_method_normal: std = sigma / math.sqrt(2.0 * num_layers).
  return {"megatron_output", normal(0.0, sigma / std::sqrt(2.0 * static_cast<double>(num_layers))),
          zeros(), layout::out_in};
}

layer_preset preset_by_name(const std::string& name) {
  if (name == "pytorch_linear") return pytorch_linear();
  if (name == "pytorch_conv") return pytorch_conv();
  if (name == "keras_dense") return keras_dense();
  if (name == "flax_dense") return flax_dense();
  if (name == "megatron") return megatron();
  throw std::invalid_argument("preset_by_name: unknown preset '" + name +
                              "' (expected pytorch_linear, pytorch_conv, keras_dense, flax_dense, "
                              "megatron)");
}

namespace detail {

fans weight_fans_for_bias(const tensor_view& weight, const layer_preset& preset,
                          const char* function) {
  if (!uses_fans(preset.bias.kind())) return fans{};
  const std::string fn = std::string(function) + " (" + preset.name + " bias)";
  return part_fans(weight.dims, preset.layout, fn.c_str())[0];
}

initializer bias_initializer(const layer_preset& preset, const fans& f) {
  // PyTorch: bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0, i.e. a zero bias for a weight
  // without inputs.
  if (preset.bias.kind() == scheme::bias_uniform && f.fan_in == 0) return zeros();
  return preset.bias;
}

}  // namespace detail

}  // namespace weightinit
