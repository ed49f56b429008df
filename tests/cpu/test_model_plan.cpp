// tests/cpu/test_model_plan.cpp: the model plan on the CPU: default streams are FNV-1a 64 of the
// name, a whole plan (per-entry buffers or one arena, any thread count) equals filling each tensor
// on its own, adding/removing/reordering tensors changes no other tensor, rules pick initializers
// by glob, the shipped rule sets give GPT-2/Llama/Megatron/PyTorch their numbers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "tests/common/shard_util.hpp"
#include "tests/common/plan_util.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using weightinit_test::make_entry;
using weightinit_test::reference_fill;

namespace {

wi::model_plan mixed_plan() {
  wi::model_plan p(1234);
  p.add(make_entry("embed.weight", {300, 64}, wi::dtype::f32, wi::normal(0, 1)));
  p.add(make_entry("l0.weight", {96, 64}, wi::dtype::bf16, wi::xavier_uniform()));
  p.add(make_entry("l0.bias", {96}, wi::dtype::bf16, wi::bias_uniform()));
  wi::plan_entry packed = make_entry("qkv.weight", {48, 64}, wi::dtype::f16, wi::he_normal());
  wi::fan_layout parts;
  parts.parts = {32, 8, 8};
  packed.layout = parts;
  p.add(packed);
  p.add(make_entry("ln.weight", {64}, wi::dtype::f64, wi::ones()));
  p.add(make_entry("ln.bias", {64}, wi::dtype::f64, wi::zeros()));
  p.add(make_entry("tn", {1001}, wi::dtype::f32, wi::truncated_normal(0, 0.02, -0.04, 0.04)));
  p.add(make_entry("eye", {17, 23}, wi::dtype::f32, wi::eye(3)));
  p.add(make_entry("conv", {8, 4, 3, 3}, wi::dtype::f64, wi::dirac(2)));
  p.add(make_entry("sparse", {40, 12}, wi::dtype::bf16, wi::sparse(0.25, 0.1)));
  p.add(make_entry("orth", {16, 24}, wi::dtype::f32, wi::orthogonal(1.5)));
  p.add(make_entry("empty", {0, 5}, wi::dtype::f32, wi::xavier_normal()));
  wi::plan_entry shard = make_entry("col.weight", {64, 90}, wi::dtype::f32, wi::uniform(-1, 1));
  shard.box = wi::column_parallel(shard.dims, 1, 3);
  p.add(shard);
  wi::plan_entry explicit_stream = make_entry("scalar", {}, wi::dtype::f64, wi::normal(5, 1));
  explicit_stream.stream = 99;
  p.add(explicit_stream);
  wi::plan_entry big =
      make_entry("big", {1 << 18}, wi::dtype::f32, wi::normal(0, 0.02));  // many tasks
  p.add(big);
  return p;
}

}  // namespace

TEST(ModelPlan, DefaultStreamIsFnv1a64OfTheName) {
  // Known answers of FNV-1a 64 (the reference values of Fowler, Noll and Vo's test suite).
  EXPECT_EQ(wi::stream_of_name(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(wi::stream_of_name("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(wi::stream_of_name("foobar"), 0x85944171f73967e8ull);
  wi::model_plan p(7);
  p.add(make_entry("h.0.attn.c_attn.weight", {4, 4}, wi::dtype::f32, wi::zeros()));
  EXPECT_EQ(p.key_of(0).stream, wi::stream_of_name("h.0.attn.c_attn.weight"));
  EXPECT_EQ(p.key_of(0).seed, 7u);
}

TEST(ModelPlan, WholePlanEqualsEachTensorFilledOnItsOwn) {
  const wi::model_plan plan = mixed_plan();
  for (unsigned threads : {1u, 2u, 3u}) {
    std::vector<std::vector<unsigned char>> bufs;
    std::vector<void*> ptrs;
    for (std::size_t i = 0; i < plan.size(); ++i) bufs.emplace_back(plan.stored_bytes(i) + 1, 0xEE);
    for (auto& b : bufs) ptrs.push_back(b.data());
    wi::fill_host(plan, wi::plan_buffers::per_entry(ptrs),
                  wi::fill_options().with_threads(threads));
    for (std::size_t i = 0; i < plan.size(); ++i) {
      EXPECT_EQ(bufs[i].back(), 0xEE) << plan.entry(i).name << " wrote past its end";
      bufs[i].pop_back();
      EXPECT_EQ(bufs[i], reference_fill(plan, i))
          << plan.entry(i).name << ", " << threads << " threads";
    }
  }
}

TEST(ModelPlan, ArenaLayoutIsAlignedInOrderAndFillsLikePerEntryBuffers) {
  const wi::model_plan plan = mixed_plan();
  std::size_t end = 0;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    EXPECT_EQ(plan.arena_offset(i) % wi::model_plan::arena_alignment, 0u);
    EXPECT_GE(plan.arena_offset(i), end);
    end = plan.arena_offset(i) + plan.stored_bytes(i);
  }
  EXPECT_EQ(plan.arena_bytes(), end);
  std::vector<unsigned char> arena(plan.arena_bytes() + 256, 0x11);
  unsigned char* base =
      arena.data() + (256 - reinterpret_cast<std::uintptr_t>(arena.data()) % 256) % 256;
  wi::fill_host(plan, wi::plan_buffers::arena(base));
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const std::vector<unsigned char> want = reference_fill(plan, i);
    // std::equal, not memcmp: a zero-element entry has an empty reference whose data() is null.
    EXPECT_TRUE(std::equal(want.begin(), want.end(), base + plan.arena_offset(i)))
        << plan.entry(i).name;
  }
}

TEST(ModelPlan, AddingRemovingOrReorderingTensorsChangesNoOtherTensor) {
  wi::model_plan a(5), b(5);
  a.add(make_entry("x", {33, 7}, wi::dtype::f32, wi::normal(0, 1)));
  a.add(make_entry("y", {50}, wi::dtype::f32, wi::uniform()));
  b.add(make_entry("new", {1000}, wi::dtype::f32, wi::normal(0, 1)));
  b.add(make_entry("y", {50}, wi::dtype::f32, wi::uniform()));
  b.add(make_entry("x", {33, 7}, wi::dtype::f32, wi::normal(0, 1)));
  auto fill_one = [](const wi::model_plan& p, const char* name) {
    const std::size_t i = p.find(name);
    std::vector<unsigned char> out(p.stored_bytes(i));
    wi::fill_host(p, i, out.data());
    return out;
  };
  EXPECT_EQ(fill_one(a, "x"), fill_one(b, "x"));
  EXPECT_EQ(fill_one(a, "y"), fill_one(b, "y"));
  wi::model_plan c(6);
  c.add(make_entry("x", {33, 7}, wi::dtype::f32, wi::normal(0, 1)));
  EXPECT_NE(fill_one(a, "x"), fill_one(c, "x")) << "another seed must change the values";
}

TEST(ModelPlan, BiasUniformTakesItsWeightsFanIn) {
  wi::model_plan p(3);
  p.add(make_entry("fc.weight", {10, 49}, wi::dtype::f32, wi::pytorch_linear().weight));
  p.add(make_entry("fc.bias", {10}, wi::dtype::f32, wi::bias_uniform()));
  ASSERT_TRUE(p.entry(1).fan_override.has_value());
  EXPECT_EQ(p.entry(1).fan_override->fan_in, 49);
  std::vector<float> bias(10), want(10);
  wi::fill_host(p, 1, bias.data());
  wi::fill_host({want.data(), wi::dtype::f32, {10}}, wi::bias_uniform(), p.key_of(1),
                wi::fill_options().with_fan_override(wi::fans{49, 10, 1}));
  EXPECT_EQ(bias, want);
  for (float x : bias) EXPECT_LE(std::fabs(x), 1.0 / 7.0);
}

TEST(Rules, GlobMatchesWholeNamesFirstRuleWins) {
  EXPECT_TRUE(wi::glob_match("*.bias", "h.0.attn.c_attn.bias"));
  EXPECT_FALSE(wi::glob_match("*.bias", "h.0.attn.c_attn.weight"));
  EXPECT_TRUE(wi::glob_match("h.?.ln_[12].weight", "h.3.ln_2.weight"));
  EXPECT_FALSE(wi::glob_match("h.?.ln_[12].weight", "h.11.ln_2.weight"));
  EXPECT_TRUE(wi::glob_match("h.[!0]*", "h.1.x"));
  EXPECT_FALSE(wi::glob_match("h.[!0]*", "h.0.x"));
  EXPECT_TRUE(wi::glob_match("a\\*b", "a*b"));
  EXPECT_FALSE(wi::glob_match("a\\*b", "axb"));
  EXPECT_TRUE(wi::glob_match("*", ""));
  EXPECT_TRUE(wi::glob_match("**a**b**", "xxaxxbxx"));
  EXPECT_FALSE(wi::glob_match("[abc", "a"));
  wi::rule_set r;
  r.add("*c_proj.weight", wi::normal(0, 1)).add("*.weight", wi::zeros());
  EXPECT_EQ(r.match("h.0.mlp.c_proj.weight")->init, wi::normal(0, 1));
  EXPECT_EQ(r.match("h.0.mlp.c_fc.weight")->init, wi::zeros());
  EXPECT_EQ(r.match("h.0.mlp.c_fc.bias"), nullptr);
}

TEST(Rules, Gpt2RulesAreNanoGptAndHuggingFaces) {
  const wi::rule_set r = wi::gpt2_rules(12);
  const double scaled = 0.02 / std::sqrt(24.0);
  EXPECT_EQ(r.match("h.0.attn.c_proj.weight")->init, wi::normal(0, scaled));
  EXPECT_EQ(r.match("transformer.h.11.mlp.c_proj.weight")->init, wi::normal(0, scaled));
  EXPECT_EQ(r.match("h.0.attn.c_attn.weight")->init, wi::normal(0, 0.02));
  EXPECT_EQ(r.match("wte.weight")->init, wi::normal(0, 0.02));
  EXPECT_EQ(r.match("h.0.attn.c_proj.bias")->init, wi::zeros());
  EXPECT_EQ(r.match("h.5.ln_1.weight")->init, wi::ones());
  EXPECT_EQ(r.match("ln_f.bias")->init, wi::zeros());
  const wi::rule_set l = wi::llama_rules(0.01);
  EXPECT_EQ(l.match("model.layers.0.input_layernorm.weight")->init, wi::ones());
  EXPECT_EQ(l.match("model.norm.weight")->init, wi::ones());
  EXPECT_EQ(l.match("model.layers.0.mlp.gate_proj.weight")->init, wi::normal(0, 0.01));
  const wi::rule_set m = wi::megatron_rules(24, 0.006);
  EXPECT_EQ(m.match("layers.3.self_attention.dense.weight")->init,
            wi::normal(0, 0.006 / std::sqrt(48.0)));
  EXPECT_EQ(m.match("layers.3.mlp.dense_4h_to_h.weight")->init,
            wi::normal(0, 0.006 / std::sqrt(48.0)));
  EXPECT_EQ(m.match("layers.3.mlp.dense_h_to_4h.weight")->init, wi::normal(0, 0.006));
  EXPECT_EQ(m.match("layers.3.input_layernorm.weight")->init, wi::ones());
  EXPECT_EQ(m.match("layers.3.mlp.dense_h_to_4h.bias")->init, wi::zeros());
  const wi::rule_set t = wi::pytorch_default_rules();
  EXPECT_EQ(t.match("fc1.weight")->init, wi::pytorch_linear().weight);
  EXPECT_EQ(t.match("fc1.bias")->init, wi::bias_uniform());
  EXPECT_EQ(t.match("embedding.weight")->init, wi::normal(0, 1));
  EXPECT_EQ(t.match("encoder.layernorm.weight")->init, wi::ones());
  EXPECT_EQ(wi::preset_rules("gpt2", {{"n_layer", 12}}).describe(), r.describe());
  EXPECT_THROW(wi::preset_rules("gpt2", {}), std::invalid_argument);
  EXPECT_THROW(wi::preset_rules("gpt2", {{"n_layer", 12}, {"sdt", 1}}), std::invalid_argument);
}

TEST(Rules, PlanFromRulesEqualsHandWrittenEntries) {
  const wi::rule_set r = wi::gpt2_rules(2);
  wi::model_plan p(42);
  p.add(wi::entry_from_rules(r, "h.0.attn.c_proj.weight", {16, 16}, wi::dtype::f32));
  p.add(wi::entry_from_rules(r, "h.0.ln_1.weight", {16}, wi::dtype::f32));
  std::vector<float> w(256), want(256), ln(16);
  wi::fill_host(p, 0, w.data());
  wi::fill_host(p, 1, ln.data());
  wi::fill_host({want.data(), wi::dtype::f32, {16, 16}}, wi::normal(0, 0.01),
                {42, wi::stream_of_name("h.0.attn.c_proj.weight")});
  EXPECT_EQ(w, want);
  EXPECT_EQ(ln, std::vector<float>(16, 1.0f));
  EXPECT_THROW(wi::entry_from_rules(wi::rule_set("empty"), "x", {1}, wi::dtype::f32),
               std::invalid_argument);
}
