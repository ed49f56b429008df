// tests/cpu/test_spec_schemes.cpp: SPEC strings for every scheme: PyTorch's defaults (DESIGN.md
// §3), parameters and aliases, round trips through to_string, and errors that name the unknown
// word and what was expected.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "scheme_test_util.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using scheme_test::expect_invalid;

TEST(SpecSchemes, NamesAloneTakePyTorchsDefaults) {
  using nl = wi::nonlinearity;
  using fm = wi::fan_mode;
  EXPECT_EQ(wi::parse_initializer("zeros"), wi::zeros());
  EXPECT_EQ(wi::parse_initializer("ones"), wi::ones());
  EXPECT_EQ(wi::parse_initializer("uniform"), wi::uniform(0, 1));
  EXPECT_EQ(wi::parse_initializer("normal"), wi::normal(0, 1));
  EXPECT_EQ(wi::parse_initializer("truncated_normal"), wi::truncated_normal(0, 1, -2, 2));
  EXPECT_EQ(wi::parse_initializer("truncated_normal_sigma"),
            wi::truncated_normal_sigma(0, 1, -2, 2, false));
  EXPECT_EQ(wi::parse_initializer("xavier_uniform"), wi::xavier_uniform(1));
  EXPECT_EQ(wi::parse_initializer("xavier_normal"), wi::xavier_normal(1));
  EXPECT_EQ(wi::parse_initializer("glorot_uniform"), wi::xavier_uniform(1));
  EXPECT_EQ(wi::parse_initializer("glorot_normal"), wi::xavier_normal(1));
  EXPECT_EQ(wi::parse_initializer("he_uniform"), wi::he_uniform(fm::fan_in, nl::relu, 0));
  EXPECT_EQ(wi::parse_initializer("he_normal"), wi::he_normal(fm::fan_in, nl::relu, 0));
  EXPECT_EQ(wi::parse_initializer("kaiming_uniform"), wi::he_uniform());
  EXPECT_EQ(wi::parse_initializer("kaiming_normal"), wi::he_normal());
  EXPECT_EQ(wi::parse_initializer("lecun_uniform"), wi::lecun_uniform());
  EXPECT_EQ(wi::parse_initializer("lecun_normal"), wi::lecun_normal());
  EXPECT_EQ(wi::parse_initializer("variance_scaling"),
            wi::variance_scaling(1, fm::fan_in, wi::scale_distribution::truncated_normal));
  EXPECT_EQ(wi::parse_initializer("bias_uniform"), wi::bias_uniform());
  EXPECT_EQ(wi::parse_initializer("orthogonal"), wi::orthogonal(1));
  EXPECT_EQ(wi::parse_initializer("eye"), wi::eye(1));
  EXPECT_EQ(wi::parse_initializer("dirac"), wi::dirac(1));
  EXPECT_EQ(wi::parse_initializer("sparse(sparsity=0.1)"), wi::sparse(0.1, 0.01));
}

TEST(SpecSchemes, ParametersAreRead) {
  using nl = wi::nonlinearity;
  using fm = wi::fan_mode;
  using sd = wi::scale_distribution;
  EXPECT_EQ(wi::parse_initializer("he_normal(mode=fan_out)"), wi::he_normal(fm::fan_out));
  EXPECT_EQ(wi::parse_initializer(
                " kaiming_uniform( mode = fan_in , nonlinearity = leaky_relu , a = 0.2 ) "),
            wi::he_uniform(fm::fan_in, nl::leaky_relu, 0.2));
  EXPECT_EQ(wi::parse_initializer("variance_scaling(scale=2,mode=fan_in,distribution=uniform)"),
            wi::variance_scaling(2, fm::fan_in, sd::uniform));
  EXPECT_EQ(
      wi::parse_initializer("variance_scaling(distribution=untruncated_normal,mode=fan_geo_avg)"),
      wi::variance_scaling(1, fm::fan_geo_avg, sd::normal));
  EXPECT_EQ(wi::parse_initializer("variance_scaling(mode=fan_avg,distribution=normal)"),
            wi::variance_scaling(1, fm::fan_avg, sd::normal));
  EXPECT_EQ(wi::parse_initializer("truncated_normal(std=0.02,a=-2,b=2)"),
            wi::truncated_normal(0, 0.02, -2, 2));
  EXPECT_EQ(wi::parse_initializer("truncated_normal(b=inf)"),
            wi::truncated_normal(0, 1, -2, std::numeric_limits<double>::infinity()));
  EXPECT_EQ(wi::parse_initializer("truncated_normal_sigma(std=0.02,correct_variance=true)"),
            wi::truncated_normal_sigma(0, 0.02, -2, 2, true));
  EXPECT_EQ(wi::parse_initializer("truncated_normal_sigma(correct_variance=0,a=-3)"),
            wi::truncated_normal_sigma(0, 1, -3, 2, false));
  EXPECT_EQ(wi::parse_initializer("xavier_normal(gain=1.6666666666666667)"),
            wi::xavier_normal(5.0 / 3));
  EXPECT_EQ(wi::parse_initializer("orthogonal(gain=1.4142135623730951)"),
            wi::orthogonal(std::sqrt(2.0)));
  EXPECT_EQ(wi::parse_initializer("eye(gain=0.5)"), wi::eye(0.5));
  EXPECT_EQ(wi::parse_initializer("dirac(groups=4)"), wi::dirac(4));
  EXPECT_EQ(wi::parse_initializer("sparse(sparsity=0.9,std=0.1)"), wi::sparse(0.9, 0.1));
  EXPECT_EQ(wi::parse_initializer("constant(value=-2.5)"), wi::constant(-2.5));
  EXPECT_EQ(wi::parse_initializer("normal(mean=1e-3,std=2)"), wi::normal(1e-3, 2));
}

TEST(SpecSchemes, ToStringRoundTripsEveryScheme) {
  using nl = wi::nonlinearity;
  using fm = wi::fan_mode;
  const std::vector<wi::initializer> all = {
      wi::zeros(),
      wi::ones(),
      wi::constant(0.1),
      wi::uniform(-1e-300, 3.25),
      wi::normal(-0.3, 1.0 / 3),
      wi::truncated_normal(0, 0.02, -std::numeric_limits<double>::infinity(), 0.04),
      wi::truncated_normal_sigma(1, 2, -1, 3, true),
      wi::xavier_uniform(5.0 / 3),
      wi::xavier_normal(0.7),
      wi::he_uniform(fm::fan_out, nl::leaky_relu, std::sqrt(5.0)),
      wi::he_normal(fm::fan_in, nl::selu, 0),
      wi::lecun_uniform(),
      wi::lecun_normal(),
      wi::variance_scaling(0.1, fm::fan_geo_avg, wi::scale_distribution::uniform),
      wi::bias_uniform(),
      wi::orthogonal(1.1),
      wi::eye(2),
      wi::dirac(3),
      wi::sparse(0.3, 0.05)};
  for (const wi::initializer& init : all) {
    const std::string text = wi::to_string(init);
    EXPECT_EQ(wi::parse_initializer(text), init) << text;
  }
}

TEST(SpecSchemes, ErrorsNameTheUnknownWordAndWhatWasExpected) {
  struct bad {
    std::string spec;
    std::vector<std::string> words;
  };
  for (const bad& b : std::vector<bad>{
           {"xavier_uniformm", {"xavier_uniformm", "expected", "xavier_uniform", "orthogonal"}},
           {"he_normal(gain=2)", {"he_normal", "gain", "mode,nonlinearity,a"}},
           {"he_normal(mode=fan_avg)", {"he_normal", "fan_avg", "fan_in or fan_out"}},
           {"variance_scaling(mode=fanin)", {"variance_scaling", "fanin", "fan_geo_avg"}},
           {"variance_scaling(distribution=gauss)",
            {"variance_scaling", "gauss", "truncated_normal"}},
           {"he_uniform(nonlinearity=gelu)", {"he_uniform", "gelu", "leaky_relu"}},
           {"sparse", {"sparse", "sparsity"}},
           {"sparse(sparsity=2)", {"sparse", "sparsity", "2"}},
           {"dirac(groups=1.5)", {"dirac", "groups", "1.5"}},
           {"dirac(groups=0)", {"dirac", "groups"}},
           {"truncated_normal_sigma(correct_variance=maybe)",
            {"correct_variance", "maybe", "true"}},
           {"xavier_uniform(gain=-1)", {"xavier_uniform", "gain", "-1"}},
           {"normal(std=abc)", {"normal", "std", "abc"}},
           {"normal(std=-1)", {"normal", "std", "-1"}},
           {"uniform(a=1,b=0)", {"uniform", "a < b"}},
           {"constant", {"constant", "value"}},
           {"orthogonal(std=1)", {"orthogonal", "std", "gain"}},
           {"lecun_normal(mode=fan_out)", {"lecun_normal", "mode", "no parameters"}},
           {"normal(std=1", {"missing ')'"}},
       })
    expect_invalid([&] { wi::parse_initializer(b.spec); }, b.words, b.spec);
}
