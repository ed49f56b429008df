// kernels/box.hpp: a shard box of a global tensor as runs of contiguous global elements, shared by
// the CPU fill and the one-launch plan kernel (kernels/plan_fill.cu). A box's trailing dimensions
// that it covers whole merge with the first one it cuts into one run; the dimensions before that
// (the outer ones) enumerate the runs, row-major, so run r lives at box-local elements
// [r * run_len, (r + 1) * run_len). Plain host-device C++.
#pragma once

#include <cstdint>

#include "weightinit/config.hpp"

namespace weightinit {
namespace detail {

/// The most outer dimensions a box may cut (a rank-9 box that cuts every dimension is refused).
constexpr int max_box_outer = 8;

/// Runs of a box: `runs` runs of `run_len` elements; run r starts at global element run_first(r).
struct box_runs {
  std::int64_t runs = 1;
  std::int64_t run_len = 0;
  std::int64_t base = 0;  ///< global index of the box's first element
  int outer = 0;          ///< outer dimensions that enumerate the runs (those with extent > 1)
  std::int64_t extent[max_box_outer] = {};  ///< box extent of each outer dimension
  std::int64_t stride[max_box_outer] = {};  ///< global element stride of each outer dimension

  /// Global index of run r's first element (0 <= r < runs).
  WEIGHTINIT_HOST_DEVICE std::int64_t run_first(std::int64_t r) const {
    std::int64_t g = base;
    for (int j = outer - 1; j >= 0; --j) {
      g += (r % extent[j]) * stride[j];
      r /= extent[j];
    }
    return g;
  }
};

}  // namespace detail
}  // namespace weightinit
