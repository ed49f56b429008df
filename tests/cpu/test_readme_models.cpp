// tests/cpu/test_readme_models.cpp: the C++ examples of the README's "Whole models" section, built
// and run (STYLE.md: examples compile). The text between BEGIN/END README is what the README shows.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "weightinit/weightinit.hpp"

TEST(ReadmeModels, PlanAndShardExamplesRunAndMatchFillHost) {
  // BEGIN README: plan
  namespace wi = weightinit;
  const wi::rule_set rules = wi::gpt2_rules(/*n_layer=*/12);  // nanoGPT / Hugging Face init
  wi::model_plan plan(/*seed=*/1234);
  plan.add(wi::entry_from_rules(rules, "h.0.attn.c_attn.weight", {768, 2304}, wi::dtype::bf16));
  plan.add(wi::entry_from_rules(rules, "h.0.attn.c_proj.weight", {768, 768}, wi::dtype::bf16));
  plan.add(wi::entry_from_rules(rules, "h.0.ln_1.weight", {768}, wi::dtype::f32));
  // Each tensor's stream is FNV-1a 64 of its name: adding or reordering tensors changes nothing
  // else.
  std::vector<unsigned char> arena(
      plan.arena_bytes());  // or plan_buffers::per_entry({p0, p1, ...})
  wi::fill_host(plan, wi::plan_buffers::arena(arena.data()));
  // On the GPU: wi::device_plan gpu(plan, wi::plan_buffers::arena(d_arena));  wi::fill(gpu,
  // stream); END README

  // BEGIN README: shard
  // Tensor parallelism: rank 1 of 4 holds rows 768..1535 of a (3072, 768) weight, dense.
  wi::plan_entry fc =
      wi::entry_from_rules(rules, "h.0.mlp.c_fc.weight", {3072, 768}, wi::dtype::f32);
  fc.box =
      wi::row_parallel(fc.dims, /*rank=*/1, /*world=*/4);  // offset {768, 0}, extent {768, 768}
  wi::model_plan shard_plan(/*seed=*/1234);
  shard_plan.add(fc);
  std::vector<float> shard(768 * 768);
  wi::fill_host(shard_plan, 0, shard.data());  // == rows 768..1535 of the whole tensor's fill
  // END README

  std::vector<float> whole(3072 * 768);
  wi::fill_host({whole.data(), wi::dtype::f32, {3072, 768}}, wi::normal(0, 0.02),
                {1234, wi::stream_of_name("h.0.mlp.c_fc.weight")});
  EXPECT_EQ(std::vector<float>(whole.begin() + 768 * 768, whole.begin() + 2 * 768 * 768), shard);
  std::vector<std::uint16_t> w(768 * 2304);
  wi::fill_host({w.data(), wi::dtype::bf16, {768, 2304}}, wi::normal(0, 0.02),
                {1234, wi::stream_of_name("h.0.attn.c_attn.weight")});
  EXPECT_EQ(std::memcmp(w.data(), arena.data() + plan.arena_offset(0), w.size() * 2), 0);
}
