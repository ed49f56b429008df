// tests/cpu/test_bad_input_models.cpp: the bad-input matrix of the whole-model entry points: plan
// building, rules and presets, shard boxes, the plan fills, the JSON description and safetensors
// header parsers, and `weightinit init-model` / `sample --box`. Each case asserts the exception
// type (or exit status), a message that names the problem, and that nothing was written: a poisoned
// output buffer keeps its poison, an existing output file keeps its bytes.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "checkpoint.hpp"
#include "model_description.hpp"
#include "safetensors_header.hpp"
#include "tests/common/plan_util.hpp"
#include "tests/common/run_tool.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using weightinit_test::read_file;
using weightinit_test::run_tool;
using weightinit_test::tool_exists;

namespace {

wi::plan_entry make(std::string name, wi::shape dims, wi::initializer init = wi::normal(),
                    wi::dtype t = wi::dtype::f32) {
  return weightinit_test::make_entry(std::move(name), std::move(dims), t, std::move(init));
}

template <class F>
void expect_invalid(F&& f, const std::string& says, const std::string& what) {
  try {
    f();
    ADD_FAILURE() << what << ": no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos)
        << what << ": message '" << e.what() << "' does not say '" << says << "'";
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": threw a " << typeid(e).name() << " (" << e.what()
                  << "), not std::invalid_argument";
  }
}

}  // namespace

TEST(BadInputModels, PlanAddRefusesAndLeavesThePlanUnchanged) {
  struct bad {
    const char* what;
    std::function<wi::plan_entry()> entry;
    const char* says;
  };
  const bad cases[] = {
      {"empty name", [] { return make("", {4}); }, "empty tensor name"},
      {"duplicate", [] { return make("w", {4}); }, "duplicate tensor name"},
      {"negative extent",
       [] {
         return make("n", {4, -1});
       },
       "-1"},
      {"overflowing shape",
       [] {
         return make("o", {std::int64_t{1} << 40, std::int64_t{1} << 40});
       },
       "more than 2^63"},
      {"xavier rank 1", [] { return make("x", {128}, wi::xavier_uniform()); }, "rank >= 2"},
      {"bad parameters", [] { return make("u", {4}, wi::uniform(1, 0)); }, "uniform"},
      {"bias without weight", [] { return make("fc.bias", {4}, wi::bias_uniform()); }, "fc.weight"},
      {"unknown dtype", [] { return make("d", {4}, wi::normal(), static_cast<wi::dtype>(9)); },
       "dtype"},
      {"box rank",
       [] {
         auto e = make("b1", {4, 4});
         e.box = wi::shard_box{{0}, {4}};
         return e;
       },
       "rank"},
      {"box outside",
       [] {
         auto e = make("b2", {4, 4});
         e.box = wi::shard_box{{2, 0}, {3, 4}};
         return e;
       },
       "does not lie inside"},
      {"box negative",
       [] {
         auto e = make("b3", {4, 4});
         e.box = wi::shard_box{{-1, 0}, {1, 4}};
         return e;
       },
       "does not lie inside"},
      {"layout and fans",
       [] {
         auto e = make("lf", {4, 4}, wi::xavier_uniform());
         e.layout = wi::fan_layout();
         e.fan_override = wi::fans{1, 1, 1};
         return e;
       },
       "both layout and fan_override"},
      {"fans for a fanless scheme",
       [] {
         auto e = make("ff", {4, 4});
         e.fan_override = wi::fans{1, 1, 1};
         return e;
       },
       "reads no fans"},
      {"dirac rank 2",
       [] {
         return make("dr", {4, 4}, wi::dirac());
       },
       "3-, 4- or 5-D"},
      {"bad parts",
       [] {
         auto e = make("pp", {10, 4}, wi::xavier_uniform());
         wi::fan_layout l;
         l.parts = {3, 3};
         e.layout = l;
         return e;
       },
       "part sizes {3, 3}"},
  };
  wi::model_plan plan(1);
  plan.add(make("w", {4}));
  for (const bad& c : cases) {
    expect_invalid([&] { plan.add(c.entry()); }, c.says, c.what);
    expect_invalid([&] { plan.add(c.entry()); }, "model_plan::add", c.what);
    EXPECT_EQ(plan.size(), 1u) << c.what << ": the plan changed";
  }
}

TEST(BadInputModels, PlanFillsRefuseBeforeWritingAnything) {
  wi::model_plan plan(1);
  plan.add(make("a", {64}));
  plan.add(make("b", {32}, wi::uniform()));
  std::vector<float> a(64, -7.0f), b(32, -7.0f);
  const std::vector<float> poison_a = a, poison_b = b;
  expect_invalid([&] { wi::fill_host(plan, wi::plan_buffers::per_entry({a.data()})); },
                 "1 buffers for a plan of 2", "count");
  expect_invalid(
      [&] {
        wi::fill_host(plan, wi::plan_buffers::per_entry({a.data(), nullptr}));
      },
      "null buffer for tensor 'b'", "null");
  expect_invalid([&] { wi::fill_host(plan, wi::plan_buffers::arena(nullptr)); }, "null arena",
                 "null arena");
  expect_invalid(
      [&] {
        wi::fill_host(plan, wi::plan_buffers::per_entry({a.data(), b.data()}),
                      wi::fill_options().with_layout(wi::layout::in_out));
      },
      "carries its own layout", "options");
  expect_invalid([&] { wi::fill_host(plan, 2, a.data()); }, "entry 2", "index");
  expect_invalid([&] { wi::fill_host(plan, 0, nullptr); }, "null buffer", "entry null");
  EXPECT_EQ(a, poison_a);
  EXPECT_EQ(b, poison_b);
}

TEST(BadInputModels, BoxFillsRefuseBeforeWritingAnything) {
  std::vector<float> out(16, -7.0f);
  const std::vector<float> poison = out;
  struct bad {
    const char* what;
    wi::shard_box box;
    std::int64_t first, count;
    const char* says;
  };
  const bad cases[] = {
      {"rank", {{0}, {4}}, 0, -1, "rank"},
      {"outside", {{0, 3}, {4, 4}}, 0, -1, "does not lie inside"},
      {"lengths", {{0, 0}, {4}}, 0, -1, "offsets but"},
      {"with a window", {{0, 0}, {2, 2}}, 1, -1, "cannot be combined with a window"},
      {"count mismatch", {{0, 0}, {2, 2}}, 0, 3, "cannot be combined with a window"},
  };
  for (const bad& c : cases) {
    wi::tensor_view v{out.data(), wi::dtype::f32, {6, 6}, c.first, c.count};
    v.box = c.box;
    expect_invalid([&] { wi::fill_host(v, wi::normal(), {1, 2}); }, c.says, c.what);
    expect_invalid([&] { wi::fill_host(v, wi::normal(), {1, 2}); }, "fill_host", c.what);
  }
  wi::tensor_view null_box{nullptr, wi::dtype::f32, {6, 6}};
  null_box.box = wi::shard_box{{0, 0}, {2, 2}};
  expect_invalid(
      [&] {
        wi::fill_host(null_box, wi::normal(), {1, 2});
      },
      "null data pointer", "null");
  EXPECT_EQ(out, poison);
  expect_invalid([] { wi::shard({4, 4}, 2, 0, 2); }, "dimension 2", "shard dim");
  expect_invalid([] { wi::shard({4, 4}, 0, 2, 2); }, "rank 2 of world 2", "shard rank");
  expect_invalid([] { wi::shard({4, 4}, 0, 0, 0); }, "world >= 1", "shard world");
  expect_invalid([] { wi::shard({6, 4}, 0, 0, 2, 4); }, "granule 4", "granule");
  expect_invalid([] { wi::parse_box("0:4;1:2"); }, "0:4;1:2", "parse_box");
}

TEST(BadInputModels, RulesAndPresetsNameTheProblem) {
  expect_invalid([] { wi::rule_set().add("h.[0", wi::zeros()); }, "unterminated character class",
                 "glob");
  expect_invalid([] { wi::rule_set().add("x\\", wi::zeros()); }, "trailing", "glob escape");
  expect_invalid([] { wi::rule_set().add("", wi::zeros()); }, "empty pattern", "empty glob");
  expect_invalid([] { wi::rule_set().add("*", wi::normal(0, -1)); }, "normal", "bad init");
  expect_invalid([] { wi::preset_rules("gtp2"); }, "unknown preset 'gtp2'", "preset name");
  expect_invalid([] { wi::preset_rules("gpt2"); }, "n_layer", "missing number");
  expect_invalid([] { wi::preset_rules("gpt2", {{"n_layer", 1.5}}); }, "n_layer", "fractional");
  expect_invalid(
      [] {
        wi::preset_rules("llama", {{"n_layer", 2}});
      },
      "unknown number 'n_layer'", "extra number");
  expect_invalid([] { wi::gpt2_rules(12, 0); }, "std > 0", "std");
  wi::rule_set only;
  only.add("*.weight", wi::zeros());
  expect_invalid([&] { wi::entry_from_rules(only, "h.0.bias", {1}, wi::dtype::f32); },
                 "no rule matches tensor 'h.0.bias'", "no match");
}

TEST(BadInputModels, ModelDescriptionParserNamesTheProblem) {
  struct bad {
    const char* text;
    const char* says;
  };
  const bad cases[] = {
      {"", "not valid JSON"},
      {"{", "not valid JSON"},
      {"[]", "must be a JSON object"},
      {R"({"tensors": 3})", "\"tensors\" must be an array"},
      {R"({"tensor": []})", "unknown key 'tensor'"},
      {R"({"tensors": [{"shape": [1]}]})", "missing \"name\""},
      {R"({"tensors": [{"name": "", "shape": [1]}]})", "empty \"name\""},
      {R"({"tensors": [{"name": "a"}]})", "missing \"shape\""},
      {R"({"tensors": [{"name": "a", "shape": [-1]}]})", "non-negative integers"},
      {R"({"tensors": [{"name": "a", "shape": [1.5]}]})", "non-negative integers"},
      {R"({"tensors": [{"name": "a", "shape": "4,4"}]})", "array of extents"},
      {R"({"tensors": [{"name": "a", "shape": [1]}, {"name": "a", "shape": [2]}]})",
       "duplicate tensor name 'a'"},
      {R"({"tensors": [{"name": "a", "shape": [1], "stream": -1}]})", "unsigned 64-bit"},
      {R"({"tensors": [{"name": "a", "shape": [1], "init": 3}]})", "\"init\" must be a string"},
      {R"({"tensors": [{"name": "a", "shape": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]})",
       "more than 16 dimensions"},
      {R"({"preset": "gpt2"})", "\"preset\" must be an object"},
      {R"({"preset": {"n_layer": 12}})", "missing \"name\""},
      {R"({"preset": {"name": "gpt2", "n_layer": "12"}})", "must be a number"},
      {R"({"rules": [{"pattern": "*"}]})", "missing \"init\""},
      {R"({"rules": {"pattern": "*"}})", "\"rules\" must be an array"},
      {"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
       "nested deeper"},
  };
  for (const bad& c : cases) {
    expect_invalid([&] { weightinit_io::parse_model_json(c.text); }, c.says, c.text);
    expect_invalid([&] { weightinit_io::parse_model_json(c.text); }, "model description", c.text);
  }
  expect_invalid([] { weightinit_io::parse_rules_json(R"({"tensors": []})"); },
                 "unknown key 'tensors'", "rules file");
  // Past the parser: plan_of names the tensor.
  const auto d = weightinit_io::parse_model_json(
      R"({"tensors": [{"name": "a", "shape": [2], "dtype": "f8"}]})");
  expect_invalid([&] { weightinit_io::plan_of(d, wi::gpt2_rules(1), 1); }, "tensor 'a'", "dtype");
  const auto s = weightinit_io::parse_model_json(
      R"({"tensors": [{"name": "a", "shape": [2], "init": "bogus"}]})");
  expect_invalid([&] { weightinit_io::plan_of(s, wi::gpt2_rules(1), 1); }, "bogus", "spec");
  const auto r = weightinit_io::parse_model_json(
      R"J({"rules": [{"pattern": "*", "init": "normal(sdt=1)"}]})J");
  expect_invalid([&] { weightinit_io::rules_of(r); }, "sdt", "rule spec");
}

namespace {
std::string header_file(const std::string& json, std::uint64_t data_bytes,
                        std::int64_t claimed = -1) {
  std::string s(8, '\0');
  const std::uint64_t n = claimed < 0 ? json.size() : static_cast<std::uint64_t>(claimed);
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return s + json + std::string(static_cast<std::size_t>(data_bytes), '\0');
}
}  // namespace

TEST(BadInputModels, SafetensorsHeaderParserNamesTheProblem) {
  struct bad {
    std::string file;
    const char* says;
  };
  const bad cases[] = {
      {std::string("\x01\x00", 2), "shorter than the 8-byte"},
      {header_file("{}", 0, 1000), "runs past the end"},
      {header_file("{}", 0, 200000000), "exceeds the 100 MB limit"},
      {header_file("{not json}", 0), "not valid JSON"},
      {header_file("[]", 0), "must be a JSON object"},
      {header_file(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", 4),
       "data ends at byte 8"},
      {header_file(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}})", 4),
       "need 8"},
      {header_file(R"({"a": {"dtype": "Q7", "shape": [2], "data_offsets": [0, 8]}})", 8),
       "unknown dtype 'Q7'"},
      {header_file(R"({"a": {"shape": [2], "data_offsets": [0, 8]}})", 8), "\"dtype\""},
      {header_file(R"({"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}})", 8),
       "non-negative"},
      {header_file(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}})", 8),
       "data_offsets"},
      {header_file(
           R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
           8),
       "overlaps"},
      {header_file(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})", 8), "hole"},
      {header_file(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})", 8),
       "cover 4"},
      {header_file(R"({"__metadata__": {"k": 1}})", 0), "not a string"},
      {header_file(
           R"({"a": {"dtype": "F32", "shape": [4294967296, 4294967296, 16], "data_offsets": [0, 8]}})",
           8),
       "overflows"},
  };
  for (const bad& c : cases) {
    const auto* p = reinterpret_cast<const unsigned char*>(c.file.data());
    expect_invalid(
        [&] { weightinit_io::parse_safetensors_header(p, c.file.size(), c.file.size()); }, c.says,
        c.says);
    expect_invalid(
        [&] { weightinit_io::parse_safetensors_header(p, c.file.size(), c.file.size()); },
        "safetensors header", c.says);
  }
  const std::string ints =
      header_file(R"({"a": {"dtype": "I32", "shape": [2], "data_offsets": [0, 8]}})", 8);
  const auto h = weightinit_io::parse_safetensors_header(
      reinterpret_cast<const unsigned char*>(ints.data()), ints.size(), ints.size());
  expect_invalid([&] { weightinit_io::description_of(h); }, "dtype I32",
                 "--like of an integer tensor");
}

TEST(BadInputModels, InitModelAndSampleBoxExitWithStatusTwoAndLeaveTheOutputFileAlone) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  const std::string dir = std::string(WEIGHTINIT_BINARY_DIR) + "/test_bad_input_models";
  std::system(("mkdir -p " + dir).c_str());
  auto put = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir + "/" + name, std::ios::binary) << text;
    return dir + "/" + name;
  };
  const std::string good = put(
      "good.json",
      R"({"preset": {"name": "gpt2", "n_layer": 1}, "tensors": [{"name": "w", "shape": [4, 4]}]})");
  const std::string out = put("out.safetensors", "KEEP THESE BYTES");
  struct bad {
    std::string args;
    int status;
    const char* says;
  };
  const std::vector<bad> cases = {
      {"init-model --model " + good + " --out " + out, 2, "--seed is required"},
      {"init-model --seed 1 --out " + out, 2, "exactly one of --model"},
      {"init-model --model " + good + " --like " + out + " --seed 1 --out " + out, 2,
       "exactly one of --model"},
      {"init-model --model " + good + " --seed 1", 2, "--out is required"},
      {"init-model --model " + good + " --seed -1 --out " + out, 2, "--seed wants"},
      {"init-model --model " + good + " --seed 18446744073709551616 --out " + out, 2,
       "--seed wants"},
      {"init-model --model " + good + " --seed 1 --device tpu --out " + out, 2,
       "--device must be cpu or gpu"},
      {"init-model --model " + dir + "/missing.json --seed 1 --out " + out, 2,
       "cannot read model description"},
      {"init-model --model " + put("bad.json", "{\"tensors\": [") + " --seed 1 --out " + out, 2,
       "not valid JSON"},
      {"init-model --model " + put("neg.json", R"({"tensors": [{"name": "w", "shape": [-4]}]})") +
           " --seed 1 --out " + out,
       2, "non-negative integers"},
      {"init-model --model " +
           put("dup.json",
               R"({"rules": [{"pattern": "*", "init": "zeros"}], "tensors": [{"name": "w", "shape": [4]}, {"name": "w", "shape": [4]}]})") +
           " --seed 1 --out " + out,
       2, "duplicate tensor name 'w'"},
      {"init-model --model " +
           put("nopreset.json", R"({"preset": {"name": "gpt3"}, "tensors": []})") +
           " --seed 1 --out " + out,
       2, "unknown preset 'gpt3'"},
      {"init-model --model " +
           put("norule.json",
               R"({"rules": [{"pattern": "*.bias", "init": "zeros"}], "tensors": [{"name": "w", "shape": [4]}]})") +
           " --seed 1 --out " + out,
       2, "no rule"},
      {"init-model --model " +
           put("badspec.json",
               R"J({"rules": [{"pattern": "*", "init": "normal(std=-1)"}], "tensors": [{"name": "w", "shape": [4]}]})J") +
           " --seed 1 --out " + out,
       2, "normal"},
      {"init-model --model " +
           put("xav.json",
               R"({"rules": [{"pattern": "*", "init": "xavier_uniform"}], "tensors": [{"name": "b", "shape": [4]}]})") +
           " --seed 1 --out " + out,
       2, "rank >= 2"},
      {"init-model --like " + put("notst.safetensors", "not a safetensors file at all") +
           " --rules " + good + " --seed 1 --out " + out,
       2, "safetensors header"},
      {"init-model --like " + dir + "/missing.safetensors --seed 1 --out " + out, 1, "cannot open"},
      {"init-model --model " + good + " --rules " + put("r.json", R"({"tensors": []})") +
           " --seed 1 --out " + out,
       2, "unknown key 'tensors'"},
      {"init-model --model " + good + " --seed 1 --device gpu --out " + out, 1, "CUDA device"},
      {"sample --shape 8,8 --box 0:4 --out " + out, 2, "rank"},
      {"sample --shape 8,8 --box 0:4,6:4 --out " + out, 2, "does not lie inside"},
      {"sample --shape 8,8 --box 0:4,x:4 --out " + out, 2, "offset 'x'"},
  };
  for (const bad& c : cases) {
    const auto r = run_tool(c.args);
    if (c.status == 1 && std::string(c.says) == "CUDA device" && r.status == 0)
      continue;  // a GPU machine
    EXPECT_EQ(r.status, c.status) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.says), std::string::npos) << c.args << "\nsays: " << r.out;
    const auto bytes = read_file(out);
    EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "KEEP THESE BYTES")
        << c.args << " touched the output file";
  }
  // No temporary file is left behind.
  const auto r = run_tool("init-model --model " + dir + "/neg.json --seed 1 --out " + out);
  EXPECT_EQ(std::system(("ls " + dir + " | grep -q tmp").c_str()) != 0, true)
      << "a temporary file was left";
}
