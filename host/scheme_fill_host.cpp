// host/scheme_fill_host.cpp: fill_host for an initializer: plans (every check first), then fills
// elementwise ranges with the distribution fill, and writes the structured schemes (orthogonal,
// eye, dirac, sparse) with the same per-element rules as the GPU kernels (kernels/structured.hpp).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "../kernels/element.hpp"
#include "../kernels/structured.hpp"
#include "host_policy.hpp"
#include "schemes_internal.hpp"
#include "thread_pool.hpp"

namespace weightinit {
namespace detail {
namespace {

unsigned thread_count(host_policy policy) {
  return policy.threads ? policy.threads : default_thread_count();
}

// Element `local` of the view's memory gets `v`: as double for f64, else the f32 value (rounded to
// nearest even for f16 and bf16).
void store(void* data, dtype type, std::int64_t local, double v) {
  switch (type) {
    case dtype::f32: static_cast<float*>(data)[local] = static_cast<float>(v); return;
    case dtype::f64: static_cast<double*>(data)[local] = v; return;
    case dtype::f16:
      store_value(static_cast<f16_bits*>(data) + local, static_cast<float>(v));
      return;
    case dtype::bf16:
      store_value(static_cast<bf16_bits*>(data) + local, static_cast<float>(v));
      return;
  }
}

void fill_ranges(const tensor_view& t, const fill_plan& plan, key k, host_policy policy) {
  const std::int64_t w0 = plan.window_first, w1 = plan.window_first + plan.window_count;
  for (const element_range& r : plan.ranges) {
    const std::int64_t lo = std::max(w0, r.first), hi = std::min(w1, r.first + r.count);
    if (lo < hi) fill_host(sub_view(t, lo, hi), r.dist, k, policy);
  }
}

void fill_orthogonal(const tensor_view& t, const fill_plan& plan, key k, host_policy policy) {
  const std::int64_t w0 = plan.window_first, w1 = plan.window_first + plan.window_count;
  for (const orthogonal_block& b : plan.blocks) {
    const std::int64_t n = b.rows * b.cols;
    const std::int64_t lo = std::max(w0, b.offset), hi = std::min(w1, b.offset + n);
    if (lo >= hi) continue;
    // The Gaussian input: the tensor's normal fill at the block's global indices, in f32 for
    // f32/f16/bf16 tensors and f64 for f64, exactly the input the GPU path factors.
    std::vector<double> g(static_cast<std::size_t>(n));
    tensor_view in{nullptr, t.type == dtype::f64 ? dtype::f64 : dtype::f32, t.dims, b.offset, n};
    if (t.type == dtype::f64) {
      in.data = g.data();
      fill_host(in, distribution::normal(0.0, 1.0), k, policy);
    } else {
      std::vector<float> f(static_cast<std::size_t>(n));
      in.data = f.data();
      fill_host(in, distribution::normal(0.0, 1.0), k, policy);
      std::copy(f.begin(), f.end(), g.begin());
    }
    const std::vector<double> q =
        orthogonal_block_host(g, b.rows, b.cols, plan.gain, thread_count(policy));
    for (std::int64_t gi = lo; gi < hi; ++gi)
      store(t.data, t.type, gi - w0, q[static_cast<std::size_t>(gi - b.offset)]);
  }
}

void fill_sparse(const tensor_view& t, const fill_plan& plan, key k, host_policy policy) {
  fill_ranges(t, plan, k, policy);  // the normal values
  if (plan.zeros == 0) return;
  const std::int64_t w0 = plan.window_first, w1 = plan.window_first + plan.window_count;
  const std::int64_t rows = plan.rows, cols = plan.cols;
  const std::size_t bytes = size_of(t.type);
  // Columns the window touches: all, or the run starting at w0's column.
  const std::int64_t ncols = std::min(cols, plan.window_count);
  const std::int64_t c0 = w0 % cols;
  auto column = [&](std::int64_t j) {
    const std::int64_t c = (c0 + j) % cols;
    std::vector<std::uint64_t> keys(static_cast<std::size_t>(rows));
    for (std::int64_t r = 0; r < rows; ++r)
      keys[static_cast<std::size_t>(r)] = structured::sparse_key(k.seed, k.stream, r, cols, c);
    std::vector<std::uint64_t> sorted(keys);
    std::nth_element(sorted.begin(), sorted.begin() + (plan.zeros - 1), sorted.end());
    const std::uint64_t threshold = sorted[static_cast<std::size_t>(plan.zeros - 1)];
    // Rows of column c inside the window: r·cols + c in [w0, w1).
    const std::int64_t r_lo = w0 <= c ? 0 : (w0 - c + cols - 1) / cols;
    const std::int64_t r_hi = std::min(rows, (w1 - 1 - c) / cols + 1);  // w1 - 1 >= c or empty
    for (std::int64_t r = r_lo; r < r_hi; ++r)
      if (keys[static_cast<std::size_t>(r)] <= threshold)
        std::memset(
            static_cast<char*>(t.data) + (r * cols + c - w0) * static_cast<std::int64_t>(bytes), 0,
            bytes);
  };
  const unsigned threads = static_cast<unsigned>(std::min<std::int64_t>(
      thread_count(policy), std::max<std::int64_t>(1, ncols * rows / (1 << 14))));
  parallel_for(threads, threads, [&](std::int64_t w) {
    for (std::int64_t j = ncols * w / threads; j < ncols * (w + 1) / threads; ++j) column(j);
  });
}

}  // namespace

void execute_host(const tensor_view& t, const fill_plan& plan, key k, host_policy policy) {
  if (plan.boxed) {
    execute_box_host(t, plan, k, policy);
    return;
  }
  if (plan.window_count == 0) return;
  const std::int64_t w0 = plan.window_first, n = plan.window_count;
  switch (plan.kind) {
    case scheme::orthogonal: fill_orthogonal(t, plan, k, policy); return;
    case scheme::eye:
      for (std::int64_t i = 0; i < n; ++i)
        store(t.data, t.type, i, structured::eye_on_diagonal(w0 + i, plan.cols) ? plan.gain : 0.0);
      return;
    case scheme::dirac: {
      const structured::dirac_geometry d = dirac_geometry_of(plan.dims, plan.groups);
      for (std::int64_t i = 0; i < n; ++i)
        store(t.data, t.type, i, structured::dirac_is_one(d, w0 + i) ? 1.0 : 0.0);
      return;
    }
    case scheme::sparse: fill_sparse(t, plan, k, policy); return;
    default: fill_ranges(t, plan, k, policy); return;
  }
}

structured::dirac_geometry dirac_geometry_of(const shape& dims, std::int64_t groups) {
  structured::dirac_geometry d;
  d.in = dims[1];
  d.inner = 1;
  d.centre = 0;
  for (std::size_t j = 2; j < dims.size(); ++j) {
    d.centre = d.centre * dims[j] + dims[j] / 2;
    d.inner *= dims[j];
  }
  d.out_per_group = dims[0] / groups;
  d.min_dim = std::min(d.out_per_group, dims[1]);
  return d;
}

}  // namespace detail

namespace detail {

fan_source fan_source_of(const fill_options& options, const initializer& init,
                         const char* function) {
  if (options.layout && options.fan_override)
    throw_invalid(function,
                  "fill_options sets both layout and fan_override; give one (fans come "
                  "from the shape under the layout, or are given)");
  if (options.fan_override && !uses_fans(init.kind()))
    throw_invalid(function, std::string("fill_options::fan_override is given, but ") +
                                to_string(init.kind()) + " reads no fans");
  fan_source src;
  if (options.layout) src.layout = *options.layout;
  if (options.fan_override) src.given = &*options.fan_override;
  return src;
}

void check_preset_options(const fill_options& options, const char* function) {
  if (options.layout || options.fan_override)
    throw_invalid(function,
                  "a layer preset carries its own layout and the weight's fans; leave "
                  "fill_options::layout and fan_override unset");
}

}  // namespace detail

void fill_host(const tensor_view& tensor, const initializer& init, key k,
               const fill_options& options) {
  const detail::fan_source src = detail::fan_source_of(options, init, "fill_host");
  const detail::fill_plan plan =
      detail::plan_fill(tensor, init, src.layout, src.given, "fill_host");
  detail::execute_host(tensor, plan, k, host_policy{options.threads});
}

void fill_host(const tensor_view& weight, const tensor_view& bias, const layer_preset& preset,
               key weight_key, key bias_key, const fill_options& options) {
  detail::check_preset_options(options, "fill_host");
  // The weight first, so that its errors are reported as the weight's; then the bias, with its
  // fans.
  const detail::fill_plan wp =
      detail::plan_fill(weight, preset.weight, preset.layout, nullptr, "fill_host");
  const fans f = detail::weight_fans_for_bias(weight, preset, "fill_host");
  const initializer bias_init = detail::bias_initializer(preset, f);
  // Plan both (every check) before writing either.
  const detail::fill_plan bp = detail::plan_fill(bias, bias_init, preset.layout, &f, "fill_host");
  detail::execute_host(weight, wp, weight_key, host_policy{options.threads});
  detail::execute_host(bias, bp, bias_key, host_policy{options.threads});
}

}  // namespace weightinit
