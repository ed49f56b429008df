// kernels/plan_fill.hpp: the descriptor table of a one-launch plan fill (kernels/plan_fill.cu) and
// its launchers, callable from host code compiled by any C++ compiler. A descriptor is one piece of
// one tensor: a box (kernels/box.hpp) of its elements drawn from one distribution. Its work is cut
// into `slots`: slots_per_run per run, each slot one unit (kernels/launch.hpp) of the run's window,
// the last slots of a run idle when its window touches fewer units. Thread s of the launch takes
// slot s (grid-stride), finds its descriptor by binary search over slot_begin, and writes exactly
// the unit the per-tensor fill would (kernels/fill_unit.cuh).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "box.hpp"
#include "element.hpp"
#include "launch.hpp"
#include "weightinit/types.hpp"

namespace weightinit {
namespace detail {

struct plan_descriptor {
  prepared<float> pf;   ///< f32, f16, bf16
  prepared<double> pd;  ///< f64
  key k;
  dtype type = dtype::f32;
  std::int32_t element_bytes = 4;
  unsigned char* data = nullptr;  ///< box-local element `local_first` (the first run) is here
  box_runs geo;
  std::int64_t slots_per_run = 0;
  std::int64_t slot_begin = 0;  ///< first slot of this descriptor in the launch
  launch::plan single;          ///< the window's plan when geo.runs == 1 (precomputed on the host)
};

/// Slots one run of `run_len` elements needs: the most units a window of that length can touch.
WEIGHTINIT_HOST_DEVICE inline std::int64_t slots_for_run(std::int64_t run_len, int per_unit) {
  return run_len == 0 ? 0 : (run_len + 2 * per_unit - 2) / per_unit;
}

/// Resident blocks per multiprocessor of the plan kernel at `threads` threads per block.
cudaError_t plan_fill_blocks_per_sm(unsigned threads, int* blocks);

/// Launches the plan kernel over `count` descriptors in device memory `table` covering `slots`
/// slots; returns cudaGetLastError() right after the launch.
cudaError_t launch_plan_fill(const plan_descriptor* table, std::int64_t count, std::int64_t slots,
                             unsigned blocks, unsigned threads, cudaStream_t stream);

/// The same kernel over one descriptor passed by value (a single box fill: no table, no
/// allocation).
cudaError_t launch_box_fill(const plan_descriptor& d, unsigned blocks, unsigned threads,
                            cudaStream_t stream);

}  // namespace detail
}  // namespace weightinit
