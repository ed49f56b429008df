// host/schemes_internal.hpp: what the scheme files of host/ share: enum checks, fans with the
// caller's name in errors, the fill options read once, and the fill plan (every check done, nothing
// written) that the CPU and GPU fills both execute.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../kernels/box.hpp"
#include "../kernels/structured.hpp"
#include "weightinit/fans.hpp"
#include "weightinit/fill.hpp"
#include "weightinit/initializers.hpp"
#include "weightinit/presets.hpp"
#include "weightinit/resolve.hpp"
#include "host_policy.hpp"

namespace weightinit {
namespace detail {

[[noreturn]] void throw_invalid(const std::string& function, const std::string& what);

/// Whether an enum value is one of the enum's (every entry point checks before using one).
bool is_valid(fan_mode m) noexcept;
bool is_valid(nonlinearity nl) noexcept;
bool is_valid(scale_distribution d) noexcept;
bool is_valid(layout l) noexcept;

/// Throws std::invalid_argument naming `function` when `d` can produce a value that `t` cannot hold
/// (beyond its largest finite value). normal_reach: the contract's largest |z| for `t`.
void check_representable(const distribution& d, dtype t, const char* function);
double normal_reach(dtype t) noexcept;

/// The layout and explicit fans a fill uses, read from its options: `given` is null unless
/// fan_override is set. Throws std::invalid_argument naming `function` when both are set, or when
/// fan_override is given to a scheme that reads no fans.
struct fan_source {
  fan_layout layout;
  const fans* given = nullptr;
};
fan_source fan_source_of(const fill_options& options, const initializer& init,
                         const char* function);

/// compute_part_fans, with `function` naming the caller in errors.
std::vector<fans> part_fans(const shape& dims, const fan_layout& lay, const char* function);

/// Whether the output dimension of `dims` under `lay` is axis 0 (each output index is then one
/// contiguous run of elements). Assumes part_fans accepted (dims, lay).
bool output_axis_outermost(const shape& dims, const fan_layout& lay);

/// A range [first, first + count) of global element indices filled with one distribution.
struct element_range {
  std::int64_t first = 0;
  std::int64_t count = 0;
  distribution dist;
};

/// One orthogonal matrix: rows × cols, its Gaussian input and its output at the global elements
/// [offset, offset + rows·cols) (row-major, element (r, c) at offset + r·cols + c).
struct orthogonal_block {
  std::int64_t offset = 0, rows = 0, cols = 0;
};

/// Everything a fill needs, validated: no call that consumes a plan can fail on arguments.
struct fill_plan {
  scheme kind = scheme::zeros;
  std::int64_t window_first = 0, window_count = 0;  // the view's window; count 0: nothing to do
  // Elementwise schemes: ranges that cover the whole tensor (one, or one per packed part).
  std::vector<element_range> ranges;
  // orthogonal
  std::vector<orthogonal_block> blocks;
  double gain = 1;
  // eye: rows × cols with `gain` on the diagonal. sparse: rows × cols, `zeros` zeros per column,
  // values from `ranges` (one normal range).
  std::int64_t rows = 0, cols = 0, zeros = 0;
  // dirac: dims (rank 3..5), groups
  shape dims;
  std::int64_t groups = 1;
  // A shard box (tensor_view::box): the fields above plan the whole global tensor (window = all of
  // it); the view's memory holds box_count elements, the runs of `box` (host/box.cpp).
  bool boxed = false;
  box_runs box;
  std::int64_t box_count = 0;
};

/// Validates and plans a fill of `tensor` with `init`. Exactly one of `lay` and `given` is used:
/// `given` (explicit fans) when non-null. Throws std::invalid_argument before anything is written.
fill_plan plan_fill(const tensor_view& tensor, const initializer& init, const fan_layout& lay,
                    const fans* given, const char* function);

/// Checks a view's shard box against its global shape and returns the box's element count:
/// std::invalid_argument naming `function` for a bad box, a box combined with a window, or a null
/// pointer for a non-empty box.
std::int64_t checked_box_count(const tensor_view& view, const char* function);

/// The runs of a box validated against `dims` (kernels/box.hpp).
box_runs runs_of(const shape& dims, const shard_box& box, const char* function);

/// Executes a validated plan on the CPU (host/scheme_fill_host.cpp); a boxed plan goes through
/// execute_box_host (host/box.cpp), which runs each of the box's runs as a window.
void execute_host(const tensor_view& t, const fill_plan& plan, key k, host_policy policy);
void execute_box_host(const tensor_view& t, const fill_plan& plan, key k, host_policy policy);

/// Executes a validated plan on the GPU on `stream` (host/scheme_fill_device.cpp); a boxed plan
/// goes through execute_box_device (host/box_device.cpp).
void execute_device(const tensor_view& t, const fill_plan& plan, key k, cudaStream_t stream);
void execute_box_device(const tensor_view& t, const fill_plan& plan, key k, cudaStream_t stream);

/// The plan of one run of a boxed plan: unboxed, its window the run's global elements.
fill_plan window_of(const fill_plan& boxed, std::int64_t first, std::int64_t count);

/// Overwrites column-major m × n `a` (m >= n) with the Q of its QR, column j multiplied by
/// sign(R_jj) (+1 for R_jj = 0): Householder in double (host/orthogonal_host.cpp).
void orthonormalize_columns(std::vector<double>& a, std::int64_t m, std::int64_t n,
                            unsigned threads);

/// gain·Q of one orthogonal block on the CPU from its row-major rows × cols Gaussian input, as a
/// row-major rows × cols matrix (QR of Aᵀ when rows < cols).
std::vector<double> orthogonal_block_host(const std::vector<double>& gaussian, std::int64_t rows,
                                          std::int64_t cols, double gain, unsigned threads);

/// The dirac geometry of a validated (out, in, *k) shape and groups.
structured::dirac_geometry dirac_geometry_of(const shape& dims, std::int64_t groups);

/// The fans a layer's bias is resolved with: those of its weight (the first part's fan_in for a
/// packed weight; fan_in does not depend on the parts).
fans weight_fans_for_bias(const tensor_view& weight, const layer_preset& preset,
                          const char* function);

/// The bias scheme actually used: zeros for a bias_uniform bias whose weight has fan_in 0
/// (PyTorch).
initializer bias_initializer(const layer_preset& preset, const fans& weight_fans);

/// Throws std::invalid_argument naming `function` when a preset fill's options set a layout or
/// fans.
void check_preset_options(const fill_options& options, const char* function);

/// Whether two distributions have the same kind and parameters.
bool same_distribution(const distribution& x, const distribution& y);

/// Standard deviation of the standard normal truncated to [a, b] (host, double precision).
double truncated_standard_normal_std(double a, double b);

/// The view restricted to the global elements [lo, hi) (inside its window) of the same tensor.
inline tensor_view sub_view(const tensor_view& t, std::int64_t lo, std::int64_t hi) {
  tensor_view s = t;
  s.data = static_cast<char*>(t.data) + (lo - t.first) * static_cast<std::int64_t>(size_of(t.type));
  s.first = lo;
  s.count = hi - lo;
  return s;
}

}  // namespace detail
}  // namespace weightinit
