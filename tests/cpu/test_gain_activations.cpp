// tests/cpu/test_gain_activations.cpp: gain(name) knows every activation recommended_init knows,
// with the gain recommended_init uses for it, and treats param as for the enum (leaky_relu's slope,
// ignored by the others, finite whenever given).
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "weightinit/weightinit.hpp"

namespace wi = weightinit;

namespace {

// The names recommended_init knows, read off its own error message, so that a name added there
// without a gain here fails this test.
std::vector<std::string> recommended_names() {
  std::string msg;
  try {
    wi::recommended_init("no-such-activation");
  } catch (const std::invalid_argument& e) {
    msg = e.what();
  }
  const std::size_t open = msg.find("(expected "), close = msg.rfind(')');
  std::vector<std::string> names;
  if (open == std::string::npos || close == std::string::npos) return names;
  std::stringstream s(msg.substr(open + 10, close - open - 10));
  std::string name;
  while (std::getline(s, name, ',')) {
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    names.push_back(name);
  }
  return names;
}

}  // namespace

TEST(GainByName, KnowsEveryActivationRecommendedInitKnowsWithItsGain) {
  const std::vector<std::string> names = recommended_names();
  ASSERT_GE(names.size(), 14u) << "could not read recommended_init's names";
  for (const std::string& a : names) {
    SCOPED_TRACE(a);
    const wi::initializer init = wi::recommended_init(a);
    double g = 0;
    ASSERT_NO_THROW(g = wi::gain(a)) << a;
    if (const auto* x = init.get_if<wi::params::xavier_uniform>()) {
      EXPECT_EQ(g, x->gain);
    } else if (const auto* h = init.get_if<wi::params::he_normal>()) {
      EXPECT_EQ(g, wi::gain(h->nonlinearity, h->nonlinearity == wi::nonlinearity::leaky_relu
                                                 ? std::optional<double>(h->negative_slope)
                                                 : std::nullopt));
    } else {
      EXPECT_EQ(init.kind(), wi::scheme::lecun_normal);  // selu: its gain is PyTorch's 3/4
      EXPECT_EQ(g, 0.75);
    }
  }
  EXPECT_EQ(wi::gain("gelu"), std::sqrt(2.0));
  EXPECT_EQ(wi::gain("swish"), std::sqrt(2.0));
  EXPECT_EQ(wi::gain("softmax"), 1.0);
  EXPECT_EQ(wi::gain("none"), 1.0);
}

TEST(GainByName, TreatsParamAsTheEnumDoes) {
  EXPECT_EQ(wi::gain("leaky_relu", 0.2), wi::gain(wi::nonlinearity::leaky_relu, 0.2));
  EXPECT_EQ(wi::gain("leaky_relu", 0.2), std::sqrt(2.0 / (1 + 0.2 * 0.2)));
  EXPECT_EQ(wi::gain("gelu", 0.3), std::sqrt(2.0)) << "param is ignored outside leaky_relu";
  EXPECT_EQ(wi::gain("tanh", 7.0), 5.0 / 3);
  EXPECT_THROW(wi::gain("gelu", std::nan("")), std::invalid_argument);
  EXPECT_THROW(wi::gain("softmax", HUGE_VAL), std::invalid_argument);
  try {
    wi::gain("frobnicate");
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    const std::string m = e.what();
    for (const char* w : {"frobnicate", "leaky_relu", "gelu", "silu", "mish", "softmax", "none"})
      EXPECT_NE(m.find(w), std::string::npos) << w << " not in: " << m;
  }
}
