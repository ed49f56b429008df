// host/box_device.cpp: shard boxes on the GPU. An elementwise box is cut into descriptors (one per
// packed part the box meets) for the plan kernel (kernels/plan_fill.cu): one launch per part, each
// descriptor passed by value, nothing allocated. eye, dirac and sparse run their kernels run by
// run, each run a window; an orthogonal box of more than one run is refused (its matrix would be
// factored once per run).
#include <cuda_runtime_api.h>

#include <algorithm>
#include <string>

#include "../kernels/plan_fill.hpp"
#include "cuda_check.hpp"
#include "fill_device.hpp"
#include "model_internal.hpp"
#include "prepare.hpp"
#include "schemes_internal.hpp"

namespace weightinit {
namespace detail {

std::vector<plan_descriptor> elementwise_descriptors(const shape& dims, const shard_box& box,
                                                     dtype type, unsigned char* data,
                                                     const fill_plan& plan, key k,
                                                     const char* function) {
  std::vector<plan_descriptor> out;
  const std::int64_t total = element_count(dims);
  const std::int64_t stored = element_count(box);
  if (total == 0 || stored == 0) return out;
  // Rank 0 is one element: treat it as shape [1].
  const shape d = dims.empty() ? shape{1} : dims;
  shard_box b = dims.empty() ? shard_box{{0}, {1}} : box;
  const std::int64_t inner = total / d[0];
  const std::int64_t slice = stored / b.extent[0];  // stored elements per dim-0 coordinate
  const std::int64_t bytes = static_cast<std::int64_t>(size_of(type));
  for (const element_range& r : plan.ranges) {
    // Every range of an elementwise plan is a block of whole dim-0 rows (one part of a packed
    // weight, or all of them).
    const std::int64_t r0 = r.first / inner, r1 = (r.first + r.count) / inner;
    const std::int64_t lo = std::max(r0, b.offset[0]), hi = std::min(r1, b.offset[0] + b.extent[0]);
    if (lo >= hi) continue;
    shard_box sub = b;
    sub.offset[0] = lo;
    sub.extent[0] = hi - lo;
    plan_descriptor desc;
    desc.type = type;
    desc.element_bytes = static_cast<std::int32_t>(bytes);
    desc.k = k;
    if (type == dtype::f64)
      desc.pd = prepare_f64(r.dist, function);
    else
      desc.pf = prepare_f32(r.dist, type, function);
    desc.data = data + (lo - b.offset[0]) * slice * bytes;
    desc.geo = runs_of(d, sub, function);
    desc.slots_per_run = slots_for_run(desc.geo.run_len, 16 / static_cast<int>(bytes));
    if (desc.geo.runs == 1)
      desc.single = launch::make_plan(reinterpret_cast<std::uintptr_t>(desc.data),
                                      static_cast<int>(bytes), desc.geo.base, desc.geo.run_len);
    out.push_back(desc);
  }
  return out;
}

unsigned plan_kernel_blocks(std::int64_t slots, unsigned threads, const char* function) {
  int device = 0, sms = 0, per_sm = 0;
  WEIGHTINIT_CUDA_TRY(cudaGetDevice(&device), function);
  WEIGHTINIT_CUDA_TRY(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device),
                      function);
  WEIGHTINIT_CUDA_TRY(plan_fill_blocks_per_sm(threads, &per_sm), function);
  const unsigned resident =
      static_cast<unsigned>(sms > 0 ? sms : 1) * static_cast<unsigned>(per_sm > 0 ? per_sm : 1);
  return launch::grid_blocks(slots, threads, resident);
}

void execute_box_device(const tensor_view& t, const fill_plan& plan, key k, cudaStream_t stream) {
  if (plan.box_count == 0) return;
  const box_runs& g = plan.box;
  if (plan.kind == scheme::orthogonal && g.runs > 1)
    throw std::invalid_argument(
        "fill: a shard box of an orthogonal tensor that is not one "
        "contiguous run (box " +
        to_string(*t.box) + " of shape " + to_string(t.dims) +
        ") is not supported on the GPU; fill it "
        "with fill_host, or fill the whole tensor and copy the box");
  unsigned char* out =
      static_cast<unsigned char*>(writable_device_address(t, plan.box_count, "fill"));
  if (g.runs == 1) {
    tensor_view w{out, t.type, t.dims, g.base, g.run_len};
    execute_device(w, window_of(plan, g.base, g.run_len), k, stream);
    return;
  }
  const std::int64_t bytes = static_cast<std::int64_t>(size_of(t.type));
  if (!is_elementwise(plan.kind)) {  // eye, dirac, sparse: run by run
    for (std::int64_t r = 0; r < g.runs; ++r) {
      const std::int64_t first = g.run_first(r);
      tensor_view w{out + r * g.run_len * bytes, t.type, t.dims, first, g.run_len};
      execute_device(w, window_of(plan, first, g.run_len), k, stream);
    }
    return;
  }
  const std::vector<plan_descriptor> pieces =
      elementwise_descriptors(t.dims, *t.box, t.type, out, plan, k, "fill");
  constexpr unsigned threads = 256;
  for (const plan_descriptor& d : pieces) {
    const std::int64_t slots = d.geo.runs * d.slots_per_run;
    const cudaError_t before = cudaPeekAtLastError();
    const cudaError_t launched =
        launch_box_fill(d, plan_kernel_blocks(slots, threads, "fill"), threads, stream);
    if (launched != cudaSuccess)
      throw_launch_error(launched, before, "fill", "the box fill kernel");
  }
}

}  // namespace detail
}  // namespace weightinit
