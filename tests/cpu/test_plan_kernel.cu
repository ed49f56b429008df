// tests/cpu/test_plan_kernel.cu: the one-launch plan kernel's per-slot code (kernels/plan_unit.cuh)
// run on the host over the whole descriptor table of a plan, slot by slot as the kernel's threads
// would (binary search included), into host memory: it must write exactly fill_host's bytes for
// every elementwise entry (whole tensors, packed parts, shard boxes, odd offsets) and nothing else.
// This rehearses the GPU path on a machine without one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "host/model_internal.hpp"
#include "kernels/plan_unit.cuh"
#include "tests/common/plan_util.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using weightinit_test::make_entry;
using weightinit_test::reference_fill;

TEST(PlanKernel, EverySlotOfTheTableWritesFillHostsBytes) {
  wi::model_plan plan(99);
  const wi::dtype types[] = {wi::dtype::f32, wi::dtype::f64, wi::dtype::f16, wi::dtype::bf16};
  int n = 0;
  for (wi::dtype t : types) {
    const std::string s = wi::to_string(t);
    plan.add(make_entry("w." + s, {37, 29}, t, wi::xavier_uniform()));
    plan.add(make_entry("n." + s, {1003}, t, wi::normal(0, 0.02)));
    plan.add(make_entry("t." + s, {5, 7, 3}, t, wi::truncated_normal(0, 1, -1, 2)));
    plan.add(make_entry("c." + s, {13}, t, wi::constant(0.5)));
    wi::plan_entry packed = make_entry("p." + s, {24, 9}, t, wi::xavier_normal());
    wi::fan_layout parts;
    parts.parts = {16, 4, 4};
    packed.layout = parts;
    plan.add(packed);
    for (int dim : {0, 1}) {
      for (int r = 0; r < 3; ++r) {
        wi::plan_entry e = make_entry("box" + std::to_string(n++), {24, 9}, t, wi::uniform(-3, 1));
        if (r == 1)
          e = make_entry("pbox" + std::to_string(n++), {24, 9}, t, wi::xavier_normal()),
          e.layout = parts;
        e.box = wi::shard(e.dims, dim, r, 3);
        plan.add(e);
      }
    }
    wi::plan_entry inner = make_entry("inner." + s, {6, 10, 11}, t, wi::normal(1, 2));
    inner.box = wi::shard_box{{1, 2, 3}, {4, 5, 7}};
    plan.add(inner);
  }
  plan.add(make_entry("eye", {4, 4}, wi::dtype::f32, wi::eye()));  // structured: not in the table
  // Buffers at odd element offsets, so the kernel's store widths vary.
  std::vector<std::vector<unsigned char>> bufs;
  std::vector<unsigned char*> at;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const std::size_t pad = wi::size_of(plan.entry(i).type) * (i % 5);
    bufs.emplace_back(plan.stored_bytes(i) + pad + 16, 0xC3);
    at.push_back(bufs.back().data() + pad);
  }
  std::int64_t slots = 0;
  const std::vector<wi::detail::plan_descriptor> table = wi::detail::plan_table(
      plan, [&](std::size_t i) { return static_cast<void*>(at[i]); }, slots, "test");
  ASSERT_GT(table.size(), plan.size() - 1);
  for (std::int64_t s = 0; s < slots; ++s)
    wi::detail::plan_slot(table[wi::detail::find_descriptor(
                              table.data(), static_cast<std::int64_t>(table.size()), s)],
                          s);
  for (std::size_t i = 0; i + 1 < plan.size(); ++i) {
    const wi::plan_entry& e = plan.entry(i);
    std::vector<unsigned char> want(plan.stored_bytes(i));
    wi::fill_options o;
    if (e.layout) o.layout = *e.layout;
    wi::fill_host(plan.view(i, want.data()), e.init, plan.key_of(i), o);
    EXPECT_TRUE(std::equal(want.begin(), want.end(), static_cast<const unsigned char*>(at[i]))) << e.name;
    const std::size_t pad = static_cast<std::size_t>(at[i] - bufs[i].data());
    for (std::size_t b = 0; b < pad; ++b)
      ASSERT_EQ(bufs[i][b], 0xC3) << e.name << " wrote before its start";
    for (std::size_t b = pad + want.size(); b < bufs[i].size(); ++b)
      ASSERT_EQ(bufs[i][b], 0xC3) << e.name << " wrote past its end";
  }
  const std::vector<unsigned char> untouched(bufs.back().size(), 0xC3);
  EXPECT_EQ(bufs.back(), untouched)
      << "the structured entry is filled beside the kernel, not by it";
}
