// tests/cpu/test_fans.cpp: compute_fans against independent reimplementations of PyTorch's
// _calculate_fan_in_and_fan_out and Keras's compute_fans over many shapes, explicit JAX-style axes,
// grouped and packed weights, and every error.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "scheme_test_util.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using scheme_test::expect_invalid;
using scheme_test::keras_fans;
using scheme_test::torch_fans;

namespace {

void expect_fans(const wi::fans& got, const wi::fans& want, const std::string& what) {
  EXPECT_EQ(got.fan_in, want.fan_in) << what;
  EXPECT_EQ(got.fan_out, want.fan_out) << what;
  EXPECT_EQ(got.receptive_field, want.receptive_field) << what;
}

}  // namespace

TEST(Fans, KnownConvAndLinearShapes) {
  expect_fans(wi::compute_fans({64, 3, 7, 7}), {147, 3136, 49}, "ResNet stem, PyTorch");
  expect_fans(wi::compute_fans({7, 7, 3, 64}, wi::layout::in_out), {147, 3136, 49}, "stem, Keras");
  expect_fans(wi::compute_fans({256, 128}), {128, 256, 1}, "nn.Linear(128, 256)");
  expect_fans(wi::compute_fans({128, 256}, wi::layout::in_out), {128, 256, 1}, "Dense(256) on 128");
  expect_fans(wi::compute_fans({16, 8, 3}), {24, 48, 3}, "Conv1d");
  expect_fans(wi::compute_fans({4, 2, 3, 3, 3}), {54, 108, 27}, "Conv3d");
}

TEST(Fans, MatchPyTorchAndKerasOnRandomShapesOfRank2To6) {
  std::mt19937_64 rng(20240601);
  std::uniform_int_distribution<int> extent(1, 9), rank(2, 6);
  for (int t = 0; t < 2000; ++t) {
    wi::shape s;
    for (int r = rank(rng); r > 0; --r) s.push_back(extent(rng));
    expect_fans(wi::compute_fans(s, wi::layout::out_in), torch_fans(s),
                wi::to_string(s) + " out_in");
    expect_fans(wi::compute_fans(s, wi::layout::in_out), keras_fans(s),
                wi::to_string(s) + " in_out");
    // JAX's default variance_scaling axes (in_axis=-2, out_axis=-1) are Keras's convention.
    expect_fans(wi::compute_fans(s, wi::fan_axes{{-2}, {-1}, {}}), keras_fans(s),
                wi::to_string(s) + " jax axes");
    // Explicit axes {1}, {0} are PyTorch's convention.
    expect_fans(wi::compute_fans(s, wi::fan_axes{{1}, {0}, {}}), torch_fans(s),
                wi::to_string(s) + " torch axes");
  }
}

TEST(Fans, ExplicitAxesExcludeBatchAxesAndMultiplyMultipleAxes) {
  // A stack of 5 independent (3,3) conv kernels with 4 -> 6 channels: (5, 3, 3, 4, 6), batch 0.
  expect_fans(wi::compute_fans({5, 3, 3, 4, 6}, wi::fan_axes{{-2}, {-1}, {0}}), {36, 54, 9},
              "batch");
  // Attention projection (d_model, heads, head_dim) with in = {0}, out = {1, 2}.
  expect_fans(wi::compute_fans({512, 8, 64}, wi::fan_axes{{0}, {1, 2}, {}}), {512, 512, 1},
              "heads");
  // Output projection (heads, head_dim, d_model) with in = {0, 1}, out = {2}.
  expect_fans(wi::compute_fans({8, 64, 512}, wi::fan_axes{{0, 1}, {-1}, {}}), {512, 512, 1}, "out");
}

TEST(Fans, GroupedConvDividesFanOutOnlyWhenAsked) {
  // nn.Conv2d(32, 64, 3, groups=4): weight (64, 8, 3, 3). fan_in = 8*9 from the stored dim.
  expect_fans(wi::compute_fans({64, 8, 3, 3}), {72, 576, 9}, "PyTorch's own convention");
  wi::fan_layout g = wi::layout::out_in;
  g.groups = 4;
  expect_fans(wi::compute_fans({64, 8, 3, 3}, g), {72, 144, 9}, "groups = 4: (64/4)*9");
  // Depthwise, Keras layout (3, 3, 1, 32) with groups 32.
  wi::fan_layout dw = wi::layout::in_out;
  dw.groups = 32;
  expect_fans(wi::compute_fans({3, 3, 1, 32}, dw), {9, 9, 9}, "depthwise in_out");
}

TEST(Fans, PackedEqualPartsGiveTheFansOfOnePart) {
  const std::int64_t e = 96;
  wi::fan_layout qkv = wi::layout::out_in;
  qkv.parts = {e, e, e};
  expect_fans(wi::compute_fans({3 * e, e}, qkv), wi::compute_fans({e, e}), "qkv out_in");
  wi::fan_layout qkv_keras = wi::layout::in_out;
  qkv_keras.parts = {e, e, e};
  expect_fans(wi::compute_fans({e, 3 * e}, qkv_keras), wi::compute_fans({e, e}, wi::layout::in_out),
              "qkv in_out");
  wi::fan_layout gqa = wi::layout::out_in;
  gqa.parts = {64, 16, 16};
  const std::vector<wi::fans> parts = wi::compute_part_fans({96, 64}, gqa);
  ASSERT_EQ(parts.size(), 3u);
  expect_fans(parts[0], {64, 64, 1}, "q");
  expect_fans(parts[1], {64, 16, 1}, "k");
  expect_fans(parts[2], {64, 16, 1}, "v");
  expect_invalid(
      [&] {
        wi::compute_fans({96, 64}, gqa);
      },
      {"compute_fans", "compute_part_fans"}, "unequal parts through compute_fans");
}

TEST(Fans, ZeroExtentGivesZeroFanWithoutError) {
  expect_fans(wi::compute_fans({0, 16}), {16, 0, 1}, "(0, 16)");
  expect_fans(wi::compute_fans({8, 4, 0}), {0, 0, 0}, "(8, 4, 0)");
}

TEST(Fans, BadShapesAndLayoutsThrowNamingTheValues) {
  expect_invalid([] { wi::compute_fans({128}); }, {"compute_fans", "rank >= 2", "[128]"}, "rank 1");
  expect_invalid([] { wi::compute_fans({}); }, {"compute_fans", "rank >= 2", "[]"}, "rank 0");
  expect_invalid(
      [] {
        wi::compute_fans({4, -1});
      },
      {"compute_fans", "negative", "[4, -1]"}, "negative");
  expect_invalid(
      [] {
        wi::compute_fans({4, 4}, wi::fan_axes{{2}, {0}, {}});
      },
      {"in axis 2", "[4, 4]"}, "axis out of range");
  expect_invalid(
      [] {
        wi::compute_fans({4, 4, 4}, wi::fan_axes{{0}, {0}, {}});
      },
      {"axis 0", "twice"}, "duplicate axis");
  expect_invalid(
      [] {
        wi::compute_fans({4, 4}, wi::fan_axes{{}, {0}, {}});
      },
      {"non-empty"}, "empty in");
  wi::fan_layout g = wi::layout::out_in;
  g.groups = 3;
  expect_invalid(
      [&] {
        wi::compute_fans({64, 8, 3, 3}, g);
      },
      {"64", "groups 3"}, "groups not dividing");
  g.groups = 0;
  expect_invalid([&] { wi::compute_fans({64, 8}, g); }, {"groups must be >= 1", "0"}, "groups 0");
  wi::fan_layout p = wi::layout::out_in;
  p.parts = {10, 10};
  expect_invalid([&] { wi::compute_fans({30, 4}, p); }, {"{10, 10}", "30"}, "parts sum short");
  p.parts = {10, 30};
  expect_invalid([&] { wi::compute_fans({30, 4}, p); }, {"{10, 30}", "30"}, "parts sum long");
  p.parts = {30, 0};
  expect_invalid([&] { wi::compute_fans({30, 4}, p); }, {"> 0", "0"}, "zero part");
  p.parts = {15, 15};
  p.groups = 3;
  expect_invalid(
      [&] {
        wi::compute_fans({30, 4}, p);
      },
      {"groups and packed parts"}, "groups+parts");
  wi::fan_layout bad = static_cast<wi::layout>(7);
  expect_invalid([&] { wi::compute_fans({4, 4}, bad); }, {"unknown layout", "7"}, "bad enum");
}

TEST(Fans, LayoutNamesParseAndPrint) {
  EXPECT_EQ(wi::parse_layout("out_in"), wi::layout::out_in);
  EXPECT_EQ(wi::parse_layout("pytorch"), wi::layout::out_in);
  EXPECT_EQ(wi::parse_layout("in_out"), wi::layout::in_out);
  EXPECT_EQ(wi::parse_layout("keras"), wi::layout::in_out);
  EXPECT_EQ(wi::parse_layout("jax"), wi::layout::in_out);
  EXPECT_STREQ(wi::to_string(wi::layout::in_out), "in_out");
  expect_invalid([] { wi::parse_layout("sideways"); }, {"sideways", "out_in", "in_out"},
                 "bad layout");
}

// Found by tests/fuzz/fuzz_fans (tests/fuzz/regressions/fans/groups-per-group-cast-overflow): an
// output extent of 2^64 divided by groups in double and cast to int64 was undefined behaviour.
TEST(Fans, GroupsOnAnOutputExtentBeyondInt64AreRefusedNotCast) {
  wi::fan_layout lay(wi::fan_axes{{2}, {0, 1}, {}});
  lay.groups = 2;
  try {
    wi::compute_fans({std::int64_t{1} << 62, 4, 1}, lay);
    FAIL() << "compute_fans accepted a shape of 2^64 elements";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("more than 2^63 - 1 elements"), std::string::npos)
        << e.what();
  }
  // Just below the limit the division is exact, as an integer: (2^61·3) / 2 outputs per group.
  const wi::fans f = wi::compute_fans({std::int64_t{1} << 61, 3, 1}, lay);
  EXPECT_EQ(f.fan_out, static_cast<double>((std::int64_t{1} << 60) * 3));
}

// Found by tests/fuzz/fuzz_fans (regressions/fans/output-extent-overflow-with-a-zero-extent): with a
// zero extent the element count is 0, but the output extent alone overflowed int64 (UBSan).
TEST(Fans, AnOutputExtentBeyondInt64IsRefusedEvenWithZeroElements) {
  wi::fan_layout lay(wi::fan_axes{{0}, {1, 2}, {}});
  try {
    wi::compute_fans({0, 15, 4419003449496662117}, lay);
    FAIL() << "compute_fans accepted an output extent beyond int64";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("exceeds 2^63 - 1"), std::string::npos) << e.what();
  }
}
