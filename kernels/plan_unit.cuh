// kernels/plan_unit.cuh: what one slot of the plan kernel does (kernels/plan_fill.cu): find the
// run and unit of its descriptor, and write that unit with the per-unit code of the single-tensor
// fill (kernels/fill_unit.cuh: unit_bits, store_full, store_partial), so the bits are the same.
// Host-device: the CPU tests run every slot of a plan on the host (tests/cpu/test_plan_kernel.cu).
#pragma once

#include <cstdint>

#include "fill_unit.cuh"
#include "plan_fill.hpp"

namespace weightinit {
namespace detail {

/// Index of the descriptor holding slot s: the last d with table[d].slot_begin <= s.
WEIGHTINIT_HOST_DEVICE inline std::int64_t find_descriptor(const plan_descriptor* table,
                                                           std::int64_t count, std::int64_t s) {
  std::int64_t lo = 0, hi = count;  // table[lo].slot_begin <= s < table[hi].slot_begin
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (table[mid].slot_begin <= s)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

template <class Storage, class T, distribution_kind Kind>
WEIGHTINIT_HOST_DEVICE inline void plan_unit_store(const prepared<T>& params, key k,
                                                   const launch::plan& plan, unsigned char* data,
                                                   std::int64_t t) {
  prepared<T> p = params;
  p.kind = Kind;
  const launch::unit_job job = launch::unit_at(plan, t);
  std::uint32_t b[4];
  unit_bits<Kind>(p, k, static_cast<std::uint64_t>(job.global_unit), static_cast<Storage*>(nullptr),
                  b);
  if (job.full) {
    store_full<Storage>(data + job.local_start * static_cast<std::int64_t>(sizeof(Storage)),
                        plan.store_bytes, b);
  } else {
    store_partial<Storage>(data, job, b);
  }
}

template <class Storage, class T>
WEIGHTINIT_HOST_DEVICE inline void plan_unit_kind(const prepared<T>& p, key k,
                                                  const launch::plan& plan, unsigned char* data,
                                                  std::int64_t t) {
  switch (p.kind) {
    case distribution_kind::constant:
      plan_unit_store<Storage, T, distribution_kind::constant>(p, k, plan, data, t);
      return;
    case distribution_kind::uniform:
      plan_unit_store<Storage, T, distribution_kind::uniform>(p, k, plan, data, t);
      return;
    case distribution_kind::normal:
      plan_unit_store<Storage, T, distribution_kind::normal>(p, k, plan, data, t);
      return;
    case distribution_kind::truncated_normal:
      plan_unit_store<Storage, T, distribution_kind::truncated_normal>(p, k, plan, data, t);
      return;
  }
}

/// Writes slot `s` (a slot of descriptor d, slot_begin <= s < slot_begin + runs * slots_per_run).
WEIGHTINIT_HOST_DEVICE inline void plan_slot(const plan_descriptor& d, std::int64_t s) {
  const std::int64_t rel = s - d.slot_begin;
  std::int64_t r = 0, t = rel;
  launch::plan plan = d.single;
  unsigned char* data = d.data;
  if (d.geo.runs != 1) {
    r = rel / d.slots_per_run;
    t = rel - r * d.slots_per_run;
    data = d.data + r * d.geo.run_len * d.element_bytes;
    plan = launch::make_plan(reinterpret_cast<std::uintptr_t>(data), d.element_bytes,
                             d.geo.run_first(r), d.geo.run_len);
  }
  if (t >= plan.units) return;  // an idle slot of a run that touches fewer units
  switch (d.type) {
    case dtype::f32: plan_unit_kind<float, float>(d.pf, d.k, plan, data, t); return;
    case dtype::f16: plan_unit_kind<f16_bits, float>(d.pf, d.k, plan, data, t); return;
    case dtype::bf16: plan_unit_kind<bf16_bits, float>(d.pf, d.k, plan, data, t); return;
    case dtype::f64: plan_unit_kind<double, double>(d.pd, d.k, plan, data, t); return;
  }
}

}  // namespace detail
}  // namespace weightinit
