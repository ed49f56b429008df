// tests/cpu/test_scheme_device_args.cpp: the argument checks of the GPU fill of an initializer (and
// of a layer preset) that need no device: scheme parameters, rank, fans, packed parts, the window,
// a null or misaligned pointer. They throw std::invalid_argument naming the scheme or function and
// the values before any CUDA call, so they are tested without a GPU: on a machine without one every
// CUDA call fails with a cuda_error, so an invalid_argument with the right words shows no call came
// first. Whether memory is pageable host memory can only be told by cudaPointerGetAttributes, so
// that check comes after a CUDA call; the last tests document it.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "scheme_test_util.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using scheme_test::buffer;
using scheme_test::expect_invalid;

namespace {

const wi::key kKey{77, 5};
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

bool has_device() {
  int n = 0;
  const bool ok = cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
  cudaGetLastError();  // a failed query is no error of the test's
  return ok;
}

// Aligned and misaligned addresses that are never dereferenced: the checks under test throw first.
void* const kAligned = reinterpret_cast<void*>(0x1000);
void* const kOffBy2 = reinterpret_cast<void*>(0x1002);
void* const kOffBy1 = reinterpret_cast<void*>(0x1001);

wi::fan_layout with_parts(wi::fan_layout lay, std::vector<std::int64_t> parts) {
  lay.parts = std::move(parts);
  return lay;
}

// One initializer of each way the device fill executes: elementwise (one range, several ranges),
// orthogonal, eye, dirac, sparse; with a shape each accepts.
struct kind_case {
  wi::initializer init;
  wi::shape dims;
  wi::fan_layout lay;
};
std::vector<kind_case> every_kind() {
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

}  // namespace

TEST(SchemeDeviceFillArguments, SchemeShapeAndPartErrorsAreThrownBeforeAnyCudaCall) {
  struct bad_case {
    std::string what;
    wi::initializer init;
    wi::shape dims;
    std::vector<std::string> words;
    wi::fan_layout lay = wi::layout::out_in;
    wi::dtype type = wi::dtype::f32;
  };
  wi::initializer bad_mode = wi::variance_scaling();
  bad_mode.mode = static_cast<wi::fan_mode>(9);
  wi::initializer bad_kind = wi::zeros();
  bad_kind.kind = static_cast<wi::scheme>(77);
  const std::vector<bad_case> cases = {
      {"xavier rank 1", wi::xavier_uniform(), {128}, {"xavier_uniform: needs rank >= 2", "[128]"}},
      {"he rank 0", wi::he_normal(), {}, {"he_normal: needs rank >= 2", "[]"}},
      {"lecun rank 1", wi::lecun_normal(), {5}, {"lecun_normal: needs rank >= 2", "[5]"}},
      {"he mode fan_avg", wi::he_normal(wi::fan_mode::fan_avg), {8, 8}, {"he_normal", "fan_avg", "fan_in or fan_out"}},
      {"unknown mode value", bad_mode, {8, 8}, {"variance_scaling", "mode", "9"}},
      {"unknown scheme value", bad_kind, {8, 8}, {"scheme", "77"}},
      {"negative std", wi::normal(0, -0.5), {8, 8}, {"normal: std must be a finite number >= 0, got -0.5"}},
      {"NaN std", wi::normal(0, kNan), {8, 8}, {"normal", "std", "nan"}},
      {"uniform a == b", wi::uniform(1, 1), {8, 8}, {"uniform: needs a < b, got a=1, b=1"}},
      {"truncated a > b", wi::truncated_normal(0, 1, 1, -1), {8, 8}, {"truncated_normal", "a < b", "a=1", "b=-1"}},
      {"xavier gain 0", wi::xavier_uniform(0), {8, 8}, {"xavier_uniform", "gain", "0"}},
      {"sparsity 1.5", wi::sparse(1.5), {8, 8}, {"sparse: sparsity must lie in [0, 1], got 1.5"}},
      {"sparsity negative", wi::sparse(-0.1), {8, 8}, {"sparse", "sparsity", "-0.1"}},
      {"sparsity NaN", wi::sparse(kNan), {8, 8}, {"sparse", "sparsity", "nan"}},
      {"sparse std negative", wi::sparse(0.5, -1), {8, 8}, {"sparse", "std", "-1"}},
      {"sparse 3-D", wi::sparse(0.5), {4, 4, 4}, {"sparse: needs a 2-D shape", "[4, 4, 4]"}},
      {"dirac rank 2", wi::dirac(), {4, 4}, {"dirac: needs a 3-, 4- or 5-D shape", "[4, 4]"}},
      {"dirac rank 6", wi::dirac(), {2, 2, 2, 2, 2, 2}, {"dirac", "[2, 2, 2, 2, 2, 2]"}},
      {"dirac groups not dividing", wi::dirac(3), {8, 4, 3, 3}, {"dirac: dim 0 of shape [8, 4, 3, 3] is not divisible by groups 3"}},
      {"dirac groups 0", wi::dirac(0), {8, 4, 3, 3}, {"dirac: groups must be >= 1, got 0"}},
      {"eye 3-D", wi::eye(), {4, 4, 4}, {"eye: needs a 2-D shape", "[4, 4, 4]"}},
      {"orthogonal 1-D", wi::orthogonal(), {16}, {"orthogonal: needs rank >= 2", "[16]"}},
      {"orthogonal gain NaN", wi::orthogonal(kNan), {8, 8}, {"orthogonal", "gain", "nan"}},
      {"orthogonal parts in_out", wi::orthogonal(), {8, 64}, {"orthogonal", "outermost"},
       with_parts(wi::layout::in_out, {32, 32})},
      {"parts not summing to the output", wi::xavier_uniform(), {48, 16}, {"xavier_uniform", "part sizes {16, 16}", "output extent 48"},
       with_parts(wi::layout::out_in, {16, 16})},
      {"unequal parts in_out", wi::xavier_uniform(), {64, 96}, {"xavier_uniform", "outermost"},
       with_parts(wi::layout::in_out, {64, 16, 16})},
      {"groups not dividing", wi::he_normal(wi::fan_mode::fan_out), {30, 4, 3, 3}, {"he_normal", "groups"},
       [] {
         wi::fan_layout l = wi::layout::out_in;
         l.groups = 4;
         return l;
       }()},
      {"bias_uniform on its own 1-D shape", wi::bias_uniform(), {16}, {"bias_uniform", "weight's fans", "[16]"}},
      // Checks of the resolved distribution for the tensor's type: named "fill".
      {"interval narrower than f16 spacing", wi::uniform(1.0001, 1.0002), {8, 8},
       {"fill: uniform", "interval is narrower than f16 spacing"}, wi::layout::out_in, wi::dtype::f16},
  };
  for (const bad_case& c : cases) {
    buffer b(c.type, std::max<std::int64_t>(1, wi::element_count(c.dims)));
    expect_invalid([&] { wi::fill(wi::tensor_view{b.data(), c.type, c.dims}, c.init, kKey, c.lay, nullptr); }, c.words,
                   c.what);
    if (!c.lay.axes && c.lay.convention == wi::layout::out_in && c.lay.parts.empty() && c.lay.groups == 1)
      expect_invalid([&] { wi::fill(wi::tensor_view{b.data(), c.type, c.dims}, c.init, kKey, nullptr); }, c.words,
                     c.what + " (default layout overload)");
    EXPECT_TRUE(b.untouched()) << c.what;
  }
}

TEST(SchemeDeviceFillArguments, GivenFansAreCheckedBeforeAnyCudaCall) {
  buffer b(wi::dtype::f32, 16);
  const wi::tensor_view v{b.data(), wi::dtype::f32, {16}};
  expect_invalid([&] { wi::fill(v, wi::xavier_uniform(), kKey, wi::fans{0, 10, 1}, nullptr); },
                 {"xavier_uniform", "needs fan_in > 0, got fan_in 0"}, "zero fan_in");
  expect_invalid([&] { wi::fill(v, wi::he_normal(wi::fan_mode::fan_out), kKey, wi::fans{4, 0, 1}, nullptr); },
                 {"he_normal", "needs fan_out > 0, got fan_out 0"}, "zero fan_out");
  expect_invalid([&] { wi::fill(v, wi::lecun_normal(), kKey, wi::fans{kNan, 3, 1}, nullptr); },
                 {"lecun_normal", "fan_in", "nan"}, "NaN fan_in");
  expect_invalid([&] { wi::fill(v, wi::bias_uniform(), kKey, wi::fans{-2, 3, 1}, nullptr); },
                 {"bias_uniform", "fan_in", "-2"}, "negative fan_in");
  EXPECT_TRUE(b.untouched());
}

TEST(SchemeDeviceFillArguments, WindowNullAndMisalignedPointersAreRefusedForEveryKindBeforeAnyCudaCall) {
  for (const kind_case& k : every_kind()) {
    const std::string name = wi::to_string(k.init);
    const std::int64_t n = wi::element_count(k.dims);
    expect_invalid([&] { wi::fill(wi::tensor_view{kAligned, wi::dtype::f32, k.dims, n - 6, 7}, k.init, kKey, k.lay, nullptr); },
                   {"fill: window [250, +7) lies outside tensor " + wi::to_string(k.dims) + " of 256 elements"},
                   name + ": window past the end");
    expect_invalid([&] { wi::fill(wi::tensor_view{kAligned, wi::dtype::f32, k.dims, n + 1, -1}, k.init, kKey, k.lay, nullptr); },
                   {"fill: window start 257 lies outside tensor"}, name + ": window start past the end");
    expect_invalid([&] { wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, k.dims}, k.init, kKey, k.lay, nullptr); },
                   {"fill: null data pointer for 256 elements"}, name + ": null pointer");
    expect_invalid([&] { wi::fill(wi::tensor_view{kOffBy2, wi::dtype::f32, k.dims}, k.init, kKey, k.lay, nullptr); },
                   {"fill: data pointer 0x1002 is not aligned to its 4-byte f32 elements"}, name + ": misaligned f32");
    expect_invalid([&] { wi::fill(wi::tensor_view{kOffBy1, wi::dtype::bf16, k.dims}, k.init, kKey, k.lay, nullptr); },
                   {"fill: data pointer 0x1001 is not aligned to its 2-byte bf16 elements"}, name + ": misaligned bf16");
    expect_invalid([&] { wi::fill(wi::tensor_view{kOffBy2, wi::dtype::f64, k.dims, 8, 100}, k.init, kKey, k.lay, nullptr); },
                   {"fill: data pointer 0x1002 is not aligned to its 8-byte f64 elements"}, name + ": misaligned f64 window");
  }
}

TEST(SchemeDeviceFillArguments, ZeroElementFillsMakeNoCudaCallAndNeedNoPointer) {
  // Without a device every CUDA call fails, so returning quietly shows none was made.
  for (const kind_case& k : every_kind()) {
    wi::shape empty = k.dims;
    empty[1] = 0;  // (dim 0 stays: the packed parts must still sum to it)
    EXPECT_NO_THROW(wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, empty}, k.init, kKey, k.lay, nullptr))
        << wi::to_string(k.init) << " " << wi::to_string(empty);
    wi::tensor_view window{nullptr, wi::dtype::bf16, k.dims, 100, 0};  // an empty window of a full tensor
    EXPECT_NO_THROW(wi::fill(window, k.init, kKey, k.lay, nullptr)) << wi::to_string(k.init) << " empty window";
    window.first = wi::element_count(k.dims);
    window.count = -1;  // from the end: nothing
    EXPECT_NO_THROW(wi::fill(window, k.init, kKey, k.lay, nullptr)) << wi::to_string(k.init) << " window at the end";
  }
  EXPECT_NO_THROW(wi::fill(wi::tensor_view{nullptr, wi::dtype::f64, {0}}, wi::xavier_uniform(), kKey, wi::fans{3, 4, 1},
                           nullptr));
  EXPECT_NO_THROW(wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {0, 8}}, wi::tensor_view{nullptr, wi::dtype::f32, {0}},
                           wi::pytorch_linear(), kKey, kKey, nullptr));
  EXPECT_NO_THROW(wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {8, 0}}, wi::tensor_view{nullptr, wi::dtype::f32, {0}},
                           wi::keras_dense(), kKey, kKey, nullptr));
}

TEST(SchemeDeviceFillArguments, BadParametersThrowEvenForZeroElementTensors) {
  expect_invalid([] { wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {0, 4}}, wi::normal(0, -1), kKey, nullptr); },
                 {"normal", "std"}, "std < 0, empty");
  expect_invalid([] { wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {0}}, wi::xavier_uniform(), kKey, nullptr); },
                 {"xavier_uniform", "rank >= 2"}, "rank 1, empty");
  expect_invalid([] { wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {0, 4}}, wi::sparse(1.5), kKey, nullptr); },
                 {"sparse", "sparsity", "1.5"}, "sparsity 1.5, empty");
  expect_invalid([] { wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {0, 4, 3, 3}}, wi::dirac(0), kKey, nullptr); },
                 {"dirac", "groups", "0"}, "groups 0, empty");
  expect_invalid([] { wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {0, 4}}, wi::dirac(), kKey, nullptr); },
                 {"dirac", "[0, 4]"}, "dirac rank 2, empty");
  expect_invalid([] { wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {0}}, wi::orthogonal(), kKey, nullptr); },
                 {"orthogonal", "rank >= 2", "[0]"}, "orthogonal rank 1, empty");
}

TEST(SchemeDeviceFillArguments, PresetChecksBothTensorsBeforeAnyCudaCall) {
  // The weight's address is never used: every failure below is found while planning both tensors,
  // before the weight's pointer query (which, without a device, would fail with a cuda_error).
  const wi::tensor_view w{kAligned, wi::dtype::f32, {8, 8}};
  expect_invalid([&] { wi::fill(w, wi::tensor_view{kAligned, wi::dtype::f32, {8}, 4, 9}, wi::pytorch_linear(), kKey, kKey, nullptr); },
                 {"fill: window [4, +9) lies outside tensor [8]"}, "bias window outside");
  expect_invalid([&] { wi::fill(w, wi::tensor_view{nullptr, wi::dtype::f32, {8}}, wi::megatron(), kKey, kKey, nullptr); },
                 {"fill: null data pointer for 8 elements"}, "null bias");
  expect_invalid([&] { wi::fill(wi::tensor_view{kAligned, wi::dtype::f32, {64}}, wi::tensor_view{kAligned, wi::dtype::f32, {8}},
                                wi::keras_dense(), kKey, kKey, nullptr); },
                 {"variance_scaling: needs rank >= 2", "[64]"}, "1-D weight (keras_dense)");
  expect_invalid([&] { wi::fill(wi::tensor_view{kAligned, wi::dtype::f32, {64}}, wi::tensor_view{kAligned, wi::dtype::f32, {8}},
                                wi::pytorch_linear(), kKey, kKey, nullptr); },
                 {"fill (pytorch_linear bias)", "rank >= 2", "[64]"}, "1-D weight (pytorch_linear, the bias's fans)");
  wi::layer_preset bad = wi::pytorch_linear();
  bad.bias = wi::normal(0, -1);
  expect_invalid([&] { wi::fill(w, wi::tensor_view{kAligned, wi::dtype::f32, {8}}, bad, kKey, kKey, nullptr); },
                 {"normal", "std"}, "bad bias scheme");
  expect_invalid([&] { wi::fill(wi::tensor_view{kOffBy2, wi::dtype::f32, {8, 8}}, wi::tensor_view{kAligned, wi::dtype::f32, {8}},
                                wi::megatron(), kKey, kKey, nullptr); },
                 {"fill: data pointer 0x1002 is not aligned"}, "misaligned weight");
}

// Both pointers' device-free checks come before the weight's pointer query or launch: a
// misaligned bias is refused first, with no CUDA call.
TEST(SchemeDeviceFillArguments, PresetRefusesAMisalignedBiasBeforeTouchingTheWeight) {
  expect_invalid([&] { wi::fill(wi::tensor_view{kAligned, wi::dtype::f32, {8, 8}}, wi::tensor_view{kOffBy2, wi::dtype::f32, {8}},
                                wi::pytorch_linear(), kKey, kKey, nullptr); },
                 {"fill: data pointer 0x1002 is not aligned"}, "misaligned bias");
}

TEST(SchemeDeviceFillArguments, PageableHostMemoryIsOnlyKnownAfterThePointerQuery) {
  // Whether `data` is pageable host memory is only known from cudaPointerGetAttributes: with a
  // device, a clear std::invalid_argument; without one, the query fails with a cuda_error naming it.
  // Either way nothing is written.
  const bool device = has_device();
  for (const kind_case& k : every_kind()) {
    const std::string name = wi::to_string(k.init);
    buffer host(wi::dtype::f32, wi::element_count(k.dims));
    const wi::tensor_view v{host.data(), wi::dtype::f32, k.dims};
    if (device) {
      expect_invalid([&] { wi::fill(v, k.init, kKey, k.lay, nullptr); },
                     {"fill: data pointer", "is host memory (pageable, not registered with CUDA)", "use fill_host"}, name);
    } else {
      try {
        wi::fill(v, k.init, kKey, k.lay, nullptr);
        ADD_FAILURE() << name << ": fill on a machine without a GPU returned";
      } catch (const wi::cuda_error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("cudaPointerGetAttributes(&attr, data) failed"), std::string::npos) << name << ": " << m;
        EXPECT_NE(e.code(), 0) << name;
      } catch (const std::exception& e) {
        ADD_FAILURE() << name << ": wrong exception type: " << e.what();
      }
    }
    EXPECT_TRUE(host.untouched()) << name;
  }
}
