// host/plan.cpp: planning a fill: every check (scheme parameters, shape, fans, packed parts,
// window, pointer, dtype) done and the work laid out (elementwise ranges, orthogonal blocks,
// structured geometry) before anything is written. The CPU and GPU fills both execute the same
// plan.
#include <cmath>
#include <stdexcept>
#include <string>

#include "prepare.hpp"
#include "schemes_internal.hpp"

namespace weightinit {
// ---- the fill plan ----------------------------------------------------------------------------

namespace detail {
namespace {

// Validates a distribution exactly as the fills will, so no range fails after another is written.
void check_distribution(const distribution& d, dtype type, const char* fn) {
  if (type == dtype::f64) {
    prepare_f64(d, fn);
  } else {
    prepare_f32(d, type, fn);
  }
  check_representable(d, type, fn);
}

}  // namespace

namespace {

// Orthogonal and eye write values of magnitude <= |gain|: the dtype must hold gain itself.
void check_gain_representable(const char* scheme_name, double gain, dtype type) {
  try {
    check_representable(distribution::constant(gain), type, scheme_name);
  } catch (const std::invalid_argument&) {
    throw_invalid(scheme_name, "gain " + format_number(gain) + " is beyond the largest finite " +
                                   to_string(type) + ": the values would overflow to infinity");
  }
}

fill_plan plan_checked(const tensor_view& tensor, const initializer& init, const fan_layout& lay,
                       const fans* given, const char* function) {
  validate(init);
  const char* name = to_string(init.kind());
  fill_plan plan;
  plan.kind = init.kind();
  const std::int64_t total = element_count(tensor.dims);
  plan.window_first = tensor.first;
  plan.window_count = window_count(tensor, function);
  const shape& dims = tensor.dims;
  const int rank = static_cast<int>(dims.size());
  if (plan.window_count > 0 && tensor.data == nullptr)
    throw_invalid(function, "null data pointer for " + std::to_string(plan.window_count) + " " +
                                to_string(tensor.type) + " elements");

  if (is_elementwise(init.kind())) {
    if (!uses_fans(init.kind()) || given) {
      plan.ranges.push_back(
          {0, total, given ? resolve_with_fans(init, *given) : resolve_with_fans(init, fans{})});
    } else {
      if (init.kind() == scheme::bias_uniform && rank < 2)
        resolve(init, dims, lay);  // throws the message that explains bias fans
      const std::vector<fans> parts = part_fans(dims, lay, name);
      if (total == 0) return plan;  // zero elements: a no-op once the shape is known to be valid
      const distribution first = resolve_with_fans(init, parts[0]);
      bool equal = true;
      for (const fans& f : parts)
        equal = equal && same_distribution(resolve_with_fans(init, f), first);
      if (equal) {
        plan.ranges.push_back({0, total, first});
      } else {
        if (!output_axis_outermost(dims, lay))
          throw_invalid(name,
                        "packed parts of unequal size need the output axis outermost "
                        "(layout out_in or fan_axes out = {0}) so each part is contiguous; "
                        "shape " +
                            to_string(dims));
        const std::int64_t inner = total / dims[0];
        std::int64_t row = 0;
        for (std::size_t p = 0; p < parts.size(); ++p) {
          const std::int64_t size = lay.parts[p];
          plan.ranges.push_back({row * inner, size * inner, resolve_with_fans(init, parts[p])});
          row += size;
        }
      }
    }
    for (const element_range& r : plan.ranges) check_distribution(r.dist, tensor.type, function);
    return plan;
  }

  switch (init.kind()) {
    case scheme::orthogonal: {
      if (rank < 2)
        throw_invalid(name,
                      "needs rank >= 2 (it flattens to a matrix), got shape " + to_string(dims));
      plan.gain = init.get_if<params::orthogonal>()->gain;
      check_gain_representable(name, plan.gain, tensor.type);
      const bool keras_flat = !lay.axes && lay.convention == layout::in_out;
      // Zero elements leave no block, so the division by a zero extent never happens below.
      const std::int64_t rows = total == 0 ? 0 : keras_flat ? total / dims.back() : dims[0];
      const std::int64_t cols = total == 0 ? 0 : total / rows;
      if (!lay.parts.empty() && !given) {
        part_fans(dims, lay, name);  // validates the parts
        if (keras_flat || !output_axis_outermost(dims, lay))
          throw_invalid(name,
                        "packed parts need the output axis outermost (layout out_in), so "
                        "each part is a block of rows; shape " +
                            to_string(dims));
        if (total == 0) return plan;
        std::int64_t row = 0;
        for (std::int64_t size : lay.parts) {
          plan.blocks.push_back({row * cols, size, cols});
          row += size;
        }
      } else if (total > 0) {
        plan.blocks.push_back({0, rows, cols});
      }
      // The Gaussian input: validated like any normal fill of this type.
      plan.ranges.push_back({0, total, distribution::normal(0.0, 1.0)});
      return plan;
    }
    case scheme::eye:
      if (rank != 2) throw_invalid(name, "needs a 2-D shape, got " + to_string(dims));
      plan.rows = dims[0];
      plan.cols = dims[1];
      plan.gain = init.get_if<params::eye>()->gain;
      check_gain_representable(name, plan.gain, tensor.type);
      return plan;
    case scheme::dirac: {
      const std::int64_t groups = init.get_if<params::dirac>()->groups;
      if (rank < 3 || rank > 5)
        throw_invalid(name,
                      "needs a 3-, 4- or 5-D shape (out, in, *kernel), got " + to_string(dims));
      if (dims[0] % groups != 0)
        throw_invalid(name, "dim 0 of shape " + to_string(dims) + " is not divisible by groups " +
                                std::to_string(groups));
      plan.dims = dims;
      plan.groups = groups;
      return plan;
    }
    case scheme::sparse: {
      const auto& p = *init.get_if<params::sparse>();
      if (rank != 2) throw_invalid(name, "needs a 2-D shape (rows, cols), got " + to_string(dims));
      if (dims[0] > (std::int64_t{1} << 32))
        throw_invalid(name, "supports at most 2^32 rows, got shape " + to_string(dims));
      plan.rows = dims[0];
      plan.cols = dims[1];
      // PyTorch: num_zeros = int(math.ceil(sparsity * rows)), in double.
      plan.zeros =
          static_cast<std::int64_t>(std::ceil(p.sparsity * static_cast<double>(plan.rows)));
      plan.ranges.push_back({0, total, distribution::normal(0.0, p.stddev)});
      check_distribution(plan.ranges[0].dist, tensor.type, function);
      return plan;
    }
    default: break;
  }
  throw_invalid(function, std::string("cannot plan scheme ") + name);
}

// A boxed view plans the whole global tensor (fans, parts and structure come from the global
// shape); the box's runs say which of its elements the view's memory holds.
fill_plan plan_boxed(const tensor_view& tensor, const initializer& init, const fan_layout& lay,
                     const fans* given, const char* function) {
  const std::int64_t n = checked_box_count(tensor, function);
  static unsigned char unused;  // a non-null pointer for an empty box: nothing is ever written
  tensor_view global = tensor;
  global.box.reset();
  global.first = 0;
  global.count = -1;
  if (n == 0) global.data = &unused;
  fill_plan plan = plan_checked(global, init, lay, given, function);
  plan.boxed = true;
  plan.box = runs_of(tensor.dims, *tensor.box, function);
  plan.box_count = n;
  return plan;
}

}  // namespace

fill_plan window_of(const fill_plan& boxed, std::int64_t first, std::int64_t count) {
  fill_plan p = boxed;
  p.boxed = false;
  p.window_first = first;
  p.window_count = count;
  return p;
}

namespace {
fill_plan plan_any(const tensor_view& tensor, const initializer& init, const fan_layout& lay,
                   const fans* given, const char* function) {
  return tensor.box ? plan_boxed(tensor, init, lay, given, function)
                    : plan_checked(tensor, init, lay, given, function);
}
}  // namespace

fill_plan plan_fill(const tensor_view& tensor, const initializer& init, const fan_layout& lay,
                    const fans* given, const char* function) {
  try {
    return plan_any(tensor, init, lay, given, function);
  } catch (const std::invalid_argument& e) {
    // Every refusal names the public function the user called: "fill_host: xavier_uniform: ...".
    const std::string what = e.what(), prefix = std::string(function) + ": ";
    if (what.compare(0, prefix.size(), prefix) == 0) throw;
    throw std::invalid_argument(prefix + what);
  }
}

}  // namespace detail
}  // namespace weightinit
