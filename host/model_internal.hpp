// host/model_internal.hpp: what the model plan (host/model_plan.cpp, host/model_plan_device.cpp)
// and the box fills (host/box_device.cpp) share: the resolved entries and the descriptor table of
// the one-launch kernel, built by plain host code so the CPU tests can run every slot of it.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "../kernels/plan_fill.hpp"
#include "schemes_internal.hpp"
#include "weightinit/model.hpp"
#include "weightinit/shard.hpp"

namespace weightinit {

struct model_plan::impl {
  struct resolved {
    plan_entry entry;
    key k;
    detail::fill_plan plan;  // validated against the entry's view; the pointer comes at fill time
    std::int64_t stored = 0;
    std::size_t bytes = 0;
    std::size_t offset = 0;  // in the arena
  };
  std::uint64_t seed = 0;
  std::vector<resolved> entries;
  std::unordered_map<std::string, std::size_t> index;
  std::size_t arena_bytes = 0;
  std::int64_t total = 0;
};

namespace detail {

/// Descriptors (kernels/plan_fill.hpp) of an elementwise plan of a tensor of shape `dims` whose
/// memory at `data` holds the box `box` (the full box for a whole tensor): one per range of the
/// plan that the box meets. slot_begin is left 0.
std::vector<plan_descriptor> elementwise_descriptors(const shape& dims, const shard_box& box,
                                                     dtype type, unsigned char* data,
                                                     const fill_plan& plan, key k,
                                                     const char* function);

/// The descriptor table of a plan's elementwise entries at the addresses `address(i)`, slot_begin
/// assigned in order; `slots` receives the total.
template <class Address>
std::vector<plan_descriptor> plan_table(const model_plan& plan, Address&& address,
                                        std::int64_t& slots, const char* function) {
  std::vector<plan_descriptor> table;
  slots = 0;
  const auto& entries = plan.internals().entries;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (!is_elementwise(e.entry.init.kind()) || e.stored == 0) continue;
    const shard_box box = e.entry.box ? *e.entry.box : full_box(e.entry.dims);
    for (plan_descriptor& d :
         elementwise_descriptors(e.entry.dims, box, e.entry.type,
                                 static_cast<unsigned char*>(address(i)), e.plan, e.k, function)) {
      d.slot_begin = slots;
      slots += d.geo.runs * d.slots_per_run;
      table.push_back(d);
    }
  }
  return table;
}

/// The blocks of a plan-kernel launch over `slots` slots on the current device.
unsigned plan_kernel_blocks(std::int64_t slots, unsigned threads, const char* function);

}  // namespace detail
}  // namespace weightinit
