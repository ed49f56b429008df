// kernels/launch.hpp: how a device fill is cut into work and handed to threads: the head / vector
// body / tail split and the thread -> unit assignment, as plain host-device functions so the CPU
// tests (tests/cpu/test_launch.cpp) can simulate every thread of a grid. Values never depend on any
// of this (DESIGN.md §1): a unit's values are a function of its global index alone.
#pragma once

#include <cstdint>

#include "weightinit/config.hpp"

namespace weightinit {
namespace launch {

/// Bytes of one unit of work, and of the widest store.
constexpr int unit_bytes = 16;

/// The grid of a launch. `blocks == 0` lets the host choose (as many blocks as stay resident);
/// tests force other shapes to prove the values do not depend on the grid.
struct launch_config {
  unsigned blocks = 0;
  unsigned threads = 256;  ///< threads per block: a multiple of 32, at most 1024
};

/// A window of a tensor cut into units. Unit u of the tensor holds the global elements
/// [u * per_unit, (u + 1) * per_unit) with per_unit = 16 / element_bytes: 16 bytes of memory, one
/// Philox block for f32 and f64, two for f16 and bf16 (kernels/element.hpp), so no block is ever
/// computed by two threads. The window [first, first + count) touches the units first_unit ..
/// first_unit + units - 1. All of them are full (the vector body) except possibly the first (head)
/// and the last (tail), which the window may cover only in part; those are written element by
/// element. Every full unit starts at an address with the same residue mod 16 (a unit spans 16
/// bytes), so one store width serves the whole body: 16 bytes where the window's unit starts are
/// 16-byte aligned, else the largest power of two dividing that address (at least the element).
struct plan {
  std::int64_t first = 0;          ///< global index of the window's element 0
  std::int64_t count = 0;          ///< elements in the window; > 0 for a launch
  std::int32_t element_bytes = 4;  ///< 2, 4 or 8
  std::int32_t per_unit = 4;       ///< elements per unit: 16 / element_bytes
  std::int32_t store_bytes = 16;   ///< width of each store in a full unit: 16, 8, 4 or 2
  std::int64_t first_unit = 0;     ///< global unit index of the window's element 0
  std::int64_t units = 0;          ///< units the window touches
};

/// The plan of a window of `count` > 0 elements of `element_bytes` (2, 4 or 8) at `address` (a
/// multiple of element_bytes), global elements [first, first + count). The caller has checked
/// first >= 0, count > 0 and first + count <= 2^63 - 1.
WEIGHTINIT_HOST_DEVICE inline plan make_plan(std::uint64_t address, int element_bytes,
                                             std::int64_t first, std::int64_t count) {
  plan p;
  p.first = first;
  p.count = count;
  p.element_bytes = element_bytes;
  p.per_unit = unit_bytes / element_bytes;
  p.first_unit = first / p.per_unit;
  const std::int64_t last_unit = (first + count - 1) / p.per_unit;
  p.units = last_unit - p.first_unit + 1;
  // Window index of the first unit start at or after element 0, and its address mod 16.
  const std::int64_t lead = (p.per_unit - first % p.per_unit) % p.per_unit;
  const std::uint64_t residue =
      (address + static_cast<std::uint64_t>(lead) * static_cast<std::uint64_t>(element_bytes)) %
      unit_bytes;
  // The largest power of two (<= 16) dividing the unit starts: the lowest set bit of the residue.
  p.store_bytes = residue == 0 ? unit_bytes : static_cast<std::int32_t>(residue & (~residue + 1));
  return p;
}

/// One unit as a thread sees it.
struct unit_job {
  std::int64_t
      global_unit;  ///< its Philox blocks: global_unit * (per_unit / elements per block) ...
  std::int64_t local_start;  ///< window index of the unit's element 0 (negative for a head unit
                             ///< that starts before the window: never dereference it there)
  std::int32_t begin, end;   ///< its elements [begin, end) lie in the window: 0 <= begin < end
  bool full;                 ///< begin == 0 && end == per_unit: written with store_bytes stores
};

/// The t-th unit of the window, 0 <= t < p.units.
WEIGHTINIT_HOST_DEVICE inline unit_job unit_at(const plan& p, std::int64_t t) {
  unit_job j;
  j.global_unit = p.first_unit + t;
  j.local_start = j.global_unit * p.per_unit - p.first;
  const std::int64_t lo = j.local_start < 0 ? -j.local_start : 0;
  const std::int64_t room = p.count - j.local_start;
  const std::int64_t hi = room < p.per_unit ? room : p.per_unit;
  j.begin = static_cast<std::int32_t>(lo);
  j.end = static_cast<std::int32_t>(hi);
  j.full = j.begin == 0 && j.end == p.per_unit;
  return j;
}

/// Global thread index of a CUDA thread, computed in 64 bits (blockIdx.x * blockDim.x overflows
/// 32 bits for large grids).
WEIGHTINIT_HOST_DEVICE inline std::uint64_t global_thread(unsigned block, unsigned block_dim,
                                                          unsigned thread_in_block) {
  return static_cast<std::uint64_t>(block) * block_dim + thread_in_block;
}

/// The units a thread writes: t = begin, begin + step, ... while t < end (a grid-stride loop).
/// Unit t belongs to thread t mod threads, at its (t / threads)-th step.
struct thread_units {
  std::int64_t begin, end, step;
};
WEIGHTINIT_HOST_DEVICE inline thread_units units_of_thread(const plan& p, std::uint64_t thread,
                                                           std::uint64_t threads) {
  return thread_units{static_cast<std::int64_t>(thread), p.units,
                      static_cast<std::int64_t>(threads)};
}

/// Stores of a full unit: unit_bytes / store_bytes of them; store k writes the window elements
/// local_start + k * elements_per_store(p) ... at an address that is a multiple of store_bytes.
WEIGHTINIT_HOST_DEVICE inline int stores_per_unit(const plan& p) {
  return unit_bytes / p.store_bytes;
}
WEIGHTINIT_HOST_DEVICE inline int elements_per_store(const plan& p) {
  return p.store_bytes / p.element_bytes;
}

/// Blocks for a launch over `units` units at `threads` per block: enough for one unit per thread,
/// but no more than `resident` (the blocks the device keeps resident at once, > 0), so a large
/// fill runs as one wave of grid-stride loops. Always >= 1.
WEIGHTINIT_HOST_DEVICE inline unsigned grid_blocks(std::int64_t units, unsigned threads,
                                                   unsigned resident) {
  const std::int64_t wanted = (units + threads - 1) / threads;
  const std::int64_t blocks = wanted < static_cast<std::int64_t>(resident) ? wanted : resident;
  return blocks < 1 ? 1u : static_cast<unsigned>(blocks);
}

}  // namespace launch
}  // namespace weightinit
