// weightinit/fans.hpp: fan_in, fan_out and receptive field of a weight shape under a layout
// convention (PyTorch's (out, in, *k), Keras/TF/JAX's (*k, in, out)) or explicit axes, with grouped
// convolutions and packed (fused) weights. Plain C++17.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "weightinit/types.hpp"

namespace weightinit {

/// Where the input and output dimensions of a weight live.
///   out_in: PyTorch, (out, in, *kernel): fan_in = dims[1]·rf, fan_out = dims[0]·rf,
///           rf = product of dims[2:]                      (nn.Linear (out, in), nn.ConvNd)
///   in_out: Keras/TF/JAX, (*kernel, in, out): fan_in = dims[-2]·rf, fan_out = dims[-1]·rf,
///           rf = product of dims[:-2]                     (Dense (in, out), Conv2D (kh, kw, in,
///           out))
/// For rank 2 the receptive field is 1 and the two differ only in which dimension is which.
enum class layout { out_in, in_out };

/// "out_in" | "in_out"; parse_layout also accepts "pytorch"/"torch" (out_in) and
/// "keras"/"tf"/"tensorflow"/"jax"/"flax" (in_out). Throws std::invalid_argument otherwise.
const char* to_string(layout l) noexcept;
layout parse_layout(const std::string& name);

/// Explicit axes, as JAX's variance_scaling(in_axis, out_axis, batch_axis) has them: fan_in is the
/// product of the `in` extents times the receptive field, fan_out likewise with `out`; the
/// receptive field is the product of every axis in none of the three lists; `batch` axes count in
/// neither fan (a stack of independent weights). Negative axes count from the end (-1 = last).
/// The lists must be disjoint, in range, and `in` and `out` non-empty.
/// Example: JAX's default is fan_axes{{-2}, {-1}, {}}, which equals layout::in_out.
struct fan_axes {
  std::vector<int> in;
  std::vector<int> out;
  std::vector<int> batch;
};

/// How to read fans off a shape: a convention (or explicit axes), grouped convolutions and packed
/// weights. Converts implicitly from `layout` and `fan_axes`, so compute_fans(dims, layout::in_out)
/// reads naturally.
///
/// Grouped convolution: the stored weight already holds in/groups input channels
/// ((out, in/groups, *k) in PyTorch, (*k, in/groups, out) in TF), so fan_in = stored dim · rf is
/// the true number of inputs of each output. fan_out: with groups == 1 (the default) it is
/// out · rf, exactly what PyTorch and Keras compute for a grouped weight; with groups = g it is
/// (out / g) · rf, the true number of outputs each input feeds (out must be divisible by g).
///
/// Transposed convolution: PyTorch's nn.ConvTransposeNd stores (in, out/groups, *k) and its
/// reset_parameters computes fans as if dim 0 were the output, i.e. layout::out_in reproduces
/// PyTorch (fan_in = out/groups · rf). For the fans of the transposed layer's own forward pass use
/// fan_axes{{0}, {1}, {}} (fan_in = in · rf). Neither accounts for the stride.
///
/// Packed weights: `parts` lists the sizes of the parts along the output dimension (a fused QKV
/// (3E, E) weight: parts {E, E, E}; GQA: {E, E/4, E/4}; a gate-up MLP: {F, F}). Their sum must
/// equal the output extent, which must be a single axis. Fans are computed per part (fan_out = part
/// · rf), so a packed (3E, E) weight gets exactly the distribution of three separate (E, E)
/// weights. Unequal parts need the output axis outermost (out_in or fan_axes with out = {0}) so
/// that each part is one contiguous range of elements. groups and parts cannot be combined.
struct fan_layout {
  layout convention = layout::out_in;
  std::optional<fan_axes> axes;  ///< when set, overrides `convention`
  std::int64_t groups = 1;
  shape parts;  ///< empty: one part, the whole output dimension (any integer type: {E, E, E})

  fan_layout() = default;
  fan_layout(layout l) : convention(l) {}         // NOLINT: implicit on purpose
  fan_layout(fan_axes a) : axes(std::move(a)) {}  // NOLINT: implicit on purpose
};

/// Fans of a weight, as doubles (they enter the formulas as such).
struct fans {
  double fan_in = 0;
  double fan_out = 0;
  double receptive_field = 0;
};

/// The fans of `dims` under `lay` (of one part for a packed weight whose parts are all equal).
/// Throws std::invalid_argument naming compute_fans and the shape for: rank < 2, negative extents,
/// bad axes, groups < 1 or not dividing the output extent, bad parts, or unequal parts (use
/// compute_part_fans). A zero extent yields a zero fan; fan-based schemes reject it when resolving,
/// and fills treat zero-element tensors as a no-op before they look at fans.
fans compute_fans(const shape& dims, const fan_layout& lay = layout::out_in);

/// The fans of every part of a packed weight, in order (one entry when lay.parts is empty).
std::vector<fans> compute_part_fans(const shape& dims, const fan_layout& lay);

}  // namespace weightinit
