// kernels/plan_fill.cu: the one-launch fill of a whole model plan: a grid-stride loop over the
// slots of a descriptor table (kernels/plan_fill.hpp), each slot one unit of one tensor written by
// kernels/plan_unit.cuh with the single-tensor fill's per-unit code. Same bits as fill_host.
#include <cstdint>

#include "launch_kernel.cuh"
#include "plan_fill.hpp"
#include "plan_unit.cuh"

namespace weightinit {
namespace detail {
namespace {

__global__ void plan_fill_kernel(const plan_descriptor* __restrict__ table, std::int64_t count,
                                 std::int64_t slots) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t s =
           static_cast<std::int64_t>(launch::global_thread(blockIdx.x, blockDim.x, threadIdx.x));
       s < slots; s += step) {
    plan_slot(table[find_descriptor(table, count, s)], s);
  }
}

__global__ void box_fill_kernel(const plan_descriptor d) {
  const std::int64_t slots = d.geo.runs * d.slots_per_run;
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t s =
           static_cast<std::int64_t>(launch::global_thread(blockIdx.x, blockDim.x, threadIdx.x));
       s < slots; s += step) {
    plan_slot(d, s);
  }
}

}  // namespace

cudaError_t plan_fill_blocks_per_sm(unsigned threads, int* blocks) {
  return cudaOccupancyMaxActiveBlocksPerMultiprocessor(blocks, plan_fill_kernel,
                                                       static_cast<int>(threads), 0);
}

cudaError_t launch_plan_fill(const plan_descriptor* table, std::int64_t count, std::int64_t slots,
                             unsigned blocks, unsigned threads, cudaStream_t stream) {
  if (count <= 0 || slots <= 0) return cudaSuccess;
  return launch_kernel(plan_fill_kernel, blocks, threads, 0, stream, table, count, slots);
}

cudaError_t launch_box_fill(const plan_descriptor& d, unsigned blocks, unsigned threads,
                            cudaStream_t stream) {
  return launch_kernel(box_fill_kernel, blocks, threads, 0, stream, d);
}

}  // namespace detail
}  // namespace weightinit
