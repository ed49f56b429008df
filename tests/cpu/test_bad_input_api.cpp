// tests/cpu/test_bad_input_api.cpp: the bad-input matrix of the C++ API. One table walks every
// public entry point through every bad-input class (null data, host pointer to a device fill,
// windows outside the tensor, sizes whose bytes overflow, out-of-range enums, negative / NaN /
// infinite / unrepresentable parameters, a >= b, rank too small, unknown names, malformed SPEC
// strings and shapes, contradictory options) and asserts, for each case: the exception type, a
// message naming the entry point's function or scheme and the problem, and that a poisoned output
// buffer is unchanged. The CLI's half is tests/cpu/test_bad_input_cli.cpp.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "weightinit/weightinit.hpp"

namespace wi = weightinit;

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr unsigned char kPoison = 0xA5;
constexpr std::size_t kBufferBytes = 1 << 16;

bool has_device() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
}

// What a case must throw.
enum class expect {
  invalid,          // std::invalid_argument
  invalid_or_cuda,  // device fill of host memory: invalid_argument with a GPU, cuda_error without
};

struct bad_case {
  std::string entry;  // the public entry point
  std::string klass;  // the bad-input class
  std::function<void(void* out)> call;
  std::vector<std::string> words;  // all must appear in the message
  expect kind = expect::invalid;
};

// The fills, each called on the poisoned buffer `out` with one bad ingredient.
struct fill_entry {
  std::string name;
  // Calls the entry point on `view` with `init` and `options`; for the preset entries `init` is the
  // weight's scheme of a custom preset and the bias is a valid, empty view.
  std::function<void(const wi::tensor_view&, const wi::initializer&, const wi::fill_options&)> call;
  const char* function;  // the name in messages
};

std::vector<fill_entry> fill_entries() {
  const wi::key k{11, 3};
  auto preset = [](const wi::initializer& init) {
    wi::layer_preset p = wi::pytorch_linear();
    p.weight = init;
    return p;
  };
  return {
      {"fill_host(view, init, key, options)",
       [=](const wi::tensor_view& v, const wi::initializer& i, const wi::fill_options& o) {
         wi::fill_host(v, i, k, o);
       },
       "fill_host"},
      {"fill(view, init, key, options, stream)",
       [=](const wi::tensor_view& v, const wi::initializer& i, const wi::fill_options& o) {
         wi::fill(v, i, k, o, nullptr);
       },
       "fill"},
      {"fill_host(weight, bias, preset, ...)",
       [=](const wi::tensor_view& v, const wi::initializer& i, const wi::fill_options& o) {
         wi::fill_host(v, wi::tensor_view{nullptr, v.type, {0}}, preset(i), k, k, o);
       },
       "fill_host"},
      {"fill(weight, bias, preset, ..., stream)",
       [=](const wi::tensor_view& v, const wi::initializer& i, const wi::fill_options& o) {
         wi::fill(v, wi::tensor_view{nullptr, v.type, {0}}, preset(i), k, k, o, nullptr);
       },
       "fill"},
  };
}

std::vector<bad_case> fill_cases() {
  std::vector<bad_case> cases;
  const wi::initializer normal = wi::normal(0, 0.02);
  for (const fill_entry& e : fill_entries()) {
    const std::string fn = e.function;
    const bool preset = e.name.find("preset") != std::string::npos;
    auto add = [&](const std::string& klass, std::function<void(void*)> call,
                   std::vector<std::string> words, expect kind = expect::invalid) {
      cases.push_back({e.name, klass, std::move(call), std::move(words), kind});
    };
    auto view = [](void* out, wi::dtype t, wi::shape dims, std::int64_t first = 0,
                   std::int64_t count = -1) {
      return wi::tensor_view{out, t, std::move(dims), first, count};
    };
    const wi::fill_options none;
    add("null data",
        [=](void*) {
          e.call(view(nullptr, wi::dtype::f32, {16, 8}), normal, none);
        },
        {fn, "null data pointer for 128 f32 elements"});
    add("window past the end",
        [=](void* o) {
          e.call(view(o, wi::dtype::f32, {16, 8}, 120, 9), normal, none);
        },
        {fn, "window [120, +9) lies outside tensor [16, 8]"});
    add("window start negative",
        [=](void* o) {
          e.call(view(o, wi::dtype::f32, {16, 8}, -1, 4), normal, none);
        },
        {fn, "window start -1"});
    add("window count negative",
        [=](void* o) {
          e.call(view(o, wi::dtype::f32, {16, 8}, 0, -5), normal, none);
        },
        {fn, "window [0, +-5)"});
    add("negative extent",
        [=](void* o) {
          e.call(view(o, wi::dtype::f32, {16, -8}), normal, none);
        },
        {"negative extent", "[16, -8]"});
    add("element count overflows int64",
        [=](void* o) {
          e.call(view(o, wi::dtype::f32, {std::int64_t{1} << 40, std::int64_t{1} << 40}), normal,
                 none);
        },
        {"more than 2^63 - 1 elements"});
    add("bytes overflow",
        [=](void* o) {
          e.call(view(o, wi::dtype::f64, {std::int64_t{1} << 31, std::int64_t{1} << 30}), normal,
                 none);
        },
        {fn, "larger than memory can address"});
    add("dtype outside the enum",
        [=](void* o) {
          e.call(view(o, static_cast<wi::dtype>(9), {16, 8}), normal, none);
        },
        {fn, "unknown dtype value 9"});
    add("mode outside the enum",
        [=](void* o) {
          e.call(view(o, wi::dtype::f32, {16, 8}),
                 wi::variance_scaling(1, static_cast<wi::fan_mode>(7)), none);
        },
        {"variance_scaling", "unknown mode value 7"});
    add("nonlinearity outside the enum",
        [=](void* o) {
          e.call(view(o, wi::dtype::f32, {16, 8}),
                 wi::he_normal(wi::fan_mode::fan_in, static_cast<wi::nonlinearity>(42)), none);
        },
        {"he_normal", "unknown nonlinearity value 42"});
    add("scale distribution outside the enum",
        [=](void* o) {
          e.call(
              view(o, wi::dtype::f32, {16, 8}),
              wi::variance_scaling(1, wi::fan_mode::fan_in, static_cast<wi::scale_distribution>(8)),
              none);
        },
        {"variance_scaling", "unknown distribution value 8"});
    add("negative std",
        [=](void* o) {
          e.call(view(o, wi::dtype::f32, {16, 8}), wi::normal(0, -1), none);
        },
        {"normal", "std must be a finite number >= 0, got -1"});
    add("NaN mean",
        [=](void* o) {
          e.call(view(o, wi::dtype::f32, {16, 8}), wi::normal(kNan, 1), none);
        },
        {"normal", "mean", "nan"});
    add("infinite bound",
        [=](void* o) {
          e.call(view(o, wi::dtype::f32, {16, 8}), wi::uniform(0, kInf), none);
        },
        {"uniform", "b must be a finite number, got inf"});
    add("a >= b",
        [=](void* o) {
          e.call(view(o, wi::dtype::f32, {16, 8}), wi::uniform(1, 1), none);
        },
        {"uniform", "needs a < b, got a=1, b=1"});
    add("truncation a >= b",
        [=](void* o) {
          e.call(view(o, wi::dtype::f32, {16, 8}), wi::truncated_normal(0, 1, 2, -2), none);
        },
        {"truncated_normal", "needs a < b"});
    add("zero gain",
        [=](void* o) {
          e.call(view(o, wi::dtype::f32, {16, 8}), wi::xavier_uniform(0), none);
        },
        {"xavier_uniform", "gain must be a finite number > 0, got 0"});
    add("unrepresentable constant (f16)",
        [=](void* o) {
          e.call(view(o, wi::dtype::f16, {16, 8}), wi::constant(1e5), none);
        },
        {fn, "beyond the largest finite f16 (65504)"});
    add("unrepresentable normal (bf16)",
        [=](void* o) {
          e.call(view(o, wi::dtype::bf16, {16, 8}), wi::normal(0, 1e38), none);
        },
        {fn, "beyond the largest finite bf16"});
    add("unrepresentable uniform (f32)",
        [=](void* o) {
          e.call(view(o, wi::dtype::f32, {16, 8}), wi::uniform(-1e39, 1e39), none);
        },
        {fn, "overflow f32"});
    add("rank too small for fans",
        [=](void* o) { e.call(view(o, wi::dtype::f32, {128}), wi::xavier_uniform(), none); },
        {"xavier_uniform", "rank >= 2", "[128]"});
    if (!preset) {
      add("zero fan given",
          [=](void* o) {
            e.call(view(o, wi::dtype::f32, {16, 8}), wi::he_normal(),
                   wi::fill_options().with_fan_override(wi::fans{0, 8, 1}));
          },
          {"he_normal", "fan_in > 0"});
      add("layout and fan_override both set",
          [=](void* o) {
            e.call(view(o, wi::dtype::f32, {16, 8}), wi::xavier_uniform(),
                   wi::fill_options()
                       .with_layout(wi::layout::in_out)
                       .with_fan_override(wi::fans{8, 16, 1}));
          },
          {fn, "both layout and fan_override"});
      add("fan_override for a scheme without fans",
          [=](void* o) {
            e.call(view(o, wi::dtype::f32, {16, 8}), normal,
                   wi::fill_options().with_fan_override(wi::fans{8, 16, 1}));
          },
          {fn, "fan_override", "normal reads no fans"});
      add("layout outside the enum",
          [=](void* o) {
            e.call(view(o, wi::dtype::f32, {16, 8}), wi::xavier_uniform(),
                   wi::fill_options().with_layout(static_cast<wi::layout>(5)));
          },
          {"xavier_uniform", "unknown layout value 5"});
      add("bias_uniform without the weight's fans",
          [=](void* o) { e.call(view(o, wi::dtype::f32, {16}), wi::bias_uniform(), none); },
          {"bias_uniform", "weight's fans"});
      add("structured scheme on a wrong rank",
          [=](void* o) { e.call(view(o, wi::dtype::f32, {16}), wi::eye(), none); },
          {"eye", "needs a 2-D shape"});
    } else {
      add("preset with a layout",
          [=](void* o) {
            e.call(view(o, wi::dtype::f32, {16, 8}), normal,
                   wi::fill_options().with_layout(wi::layout::in_out));
          },
          {fn, "preset carries its own layout"});
    }
    if (e.function == std::string("fill")) {
      add(
          "host pointer to a device fill",
          [=](void* o) {
            e.call(view(o, wi::dtype::f32, {16, 8}), normal, none);
          },
          {"fill"}, expect::invalid_or_cuda);
      add("misaligned pointer",
          [=](void* o) {
            e.call(view(static_cast<char*>(o) + 1, wi::dtype::f32, {16, 8}), normal, none);
          },
          {"fill: data pointer", "is not aligned to its 4-byte f32 elements"});
    }
  }
  return cases;
}

std::vector<bad_case> other_cases() {
  std::vector<bad_case> c;
  auto add = [&](const std::string& entry, const std::string& klass, std::function<void()> f,
                 std::vector<std::string> words) {
    c.push_back({entry, klass, [f](void*) { f(); }, std::move(words)});
  };
  add("resolve", "rank too small", [] { wi::resolve(wi::he_uniform(), {64}); },
      {"he_uniform", "rank >= 2"});
  add("resolve", "structured scheme",
      [] {
        wi::resolve(wi::orthogonal(), {8, 8});
      },
      {"orthogonal", "structured scheme"});
  add("resolve", "negative extent",
      [] {
        wi::resolve(wi::xavier_normal(), {8, -1});
      },
      {"negative extent"});
  add("resolve_with_fans", "NaN fan",
      [] {
        wi::resolve_with_fans(wi::lecun_normal(), wi::fans{kNan, 1, 1});
      },
      {"lecun_normal", "fan_in", "nan"});
  add("compute_fans", "rank too small", [] { wi::compute_fans({5}); }, {"compute_fans", "rank"});
  add("compute_fans", "axis out of range",
      [] {
        wi::compute_fans({4, 4}, wi::fan_axes{{5}, {0}, {}});
      },
      {"axis 5 is out of range"});
  add("compute_fans", "groups not dividing",
      [] {
        wi::fan_layout l;
        l.groups = 3;
        wi::compute_fans({8, 4, 3, 3}, l);
      },
      {"groups"});
  add("compute_part_fans", "parts not summing",
      [] {
        wi::fan_layout l;
        l.parts = {4, 4};
        wi::compute_part_fans({9, 4}, l);
      },
      {"part sizes {4, 4} do not add up"});
  add("gain(nonlinearity)", "NaN slope", [] { wi::gain(wi::nonlinearity::leaky_relu, kNan); },
      {"gain", "finite"});
  add("gain(nonlinearity)", "enum outside", [] { wi::gain(static_cast<wi::nonlinearity>(77)); },
      {"gain", "unknown nonlinearity value 77"});
  add("gain(name)", "unknown name", [] { wi::gain("relu6"); }, {"unknown nonlinearity 'relu6'"});
  add("parse_initializer", "unknown scheme", [] { wi::parse_initializer("xavier_unifrom"); },
      {"unknown scheme 'xavier_unifrom'"});
  add("parse_initializer", "unknown parameter", [] { wi::parse_initializer("normal(sigma=1)"); },
      {"normal", "sigma"});
  add("parse_initializer", "malformed SPEC", [] { wi::parse_initializer("normal(std=1"); },
      {"normal(std=1"});
  add("parse_initializer", "not a number", [] { wi::parse_initializer("normal(std=abc)"); },
      {"std='abc' is not a number"});
  add("parse_initializer", "bad value", [] { wi::parse_initializer("uniform(a=2,b=1)"); },
      {"uniform", "a < b"});
  add("parse_initializer", "bad integer", [] { wi::parse_initializer("dirac(groups=1.5)"); },
      {"dirac", "groups must be an integer"});
  add("parse_distribution", "unknown name", [] { wi::parse_distribution("xavier"); }, {"xavier"});
  add("parse_spec", "empty name", [] { wi::parse_spec("(a=1)"); }, {"name"});
  add("parse_spec", "repeated parameter", [] { wi::parse_spec("normal(std=1,std=2)"); }, {"std"});
  add("parse_dtype", "unknown name", [] { wi::parse_dtype("fp8"); }, {"unknown dtype 'fp8'"});
  add("parse_layout", "unknown name", [] { wi::parse_layout("nhwc"); }, {"nhwc"});
  add("parse_fan_mode", "unknown name", [] { wi::parse_fan_mode("fan_mid"); }, {"fan_mid"});
  add("parse_scale_distribution", "unknown name", [] { wi::parse_scale_distribution("gamma"); },
      {"gamma"});
  add("parse_nonlinearity", "unknown name", [] { wi::parse_nonlinearity("swishy"); }, {"swishy"});
  add("recommended_init", "unknown activation", [] { wi::recommended_init("softsign"); },
      {"softsign"});
  add("recommended_init", "NaN slope", [] { wi::recommended_init("leaky_relu", kNan); },
      {"finite"});
  add("preset_by_name", "unknown name", [] { wi::preset_by_name("keras_conv"); }, {"keras_conv"});
  add("megatron", "negative sigma", [] { wi::megatron(-0.02); }, {"megatron", "sigma"});
  add("megatron_output", "zero layers", [] { wi::megatron_output(0); },
      {"num_layers must be >= 1"});
  add("validate", "sparsity outside [0, 1]", [] { wi::validate(wi::sparse(1.5)); },
      {"sparse", "sparsity"});
  add("validate", "dirac groups < 1", [] { wi::validate(wi::dirac(0)); }, {"dirac", "groups"});
  add("element_count", "negative extent", [] { wi::element_count({3, -2}); }, {"negative extent"});
  add("window_count", "dtype outside the enum",
      [] {
        wi::window_count(wi::tensor_view{nullptr, static_cast<wi::dtype>(4), {2}}, "f");
      },
      {"unknown dtype value 4"});
  add("initializer(distribution)", "kind outside the enum",
      [] {
        wi::distribution d;
        d.kind = static_cast<wi::distribution_kind>(9);
        wi::initializer i(d);
        (void)i;
      },
      {"unknown distribution kind value 9"});
  add("shape", "extent beyond int64",
      [] {
        const std::size_t huge = std::numeric_limits<std::size_t>::max();
        wi::shape s{huge, 2};
        (void)s;
      },
      {"does not fit in a signed 64-bit extent"});
  return c;
}

}  // namespace

TEST(BadInputMatrix, EveryEntryPointRefusesEveryBadInputClearlyAndWritesNothing) {
  std::vector<bad_case> cases = fill_cases();
  for (bad_case& c : other_cases()) cases.push_back(std::move(c));
  const bool device = has_device();
  std::vector<unsigned char> buffer(kBufferBytes);
  std::size_t checked = 0;
  for (const bad_case& c : cases) {
    SCOPED_TRACE(c.entry + " / " + c.klass);
    std::memset(buffer.data(), kPoison, buffer.size());
    std::string message;
    bool right_type = false;
    try {
      c.call(buffer.data());
    } catch (const std::invalid_argument& e) {
      message = e.what();
      right_type = true;
    } catch (const wi::cuda_error& e) {
      message = e.what();
      // Only a device fill of host memory on a machine without a GPU may end here: the pointer
      // query that tells pageable memory apart is itself the failing CUDA call.
      right_type = c.kind == expect::invalid_or_cuda && !device &&
                   message.find("from cudaPointerGetAttributes") != std::string::npos;
    } catch (const std::exception& e) {
      message = std::string("unexpected exception: ") + e.what();
    }
    EXPECT_TRUE(right_type) << "wrong or no exception; message: '" << message << "'";
    for (const std::string& w : c.words)
      EXPECT_NE(message.find(w), std::string::npos)
          << "message '" << message << "' lacks '" << w << "'";
    bool untouched = true;
    for (unsigned char b : buffer) untouched = untouched && b == kPoison;
    EXPECT_TRUE(untouched) << "the output buffer was written";
    ++checked;
  }
  // The README states the size of the matrix; a change of the count is a change of the README.
  std::printf("bad-input matrix (C++ API): %zu cases\n", checked);
  EXPECT_GE(checked, 100u);
  const std::string readme_path = std::string(WEIGHTINIT_SOURCE_DIR) + "/README.md";
  std::FILE* f = std::fopen(readme_path.c_str(), "rb");
  ASSERT_NE(f, nullptr) << readme_path;
  std::string readme;
  for (int c; (c = std::fgetc(f)) != EOF;) readme.push_back(static_cast<char>(c));
  std::fclose(f);
  EXPECT_NE(readme.find(std::to_string(checked) + " C++ API cases"), std::string::npos)
      << "README should say: " << checked << " C++ API cases";
}
