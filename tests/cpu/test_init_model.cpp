// tests/cpu/test_init_model.cpp: `weightinit init-model` as a user runs it: the .safetensors it
// writes, loaded with the Python safetensors and numpy packages, holds every tensor exactly as
// fill_host fills it (names, F32/F64/F16/BF16 codes, shapes, offsets, metadata); the same input
// gives the same bytes; --like reproduces a checkpoint's layout; the bytes are identical across
// thread counts; the description and header parsers accept what they should.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "checkpoint.hpp"
#include "model_description.hpp"
#include "safetensors_header.hpp"
#include "tests/common/python.hpp"
#include "tests/common/run_tool.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using weightinit_test::read_file;
using weightinit_test::run_tool;
using weightinit_test::tool_exists;

namespace {

const std::string kDir = std::string(WEIGHTINIT_BINARY_DIR) + "/test_init_model";

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// A small model touching every dtype, rules, a preset, a tensor's own init and explicit stream.
const char* kModel = R"J({
  "name": "tiny",
  "dtype": "f32",
  "preset": {"name": "gpt2", "n_layer": 2, "std": 0.02},
  "rules": [{"pattern": "*.special", "init": "uniform(a=-3,b=3)"}],
  "tensors": [
    {"name": "wte.weight", "shape": [97, 16]},
    {"name": "h.0.attn.c_attn.weight", "shape": [16, 48], "dtype": "bf16"},
    {"name": "h.0.attn.c_attn.bias", "shape": [48], "dtype": "bf16"},
    {"name": "h.0.attn.c_proj.weight", "shape": [16, 16], "dtype": "f16"},
    {"name": "h.0.ln_1.weight", "shape": [16], "dtype": "f64"},
    {"name": "x.special", "shape": [3, 4, 5], "dtype": "f64"},
    {"name": "own", "shape": [7, 9], "init": "xavier_uniform(gain=2)", "stream": 12345},
    {"name": "scalar", "shape": [], "init": "constant(value=0.5)"},
    {"name": "empty", "shape": [0, 4]}
  ]
})J";

struct expected {
  std::string name;
  wi::dtype type;
  wi::shape dims;
  wi::initializer init;
  std::uint64_t stream;
};

std::vector<expected> expected_tensors() {
  auto s = [](const char* n) { return wi::stream_of_name(n); };
  const double scaled = 0.02 / std::sqrt(4.0);
  return {{"wte.weight", wi::dtype::f32, {97, 16}, wi::normal(0, 0.02), s("wte.weight")},
          {"h.0.attn.c_attn.weight",
           wi::dtype::bf16,
           {16, 48},
           wi::normal(0, 0.02),
           s("h.0.attn.c_attn.weight")},
          {"h.0.attn.c_attn.bias", wi::dtype::bf16, {48}, wi::zeros(), s("h.0.attn.c_attn.bias")},
          {"h.0.attn.c_proj.weight",
           wi::dtype::f16,
           {16, 16},
           wi::normal(0, scaled),
           s("h.0.attn.c_proj.weight")},
          {"h.0.ln_1.weight", wi::dtype::f64, {16}, wi::ones(), s("h.0.ln_1.weight")},
          {"x.special", wi::dtype::f64, {3, 4, 5}, wi::uniform(-3, 3), s("x.special")},
          {"own", wi::dtype::f32, {7, 9}, wi::xavier_uniform(2), 12345},
          {"scalar", wi::dtype::f32, {}, wi::constant(0.5), s("scalar")},
          {"empty", wi::dtype::f32, {0, 4}, wi::normal(0, 0.02), s("empty")}};
}

const char* code(wi::dtype t) { return weightinit_io::safetensors_code(t); }

// The reference bytes (fill_host of each tensor) and the list the Python checker reads.
void write_reference(const std::string& bin, const std::string& list, std::uint64_t seed) {
  std::ofstream b(bin, std::ios::binary), l(list);
  for (const expected& e : expected_tensors()) {
    std::vector<unsigned char> v(static_cast<std::size_t>(wi::element_count(e.dims)) *
                                 wi::size_of(e.type));
    wi::fill_host({v.data(), e.type, e.dims}, e.init, {seed, e.stream});
    b.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size()));
    std::string dims;
    for (std::int64_t d : e.dims) dims += (dims.empty() ? "" : ",") + std::to_string(d);
    l << e.name << ' ' << code(e.type) << ' ' << (dims.empty() ? "-" : dims) << '\n';
  }
}

void check_with_python(const std::string& file, std::uint64_t seed) {
  if (!weightinit_test::python_has_safetensors()) {
    if (weightinit_test::python_required())
      FAIL() << "WEIGHTINIT_REQUIRE_PYTHON is set, but " << weightinit_test::python()
             << " cannot import safetensors and numpy";
    GTEST_SKIP() << weightinit_test::python() << " lacks the safetensors/numpy packages "
                 << "(pip install safetensors numpy, or set WEIGHTINIT_PYTHON)";
  }
  write_reference(kDir + "/ref.bin", kDir + "/ref.txt", seed);
  const std::string cmd = weightinit_test::python() + " " + WEIGHTINIT_SOURCE_DIR +
                          "/tests/python/check_checkpoint.py " + file + " " + kDir + "/ref.bin " +
                          kDir + "/ref.txt " + std::to_string(wi::contract_version) + " 2>&1";
  std::FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int st = pclose(p);
  EXPECT_EQ(WEXITSTATUS(st), 0) << out;
}

}  // namespace

TEST(InitModel, CheckpointLoadsInPythonAndEqualsFillHostTensorByTensor) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  std::system(("mkdir -p " + kDir).c_str());
  write_text(kDir + "/tiny.json", kModel);
  const std::string out = kDir + "/tiny.safetensors";
  const auto r = run_tool("init-model --model " + kDir + "/tiny.json --seed 77 --out " + out);
  ASSERT_EQ(r.status, 0) << r.out;
  // The header, by our reader: codes, shapes, contiguous offsets in description order.
  const weightinit_io::safetensors_header h = weightinit_io::read_safetensors_header(out);
  const std::vector<expected> want = expected_tensors();
  ASSERT_EQ(h.tensors.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(h.tensors[i].name, want[i].name);
    EXPECT_EQ(h.tensors[i].dtype, code(want[i].type));
    EXPECT_EQ(h.tensors[i].shape, want[i].dims.extents());
  }
  EXPECT_EQ(h.metadata.at("weightinit_seed"), "77");
  EXPECT_EQ(h.metadata.at("weightinit_contract_version"), std::to_string(wi::contract_version));
  EXPECT_NE(h.metadata.at("weightinit_explicit_streams").find("own=12345"), std::string::npos);
  EXPECT_EQ((8 + h.header_bytes) % 8, 0u) << "data section not 8-byte aligned";
  check_with_python(out, 77);
}

TEST(InitModel, SameInputSameBytesAnyThreadCountAndLikeReproducesTheLayout) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  std::system(("mkdir -p " + kDir).c_str());
  write_text(kDir + "/tiny.json", kModel);
  const std::string a = kDir + "/a.safetensors", b = kDir + "/b.safetensors",
                    c = kDir + "/c.safetensors";
  ASSERT_EQ(
      run_tool("init-model --model " + kDir + "/tiny.json --seed 5 --threads 1 --out " + a).status,
      0);
  ASSERT_EQ(
      run_tool("init-model --model " + kDir + "/tiny.json --seed 5 --threads 2 --out " + b).status,
      0);
  EXPECT_EQ(read_file(a), read_file(b));
  // --like: names, shapes and dtypes from a's header; the rules from a rules file. With the same
  // rules and no per-tensor inits it must equal a model whose description has none either.
  write_text(
      kDir + "/rules.json",
      R"J({"preset": {"name": "gpt2", "n_layer": 2}, "rules": [{"pattern": "*.special", "init": "uniform(a=-3,b=3)"}, {"pattern": "own", "init": "xavier_uniform(gain=2)"}, {"pattern": "scalar", "init": "constant(value=0.5)"}]})J");
  const auto r =
      run_tool("init-model --like " + a + " --rules " + kDir + "/rules.json --seed 5 --out " + c);
  ASSERT_EQ(r.status, 0) << r.out;
  const auto ha = weightinit_io::read_safetensors_header(a),
             hc = weightinit_io::read_safetensors_header(c);
  ASSERT_EQ(ha.tensors.size(), hc.tensors.size());
  const auto fa = read_file(a), fc = read_file(c);
  for (std::size_t i = 0; i < ha.tensors.size(); ++i) {
    EXPECT_EQ(ha.tensors[i].name, hc.tensors[i].name);
    EXPECT_EQ(ha.tensors[i].shape, hc.tensors[i].shape);
    const std::string& n = ha.tensors[i].name;
    if (n == "own") continue;  // a's has an explicit stream
    const auto* pa = fa.data() + 8 + ha.header_bytes + ha.tensors[i].begin;
    const auto* pc = fc.data() + 8 + hc.header_bytes + hc.tensors[i].begin;
    EXPECT_EQ(std::memcmp(pa, pc, ha.tensors[i].end - ha.tensors[i].begin), 0) << n;
  }
}

TEST(InitModel, ShippedDescriptionsBuildPlansOfTheRightSize) {
  for (const char* file : {"gpt2-small.json", "llama-small.json"}) {
    std::ifstream f(std::string(WEIGHTINIT_SOURCE_DIR) + "/examples/models/" + file);
    const std::string text{std::istreambuf_iterator<char>(f), {}};
    const weightinit_io::model_description d = weightinit_io::parse_model_json(text);
    const wi::model_plan plan = weightinit_io::plan_of(d, weightinit_io::rules_of(d), 1);
    if (std::string(file) == "gpt2-small.json") {
      EXPECT_EQ(plan.size(), 148u);
      EXPECT_EQ(plan.total_elements(), 124439808);
      EXPECT_EQ(plan.entry(plan.find("h.3.mlp.c_proj.weight")).init,
                wi::normal(0, 0.02 / std::sqrt(24.0)));
    } else {
      EXPECT_EQ(plan.entry(plan.find("model.norm.weight")).init, wi::ones());
      EXPECT_EQ(plan.entry(0).type, wi::dtype::bf16);
    }
  }
}
