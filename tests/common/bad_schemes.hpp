// tests/common/bad_schemes.hpp: the scheme inputs that every fill (the CPU's fill_host, the GPU's
// fill, with or without a device) must refuse with std::invalid_argument naming the scheme and the
// values, before writing or launching anything; and one valid initializer of each way the device
// fill executes, for the checks of windows and pointers. Shared by tests/cpu/test_schemes.cpp,
// tests/cpu/test_scheme_device_args.cpp and tests/gpu/test_schemes_gpu.cpp, which add only the
// cases particular to their fill (a dtype-dependent one, say).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "weightinit/weightinit.hpp"

namespace weightinit_test {

inline weightinit::fan_layout with_parts(weightinit::fan_layout lay,
                                         std::vector<std::int64_t> parts) {
  lay.parts = std::move(parts);
  return lay;
}

inline weightinit::fan_layout with_groups(weightinit::fan_layout lay, std::int64_t groups) {
  lay.groups = groups;
  return lay;
}

/// A bad input: the fill of a tensor of `dims` with `init` and `lay` must throw
/// std::invalid_argument whose message contains every one of `words`.
struct bad_scheme {
  std::string what;
  weightinit::initializer init;
  weightinit::shape dims;
  std::vector<std::string> words;
  weightinit::fan_layout lay = weightinit::layout::out_in;
};

/// Every bad scheme parameter, rank, shape, packed-part and group layout; none depends on the
/// tensor's dtype (so any float type may be used).
inline std::vector<bad_scheme> bad_schemes() {
  namespace wi = weightinit;
  constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  // Enum values outside their enums (the scheme itself cannot be one: initializer holds a typed
  // alternative).
  const wi::initializer bad_mode = wi::variance_scaling(1, static_cast<wi::fan_mode>(9));
  const wi::initializer bad_nl =
      wi::he_normal(wi::fan_mode::fan_in, static_cast<wi::nonlinearity>(99));
  const wi::initializer bad_dist =
      wi::variance_scaling(1, wi::fan_mode::fan_in, static_cast<wi::scale_distribution>(5));
  return {
      {"he mode fan_avg",
       wi::he_normal(wi::fan_mode::fan_avg),
       {8, 8},
       {"he_normal", "fan_avg", "fan_in or fan_out"}},
      {"unknown mode value", bad_mode, {8, 8}, {"variance_scaling", "mode", "9"}},
      {"unknown nonlinearity value", bad_nl, {8, 8}, {"he_normal", "nonlinearity", "99"}},
      {"unknown distribution value", bad_dist, {8, 8}, {"variance_scaling", "distribution", "5"}},
      {"slope NaN",
       wi::he_uniform(wi::fan_mode::fan_in, wi::nonlinearity::leaky_relu, kNan),
       {8, 8},
       {"he_uniform", "slope", "nan"}},
      {"slope inf",
       wi::he_normal(wi::fan_mode::fan_in, wi::nonlinearity::leaky_relu, kInf),
       {8, 8},
       {"he_normal", "inf"}},
      {"negative std",
       wi::normal(0, -0.5),
       {8, 8},
       {"normal: std must be a finite number >= 0, got -0.5"}},
      {"NaN std", wi::normal(0, kNan), {8, 8}, {"normal", "std", "nan"}},
      {"infinite std", wi::normal(0, kInf), {8, 8}, {"normal", "std", "inf"}},
      {"NaN mean", wi::normal(kNan, 1), {8, 8}, {"normal", "mean", "nan"}},
      {"zero truncated std", wi::truncated_normal(0, 0), {8, 8}, {"truncated_normal", "std", "0"}},
      {"uniform a == b", wi::uniform(1, 1), {8, 8}, {"uniform: needs a < b, got a=1, b=1"}},
      {"uniform a > b", wi::uniform(2, 1), {8, 8}, {"uniform", "a < b", "a=2", "b=1"}},
      {"uniform infinite", wi::uniform(0, kInf), {8, 8}, {"uniform", "b", "inf"}},
      {"truncated a > b",
       wi::truncated_normal(0, 1, 1, -1),
       {8, 8},
       {"truncated_normal", "a < b", "a=1", "b=-1"}},
      {"sigma a > b",
       wi::truncated_normal_sigma(0, 1, 2, 2),
       {8, 8},
       {"truncated_normal_sigma", "a < b"}},
      {"correction far in tail",
       wi::truncated_normal_sigma(0, 1, 60, 61, true),
       {8, 8},
       {"truncated_normal_sigma", "tail"}},
      {"constant NaN", wi::constant(kNan), {8, 8}, {"constant", "value", "nan"}},
      {"xavier gain 0", wi::xavier_uniform(0), {8, 8}, {"xavier_uniform", "gain", "0"}},
      {"xavier gain negative", wi::xavier_normal(-1), {8, 8}, {"xavier_normal", "gain", "-1"}},
      {"xavier gain NaN", wi::xavier_normal(kNan), {8, 8}, {"xavier_normal", "gain", "nan"}},
      {"scale 0", wi::variance_scaling(0), {8, 8}, {"variance_scaling", "scale", "0"}},
      {"scale inf", wi::variance_scaling(kInf), {8, 8}, {"variance_scaling", "scale", "inf"}},
      {"xavier rank 1", wi::xavier_uniform(), {128}, {"xavier_uniform: needs rank >= 2", "[128]"}},
      {"he rank 0", wi::he_normal(), {}, {"he_normal: needs rank >= 2", "[]"}},
      {"lecun rank 1", wi::lecun_normal(), {5}, {"lecun_normal: needs rank >= 2", "[5]"}},
      {"sparsity negative", wi::sparse(-0.1), {8, 8}, {"sparse", "sparsity", "-0.1", "[0, 1]"}},
      {"sparsity above 1",
       wi::sparse(1.5),
       {8, 8},
       {"sparse: sparsity must lie in [0, 1], got 1.5"}},
      {"sparsity NaN", wi::sparse(kNan), {8, 8}, {"sparse", "sparsity", "nan"}},
      {"sparse std negative", wi::sparse(0.5, -1), {8, 8}, {"sparse", "std", "-1"}},
      {"sparse 3-D", wi::sparse(0.5), {4, 4, 4}, {"sparse: needs a 2-D shape", "[4, 4, 4]"}},
      {"orthogonal 1-D", wi::orthogonal(), {16}, {"orthogonal: needs rank >= 2", "[16]"}},
      {"orthogonal gain NaN", wi::orthogonal(kNan), {8, 8}, {"orthogonal", "gain", "nan"}},
      {"orthogonal parts in_out",
       wi::orthogonal(),
       {8, 64},
       {"orthogonal", "outermost"},
       with_parts(wi::layout::in_out, {32, 32})},
      {"eye 3-D", wi::eye(), {4, 4, 4}, {"eye: needs a 2-D shape", "[4, 4, 4]"}},
      {"eye 1-D", wi::eye(), {4}, {"eye", "2-D", "[4]"}},
      {"dirac 2-D", wi::dirac(), {4, 4}, {"dirac: needs a 3-, 4- or 5-D shape", "[4, 4]"}},
      {"dirac 6-D", wi::dirac(), {2, 2, 2, 2, 2, 2}, {"dirac", "[2, 2, 2, 2, 2, 2]"}},
      {"dirac groups not dividing",
       wi::dirac(3),
       {8, 4, 3, 3},
       {"dirac: dim 0 of shape [8, 4, 3, 3] is not divisible by groups 3"}},
      {"dirac groups 0", wi::dirac(0), {8, 4, 3, 3}, {"dirac: groups must be >= 1, got 0"}},
      {"unequal parts in_out",
       wi::xavier_uniform(),
       {64, 96},
       {"xavier_uniform", "outermost"},
       with_parts(wi::layout::in_out, {64, 16, 16})},
      {"parts not summing to the output",
       wi::xavier_uniform(),
       {48, 16},
       {"xavier_uniform", "part sizes {16, 16}", "output extent 48"},
       with_parts(wi::layout::out_in, {16, 16})},
      {"groups not dividing",
       wi::he_normal(wi::fan_mode::fan_out),
       {30, 4, 3, 3},
       {"he_normal", "groups"},
       with_groups(wi::layout::out_in, 4)},
      {"bias_uniform on its own 1-D shape",
       wi::bias_uniform(),
       {16},
       {"bias_uniform", "weight's fans", "[16]"}},
  };
}

/// A valid initializer, shape and layout.
struct fill_kind {
  weightinit::initializer init;
  weightinit::shape dims;
  weightinit::fan_layout lay;
};

/// One initializer of each way the device fill executes: elementwise (one range, several ranges),
/// orthogonal, eye, dirac, sparse; each with a shape of 256 elements it accepts.
inline std::vector<fill_kind> every_fill_kind() {
  namespace wi = weightinit;
  return {
      {wi::xavier_uniform(), {16, 16}, wi::layout::out_in},
      {wi::xavier_uniform(), {16, 16}, with_parts(wi::layout::out_in, {8, 4, 4})},
      {wi::normal(0, 1), {16, 16}, wi::layout::in_out},
      {wi::orthogonal(), {16, 16}, wi::layout::out_in},
      {wi::eye(), {16, 16}, wi::layout::out_in},
      {wi::dirac(), {4, 4, 4, 4}, wi::layout::out_in},
      {wi::sparse(0.5), {16, 16}, wi::layout::out_in},
  };
}

}  // namespace weightinit_test
