// host/scheme_fill_device.cpp: fill for an initializer on the GPU: plans on the host (every check
// first), then launches the distribution fill for elementwise ranges and the structured kernels
// (kernels/structured.cu, kernels/orthogonal.cu) for eye, dirac, sparse and orthogonal.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "../kernels/structured.hpp"
#include "cuda_check.hpp"
#include "cusolver_loader.hpp"
#include "fill_device.hpp"
#include "schemes_internal.hpp"
#include "weightinit/error.hpp"

namespace weightinit {
namespace detail {
namespace {

void fill_ranges(const tensor_view& t, const fill_plan& plan, key k, cudaStream_t stream) {
  const std::int64_t w0 = plan.window_first, w1 = plan.window_first + plan.window_count;
  for (const element_range& r : plan.ranges) {
    const std::int64_t lo = std::max(w0, r.first), hi = std::min(w1, r.first + r.count);
    if (lo < hi)
      fill_device(sub_view(t, lo, hi), r.dist, k, launch::launch_config{}, stream, "fill");
  }
}

// Runs a structured launcher: its status is this launch's; `before` tells an error the context held
// before the call from one this launch caused.
template <class Launch>
void run_launch(const char* kernel, Launch&& launch) {
  const cudaError_t before = cudaPeekAtLastError();
  const int status = launch();
  if (status != 0) throw_launch_error(static_cast<cudaError_t>(status), before, "fill", kernel);
}

void fill_orthogonal(const tensor_view& t, const fill_plan& plan, key k, cudaStream_t stream) {
  void* out = writable_device_address(t, plan.window_count, "fill");
  const std::int64_t w0 = plan.window_first, w1 = plan.window_first + plan.window_count;
  const dtype math = t.type == dtype::f64 ? dtype::f64 : dtype::f32;
  for (const orthogonal_block& b : plan.blocks) {
    const std::int64_t n = b.rows * b.cols;
    if (std::max(w0, b.offset) >= std::min(w1, b.offset + n)) continue;
    const cusolver_api& api = cusolver("fill");
    cusolverDnHandle_t handle = cusolver_handle("fill");
    void* gaussian = nullptr;
    WEIGHTINIT_CUDA_TRY(
        cudaMallocAsync(&gaussian, static_cast<std::size_t>(n) * size_of(math), stream), "fill");
    try {
      // The block's Gaussian input: the tensor's normal fill at its global indices, in the math
      // type.
      fill_device(tensor_view{gaussian, math, t.dims, b.offset, n}, distribution::normal(0.0, 1.0),
                  k, launch::launch_config{}, stream, "fill");
      const orthogonal_status s =
          launch_orthogonal(api, handle, gaussian, out, t.type, b.offset, b.rows, b.cols, w0,
                            plan.window_count, plan.gain, stream);
      if (s.code != 0) {
        if (s.cusolver) throw_cusolver_error(s.code, "fill", s.call);
        throw_cuda_error(static_cast<cudaError_t>(s.code), "fill", s.call);
      }
    } catch (...) {
      cudaFreeAsync(gaussian, stream);
      throw;
    }
    WEIGHTINIT_CUDA_TRY(cudaFreeAsync(gaussian, stream), "fill");
  }
}

// The pointer check of a planned fill (null, alignment, memory kind), without launching anything.
void check_pointer(const tensor_view& t, const fill_plan& plan) {
  const std::int64_t n = plan.boxed ? plan.box_count : plan.window_count;
  if (n > 0) writable_device_address(t, n, "fill");
}

}  // namespace

void execute_device(const tensor_view& t, const fill_plan& plan, key k, cudaStream_t stream) {
  if (plan.boxed) {
    execute_box_device(t, plan, k, stream);
    return;
  }
  if (plan.window_count == 0) return;
  const std::int64_t w0 = plan.window_first, n = plan.window_count;
  switch (plan.kind) {
    case scheme::orthogonal: fill_orthogonal(t, plan, k, stream); return;
    case scheme::eye: {
      void* out = writable_device_address(t, n, "fill");
      run_launch("the eye kernel",
                 [&] { return launch_eye(out, t.type, w0, n, plan.cols, plan.gain, stream); });
    }
      return;
    case scheme::dirac: {
      void* out = writable_device_address(t, n, "fill");
      const structured::dirac_geometry g = dirac_geometry_of(plan.dims, plan.groups);
      run_launch("the dirac kernel", [&] { return launch_dirac(out, t.type, w0, n, g, stream); });
    }
      return;
    case scheme::sparse:
      fill_ranges(t, plan, k, stream);  // the normal values (checks the pointer)
      if (plan.zeros > 0) {
        void* out = writable_device_address(t, n, "fill");
        run_launch("the sparse mask kernel", [&] {
          return launch_sparse_mask(out, t.type, w0, n, plan.rows, plan.cols, plan.zeros, k,
                                    stream);
        });
      }
      return;
    default: fill_ranges(t, plan, k, stream); return;
  }
}

}  // namespace detail

void fill(const tensor_view& tensor, const initializer& init, key k, const fill_options& options,
          cudaStream_t stream) {
  const detail::fan_source src = detail::fan_source_of(options, init, "fill");
  const detail::fill_plan plan = detail::plan_fill(tensor, init, src.layout, src.given, "fill");
  detail::execute_device(tensor, plan, k, stream);
}

void fill(const tensor_view& tensor, const initializer& init, key k, cudaStream_t stream) {
  fill(tensor, init, k, fill_options{}, stream);
}

void fill(const tensor_view& weight, const tensor_view& bias, const layer_preset& preset,
          key weight_key, key bias_key, const fill_options& options, cudaStream_t stream) {
  detail::check_preset_options(options, "fill");
  // The weight first, so that its errors are reported as the weight's; then the bias, with its
  // fans.
  const detail::fill_plan wp =
      detail::plan_fill(weight, preset.weight, preset.layout, nullptr, "fill");
  const fans f = detail::weight_fans_for_bias(weight, preset, "fill");
  const initializer bias_init = detail::bias_initializer(preset, f);
  const detail::fill_plan bp = detail::plan_fill(bias, bias_init, preset.layout, &f, "fill");
  // Both pointers before either launch, the device-free checks first: a bad bias must not leave
  // the weight written.
  const std::int64_t wn = wp.boxed ? wp.box_count : wp.window_count;
  const std::int64_t bn = bp.boxed ? bp.box_count : bp.window_count;
  if (wn > 0) detail::check_pointer_alignment(weight, wn, "fill");
  if (bn > 0) detail::check_pointer_alignment(bias, bn, "fill");
  detail::check_pointer(weight, wp);
  detail::check_pointer(bias, bp);
  detail::execute_device(weight, wp, weight_key, stream);
  detail::execute_device(bias, bp, bias_key, stream);
}

void fill(const tensor_view& weight, const tensor_view& bias, const layer_preset& preset,
          key weight_key, key bias_key, cudaStream_t stream) {
  fill(weight, bias, preset, weight_key, bias_key, fill_options{}, stream);
}

}  // namespace weightinit
