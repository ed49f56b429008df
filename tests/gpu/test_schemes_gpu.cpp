// tests/gpu/test_schemes_gpu.cpp: the GPU fill of every initialization scheme against its CPU fill.
// Elementwise schemes x dtype x shape/layout (packed QKV and GQA parts, groups, explicit axes, the
// fans overload) bit for bit; eye, dirac and sparse bit for bit, windows and odd pointer offsets
// included; orthogonal (cuSOLVER) orthonormal x gain and within a derived rounding tolerance of the
// CPU's; the layer presets; graph capture and replay; bad input that writes and launches nothing.
// Device buffers are poisoned first and guarded. Skips (never passes) without a GPU.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "tests/common/options.hpp"
#include "gpu_test.hpp"
#include "kernels/transforms.hpp"
#include "tests/common/bad_schemes.hpp"
#include "tests/common/orthonormality.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using weightinit_test::bad_scheme;
using weightinit_test::bad_schemes;
using weightinit_test::device_bytes;
using weightinit_test::every_fill_kind;
using weightinit_test::expect_captured_kernels_only;
using weightinit_test::fill_kind;
using weightinit_test::gpu_test;
using weightinit_test::graph_guard;
using weightinit_test::hex;
using weightinit_test::orthonormality_error;
using weightinit_test::stream_guard;
using weightinit_test::with_groups;
using weightinit_test::with_parts;

using weightinit_test::with_fans;
using weightinit_test::with_layout;

namespace {

// Bytes of guard before and after every window, and the poison they and the window start with:
// 0xff... is a NaN in every dtype, which no scheme writes, so an element left unwritten shows.
constexpr std::size_t kGuard = 256;
constexpr int kPoison = 0xff;
const wi::dtype kTypes[] = {wi::dtype::f32, wi::dtype::f64, wi::dtype::f16, wi::dtype::bf16};
const wi::key kKey{20261201, 17};

// Under WEIGHTINIT_GPU_TEST_SMALL (compute-sanitizer) a case runs only up to the element count the
// distribution tests stop at.
bool runs(std::int64_t elements) {
  return !weightinit_test::small_sizes_only() || elements <= 4097;
}

// The element at `p` of type t, as a double.
double value_of(const unsigned char* p, wi::dtype t) {
  switch (t) {
    case wi::dtype::f32: {
      float v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case wi::dtype::f64: {
      double v;
      std::memcpy(&v, p, 8);
      return v;
    }
    case wi::dtype::f16:
    case wi::dtype::bf16: {
      std::uint16_t h;
      std::memcpy(&h, p, 2);
      return t == wi::dtype::f16 ? wi::xf::from_f16_bits(h) : wi::xf::from_bf16_bits(h);
    }
  }
  return 0;
}

std::vector<double> values_of(const std::vector<unsigned char>& bytes, wi::dtype t) {
  const std::size_t s = wi::size_of(t);
  std::vector<double> v(bytes.size() / s);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = value_of(&bytes[i * s], t);
  return v;
}

std::string layout_name(const wi::fan_layout& lay) {
  std::ostringstream s;
  if (lay.axes) {
    s << "axes";
  } else {
    s << wi::to_string(lay.convention);
  }
  if (lay.groups != 1) s << " groups " << lay.groups;
  if (!lay.parts.empty()) {
    s << " parts {";
    for (std::size_t i = 0; i < lay.parts.size(); ++i) s << (i ? ", " : "") << lay.parts[i];
    s << "}";
  }
  return s.str();
}

// The CPU fill of the whole tensor (with the given fans when `f` is set, else with `lay`).
std::vector<unsigned char> host_fill(const wi::initializer& init, const wi::shape& dims,
                                     wi::dtype t, wi::key k, const wi::fan_layout& lay,
                                     const wi::fans* f = nullptr) {
  std::vector<unsigned char> out(
      static_cast<std::size_t>(wi::element_count(dims)) * wi::size_of(t) + 1);
  const wi::tensor_view v{out.data(), t, dims};
  if (f) {
    wi::fill_host(v, init, k, with_fans(*f));
  } else {
    wi::fill_host(v, init, k, with_layout(lay));
  }
  out.pop_back();
  return out;
}

std::vector<unsigned char> slice(const std::vector<unsigned char>& whole, wi::dtype t,
                                 std::int64_t first, std::int64_t count) {
  const std::size_t s = wi::size_of(t);
  return {whole.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(first) * s),
          whole.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(first + count) * s)};
}

::testing::AssertionResult cuda_ok(cudaError_t e, const char* what) {
  if (e == cudaSuccess) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << what << ": " << cudaGetErrorName(e) << ": " << cudaGetErrorString(e);
}

// A device buffer for windows of up to `max_elements` elements of up to 8 bytes, placed at any of
// the element offsets 0..7 past a 256-byte boundary, with kGuard bytes on each side.
std::size_t guarded_bytes(std::int64_t max_elements) {
  return 2 * kGuard + 8 * 8 + static_cast<std::size_t>(max_elements) * 8;
}

// Poisons guard + window + guard of `buf`, calls fill(window pointer) (on the legacy stream, or
// synchronized before it returns), reads the region back, and checks that every guard byte is still
// poison; the window's bytes go to `window`.
template <class F>
::testing::AssertionResult guarded_fill(const device_bytes& buf, wi::dtype t, std::int64_t count,
                                        std::size_t offset, std::vector<unsigned char>& window,
                                        F&& fill) {
  const std::size_t s = wi::size_of(t), at = kGuard + offset * s;
  const std::size_t bytes = static_cast<std::size_t>(count) * s, region = at + bytes + kGuard;
  if (!buf || region > buf.size())
    return ::testing::AssertionFailure()
           << "test bug: a region of " << region << " bytes does not fit the device buffer of "
           << buf.size();
  ::testing::AssertionResult r = cuda_ok(cudaMemset(buf.get(), kPoison, region), "cudaMemset");
  if (!r) return r;
  try {
    fill(buf.get() + at);
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "the fill threw: " << e.what();
  }
  if (!(r = cuda_ok(cudaGetLastError(), "a launch of the fill"))) return r;
  std::vector<unsigned char> got(region);
  if (!(r = cuda_ok(cudaMemcpy(got.data(), buf.get(), region, cudaMemcpyDeviceToHost),
                    "cudaMemcpy")))
    return r;
  if (!(r = cuda_ok(cudaDeviceSynchronize(), "the fill's kernels"))) return r;
  for (std::size_t i = 0; i < region; ++i) {
    if (i == at) i += bytes;
    if (i < region && got[i] != kPoison)
      return ::testing::AssertionFailure()
             << "guard byte " << static_cast<long long>(i) - static_cast<long long>(at)
             << " relative to the window (of " << bytes << " bytes) was overwritten with "
             << static_cast<int>(got[i]);
  }
  window.assign(got.begin() + static_cast<std::ptrdiff_t>(at),
                got.begin() + static_cast<std::ptrdiff_t>(at + bytes));
  return ::testing::AssertionSuccess();
}

// The window's bytes equal `want`; on a mismatch: how many elements differ, and the first one.
::testing::AssertionResult same_bytes(const std::vector<unsigned char>& got,
                                      const std::vector<unsigned char>& want, wi::dtype t,
                                      const char* want_name = "the CPU fill") {
  if (got.size() != want.size())
    return ::testing::AssertionFailure() << got.size() << " bytes, expected " << want.size();
  if (got == want) return ::testing::AssertionSuccess();
  const std::size_t s = wi::size_of(t);
  std::size_t bad = 0, first = got.size();
  for (std::size_t i = 0; i < got.size(); i += s)
    if (std::memcmp(&got[i], &want[i], s) != 0) {
      ++bad;
      first = std::min(first, i);
    }
  return ::testing::AssertionFailure()
         << bad << " of " << got.size() / s << " elements differ from " << want_name
         << "; the first is element " << first / s << ": GPU " << hex(&got[first], s) << " ("
         << value_of(&got[first], t) << "), expected " << hex(&want[first], s) << " ("
         << value_of(&want[first], t) << ")";
}

// Guarded fill of a window whose bytes must equal `want`.
template <class F>
::testing::AssertionResult fills_exactly(const device_bytes& buf, wi::dtype t, std::size_t offset,
                                         const std::vector<unsigned char>& want, F&& fill) {
  std::vector<unsigned char> got;
  const std::int64_t count = static_cast<std::int64_t>(want.size() / wi::size_of(t));
  ::testing::AssertionResult r = guarded_fill(buf, t, count, offset, got, std::forward<F>(fill));
  if (!r) return r;
  return same_bytes(got, want, t);
}

// Windows [first, first + count) of an n-element tensor: the whole, and windows that start and end
// mid-row, mid-column, mid-part, in the last elements, one element long.
std::vector<std::pair<std::int64_t, std::int64_t>> windows_of(std::int64_t n, std::int64_t cols) {
  const std::pair<std::int64_t, std::int64_t> all[] = {{0, n},
                                                       {1, n - 1},
                                                       {3, 1},
                                                       {7, 90},
                                                       {n - 5, 5},
                                                       {130, 211},
                                                       {13, 26},
                                                       {cols - 2, 5},
                                                       {2 * cols + 3, cols - 1},
                                                       {n / 2 + 1, n / 3}};
  std::vector<std::pair<std::int64_t, std::int64_t>> w;
  for (const auto& fc : all)
    if (fc.first >= 0 && fc.second >= 1 && fc.first + fc.second <= n &&
        std::find(w.begin(), w.end(), fc) == w.end())
      w.push_back(fc);
  return w;
}

std::string dtype_name(const ::testing::TestParamInfo<int>& info) {
  return wi::to_string(kTypes[info.param]);
}

}  // namespace

// =============================================================================================
// 1. Elementwise schemes: every scheme (representative parameters) x dtype, over shapes of rank 2-5
// in both layouts, grouped, packed (equal and unequal parts), explicit axes, zero elements and the
// fans overload; whole tensors and windows at pointer offsets 0..7: the GPU's bytes are the CPU's.

namespace {

struct scheme_case {
  const char* name;
  wi::initializer init;
};
const scheme_case kElementwise[] = {
    {"zeros", wi::zeros()},
    {"ones", wi::ones()},
    {"constant", wi::constant(-0.375)},
    {"uniform", wi::uniform(-0.3, 0.7)},
    {"normal", wi::normal(0.5, 2.0)},
    {"truncated_normal", wi::truncated_normal(0.1, 0.5, -0.4, 1.2)},
    {"truncated_normal_sigma", wi::truncated_normal_sigma(0.0, 0.02)},
    {"truncated_normal_sigma_corrected", wi::truncated_normal_sigma(0.1, 1.5, -1.0, 3.0, true)},
    {"xavier_uniform", wi::xavier_uniform()},
    {"xavier_normal_gain_2", wi::xavier_normal(2.0)},
    {"he_uniform", wi::he_uniform()},
    {"he_uniform_leaky_relu_sqrt5",
     wi::he_uniform(wi::fan_mode::fan_in, wi::nonlinearity::leaky_relu, std::sqrt(5.0))},
    {"he_normal_fan_out_tanh", wi::he_normal(wi::fan_mode::fan_out, wi::nonlinearity::tanh)},
    {"lecun_uniform", wi::lecun_uniform()},
    {"lecun_normal", wi::lecun_normal()},
    {"variance_scaling", wi::variance_scaling()},
    {"variance_scaling_fan_avg_uniform",
     wi::variance_scaling(2.0, wi::fan_mode::fan_avg, wi::scale_distribution::uniform)},
    {"variance_scaling_fan_geo_avg_normal",
     wi::variance_scaling(0.5, wi::fan_mode::fan_geo_avg, wi::scale_distribution::normal)},
    {"variance_scaling_fan_out_truncated",
     wi::variance_scaling(3.0, wi::fan_mode::fan_out, wi::scale_distribution::truncated_normal)},
    {"bias_uniform", wi::bias_uniform()},
};
constexpr int kElementwiseCount = static_cast<int>(sizeof kElementwise / sizeof kElementwise[0]);

struct shape_case {
  const char* what;
  wi::shape dims;
  wi::fan_layout lay;
  bool given_fans = false;  // fill with kGivenFans (the fans overloads) instead of the layout
};
const wi::fans kGivenFans{128, 256, 1};

std::vector<shape_case> elementwise_shapes() {
  const wi::layout oi = wi::layout::out_in, io = wi::layout::in_out;
  return {
      {"linear", {64, 48}, oi},
      {"dense", {48, 64}, io},
      {"rank 3", {37, 5, 3}, oi},
      {"rank 3", {37, 5, 3}, io},
      {"conv2d", {16, 3, 5, 5}, oi},
      {"conv2d", {5, 5, 3, 16}, io},
      {"conv3d", {8, 4, 3, 3, 3}, oi},
      {"grouped conv", {32, 8, 3, 3}, with_groups(oi, 4)},
      {"grouped conv", {3, 3, 8, 32}, with_groups(io, 2)},
      {"packed QKV", {96, 32}, with_parts(oi, {32, 32, 32})},
      {"packed QKV", {32, 96}, with_parts(io, {32, 32, 32})},
      {"packed GQA", {48, 64}, with_parts(oi, {32, 8, 8})},
      {"packed gate-up conv", {40, 20, 3}, with_parts(oi, {24, 16})},
      {"transposed conv", {16, 8, 3, 3}, wi::fan_axes{{0}, {1}, {}}},
      {"batched", {4, 24, 40}, wi::fan_axes{{-2}, {-1}, {0}}},
      {"zero elements", {0, 16}, oi},
      {"bias with its weight's fans", {301}, oi, true},
      {"large linear", {256, 128}, oi},
      {"large packed GQA", {768, 1024}, with_parts(oi, {512, 128, 128})},
      {"large dense", {1000, 1003}, io},
  };
}

using scheme_dtype = std::tuple<int, int>;
std::string scheme_dtype_name(const ::testing::TestParamInfo<scheme_dtype>& info) {
  return std::string(kElementwise[std::get<0>(info.param)].name) + "_" +
         wi::to_string(kTypes[std::get<1>(info.param)]);
}

}  // namespace

class ElementwiseSchemeOnDevice : public gpu_test,
                                  public ::testing::WithParamInterface<scheme_dtype> {};

TEST_P(ElementwiseSchemeOnDevice, EqualsTheHostFillBitForBitAndLeavesGuardBytesAlone) {
  const scheme_case& sc = kElementwise[std::get<0>(GetParam())];
  const wi::dtype t = kTypes[std::get<1>(GetParam())];
  const std::vector<shape_case> shapes = elementwise_shapes();
  std::int64_t largest = 1;
  for (const shape_case& c : shapes) largest = std::max(largest, wi::element_count(c.dims));
  device_bytes buf(guarded_bytes(largest));
  ASSERT_TRUE(buf) << "cudaMalloc of " << buf.size() << " bytes failed";
  int fills = 0, expected_fills = 0;
  for (std::size_t ci = 0; ci < shapes.size(); ++ci) {
    const shape_case& c = shapes[ci];
    const std::int64_t n = wi::element_count(c.dims);
    if (!runs(n)) continue;
    const std::vector<unsigned char> whole =
        host_fill(sc.init, c.dims, t, kKey, c.lay, c.given_fans ? &kGivenFans : nullptr);
    // The whole tensor; the middle third onwards (crossing part boundaries); the last 7 elements.
    std::vector<std::pair<std::int64_t, std::int64_t>> wins = {{0, n}};
    if (n >= 4) wins.push_back({n / 3, n / 2});
    if (n >= 8) wins.push_back({n - 7, 7});
    for (std::size_t wi_ = 0; wi_ < wins.size(); ++wi_) {
      const std::int64_t first = wins[wi_].first, count = wins[wi_].second;
      const std::size_t offset = (ci + 3 * wi_) % 8;
      ++expected_fills;
      ASSERT_TRUE(fills_exactly(buf, t, offset, slice(whole, t, first, count),
                                [&](unsigned char* p) {
                                  const wi::tensor_view v{p, t, c.dims, first, count};
                                  if (c.given_fans) {
                                    wi::fill(v, sc.init, kKey, with_fans(kGivenFans), nullptr);
                                  } else {
                                    wi::fill(v, sc.init, kKey, with_layout(c.lay), nullptr);
                                  }
                                }))
          << sc.name << " " << wi::to_string(t) << ", " << c.what << " " << wi::to_string(c.dims)
          << " " << (c.given_fans ? "given fans" : layout_name(c.lay)) << ", window [" << first
          << ", +" << count << "), pointer offset " << offset << " elements";
      ++fills;
    }
  }
  EXPECT_EQ(fills, expected_fills);
  EXPECT_GE(fills, 40) << "too few cases ran";
}

INSTANTIATE_TEST_SUITE_P(EverySchemeAndDtype, ElementwiseSchemeOnDevice,
                         ::testing::Combine(::testing::Range(0, kElementwiseCount),
                                            ::testing::Range(0, 4)),
                         scheme_dtype_name);

// The default-layout overload fill(view, init, key, stream) is fill(..., layout::out_in, stream).
class ElementwiseSchemeOverloads : public gpu_test {};

TEST_F(ElementwiseSchemeOverloads, DefaultLayoutOverloadIsOutIn) {
  const wi::shape dims{33, 20, 3};
  device_bytes buf(guarded_bytes(wi::element_count(dims)));
  ASSERT_TRUE(buf);
  for (const wi::initializer& init : {wi::xavier_normal(), wi::he_uniform(wi::fan_mode::fan_out)})
    for (wi::dtype t : kTypes)
      EXPECT_TRUE(fills_exactly(buf, t, 5, host_fill(init, dims, t, kKey, wi::layout::out_in),
                                [&](unsigned char* p) {
                                  wi::fill({p, t, dims}, init, kKey, nullptr);
                                }))
          << wi::to_string(init) << " " << wi::to_string(t);
}

// =============================================================================================
// 2. eye, dirac, sparse: bit for bit against the CPU over shapes, parameters and every dtype; every
// window equals the same slice of the whole tensor; pointer offsets 0..7 elements.

namespace {

struct structured_case {
  std::string what;
  wi::initializer init;
  wi::shape dims;
};

std::vector<structured_case> eye_cases() {
  std::vector<structured_case> c;
  const std::vector<wi::shape> shapes = {{6, 6}, {5, 8},   {8, 5},     {1, 4},
                                         {4, 1}, {33, 17}, {300, 257}, {1000, 1000}};
  for (const wi::shape& s : shapes)
    for (double gain : {1.0, 0.3, -2.5})
      c.push_back({"eye gain " + std::to_string(gain), wi::eye(gain), s});
  return c;
}

std::vector<structured_case> dirac_cases() {
  std::vector<structured_case> c;
  const std::vector<std::pair<wi::shape, std::int64_t>> shapes = {
      {{8, 4, 3, 3}, 1},    {{8, 4, 3, 3}, 2}, {{8, 4, 3, 3}, 4},   {{6, 6, 5}, 3},
      {{4, 8, 3, 3, 3}, 2}, {{2, 6, 4, 4}, 1}, {{3, 2, 1}, 1},      {{12, 2, 2, 3}, 3},
      {{16, 16, 3}, 16},    {{96, 48, 9}, 3},  {{64, 32, 7, 7}, 1}, {{128, 64, 3, 3, 3}, 2}};
  for (const auto& [s, g] : shapes)
    c.push_back({"dirac groups " + std::to_string(g), wi::dirac(g), s});
  return c;
}

std::vector<structured_case> sparse_cases() {
  std::vector<structured_case> c;
  // {4096, n} and {4097, n}: either side of the kernel's shared-memory key cache; {2, 70000}: more
  // columns than one grid of 65535 blocks; {5000, 40}: recomputed keys over many rows.
  const std::vector<wi::shape> shapes = {{1, 17},    {7, 17},     {100, 33}, {33, 100},
                                         {4096, 1},  {4097, 1},   {4096, 3}, {4097, 3},
                                         {5000, 40}, {300, 1000}, {2, 70000}};
  for (const wi::shape& s : shapes)
    for (double sparsity : {0.0, 0.1, 0.25, 0.5, 0.99, 1.0})
      c.push_back({"sparse " + std::to_string(sparsity), wi::sparse(sparsity, 0.5), s});
  c.push_back({"sparse default std", wi::sparse(0.3), {40, 13}});
  c.push_back({"sparse std 0", wi::sparse(0.3, 0.0), {40, 13}});
  return c;
}

const char* const kFamilies[] = {"eye", "dirac", "sparse"};

using family_dtype = std::tuple<int, int>;
std::string family_dtype_name(const ::testing::TestParamInfo<family_dtype>& info) {
  return std::string(kFamilies[std::get<0>(info.param)]) + "_" +
         wi::to_string(kTypes[std::get<1>(info.param)]);
}

}  // namespace

class StructuredSchemeOnDevice : public gpu_test,
                                 public ::testing::WithParamInterface<family_dtype> {};

TEST_P(StructuredSchemeOnDevice, EqualsTheHostFillBitForBitInEveryWindowAndAtOddOffsets) {
  const int family = std::get<0>(GetParam());
  const wi::dtype t = kTypes[std::get<1>(GetParam())];
  const std::vector<structured_case> cases = family == 0   ? eye_cases()
                                             : family == 1 ? dirac_cases()
                                                           : sparse_cases();
  std::int64_t largest = 1;
  for (const structured_case& c : cases) largest = std::max(largest, wi::element_count(c.dims));
  device_bytes buf(guarded_bytes(largest));
  ASSERT_TRUE(buf) << "cudaMalloc of " << buf.size() << " bytes failed";
  int fills = 0, cases_run = 0;
  for (std::size_t ci = 0; ci < cases.size(); ++ci) {
    const structured_case& c = cases[ci];
    const std::int64_t n = wi::element_count(c.dims);
    if (!runs(n)) continue;
    ++cases_run;
    const std::vector<unsigned char> whole = host_fill(c.init, c.dims, t, kKey, wi::layout::out_in);
    const auto wins = windows_of(n, c.dims[1]);
    for (std::size_t w = 0; w < wins.size(); ++w) {
      const std::int64_t first = wins[w].first, count = wins[w].second;
      const std::size_t offset = (ci + w) % 8;
      ASSERT_TRUE(fills_exactly(
          buf, t, offset, slice(whole, t, first, count),
          [&](unsigned char* p) {
            wi::fill(wi::tensor_view{p, t, c.dims, first, count}, c.init, kKey, nullptr);
          }))
          << c.what << " (" << wi::to_string(c.init) << ") " << wi::to_string(t) << " "
          << wi::to_string(c.dims) << ", window [" << first << ", +" << count
          << ") of the whole tensor's CPU fill, pointer offset " << offset << " elements";
      ++fills;
    }
  }
  EXPECT_GE(cases_run, 8) << "too few cases ran";
  EXPECT_GE(fills, 3 * cases_run);
}

INSTANTIATE_TEST_SUITE_P(EveryFamilyAndDtype, StructuredSchemeOnDevice,
                         ::testing::Combine(::testing::Range(0, 3), ::testing::Range(0, 4)),
                         family_dtype_name);

// Sparse draws its zeros from its own Philox range: the mask is the same for every dtype on the
// GPU as well, and the kept values are the normal fill's.
class SparseOnDevice : public gpu_test {};

TEST_F(SparseOnDevice, KeptValuesAreTheNormalFillAndEachColumnHasCeilSparsityTimesRowsZeros) {
  const wi::shape dims{257, 129};
  const std::int64_t n = wi::element_count(dims), rows = dims[0], cols = dims[1];
  device_bytes buf(guarded_bytes(n));
  ASSERT_TRUE(buf);
  const double sparsity = 0.3;
  const std::int64_t zeros =
      static_cast<std::int64_t>(std::ceil(sparsity * static_cast<double>(rows)));
  std::vector<bool> mask_f32;
  for (wi::dtype t : kTypes) {
    std::vector<unsigned char> got, normal;
    ASSERT_TRUE(guarded_fill(buf, t, n, 1, got, [&](unsigned char* p) {
      wi::fill(wi::tensor_view{p, t, dims}, wi::sparse(sparsity, 0.5), kKey, nullptr);
    }));
    ASSERT_TRUE(guarded_fill(buf, t, n, 1, normal, [&](unsigned char* p) {
      wi::fill(wi::tensor_view{p, t, dims}, wi::normal(0, 0.5), kKey, nullptr);
    }));
    const std::vector<double> v = values_of(got, t), nv = values_of(normal, t);
    std::vector<bool> mask(static_cast<std::size_t>(n));
    for (std::int64_t c = 0; c < cols; ++c) {
      std::int64_t z = 0;
      for (std::int64_t r = 0; r < rows; ++r) {
        const std::size_t i = static_cast<std::size_t>(r * cols + c);
        // (Checked on the CPU for this key and shape: no normal value rounds to 0, in any dtype.)
        ASSERT_NE(nv[i], 0.0) << "test assumption broken: a normal value is exactly 0 at " << i;
        mask[i] = v[i] == 0.0;
        z += mask[i];
        if (mask[i]) {
          ASSERT_FALSE(std::signbit(v[i]))
              << wi::to_string(t) << " element " << i << ": zeros are +0";
        } else {
          ASSERT_EQ(v[i], nv[i]) << wi::to_string(t) << " element " << i
                                 << ": kept values are the normal fill's";
        }
      }
      ASSERT_EQ(z, zeros) << wi::to_string(t) << " column " << c;
    }
    if (t == wi::dtype::f32) {
      mask_f32 = mask;
    } else {
      EXPECT_TRUE(mask == mask_f32) << wi::to_string(t) << ": another selection than f32's";
    }
  }
}

// =============================================================================================
// 3. orthogonal with cuSOLVER. The GPU factors the same Gaussian input as the CPU (the normal fill,
// bit-identical on both) but in f32 (f64 for f64 tensors) with cuSOLVER's blocked Householder,
// where the CPU uses its own double Householder: the two agree to rounding, not bit for bit.
//
// Tolerances (eps_math = 2^-23 for f32/f16/bf16 tensors, 2^-52 for f64; eps_store = the storage
// type's machine epsilon: 2^-23, 2^-52, 2^-10, 2^-7; s = sqrt(max(rows, cols))):
//  * orthonormality, max |(MᵀM or MMᵀ)/gain² - I| <= 16·s·eps_math + 2·eps_store. The second term
//    is exact: rounding every entry with relative error <= u = eps_store/2 moves a dot product of
//    two unit vectors by at most (2u + u²) (Cauchy-Schwarz). The first is the orthogonality loss of
//    Householder QR in the math type; a float Householder on these very inputs (same key, same
//    shapes) measured at most 0.91·s·eps_math, so 16 leaves a margin of over 17.
//  * elementwise, |gpu - cpu| <= |gain|·32·s·eps_math + eps_store·max(|gpu|, |cpu|). The second
//    term: two round-to-nearest results of values x, y differ by at most |x - y| + one spacing,
//    and a spacing at v is <= eps_store·|v|. The first is the forward error of Q in the math type,
//    which grows with the condition number of the input (square blocks are the worst); float and
//    double Householder against the CPU's double result on these inputs measured at most 2.2·s·eps
//    (3.0 over other keys), so 32 leaves a margin of over 10.
// Windows are compared bit for bit with the same slice of the GPU's whole tensor: each window
// factors the same block, and cuSOLVER is deterministic by default
// (CUSOLVER_DETERMINISTIC_RESULTS).

namespace {

struct ortho_block {
  std::int64_t offset, rows, cols;
};

// The documented flattening, independently of the library: out_in and explicit axes (PyTorch)
// rows = dims[0]; in_out (Keras) rows = product of dims[:-1]; packed parts: one block of rows each.
std::vector<ortho_block> blocks_of(const wi::shape& dims, const wi::fan_layout& lay) {
  const std::int64_t n = wi::element_count(dims);
  const bool keras = !lay.axes && lay.convention == wi::layout::in_out;
  const std::int64_t rows = keras ? n / dims.back() : dims[0], cols = n / rows;
  if (lay.parts.empty()) return {{0, rows, cols}};
  std::vector<ortho_block> b;
  std::int64_t row = 0;
  for (std::int64_t p : lay.parts) {
    b.push_back({row * cols, p, cols});
    row += p;
  }
  return b;
}

double eps_of(wi::dtype t) {
  switch (t) {
    case wi::dtype::f32: return std::ldexp(1.0, -23);
    case wi::dtype::f64: return std::ldexp(1.0, -52);
    case wi::dtype::f16: return std::ldexp(1.0, -10);
    case wi::dtype::bf16: return std::ldexp(1.0, -7);
  }
  return 1;
}
double math_eps_of(wi::dtype t) {
  return eps_of(t == wi::dtype::f64 ? wi::dtype::f64 : wi::dtype::f32);
}

struct ortho_case {
  const char* what;
  wi::shape dims;
  wi::fan_layout lay;
  double gain;
};

std::vector<ortho_case> ortho_cases() {
  const wi::layout oi = wi::layout::out_in, io = wi::layout::in_out;
  return {
      {"square 64 x 64", {64, 64}, oi, 1.0},
      {"tall 100 x 30", {100, 30}, oi, 2.5},
      {"wide 30 x 100", {30, 100}, oi, 1.0},
      {"one row", {1, 50}, oi, 1.0},
      {"one column", {50, 1}, oi, -0.5},
      {"conv out_in, 16 x 36", {16, 4, 3, 3}, oi, 1.0},
      {"Keras conv in_out, 72 x 16", {3, 3, 8, 16}, io, 1.5},
      {"Keras conv in_out, 72 x 160", {3, 3, 8, 160}, io, 1.0},
      {"Keras dense in_out, 120 x 130", {120, 130}, io, 1.0},
      {"packed QKV, 3 x (16 x 16)", {48, 16}, with_parts(oi, {16, 16, 16}), 1.0},
      {"packed GQA, (64 + 16 + 16) x 32", {96, 32}, with_parts(oi, {64, 16, 16}), 2.0},
      {"explicit axes, 16 x 72", {16, 8, 3, 3}, wi::fan_axes{{0}, {1}, {}}, 1.0},
      {"large tall 512 x 256", {512, 256}, oi, 1.0},
      {"large wide 256 x 512", {256, 512}, oi, 1.0},
      {"tall skinny 2048 x 64", {2048, 64}, oi, 1.0},
  };
}

}  // namespace

class OrthogonalOnDevice : public gpu_test, public ::testing::WithParamInterface<int> {};

TEST_P(OrthogonalOnDevice, IsOrthonormalTimesGainAndAgreesWithTheCpuToRounding) {
  const wi::dtype t = kTypes[GetParam()];
  const double eps_math = math_eps_of(t), eps_store = eps_of(t);
  const std::vector<ortho_case> cases = ortho_cases();
  std::int64_t largest = 1;
  for (const ortho_case& c : cases) largest = std::max(largest, wi::element_count(c.dims));
  device_bytes buf(guarded_bytes(largest));
  ASSERT_TRUE(buf) << "cudaMalloc of " << buf.size() << " bytes failed";
  int cases_run = 0, windows = 0;
  for (std::size_t ci = 0; ci < cases.size(); ++ci) {
    const ortho_case& c = cases[ci];
    const std::int64_t n = wi::element_count(c.dims);
    if (!runs(n)) continue;
    ++cases_run;
    const std::string what = std::string(c.what) + " " + wi::to_string(c.dims) + " " +
                             layout_name(c.lay) + " gain " + std::to_string(c.gain) + " " +
                             wi::to_string(t);
    const wi::initializer init = wi::orthogonal(c.gain);
    // The whole tensor on the GPU: guards intact, every element written (finite: poison is NaN).
    std::vector<unsigned char> gpu;
    ASSERT_TRUE(guarded_fill(buf, t, n, ci % 8, gpu, [&](unsigned char* p) {
      wi::fill(wi::tensor_view{p, t, c.dims}, init, kKey, with_layout(c.lay), nullptr);
    })) << what;
    const std::vector<double> g = values_of(gpu, t);
    for (std::int64_t i = 0; i < n; ++i)
      ASSERT_TRUE(std::isfinite(g[static_cast<std::size_t>(i)]))
          << what << ": element " << i << " not written";
    const std::vector<double> cpu = values_of(host_fill(init, c.dims, t, kKey, c.lay), t);
    for (const ortho_block& b : blocks_of(c.dims, c.lay)) {
      const double s = std::sqrt(static_cast<double>(std::max(b.rows, b.cols)));
      const double err =
          orthonormality_error(&g[static_cast<std::size_t>(b.offset)], b.rows, b.cols, c.gain);
      EXPECT_LE(err, 16 * s * eps_math + 2 * eps_store)
          << what << ": block of " << b.rows << " x " << b.cols << " at element " << b.offset;
      const double abs_tol = std::fabs(c.gain) * 32 * s * eps_math;
      double worst = 0;
      std::int64_t worst_at = -1;
      for (std::int64_t i = b.offset; i < b.offset + b.rows * b.cols; ++i) {
        const double x = g[static_cast<std::size_t>(i)], y = cpu[static_cast<std::size_t>(i)];
        const double excess =
            std::fabs(x - y) - (abs_tol + eps_store * std::max(std::fabs(x), std::fabs(y)));
        if (worst_at < 0 || excess > worst) {
          worst = excess;
          worst_at = i;
        }
      }
      EXPECT_LE(worst, 0.0) << what << ": element " << worst_at << " GPU "
                            << g[static_cast<std::size_t>(worst_at)] << ", CPU "
                            << cpu[static_cast<std::size_t>(worst_at)]
                            << " differ beyond the tolerance " << abs_tol << " + " << eps_store
                            << "·|value|";
    }
    // Windows: the same slice of the GPU's whole tensor, bit for bit. Each window runs a whole
    // factorization, so a few: the first four of windows_of after the whole tensor, and one across
    // the boundary of the first two blocks of a packed weight.
    const std::vector<ortho_block> blocks = blocks_of(c.dims, c.lay);
    std::vector<std::pair<std::int64_t, std::int64_t>> wins = windows_of(n, blocks[0].cols);
    wins.erase(wins.begin());  // the whole tensor, done above
    if (wins.size() > 4) wins.resize(4);
    if (blocks.size() > 1) wins.push_back({blocks[1].offset - 3, 10});
    for (std::size_t w = 0; w < wins.size(); ++w) {
      const std::int64_t first = wins[w].first, count = wins[w].second;
      const std::size_t offset = (ci + w) % 8;
      std::vector<unsigned char> part;
      ASSERT_TRUE(guarded_fill(buf, t, count, offset, part,
                               [&](unsigned char* p) {
                                 wi::fill(wi::tensor_view{p, t, c.dims, first, count}, init, kKey,
                                          with_layout(c.lay), nullptr);
                               }))
          << what << ", window [" << first << ", +" << count << ")";
      EXPECT_TRUE(same_bytes(part, slice(gpu, t, first, count), t, "the GPU's whole tensor"))
          << what << ", window [" << first << ", +" << count << "), pointer offset " << offset;
      ++windows;
    }
  }
  EXPECT_GE(cases_run, 10) << "too few cases ran";
  EXPECT_GE(windows, 4 * cases_run);
}

INSTANTIATE_TEST_SUITE_P(EveryDtype, OrthogonalOnDevice, ::testing::Range(0, 4), dtype_name);

// =============================================================================================
// 4. Layer presets: weight and bias on the device equal the CPU's preset fill, whole and windowed,
// with pointer offsets; no bias; a weight without inputs gets PyTorch's zero bias.

namespace {

struct preset_case {
  wi::layer_preset preset;
  wi::shape weight;
  wi::shape bias;
};

std::vector<preset_case> preset_cases() {
  return {
      {wi::pytorch_linear(), {48, 40}, {48}},
      {wi::pytorch_conv(), {16, 3, 5, 5}, {16}},
      {wi::keras_dense(), {40, 48}, {48}},
      {wi::flax_dense(), {40, 48}, {48}},
      {wi::megatron(), {64, 48}, {64}},
      {wi::megatron_output(24), {48, 64}, {48}},
      {wi::pytorch_linear(), {1024, 1000}, {1024}},
      {wi::keras_dense(), {512, 1024}, {1024}},
      {wi::flax_dense(), {1000, 1003}, {1003}},
      {wi::megatron(0.006), {1024, 1024}, {1024}},
  };
}

// Poisons both guarded regions, fills weight and bias with the preset on the device, and checks
// both against `want_w` and `want_b` and their guards.
::testing::AssertionResult preset_fills_exactly(
    const device_bytes& wbuf, const device_bytes& bbuf, wi::dtype t, const wi::layer_preset& p,
    const wi::tensor_view& w_shape, const wi::tensor_view& b_shape, std::size_t w_offset,
    std::size_t b_offset, const std::vector<unsigned char>& want_w,
    const std::vector<unsigned char>& want_b, wi::key kw, wi::key kb) {
  // The bias's region is poisoned first and read back after the weight's fill: guarded_fill's
  // callback runs the preset fill, which writes both.
  const std::size_t s = wi::size_of(t), b_at = kGuard + b_offset * s;
  const std::size_t b_region = b_at + want_b.size() + kGuard;
  if (b_region > bbuf.size())
    return ::testing::AssertionFailure() << "test bug: bias region too large";
  ::testing::AssertionResult r = cuda_ok(cudaMemset(bbuf.get(), kPoison, b_region), "cudaMemset");
  if (!r) return r;
  std::vector<unsigned char> got_w;
  r = guarded_fill(wbuf, t, static_cast<std::int64_t>(want_w.size() / s), w_offset, got_w,
                   [&](unsigned char* wp) {
                     wi::tensor_view w = w_shape, b = b_shape;
                     w.data = want_w.empty() ? nullptr : wp;
                     b.data = want_b.empty() ? nullptr : bbuf.get() + b_at;
                     wi::fill(w, b, p, kw, kb, nullptr);
                   });
  if (!r) return r << " (weight)";
  if (!(r = same_bytes(got_w, want_w, t))) return r << " (weight)";
  std::vector<unsigned char> got(b_region);
  if (!(r = cuda_ok(cudaMemcpy(got.data(), bbuf.get(), b_region, cudaMemcpyDeviceToHost),
                    "cudaMemcpy")))
    return r;
  for (std::size_t i = 0; i < b_region; ++i) {
    if (i == b_at) i += want_b.size();
    if (i < b_region && got[i] != kPoison)
      return ::testing::AssertionFailure()
             << "bias guard byte " << static_cast<long long>(i) - static_cast<long long>(b_at)
             << " was overwritten";
  }
  return same_bytes(std::vector<unsigned char>(
                        got.begin() + static_cast<std::ptrdiff_t>(b_at),
                        got.begin() + static_cast<std::ptrdiff_t>(b_at + want_b.size())),
                    want_b, t)
         << " (bias)";
}

}  // namespace

class PresetOnDevice : public gpu_test, public ::testing::WithParamInterface<int> {};

TEST_P(PresetOnDevice, WeightAndBiasEqualTheHostPresetFillBitForBit) {
  const wi::dtype t = kTypes[GetParam()];
  const std::size_t s = wi::size_of(t);
  const wi::key kw{7, 100}, kb{7, 101};
  const std::vector<preset_case> cases = preset_cases();
  std::int64_t largest = 1;
  for (const preset_case& c : cases)
    largest = std::max({largest, wi::element_count(c.weight), wi::element_count(c.bias)});
  device_bytes wbuf(guarded_bytes(largest)), bbuf(guarded_bytes(largest));
  ASSERT_TRUE(wbuf && bbuf);
  int runs_done = 0;
  for (std::size_t ci = 0; ci < cases.size(); ++ci) {
    const preset_case& c = cases[ci];
    const std::int64_t nw = wi::element_count(c.weight), nb = wi::element_count(c.bias);
    if (!runs(nw)) continue;
    std::vector<unsigned char> hw(static_cast<std::size_t>(nw) * s),
        hb(static_cast<std::size_t>(nb) * s);
    wi::fill_host(wi::tensor_view{hw.data(), t, c.weight}, wi::tensor_view{hb.data(), t, c.bias},
                  c.preset, kw, kb);
    // Whole weight and bias.
    EXPECT_TRUE(preset_fills_exactly(wbuf, bbuf, t, c.preset, {nullptr, t, c.weight},
                                     {nullptr, t, c.bias}, ci % 8, (ci + 3) % 8, hw, hb, kw, kb))
        << c.preset.name << " " << wi::to_string(c.weight) << " " << wi::to_string(t);
    // Windows of both (a shard of each).
    const std::int64_t wf = nw / 4 + 1, wc = nw / 2, bf = 3, bc = nb - 5;
    EXPECT_TRUE(preset_fills_exactly(wbuf, bbuf, t, c.preset, {nullptr, t, c.weight, wf, wc},
                                     {nullptr, t, c.bias, bf, bc}, (ci + 1) % 8, (ci + 5) % 8,
                                     slice(hw, t, wf, wc), slice(hb, t, bf, bc), kw, kb))
        << c.preset.name << " " << wi::to_string(c.weight) << " " << wi::to_string(t) << " windows";
    // No bias: a zero-element bias view.
    EXPECT_TRUE(preset_fills_exactly(wbuf, bbuf, t, c.preset, {nullptr, t, c.weight},
                                     {nullptr, t, {0}}, (ci + 7) % 8, 0, hw, {}, kw, kb))
        << c.preset.name << " " << wi::to_string(c.weight) << " " << wi::to_string(t)
        << " without bias";
    ++runs_done;
  }
  EXPECT_GE(runs_done, 6);
  // A weight without inputs: PyTorch's bias is zero (bound = 0 when fan_in is 0); CPU and GPU
  // agree.
  std::vector<unsigned char> hb(5 * s);
  wi::fill_host(wi::tensor_view{nullptr, t, {5, 0}}, wi::tensor_view{hb.data(), t, {5}},
                wi::pytorch_linear(), kw, kb);
  EXPECT_EQ(hb, std::vector<unsigned char>(5 * s, 0)) << "+0 bias on the CPU";
  EXPECT_TRUE(preset_fills_exactly(wbuf, bbuf, t, wi::pytorch_linear(), {nullptr, t, {5, 0}},
                                   {nullptr, t, {5}}, 0, 1, {}, hb, kw, kb))
      << "weight (5, 0)";
}

INSTANTIATE_TEST_SUITE_P(EveryDtype, PresetOnDevice, ::testing::Range(0, 4), dtype_name);

// =============================================================================================
// 5. Graph capture: elementwise schemes (one kernel per distinct part), sparse (its normal fill and
// its mask), eye and dirac are captured as kernel nodes only, capturing runs nothing, and replays
// write the eager bits (which are the CPU's). Orthogonal is documented as not capturable.

namespace {

struct graph_case {
  wi::initializer init;
  wi::shape dims;
  wi::fan_layout lay;
  wi::dtype t;
  std::int64_t first, count;
  wi::key k;
  std::size_t kernels;  // kernel nodes the fill records
};

std::vector<graph_case> graph_cases() {
  const wi::layout oi = wi::layout::out_in;
  std::vector<graph_case> c = {
      // Unequal GQA parts resolve to three distributions: three ranges, three kernels.
      {wi::xavier_uniform(),
       {48, 64},
       with_parts(oi, {32, 8, 8}),
       wi::dtype::f32,
       0,
       48 * 64,
       {1, 0},
       3},
      {wi::he_normal(), {256, 128}, oi, wi::dtype::bf16, 7, 256 * 128 - 20, {1, 1}, 1},
      {wi::variance_scaling(),
       {3, 3, 16, 32},
       wi::layout::in_out,
       wi::dtype::f16,
       0,
       3 * 3 * 16 * 32,
       {1, 2},
       1},
      {wi::sparse(0.3, 0.5), {300, 70}, oi, wi::dtype::f64, 0, 300 * 70, {1, 3}, 2},
      {wi::sparse(0.5), {40, 13}, oi, wi::dtype::f32, 11, 300, {1, 4}, 2},
      {wi::sparse(0.0), {40, 13}, oi, wi::dtype::f32, 0, 40 * 13, {1, 5}, 1},  // no zeros: no mask
                                                                               // kernel
      {wi::eye(2.0), {300, 257}, oi, wi::dtype::f16, 0, 300 * 257, {1, 6}, 1},
      {wi::dirac(2), {64, 32, 3, 3}, oi, wi::dtype::bf16, 5, 1000, {1, 7}, 1},
  };
  if (!weightinit_test::small_sizes_only())
    c.push_back({wi::sparse(0.25, 1.0), {5000, 8}, oi, wi::dtype::f16, 0, 40000, {1, 8}, 2});
  return c;
}

}  // namespace

class SchemeGraphCapture : public gpu_test {};

TEST_F(SchemeGraphCapture, RecordsOnlyKernelsRunsNothingAndReplaysTheEagerBits) {
  const std::vector<graph_case> cases = graph_cases();
  stream_guard st;
  WEIGHTINIT_TEST_CUDA(cudaStreamCreateWithFlags(&st.s, cudaStreamNonBlocking));
  std::vector<std::unique_ptr<device_bytes>> owners;
  std::size_t kernels = 0;
  for (const graph_case& c : cases) {
    owners.emplace_back(new device_bytes(static_cast<std::size_t>(c.count) * wi::size_of(c.t)));
    ASSERT_TRUE(*owners.back());
    WEIGHTINIT_TEST_CUDA(cudaMemset(owners.back()->get(), kPoison, owners.back()->size()));
    kernels += c.kernels;
  }
  WEIGHTINIT_TEST_CUDA(cudaDeviceSynchronize());
  // Global capture mode: a call that allocated, synchronized or used the legacy stream would
  // invalidate the capture.
  graph_guard gr;
  WEIGHTINIT_TEST_CUDA(cudaStreamBeginCapture(st.s, cudaStreamCaptureModeGlobal));
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const graph_case& c = cases[i];
    try {
      wi::fill(wi::tensor_view{owners[i]->get(), c.t, c.dims, c.first, c.count}, c.init, c.k,
               with_layout(c.lay), st.s);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "fill " << i << " (" << wi::to_string(c.init)
                    << ") threw while captured: " << e.what();
    }
  }
  // Zero-element fills add nothing.
  wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {0, 8}}, wi::sparse(0.5), {}, st.s);
  wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {0, 8}}, wi::xavier_uniform(), {}, st.s);
  wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {0, 8, 3}}, wi::dirac(), {}, st.s);
  WEIGHTINIT_TEST_CUDA(cudaStreamEndCapture(st.s, &gr.g));
  ASSERT_NO_FATAL_FAILURE(expect_captured_kernels_only(
      gr.g, kernels, "one kernel per distribution range, two for sparse with zeros, nothing else",
      owners, kPoison));
  WEIGHTINIT_TEST_CUDA(cudaGraphInstantiate(&gr.exec, gr.g, 0));
  for (int replay = 0; replay < 2; ++replay) {
    for (const auto& b : owners)
      WEIGHTINIT_TEST_CUDA(cudaMemsetAsync(b->get(), kPoison, b->size(), st.s));
    WEIGHTINIT_TEST_CUDA(cudaGraphLaunch(gr.exec, st.s));
    WEIGHTINIT_TEST_CUDA(cudaStreamSynchronize(st.s));
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const graph_case& c = cases[i];
      std::vector<unsigned char> replayed(owners[i]->size()), eager(owners[i]->size());
      WEIGHTINIT_TEST_CUDA(
          cudaMemcpy(replayed.data(), owners[i]->get(), replayed.size(), cudaMemcpyDeviceToHost));
      WEIGHTINIT_TEST_CUDA(cudaMemset(owners[i]->get(), kPoison, owners[i]->size()));
      wi::fill(wi::tensor_view{owners[i]->get(), c.t, c.dims, c.first, c.count}, c.init, c.k,
               with_layout(c.lay), nullptr);
      WEIGHTINIT_TEST_CUDA(
          cudaMemcpy(eager.data(), owners[i]->get(), eager.size(), cudaMemcpyDeviceToHost));
      EXPECT_TRUE(same_bytes(replayed, eager, c.t, "the eager fill"))
          << "replay " << replay << ", fill " << i << " (" << wi::to_string(c.init) << ")";
      if (replay == 0) {
        EXPECT_TRUE(same_bytes(
            eager, slice(host_fill(c.init, c.dims, c.t, c.k, c.lay), c.t, c.first, c.count), c.t))
            << "fill " << i << " (" << wi::to_string(c.init) << ")";
      }
    }
  }
}

// =============================================================================================
// 6. Bad input: std::invalid_argument naming the problem, nothing written (device buffers still
// poison) and nothing launched (a capture of the call records no node, and stays valid).

namespace {

// Runs fill(stream) twice, once while a fresh stream is captured in global mode and once eagerly
// on the legacy stream. Both must throw std::invalid_argument whose message holds every word, and
// the capture must end cleanly with no node.
template <class F>
void expect_refused(F&& fill, const std::vector<std::string>& words, const std::string& what) {
  auto check = [&](cudaStream_t s, const char* how) {
    try {
      fill(s);
      ADD_FAILURE() << what << " (" << how << "): no exception";
    } catch (const std::invalid_argument& e) {
      const std::string m = e.what();
      for (const std::string& w : words)
        EXPECT_NE(m.find(w), std::string::npos)
            << what << " (" << how << "): message '" << m << "' lacks '" << w << "'";
    } catch (const std::exception& e) {
      ADD_FAILURE() << what << " (" << how << "): wrong exception type: " << e.what();
    }
  };
  stream_guard st;
  ASSERT_EQ(cudaStreamCreateWithFlags(&st.s, cudaStreamNonBlocking), cudaSuccess);
  graph_guard gr;
  ASSERT_EQ(cudaStreamBeginCapture(st.s, cudaStreamCaptureModeGlobal), cudaSuccess);
  check(st.s, "captured");
  const cudaError_t end = cudaStreamEndCapture(st.s, &gr.g);
  EXPECT_EQ(end, cudaSuccess) << what << ": the refused call invalidated the capture ("
                              << cudaGetErrorName(end) << ")";
  if (end == cudaSuccess) {
    std::size_t nodes = 0;
    EXPECT_EQ(cudaGraphGetNodes(gr.g, nullptr, &nodes), cudaSuccess);
    EXPECT_EQ(nodes, 0u) << what << ": the refused call recorded work";
  }
  cudaGetLastError();
  check(nullptr, "eager");
}

::testing::AssertionResult still_poison(const device_bytes& buf) {
  ::testing::AssertionResult r = cuda_ok(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  if (!r) return r;
  std::vector<unsigned char> got(buf.size());
  if (!(r = cuda_ok(cudaMemcpy(got.data(), buf.get(), got.size(), cudaMemcpyDeviceToHost),
                    "cudaMemcpy")))
    return r;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (got[i] != kPoison)
      return ::testing::AssertionFailure()
             << "byte " << i << " was written (" << static_cast<int>(got[i]) << ")";
  return ::testing::AssertionSuccess();
}

}  // namespace

class SchemeBadInputOnDevice : public gpu_test {};

TEST_F(SchemeBadInputOnDevice, ThrowsInvalidArgumentWritesNothingAndLaunchesNothing) {
  auto refused = [&](const bad_scheme& c, wi::dtype t) {
    const std::int64_t n = std::max<std::int64_t>(1, wi::element_count(c.dims));
    device_bytes buf(static_cast<std::size_t>(n) * wi::size_of(t) + kGuard);
    ASSERT_TRUE(buf);
    WEIGHTINIT_TEST_CUDA(cudaMemset(buf.get(), kPoison, buf.size()));
    expect_refused(
        [&](cudaStream_t s) {
          wi::fill(wi::tensor_view{buf.get(), t, c.dims}, c.init, kKey, with_layout(c.lay), s);
        },
        c.words, c.what);
    EXPECT_TRUE(still_poison(buf)) << c.what;
  };
  for (const bad_scheme& c : bad_schemes()) ASSERT_NO_FATAL_FAILURE(refused(c, wi::dtype::f32));
  // A check of the resolved distribution for the tensor's type.
  ASSERT_NO_FATAL_FAILURE(refused({"interval narrower than f16 spacing",
                                   wi::uniform(1.0001, 1.0002),
                                   {8, 8},
                                   {"fill", "interval is narrower than f16 spacing"}},
                                  wi::dtype::f16));
}

TEST_F(SchemeBadInputOnDevice, BadWindowPointerAndFansAreRefusedForEveryKindOfScheme) {
  device_bytes buf(4096);
  ASSERT_TRUE(buf);
  WEIGHTINIT_TEST_CUDA(cudaMemset(buf.get(), kPoison, buf.size()));
  for (const fill_kind& k : every_fill_kind()) {
    const std::string name = wi::to_string(k.init) + " " + layout_name(k.lay);
    expect_refused(
        [&](cudaStream_t s) {
          wi::fill(wi::tensor_view{buf.get(), wi::dtype::f32, k.dims, 250, 7}, k.init, kKey,
                   with_layout(k.lay), s);
        },
        {"fill: window [250, +7) lies outside tensor"}, name + ": window outside");
    expect_refused(
        [&](cudaStream_t s) {
          wi::fill(wi::tensor_view{buf.get() + 2, wi::dtype::f32, k.dims}, k.init, kKey,
                   with_layout(k.lay), s);
        },
        {"fill: data pointer", "is not aligned to its 4-byte f32 elements"},
        name + ": misaligned f32 pointer");
    expect_refused(
        [&](cudaStream_t s) {
          wi::fill(wi::tensor_view{buf.get() + 1, wi::dtype::bf16, k.dims}, k.init, kKey,
                   with_layout(k.lay), s);
        },
        {"fill: data pointer", "is not aligned to its 2-byte bf16 elements"},
        name + ": misaligned bf16 pointer");
    expect_refused(
        [&](cudaStream_t s) {
          wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, k.dims}, k.init, kKey,
                   with_layout(k.lay), s);
        },
        {"fill: null data pointer"}, name + ": null pointer");
    // Pageable host memory: refused after the pointer query, before anything is launched.
    std::vector<unsigned char> pageable(static_cast<std::size_t>(wi::element_count(k.dims)) * 4,
                                        kPoison);
    expect_refused(
        [&](cudaStream_t s) {
          wi::fill(wi::tensor_view{pageable.data(), wi::dtype::f32, k.dims}, k.init, kKey,
                   with_layout(k.lay), s);
        },
        {"fill: data pointer", "is host memory (pageable, not registered with CUDA)",
         "use fill_host"},
        name + ": pageable host memory");
    EXPECT_EQ(pageable, std::vector<unsigned char>(pageable.size(), kPoison))
        << name << ": pageable memory written";
  }
  // Explicit fans of zero.
  expect_refused(
      [&](cudaStream_t s) {
        wi::fill(wi::tensor_view{buf.get(), wi::dtype::f32, {16}}, wi::xavier_uniform(), kKey,
                 with_fans(wi::fans{0, 10, 1}), s);
      },
      {"xavier_uniform", "fan_in", "0"}, "zero fan_in given");
  expect_refused(
      [&](cudaStream_t s) {
        wi::fill(wi::tensor_view{buf.get(), wi::dtype::f32, {16}},
                 wi::he_normal(wi::fan_mode::fan_out), kKey, with_fans(wi::fans{4, 0, 1}), s);
      },
      {"he_normal", "fan_out", "0"}, "zero fan_out given");
  // A bias_uniform bias against its own 1-D shape: the message explains where its fans come from.
  expect_refused(
      [&](cudaStream_t s) {
        wi::fill(wi::tensor_view{buf.get(), wi::dtype::f32, {16}}, wi::bias_uniform(), kKey, s);
      },
      {"bias_uniform", "weight's fans"}, "bias_uniform on its own shape");
  EXPECT_TRUE(still_poison(buf));
}

TEST_F(SchemeBadInputOnDevice, PresetRefusesABadWeightOrBiasBeforeWritingEither) {
  device_bytes w(64 * 4), b(8 * 4);
  ASSERT_TRUE(w && b);
  WEIGHTINIT_TEST_CUDA(cudaMemset(w.get(), kPoison, w.size()));
  WEIGHTINIT_TEST_CUDA(cudaMemset(b.get(), kPoison, b.size()));
  const wi::key kw{1, 2}, kb{1, 3};
  expect_refused(
      [&](cudaStream_t s) {
        wi::fill(wi::tensor_view{w.get(), wi::dtype::f32, {8, 8}},
                 wi::tensor_view{b.get(), wi::dtype::f32, {8}, 4, 9}, wi::pytorch_linear(), kw, kb,
                 s);
      },
      {"fill", "window"}, "bias window outside");
  expect_refused(
      [&](cudaStream_t s) {
        wi::fill(wi::tensor_view{w.get(), wi::dtype::f32, {64}},
                 wi::tensor_view{b.get(), wi::dtype::f32, {8}}, wi::keras_dense(), kw, kb, s);
      },
      {"rank >= 2", "[64]"}, "1-D weight");
  expect_refused(
      [&](cudaStream_t s) {
        wi::fill(wi::tensor_view{w.get(), wi::dtype::f32, {8, 8}},
                 wi::tensor_view{nullptr, wi::dtype::f32, {8}}, wi::megatron(), kw, kb, s);
      },
      {"fill", "null data pointer"}, "null bias");
  // A pageable weight is refused before the bias is touched.
  std::vector<unsigned char> pageable(64 * 4, kPoison);
  expect_refused(
      [&](cudaStream_t s) {
        wi::fill(wi::tensor_view{pageable.data(), wi::dtype::f32, {8, 8}},
                 wi::tensor_view{b.get(), wi::dtype::f32, {8}}, wi::pytorch_linear(), kw, kb, s);
      },
      {"fill", "is host memory (pageable"}, "pageable weight");
  EXPECT_EQ(pageable, std::vector<unsigned char>(pageable.size(), kPoison));
  EXPECT_TRUE(still_poison(w)) << "weight";
  EXPECT_TRUE(still_poison(b)) << "bias";
}

// The preset fill checks both pointers (alignment, then the memory kind) before it launches the
// weight: a pageable or misaligned bias leaves the weight untouched.
TEST_F(SchemeBadInputOnDevice, PresetWithAPageableOrMisalignedBiasLeavesTheWeightUntouched) {
  device_bytes w(64 * 4), b(8 * 4 + 8);
  ASSERT_TRUE(w && b);
  WEIGHTINIT_TEST_CUDA(cudaMemset(w.get(), kPoison, w.size()));
  WEIGHTINIT_TEST_CUDA(cudaMemset(b.get(), kPoison, b.size()));
  std::vector<unsigned char> pageable(8 * 4, kPoison);
  expect_refused(
      [&](cudaStream_t s) {
        wi::fill(wi::tensor_view{w.get(), wi::dtype::f32, {8, 8}},
                 wi::tensor_view{pageable.data(), wi::dtype::f32, {8}}, wi::pytorch_linear(),
                 {1, 2}, {1, 3}, s);
      },
      {"fill", "is host memory (pageable"}, "pageable bias");
  expect_refused(
      [&](cudaStream_t s) {
        wi::fill(wi::tensor_view{w.get(), wi::dtype::f32, {8, 8}},
                 wi::tensor_view{b.get() + 2, wi::dtype::f32, {8}}, wi::pytorch_linear(), {1, 2},
                 {1, 3}, s);
      },
      {"fill", "not aligned"}, "misaligned bias");
  EXPECT_EQ(pageable, std::vector<unsigned char>(pageable.size(), kPoison));
  EXPECT_TRUE(still_poison(w)) << "the weight was written before the bias was refused";
  EXPECT_TRUE(still_poison(b));
}
