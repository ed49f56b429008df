// tests/cpu/test_gains.cpp: the gain table (PyTorch's calculate_gain) value by value, by enum and
// by name, leaky_relu's slope, the errors, and the activation -> scheme recommendations.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "scheme_test_util.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using scheme_test::expect_invalid;

TEST(Gain, TableMatchesPyTorchValueForValue) {
  using nl = wi::nonlinearity;
  for (nl n : {nl::linear, nl::identity, nl::conv1d, nl::conv2d, nl::conv3d, nl::conv_transpose1d,
               nl::conv_transpose2d, nl::conv_transpose3d, nl::sigmoid})
    EXPECT_EQ(wi::gain(n), 1.0) << wi::to_string(n);
  EXPECT_EQ(wi::gain(nl::tanh), 5.0 / 3.0);
  EXPECT_EQ(wi::gain(nl::relu), 1.4142135623730951);  // math.sqrt(2.0)
  EXPECT_EQ(wi::gain(nl::selu), 0.75);
  EXPECT_EQ(wi::gain(nl::leaky_relu), 1.4141428569978354);  // math.sqrt(2/(1+0.01**2)), default
  EXPECT_EQ(wi::gain(nl::leaky_relu, 0.2),
            1.3867504905630728);  // calculate_gain('leaky_relu', 0.2)
  EXPECT_EQ(wi::gain(nl::leaky_relu, 0.0), std::sqrt(2.0));
  EXPECT_EQ(wi::gain(nl::leaky_relu, std::sqrt(5.0)),
            std::sqrt(2.0 / (1 + std::sqrt(5.0) * std::sqrt(5.0))));
  EXPECT_NEAR(wi::gain(nl::leaky_relu, std::sqrt(5.0)), 1 / std::sqrt(3.0), 1e-15);
  EXPECT_EQ(wi::gain(nl::relu, 0.3), std::sqrt(2.0)) << "param is ignored except for leaky_relu";
}

TEST(Gain, ByNameEqualsByEnumForEveryName) {
  for (const char* name :
       {"linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
        "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"}) {
    const wi::nonlinearity n = wi::parse_nonlinearity(name);
    EXPECT_STREQ(wi::to_string(n), name);
    EXPECT_EQ(wi::gain(name), wi::gain(n)) << name;
    EXPECT_EQ(wi::gain(name, 0.3), wi::gain(n, 0.3)) << name;
  }
}

TEST(Gain, BadNamesAndSlopesThrow) {
  expect_invalid([] { wi::gain("tanhh"); }, {"gain", "tanhh", "leaky_relu"}, "unknown name");
  // gelu, silu, ... are known (tests/cpu/test_gain_activations.cpp); names are case-sensitive.
  expect_invalid([] { wi::gain("GELU"); }, {"GELU", "expected", "gelu"},
                 "names are case-sensitive");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  expect_invalid([&] { wi::gain(wi::nonlinearity::leaky_relu, nan); }, {"gain", "finite", "nan"},
                 "nan");
  expect_invalid([&] { wi::gain(wi::nonlinearity::leaky_relu, inf); }, {"gain", "finite", "inf"},
                 "inf");
  expect_invalid([&] { wi::gain(static_cast<wi::nonlinearity>(42)); }, {"gain", "42"}, "bad enum");
}

TEST(RecommendedInit, FollowsTheUsualTable) {
  EXPECT_EQ(wi::recommended_init("sigmoid"), wi::xavier_uniform(1.0));
  EXPECT_EQ(wi::recommended_init("softmax"), wi::xavier_uniform(1.0));
  EXPECT_EQ(wi::recommended_init("tanh"), wi::xavier_uniform(5.0 / 3.0));
  EXPECT_EQ(wi::recommended_init("linear"), wi::xavier_uniform(1.0));
  for (const char* he : {"relu", "gelu", "silu", "swish", "elu", "mish"})
    EXPECT_EQ(wi::recommended_init(he),
              wi::he_normal(wi::fan_mode::fan_in, wi::nonlinearity::relu, 0))
        << he;
  EXPECT_EQ(wi::recommended_init("leaky_relu"),
            wi::he_normal(wi::fan_mode::fan_in, wi::nonlinearity::leaky_relu, 0.01));
  EXPECT_EQ(wi::recommended_init("leaky_relu", 0.2),
            wi::he_normal(wi::fan_mode::fan_in, wi::nonlinearity::leaky_relu, 0.2));
  EXPECT_EQ(wi::recommended_init("selu"), wi::lecun_normal());
  expect_invalid([] { wi::recommended_init("sigmoidd"); }, {"recommended_init", "sigmoidd", "relu"},
                 "unknown activation");
}
