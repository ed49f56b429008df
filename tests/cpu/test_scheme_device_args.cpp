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

#include "tests/common/options.hpp"
#include "scheme_test_util.hpp"
#include "tests/common/bad_schemes.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using scheme_test::buffer;
using scheme_test::expect_invalid;
using weightinit_test::bad_scheme;
using weightinit_test::bad_schemes;
using weightinit_test::every_fill_kind;
using weightinit_test::fill_kind;

using weightinit_test::with_fans;
using weightinit_test::with_layout;

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

}  // namespace

TEST(SchemeDeviceFillArguments, SchemeShapeAndPartErrorsAreThrownBeforeAnyCudaCall) {
  auto check = [](const bad_scheme& c, wi::dtype type) {
    buffer b(type, std::max<std::int64_t>(1, wi::element_count(c.dims)));
    expect_invalid(
        [&] {
          wi::fill(wi::tensor_view{b.data(), type, c.dims}, c.init, kKey, with_layout(c.lay),
                   nullptr);
        },
        c.words, c.what);
    if (!c.lay.axes && c.lay.convention == wi::layout::out_in && c.lay.parts.empty() &&
        c.lay.groups == 1)
      expect_invalid(
          [&] {
            wi::fill(wi::tensor_view{b.data(), type, c.dims}, c.init, kKey, nullptr);
          },
          c.words, c.what + " (default layout overload)");
    EXPECT_TRUE(b.untouched()) << c.what;
  };
  for (const bad_scheme& c : bad_schemes()) check(c, wi::dtype::f32);
  // A check of the resolved distribution for the tensor's type: named "fill".
  check({"interval narrower than f16 spacing",
         wi::uniform(1.0001, 1.0002),
         {8, 8},
         {"fill: uniform", "interval is narrower than f16 spacing"}},
        wi::dtype::f16);
}

TEST(SchemeDeviceFillArguments, GivenFansAreCheckedBeforeAnyCudaCall) {
  buffer b(wi::dtype::f32, 16);
  const wi::tensor_view v{b.data(), wi::dtype::f32, {16}};
  expect_invalid(
      [&] {
        wi::fill(v, wi::xavier_uniform(), kKey, with_fans(wi::fans{0, 10, 1}), nullptr);
      },
      {"xavier_uniform", "needs fan_in > 0, got fan_in 0"}, "zero fan_in");
  expect_invalid(
      [&] {
        wi::fill(v, wi::he_normal(wi::fan_mode::fan_out), kKey, with_fans(wi::fans{4, 0, 1}),
                 nullptr);
      },
      {"he_normal", "needs fan_out > 0, got fan_out 0"}, "zero fan_out");
  expect_invalid(
      [&] {
        wi::fill(v, wi::lecun_normal(), kKey, with_fans(wi::fans{kNan, 3, 1}), nullptr);
      },
      {"lecun_normal", "fan_in", "nan"}, "NaN fan_in");
  expect_invalid(
      [&] {
        wi::fill(v, wi::bias_uniform(), kKey, with_fans(wi::fans{-2, 3, 1}), nullptr);
      },
      {"bias_uniform", "fan_in", "-2"}, "negative fan_in");
  EXPECT_TRUE(b.untouched());
}

TEST(SchemeDeviceFillArguments,
     WindowNullAndMisalignedPointersAreRefusedForEveryKindBeforeAnyCudaCall) {
  for (const fill_kind& k : every_fill_kind()) {
    const std::string name = wi::to_string(k.init);
    const std::int64_t n = wi::element_count(k.dims);
    expect_invalid(
        [&] {
          wi::fill(wi::tensor_view{kAligned, wi::dtype::f32, k.dims, n - 6, 7}, k.init, kKey,
                   with_layout(k.lay), nullptr);
        },
        {"fill: window [250, +7) lies outside tensor " + wi::to_string(k.dims) +
         " of 256 elements"},
        name + ": window past the end");
    expect_invalid(
        [&] {
          wi::fill(wi::tensor_view{kAligned, wi::dtype::f32, k.dims, n + 1, -1}, k.init, kKey,
                   with_layout(k.lay), nullptr);
        },
        {"fill: window start 257 lies outside tensor"}, name + ": window start past the end");
    expect_invalid(
        [&] {
          wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, k.dims}, k.init, kKey,
                   with_layout(k.lay), nullptr);
        },
        {"fill: null data pointer for 256 f32 elements"}, name + ": null pointer");
    expect_invalid(
        [&] {
          wi::fill(wi::tensor_view{kOffBy2, wi::dtype::f32, k.dims}, k.init, kKey,
                   with_layout(k.lay), nullptr);
        },
        {"fill: data pointer 0x1002 is not aligned to its 4-byte f32 elements"},
        name + ": misaligned f32");
    expect_invalid(
        [&] {
          wi::fill(wi::tensor_view{kOffBy1, wi::dtype::bf16, k.dims}, k.init, kKey,
                   with_layout(k.lay), nullptr);
        },
        {"fill: data pointer 0x1001 is not aligned to its 2-byte bf16 elements"},
        name + ": misaligned bf16");
    expect_invalid(
        [&] {
          wi::fill(wi::tensor_view{kOffBy2, wi::dtype::f64, k.dims, 8, 100}, k.init, kKey,
                   with_layout(k.lay), nullptr);
        },
        {"fill: data pointer 0x1002 is not aligned to its 8-byte f64 elements"},
        name + ": misaligned f64 window");
  }
}

TEST(SchemeDeviceFillArguments, ZeroElementFillsMakeNoCudaCallAndNeedNoPointer) {
  // Without a device every CUDA call fails, so returning quietly shows none was made.
  for (const fill_kind& k : every_fill_kind()) {
    wi::shape empty = k.dims;
    empty[1] = 0;  // (dim 0 stays: the packed parts must still sum to it)
    EXPECT_NO_THROW(wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, empty}, k.init, kKey,
                             with_layout(k.lay), nullptr))
        << wi::to_string(k.init) << " " << wi::to_string(empty);
    wi::tensor_view window{nullptr, wi::dtype::bf16, k.dims, 100,
                           0};  // an empty window of a full tensor
    EXPECT_NO_THROW(wi::fill(window, k.init, kKey, with_layout(k.lay), nullptr))
        << wi::to_string(k.init) << " empty window";
    window.first = wi::element_count(k.dims);
    window.count = -1;  // from the end: nothing
    EXPECT_NO_THROW(wi::fill(window, k.init, kKey, with_layout(k.lay), nullptr))
        << wi::to_string(k.init) << " window at the end";
  }
  EXPECT_NO_THROW(wi::fill(wi::tensor_view{nullptr, wi::dtype::f64, {0}}, wi::xavier_uniform(),
                           kKey, with_fans(wi::fans{3, 4, 1}), nullptr));
  EXPECT_NO_THROW(wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {0, 8}},
                           wi::tensor_view{nullptr, wi::dtype::f32, {0}}, wi::pytorch_linear(),
                           kKey, kKey, nullptr));
  EXPECT_NO_THROW(wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {8, 0}},
                           wi::tensor_view{nullptr, wi::dtype::f32, {0}}, wi::keras_dense(), kKey,
                           kKey, nullptr));
}

TEST(SchemeDeviceFillArguments, BadParametersThrowEvenForZeroElementTensors) {
  expect_invalid(
      [] {
        wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {0, 4}}, wi::normal(0, -1), kKey,
                 nullptr);
      },
      {"normal", "std"}, "std < 0, empty");
  expect_invalid(
      [] {
        wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {0}}, wi::xavier_uniform(), kKey,
                 nullptr);
      },
      {"xavier_uniform", "rank >= 2"}, "rank 1, empty");
  expect_invalid(
      [] {
        wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {0, 4}}, wi::sparse(1.5), kKey, nullptr);
      },
      {"sparse", "sparsity", "1.5"}, "sparsity 1.5, empty");
  expect_invalid(
      [] {
        wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {0, 4, 3, 3}}, wi::dirac(0), kKey,
                 nullptr);
      },
      {"dirac", "groups", "0"}, "groups 0, empty");
  expect_invalid(
      [] {
        wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {0, 4}}, wi::dirac(), kKey, nullptr);
      },
      {"dirac", "[0, 4]"}, "dirac rank 2, empty");
  expect_invalid(
      [] {
        wi::fill(wi::tensor_view{nullptr, wi::dtype::f32, {0}}, wi::orthogonal(), kKey, nullptr);
      },
      {"orthogonal", "rank >= 2", "[0]"}, "orthogonal rank 1, empty");
}

TEST(SchemeDeviceFillArguments, PresetChecksBothTensorsBeforeAnyCudaCall) {
  // The weight's address is never used: every failure below is found while planning both tensors,
  // before the weight's pointer query (which, without a device, would fail with a cuda_error).
  const wi::tensor_view w{kAligned, wi::dtype::f32, {8, 8}};
  expect_invalid(
      [&] {
        wi::fill(w, wi::tensor_view{kAligned, wi::dtype::f32, {8}, 4, 9}, wi::pytorch_linear(),
                 kKey, kKey, nullptr);
      },
      {"fill: window [4, +9) lies outside tensor [8]"}, "bias window outside");
  expect_invalid(
      [&] {
        wi::fill(w, wi::tensor_view{nullptr, wi::dtype::f32, {8}}, wi::megatron(), kKey, kKey,
                 nullptr);
      },
      {"fill: null data pointer for 8 f32 elements"}, "null bias");
  expect_invalid(
      [&] {
        wi::fill(wi::tensor_view{kAligned, wi::dtype::f32, {64}},
                 wi::tensor_view{kAligned, wi::dtype::f32, {8}}, wi::keras_dense(), kKey, kKey,
                 nullptr);
      },
      {"variance_scaling: needs rank >= 2", "[64]"}, "1-D weight (keras_dense)");
  expect_invalid(
      [&] {
        wi::fill(wi::tensor_view{kAligned, wi::dtype::f32, {64}},
                 wi::tensor_view{kAligned, wi::dtype::f32, {8}}, wi::pytorch_linear(), kKey, kKey,
                 nullptr);
      },
      {"fill: he_uniform: needs rank >= 2", "[64]"},
      "1-D weight (pytorch_linear: reported as the weight's)");
  wi::layer_preset bad = wi::pytorch_linear();
  bad.bias = wi::normal(0, -1);
  expect_invalid(
      [&] {
        wi::fill(w, wi::tensor_view{kAligned, wi::dtype::f32, {8}}, bad, kKey, kKey, nullptr);
      },
      {"normal", "std"}, "bad bias scheme");
  expect_invalid(
      [&] {
        wi::fill(wi::tensor_view{kOffBy2, wi::dtype::f32, {8, 8}},
                 wi::tensor_view{kAligned, wi::dtype::f32, {8}}, wi::megatron(), kKey, kKey,
                 nullptr);
      },
      {"fill: data pointer 0x1002 is not aligned"}, "misaligned weight");
}

// Both pointers' device-free checks come before the weight's pointer query or launch: a
// misaligned bias is refused first, with no CUDA call.
TEST(SchemeDeviceFillArguments, PresetRefusesAMisalignedBiasBeforeTouchingTheWeight) {
  expect_invalid(
      [&] {
        wi::fill(wi::tensor_view{kAligned, wi::dtype::f32, {8, 8}},
                 wi::tensor_view{kOffBy2, wi::dtype::f32, {8}}, wi::pytorch_linear(), kKey, kKey,
                 nullptr);
      },
      {"fill: data pointer 0x1002 is not aligned"}, "misaligned bias");
}

TEST(SchemeDeviceFillArguments, PageableHostMemoryIsOnlyKnownAfterThePointerQuery) {
  // Whether `data` is pageable host memory is only known from cudaPointerGetAttributes: with a
  // device, a clear std::invalid_argument; without one, the query fails with a cuda_error naming
  // it. Either way nothing is written.
  const bool device = has_device();
  for (const fill_kind& k : every_fill_kind()) {
    const std::string name = wi::to_string(k.init);
    buffer host(wi::dtype::f32, wi::element_count(k.dims));
    const wi::tensor_view v{host.data(), wi::dtype::f32, k.dims};
    if (device) {
      expect_invalid([&] { wi::fill(v, k.init, kKey, with_layout(k.lay), nullptr); },
                     {"fill: data pointer", "is host memory (pageable, not registered with CUDA)",
                      "use fill_host"},
                     name);
    } else {
      try {
        wi::fill(v, k.init, kKey, with_layout(k.lay), nullptr);
        ADD_FAILURE() << name << ": fill on a machine without a GPU returned";
      } catch (const wi::cuda_error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("weightinit::fill: "), std::string::npos) << name << ": " << m;
        EXPECT_NE(m.find("from cudaPointerGetAttributes)"), std::string::npos) << name << ": " << m;
        EXPECT_NE(e.code(), 0) << name;
      } catch (const std::exception& e) {
        ADD_FAILURE() << name << ": wrong exception type: " << e.what();
      }
    }
    EXPECT_TRUE(host.untouched()) << name;
  }
}
