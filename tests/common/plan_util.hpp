// tests/common/plan_util.hpp: what the model-plan tests share: a plan entry from its four
// essentials, and the per-tensor reference every plan fill is compared with (the entry filled on
// its own by fill_host, with the entry's layout or fans and key).
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "weightinit/weightinit.hpp"

namespace weightinit_test {

inline weightinit::plan_entry make_entry(std::string name, weightinit::shape dims,
                                         weightinit::dtype t, weightinit::initializer init) {
  weightinit::plan_entry e;
  e.name = std::move(name);
  e.dims = std::move(dims);
  e.type = t;
  e.init = std::move(init);
  return e;
}

inline std::vector<unsigned char> reference_fill(const weightinit::model_plan& plan,
                                                 std::size_t i) {
  std::vector<unsigned char> out(plan.stored_bytes(i));
  const weightinit::plan_entry& e = plan.entry(i);
  weightinit::fill_options o;
  if (e.layout) o.layout = *e.layout;
  if (e.fan_override) o.fan_override = *e.fan_override;
  weightinit::fill_host(plan.view(i, out.data()), e.init, plan.key_of(i), o);
  return out;
}

}  // namespace weightinit_test
