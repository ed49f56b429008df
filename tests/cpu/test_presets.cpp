// tests/cpu/test_presets.cpp: each framework's default layer initialization: the resolved
// parameters equal the frameworks' own double arithmetic (values computed with Python's math module
// and pasted here), the layer fills write weight and bias as documented, and a bad bias leaves the
// weight untouched.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "tests/common/options.hpp"
#include "scheme_test_util.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using scheme_test::buffer;
using scheme_test::expect_invalid;

using weightinit_test::with_fans;
using weightinit_test::with_layout;

namespace {
const wi::key kW{42, 0}, kB{42, 1};
}

TEST(Presets, PyTorchLinearAndConvEqualPyTorchsBoundsToTheLastBit) {
  // math: gain = sqrt(2/(1+sqrt(5)**2)); bound = sqrt(3)*(gain/sqrt(fan_in)); bias 1/sqrt(fan_in).
  for (auto [dims, wbound, bbound] :
       {std::tuple{wi::shape{256, 128}, 0.08838834764831842, 0.08838834764831843},
        std::tuple{wi::shape{64, 3, 5, 5}, 0.11547005383792512, 0.11547005383792514},
        std::tuple{wi::shape{7, 3}, 0.5773502691896257, 0.5773502691896258}}) {
    const wi::layer_preset p = dims.size() == 2 ? wi::pytorch_linear() : wi::pytorch_conv();
    const wi::distribution w = wi::resolve(p.weight, dims, p.layout);
    EXPECT_EQ(w.kind, wi::distribution_kind::uniform);
    EXPECT_EQ(w.high, wbound) << wi::to_string(dims);
    EXPECT_EQ(w.low, -wbound);
    const wi::distribution b = wi::resolve_with_fans(p.bias, wi::compute_fans(dims, p.layout));
    EXPECT_EQ(b.high, bbound) << wi::to_string(dims);
    EXPECT_EQ(b.low, -bbound);
  }
}

TEST(Presets, KerasFlaxAndMegatronResolveAsTheFrameworksDo) {
  // Keras Dense(256) on 128 inputs, kernel (128, 256): limit = sqrt(3 * (1 / 192)) = 0.125 exactly
  // (PyTorch's order would give 0.12499999999999999).
  const wi::layer_preset k = wi::keras_dense();
  EXPECT_EQ(k.layout.convention, wi::layout::in_out);
  EXPECT_EQ(wi::resolve(k.weight, {128, 256}, k.layout).high, 0.125);
  EXPECT_EQ(wi::resolve(k.bias, wi::shape{256}).value, 0.0);
  // Flax Dense, kernel (128, 256): sqrt(1/128)/.87962566103423978 = 0.10048404857174567, ±2σ.
  const wi::layer_preset f = wi::flax_dense();
  const wi::distribution fd = wi::resolve(f.weight, {128, 256}, f.layout);
  EXPECT_EQ(fd.kind, wi::distribution_kind::truncated_normal);
  EXPECT_EQ(fd.stddev, 0.10048404857174567);
  EXPECT_EQ(fd.high, 2 * 0.10048404857174567);
  EXPECT_EQ(fd.low, -2 * 0.10048404857174567);
  EXPECT_EQ(wi::resolve(f.bias, wi::shape{256}).value, 0.0);
  // Megatron: N(0, 0.02); output projections of a 24-layer model: 0.02/sqrt(2.0*24).
  EXPECT_EQ(wi::resolve(wi::megatron().weight, {512, 512}).stddev, 0.02);
  EXPECT_EQ(wi::resolve(wi::megatron_output(24).weight, {512, 512}).stddev, 0.002886751345948129);
  EXPECT_EQ(wi::resolve(wi::megatron_output(24).bias, wi::shape{512}).value, 0.0);
  expect_invalid([] { wi::megatron_output(0); }, {"megatron_output", "num_layers", "0"},
                 "0 layers");
  expect_invalid([] { wi::megatron(-1); }, {"megatron", "sigma"}, "negative sigma");
}

TEST(Presets, ByName) {
  for (const char* n : {"pytorch_linear", "pytorch_conv", "keras_dense", "flax_dense", "megatron"})
    EXPECT_EQ(wi::preset_by_name(n).name, n);
  expect_invalid([] { wi::preset_by_name("torch"); }, {"preset_by_name", "torch", "pytorch_linear"},
                 "unknown");
}

TEST(Presets, LayerFillWritesWeightAndBiasWithTheWeightsFans) {
  const wi::shape wd{96, 40};
  for (const wi::layer_preset& p :
       {wi::pytorch_linear(), wi::keras_dense(), wi::flax_dense(), wi::megatron()}) {
    buffer w(wi::dtype::f32, 96 * 40), b(wi::dtype::f32, 96);
    wi::fill_host(wi::tensor_view{w.data(), wi::dtype::f32, wd},
                  wi::tensor_view{b.data(), wi::dtype::f32, {96}}, p, kW, kB);
    buffer w_ref(wi::dtype::f32, 96 * 40), b_ref(wi::dtype::f32, 96);
    wi::fill_host(wi::tensor_view{w_ref.data(), wi::dtype::f32, wd},
                  wi::resolve(p.weight, wd, p.layout), kW);
    wi::fill_host(wi::tensor_view{b_ref.data(), wi::dtype::f32, {96}},
                  wi::resolve_with_fans(p.bias, wi::compute_fans(wd, p.layout)), kB);
    EXPECT_EQ(w.bytes, w_ref.bytes) << p.name;
    EXPECT_EQ(b.bytes, b_ref.bytes) << p.name;
  }
  // PyTorch's bias bound for the (96, 40) weight is 1/sqrt(40), not anything of the bias's shape.
  buffer b(wi::dtype::f64, 96);
  wi::fill_host(wi::tensor_view{nullptr, wi::dtype::f64, {96, 40}, 0, 0},
                wi::tensor_view{b.data(), wi::dtype::f64, {96}}, wi::pytorch_linear(), kW, kB);
  double most = 0;
  for (double v : b.values()) most = std::max(most, std::fabs(v));
  EXPECT_LT(most, 1 / std::sqrt(40.0));
  EXPECT_GT(most, 0.9 / std::sqrt(40.0));
}

TEST(Presets, LayerWithoutInputsGetsAZeroBiasAsInPyTorch) {
  buffer b(wi::dtype::f32, 5);
  wi::fill_host(wi::tensor_view{nullptr, wi::dtype::f32, {5, 0}},
                wi::tensor_view{b.data(), wi::dtype::f32, {5}}, wi::pytorch_linear(), kW, kB);
  for (double v : b.values()) EXPECT_EQ(v, 0.0);
}

TEST(Presets, ABadBiasLeavesTheWeightUntouched) {
  buffer w(wi::dtype::f32, 64), b(wi::dtype::f32, 8);
  expect_invalid(
      [&] {
        wi::fill_host(wi::tensor_view{w.data(), wi::dtype::f32, {8, 8}},
                      wi::tensor_view{b.data(), wi::dtype::f32, {8}, 4, 9}, wi::pytorch_linear(),
                      kW, kB);
      },
      {"fill_host", "window"}, "bias window outside");
  EXPECT_TRUE(w.untouched());
  EXPECT_TRUE(b.untouched());
  expect_invalid(
      [&] {
        wi::fill_host(wi::tensor_view{w.data(), wi::dtype::f32, {64}},
                      wi::tensor_view{b.data(), wi::dtype::f32, {8}}, wi::keras_dense(), kW, kB);
      },
      {"rank >= 2", "[64]"}, "1-D weight");
  EXPECT_TRUE(w.untouched());
  EXPECT_TRUE(b.untouched());
}
