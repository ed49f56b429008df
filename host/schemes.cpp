// host/schemes.cpp: the initializer value type: factories, names, SPEC text, parameter checks, and
// resolution to an elementwise distribution with the formulas of the papers (computed in the
// operation order PyTorch and Keras use, so resolved parameters equal theirs in double).
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include "prepare.hpp"
#include "schemes_internal.hpp"

namespace weightinit {
namespace {

// Keras/JAX: the standard deviation of the standard normal truncated to [-2, 2], as the literal
// those frameworks divide by (variance_scaling with truncated_normal), so our σ equals theirs.
constexpr double k_trunc2_std = .87962566103423978;

std::string num(double x) {
  std::ostringstream s;
  s.precision(17);
  s << x;
  return s.str();
}

[[noreturn]] void bad(const initializer& init, const std::string& why) {
  detail::throw_invalid(to_string(init.kind), why);
}

void require_finite(const initializer& init, const char* name, double v) {
  if (!std::isfinite(v)) bad(init, std::string(name) + " must be a finite number, got " + num(v));
}

void require_positive_gain(const initializer& init) {
  if (!(std::isfinite(init.gain) && init.gain > 0))
    bad(init, "gain must be a finite number > 0, got " + num(init.gain));
}

bool valid_mode(fan_mode m) {
  return m == fan_mode::fan_in || m == fan_mode::fan_out || m == fan_mode::fan_avg ||
         m == fan_mode::fan_geo_avg;
}

// The fan a mode divides by, after checking that the fans it reads are finite and > 0.
double fan_for(const initializer& init, fan_mode m, const fans& f) {
  const bool need_in = m != fan_mode::fan_out, need_out = m != fan_mode::fan_in;
  if (need_in && !(std::isfinite(f.fan_in) && f.fan_in > 0))
    bad(init, "needs fan_in > 0, got fan_in " + num(f.fan_in) + " (a zero extent in the shape?)");
  if (need_out && !(std::isfinite(f.fan_out) && f.fan_out > 0))
    bad(init, "needs fan_out > 0, got fan_out " + num(f.fan_out) + " (a zero extent in the shape?)");
  switch (m) {
    case fan_mode::fan_in: return f.fan_in;
    case fan_mode::fan_out: return f.fan_out;
    case fan_mode::fan_avg: return (f.fan_in + f.fan_out) / 2.0;
    case fan_mode::fan_geo_avg: return std::sqrt(f.fan_in * f.fan_out);
  }
  bad(init, "unknown mode value " + std::to_string(static_cast<int>(m)));
}

}  // namespace

// ---- names ------------------------------------------------------------------------------------

const char* to_string(fan_mode m) noexcept {
  switch (m) {
    case fan_mode::fan_in: return "fan_in";
    case fan_mode::fan_out: return "fan_out";
    case fan_mode::fan_avg: return "fan_avg";
    case fan_mode::fan_geo_avg: return "fan_geo_avg";
  }
  return "?";
}

fan_mode parse_fan_mode(const std::string& name) {
  if (name == "fan_in") return fan_mode::fan_in;
  if (name == "fan_out") return fan_mode::fan_out;
  if (name == "fan_avg") return fan_mode::fan_avg;
  if (name == "fan_geo_avg") return fan_mode::fan_geo_avg;
  throw std::invalid_argument("parse_fan_mode: unknown mode '" + name +
                              "' (expected fan_in, fan_out, fan_avg, fan_geo_avg)");
}

const char* to_string(scale_distribution d) noexcept {
  switch (d) {
    case scale_distribution::uniform: return "uniform";
    case scale_distribution::normal: return "normal";
    case scale_distribution::truncated_normal: return "truncated_normal";
  }
  return "?";
}

scale_distribution parse_scale_distribution(const std::string& name) {
  if (name == "uniform") return scale_distribution::uniform;
  if (name == "normal" || name == "untruncated_normal") return scale_distribution::normal;
  if (name == "truncated_normal") return scale_distribution::truncated_normal;
  throw std::invalid_argument("parse_scale_distribution: unknown distribution '" + name +
                              "' (expected uniform, normal (= untruncated_normal), truncated_normal)");
}

const char* to_string(scheme s) noexcept {
  switch (s) {
    case scheme::zeros: return "zeros";
    case scheme::ones: return "ones";
    case scheme::constant: return "constant";
    case scheme::uniform: return "uniform";
    case scheme::normal: return "normal";
    case scheme::truncated_normal: return "truncated_normal";
    case scheme::truncated_normal_sigma: return "truncated_normal_sigma";
    case scheme::xavier_uniform: return "xavier_uniform";
    case scheme::xavier_normal: return "xavier_normal";
    case scheme::he_uniform: return "he_uniform";
    case scheme::he_normal: return "he_normal";
    case scheme::lecun_uniform: return "lecun_uniform";
    case scheme::lecun_normal: return "lecun_normal";
    case scheme::variance_scaling: return "variance_scaling";
    case scheme::bias_uniform: return "bias_uniform";
    case scheme::orthogonal: return "orthogonal";
    case scheme::eye: return "eye";
    case scheme::dirac: return "dirac";
    case scheme::sparse: return "sparse";
  }
  return "?";
}

bool is_elementwise(scheme s) noexcept {
  return !(s == scheme::orthogonal || s == scheme::eye || s == scheme::dirac || s == scheme::sparse);
}

bool uses_fans(scheme s) noexcept {
  switch (s) {
    case scheme::xavier_uniform:
    case scheme::xavier_normal:
    case scheme::he_uniform:
    case scheme::he_normal:
    case scheme::lecun_uniform:
    case scheme::lecun_normal:
    case scheme::variance_scaling:
    case scheme::bias_uniform: return true;
    default: return false;
  }
}

bool operator==(const initializer& x, const initializer& y) {
  return x.kind == y.kind && x.value == y.value && x.a == y.a && x.b == y.b && x.mean == y.mean &&
         x.stddev == y.stddev && x.correct_variance == y.correct_variance && x.gain == y.gain &&
         x.mode == y.mode && x.nonlin == y.nonlin && x.slope == y.slope && x.scale == y.scale &&
         x.dist == y.dist && x.groups == y.groups && x.sparsity == y.sparsity;
}

std::string to_string(const initializer& i) {
  const std::string n = to_string(i.kind);
  switch (i.kind) {
    case scheme::zeros:
    case scheme::ones:
    case scheme::lecun_uniform:
    case scheme::lecun_normal:
    case scheme::bias_uniform: return n;
    case scheme::constant: return n + "(value=" + num(i.value) + ")";
    case scheme::uniform: return n + "(a=" + num(i.a) + ",b=" + num(i.b) + ")";
    case scheme::normal: return n + "(mean=" + num(i.mean) + ",std=" + num(i.stddev) + ")";
    case scheme::truncated_normal:
      return n + "(mean=" + num(i.mean) + ",std=" + num(i.stddev) + ",a=" + num(i.a) + ",b=" + num(i.b) + ")";
    case scheme::truncated_normal_sigma:
      return n + "(mean=" + num(i.mean) + ",std=" + num(i.stddev) + ",a=" + num(i.a) + ",b=" + num(i.b) +
             ",correct_variance=" + (i.correct_variance ? "true" : "false") + ")";
    case scheme::xavier_uniform:
    case scheme::xavier_normal:
    case scheme::orthogonal:
    case scheme::eye: return n + "(gain=" + num(i.gain) + ")";
    case scheme::he_uniform:
    case scheme::he_normal:
      return n + "(mode=" + to_string(i.mode) + ",nonlinearity=" + to_string(i.nonlin) +
             ",a=" + num(i.slope) + ")";
    case scheme::variance_scaling:
      return n + "(scale=" + num(i.scale) + ",mode=" + to_string(i.mode) +
             ",distribution=" + to_string(i.dist) + ")";
    case scheme::dirac: return n + "(groups=" + std::to_string(i.groups) + ")";
    case scheme::sparse: return n + "(sparsity=" + num(i.sparsity) + ",std=" + num(i.stddev) + ")";
  }
  return "?";
}

// ---- factories --------------------------------------------------------------------------------

namespace {
initializer make(scheme s) {
  initializer i;
  i.kind = s;
  return i;
}
}  // namespace

initializer zeros() { return make(scheme::zeros); }
initializer ones() { return make(scheme::ones); }
initializer constant(double value) {
  initializer i = make(scheme::constant);
  i.value = value;
  return i;
}
initializer uniform(double a, double b) {
  initializer i = make(scheme::uniform);
  i.a = a;
  i.b = b;
  return i;
}
initializer normal(double mean, double stddev) {
  initializer i = make(scheme::normal);
  i.mean = mean;
  i.stddev = stddev;
  return i;
}
initializer truncated_normal(double mean, double stddev, double a, double b) {
  initializer i = make(scheme::truncated_normal);
  i.mean = mean;
  i.stddev = stddev;
  i.a = a;
  i.b = b;
  return i;
}
initializer truncated_normal_sigma(double mean, double stddev, double a, double b,
                                   bool correct_variance) {
  initializer i = truncated_normal(mean, stddev, a, b);
  i.kind = scheme::truncated_normal_sigma;
  i.correct_variance = correct_variance;
  return i;
}
initializer xavier_uniform(double g) {
  initializer i = make(scheme::xavier_uniform);
  i.gain = g;
  return i;
}
initializer xavier_normal(double g) {
  initializer i = make(scheme::xavier_normal);
  i.gain = g;
  return i;
}
initializer he_uniform(fan_mode mode, nonlinearity nl, double a) {
  initializer i = make(scheme::he_uniform);
  i.mode = mode;
  i.nonlin = nl;
  i.slope = a;
  return i;
}
initializer he_normal(fan_mode mode, nonlinearity nl, double a) {
  initializer i = he_uniform(mode, nl, a);
  i.kind = scheme::he_normal;
  return i;
}
initializer lecun_uniform() { return make(scheme::lecun_uniform); }
initializer lecun_normal() { return make(scheme::lecun_normal); }
initializer variance_scaling(double scale, fan_mode mode, scale_distribution dist) {
  initializer i = make(scheme::variance_scaling);
  i.scale = scale;
  i.mode = mode;
  i.dist = dist;
  return i;
}
initializer bias_uniform() { return make(scheme::bias_uniform); }
initializer orthogonal(double g) {
  initializer i = make(scheme::orthogonal);
  i.gain = g;
  return i;
}
initializer eye(double g) {
  initializer i = make(scheme::eye);
  i.gain = g;
  return i;
}
initializer dirac(std::int64_t groups) {
  initializer i = make(scheme::dirac);
  i.groups = groups;
  return i;
}
initializer sparse(double sparsity, double stddev) {
  initializer i = make(scheme::sparse);
  i.sparsity = sparsity;
  i.stddev = stddev;
  return i;
}

// ---- checks and resolution --------------------------------------------------------------------

namespace detail {

bool same_distribution(const distribution& x, const distribution& y) {
  return x.kind == y.kind && x.value == y.value && x.low == y.low && x.high == y.high &&
         x.mean == y.mean && x.stddev == y.stddev;
}

double truncated_standard_normal_std(double a, double b) {
  const double inv_sqrt_2pi = 0.39894228040143267794;
  auto phi = [&](double x) { return std::isinf(x) ? 0.0 : inv_sqrt_2pi * std::exp(-0.5 * x * x); };
  auto x_phi = [&](double x) { return std::isinf(x) ? 0.0 : x * phi(x); };
  double z;
  if (a >= 0) {
    z = normal_ccdf(a) - normal_ccdf(b);
  } else if (b <= 0) {
    z = normal_cdf(b) - normal_cdf(a);
  } else {
    z = 1.0 - normal_cdf(a) - normal_ccdf(b);
  }
  const double m = (phi(a) - phi(b)) / z;
  const double var = 1.0 + (x_phi(a) - x_phi(b)) / z - m * m;
  return var > 0 && std::isfinite(var) ? std::sqrt(var) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace detail

void validate(const initializer& init) {
  switch (init.kind) {
    case scheme::zeros:
    case scheme::ones:
    case scheme::lecun_uniform:
    case scheme::lecun_normal:
    case scheme::bias_uniform: return;
    case scheme::constant: require_finite(init, "value", init.value); return;
    case scheme::uniform:
      require_finite(init, "a", init.a);
      require_finite(init, "b", init.b);
      if (!(init.a < init.b)) bad(init, "needs a < b, got a=" + num(init.a) + ", b=" + num(init.b));
      return;
    case scheme::normal:
    case scheme::sparse:
      require_finite(init, "mean", init.mean);
      if (!(std::isfinite(init.stddev) && init.stddev >= 0))
        bad(init, "std must be a finite number >= 0, got " + num(init.stddev));
      if (init.kind == scheme::sparse && !(init.sparsity >= 0 && init.sparsity <= 1))
        bad(init, "sparsity must lie in [0, 1], got " + num(init.sparsity));
      return;
    case scheme::truncated_normal:
    case scheme::truncated_normal_sigma:
      require_finite(init, "mean", init.mean);
      if (!(std::isfinite(init.stddev) && init.stddev > 0))
        bad(init, "std must be a finite number > 0, got " + num(init.stddev));
      if (std::isnan(init.a) || std::isnan(init.b) || !(init.a < init.b))
        bad(init, "needs a < b, got a=" + num(init.a) + ", b=" + num(init.b));
      if (init.kind == scheme::truncated_normal_sigma && init.correct_variance &&
          !std::isfinite(detail::truncated_standard_normal_std(init.a, init.b)))
        bad(init, "cannot correct the variance of [a, b] = [" + num(init.a) + ", " + num(init.b) +
                      "] sigma: the interval is too far in the tail");
      return;
    case scheme::xavier_uniform:
    case scheme::xavier_normal: require_positive_gain(init); return;
    case scheme::he_uniform:
    case scheme::he_normal:
      if (init.mode != fan_mode::fan_in && init.mode != fan_mode::fan_out)
        bad(init, std::string("mode must be fan_in or fan_out, got ") +
                      (valid_mode(init.mode) ? to_string(init.mode)
                                             : std::to_string(static_cast<int>(init.mode)).c_str()) +
                      " (variance_scaling takes fan_avg and fan_geo_avg)");
      if (!std::isfinite(init.slope))
        bad(init, "a (the negative slope) must be a finite number, got " + num(init.slope));
      if (static_cast<int>(init.nonlin) < static_cast<int>(nonlinearity::linear) ||
          static_cast<int>(init.nonlin) > static_cast<int>(nonlinearity::selu))
        bad(init, "unknown nonlinearity value " + std::to_string(static_cast<int>(init.nonlin)));
      return;
    case scheme::variance_scaling:
      if (!(std::isfinite(init.scale) && init.scale > 0))
        bad(init, "scale must be a finite number > 0, got " + num(init.scale));
      if (!valid_mode(init.mode))
        bad(init, "unknown mode value " + std::to_string(static_cast<int>(init.mode)));
      if (init.dist != scale_distribution::uniform && init.dist != scale_distribution::normal &&
          init.dist != scale_distribution::truncated_normal)
        bad(init, "unknown distribution value " + std::to_string(static_cast<int>(init.dist)));
      return;
    case scheme::orthogonal:
    case scheme::eye: require_finite(init, "gain", init.gain); return;
    case scheme::dirac:
      if (init.groups < 1) bad(init, "groups must be >= 1, got " + std::to_string(init.groups));
      return;
  }
  detail::throw_invalid("validate", "unknown scheme value " + std::to_string(static_cast<int>(init.kind)));
}

distribution resolve_with_fans(const initializer& init, const fans& f) {
  validate(init);
  const double sqrt3 = std::sqrt(3.0);
  switch (init.kind) {
    case scheme::zeros: return distribution::constant(0.0);
    case scheme::ones: return distribution::constant(1.0);
    case scheme::constant: return distribution::constant(init.value);
    case scheme::uniform: return distribution::uniform(init.a, init.b);
    case scheme::normal: return distribution::normal(init.mean, init.stddev);
    case scheme::truncated_normal:
      return distribution::truncated_normal(init.mean, init.stddev, init.a, init.b);
    case scheme::truncated_normal_sigma: {
      const double sigma =
          init.correct_variance ? init.stddev / detail::truncated_standard_normal_std(init.a, init.b)
                                : init.stddev;
      return distribution::truncated_normal(init.mean, sigma, init.mean + init.a * sigma,
                                            init.mean + init.b * sigma);
    }
    case scheme::xavier_uniform: {
      // Glorot & Bengio: bound = gain·√(6/(fan_in+fan_out)); PyTorch's order: √3 · gain·√(2/(in+out)).
      fan_for(init, fan_mode::fan_avg, f);  // checks both fans
      const double std = init.gain * std::sqrt(2.0 / (f.fan_in + f.fan_out));
      return distribution::uniform(-sqrt3 * std, sqrt3 * std);
    }
    case scheme::xavier_normal:
      fan_for(init, fan_mode::fan_avg, f);
      return distribution::normal(0.0, init.gain * std::sqrt(2.0 / (f.fan_in + f.fan_out)));
    case scheme::he_uniform:
    case scheme::he_normal: {
      // He et al.: σ = gain/√fan, bound = √3·σ = gain·√(3/fan) (PyTorch's kaiming_* order).
      const double fan = fan_for(init, init.mode, f);
      const double std = gain(init.nonlin, init.slope) / std::sqrt(fan);
      if (init.kind == scheme::he_normal) return distribution::normal(0.0, std);
      return distribution::uniform(-sqrt3 * std, sqrt3 * std);
    }
    case scheme::lecun_uniform: {
      const double limit = std::sqrt(3.0 / fan_for(init, fan_mode::fan_in, f));
      return distribution::uniform(-limit, limit);
    }
    case scheme::lecun_normal:
      return distribution::normal(0.0, std::sqrt(1.0 / fan_for(init, fan_mode::fan_in, f)));
    case scheme::variance_scaling: {
      // Keras/JAX VarianceScaling, same operations in the same order.
      const double variance = init.scale / fan_for(init, init.mode, f);
      switch (init.dist) {
        case scale_distribution::uniform: {
          const double limit = std::sqrt(3.0 * variance);
          return distribution::uniform(-limit, limit);
        }
        case scale_distribution::normal: return distribution::normal(0.0, std::sqrt(variance));
        case scale_distribution::truncated_normal: {
          // Keras/JAX: σ = √variance / 0.8796… so the variance after truncation at ±2σ is `variance`.
          const double std = std::sqrt(variance) / k_trunc2_std;
          return distribution::truncated_normal(0.0, std, -2.0 * std, 2.0 * std);
        }
      }
      break;
    }
    case scheme::bias_uniform: {
      const double bound = 1.0 / std::sqrt(fan_for(init, fan_mode::fan_in, f));
      return distribution::uniform(-bound, bound);
    }
    case scheme::orthogonal:
    case scheme::eye:
    case scheme::dirac:
    case scheme::sparse:
      bad(init, "is a structured scheme, not an elementwise distribution: fill the tensor with "
                "fill_host or fill instead of resolving it");
  }
  bad(init, "cannot resolve");
}

distribution resolve(const initializer& init, const shape& dims, const fan_layout& lay) {
  validate(init);
  if (!uses_fans(init.kind)) return resolve_with_fans(init, fans{});
  const char* fn = to_string(init.kind);
  if (init.kind == scheme::bias_uniform && dims.size() < 2)
    detail::throw_invalid(fn, "a bias is resolved with its weight's fans (resolve_with_fans, "
                              "the fans overloads of fill_host/fill, or a layer preset), got shape " +
                                  to_string(dims));
  const std::vector<fans> parts = detail::part_fans(dims, lay, fn);
  const distribution first = resolve_with_fans(init, parts[0]);
  for (std::size_t p = 1; p < parts.size(); ++p)
    if (!detail::same_distribution(resolve_with_fans(init, parts[p]), first))
      detail::throw_invalid(fn, "the packed parts of shape " + to_string(dims) +
                                    " resolve to different distributions; fill_host and fill "
                                    "handle them part by part");
  return first;
}

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
}

}  // namespace

fill_plan plan_fill(const tensor_view& tensor, const initializer& init, const fan_layout& lay,
                    const fans* given, const char* function) {
  validate(init);
  const char* name = to_string(init.kind);
  fill_plan plan;
  plan.kind = init.kind;
  const std::int64_t total = element_count(tensor.dims);
  plan.window_first = tensor.first;
  plan.window_count = window_count(tensor, function);
  const shape& dims = tensor.dims;
  const int rank = static_cast<int>(dims.size());
  if (plan.window_count > 0 && tensor.data == nullptr)
    throw_invalid(function, "null data pointer for " + std::to_string(plan.window_count) + " elements");

  if (is_elementwise(init.kind)) {
    if (!uses_fans(init.kind) || given) {
      plan.ranges.push_back({0, total, given ? resolve_with_fans(init, *given) : resolve_with_fans(init, fans{})});
    } else {
      if (init.kind == scheme::bias_uniform && rank < 2)
        resolve(init, dims, lay);  // throws the message that explains bias fans
      const std::vector<fans> parts = part_fans(dims, lay, name);
      if (total == 0) return plan;  // zero elements: a no-op once the shape is known to be valid
      const distribution first = resolve_with_fans(init, parts[0]);
      bool equal = true;
      for (const fans& f : parts) equal = equal && same_distribution(resolve_with_fans(init, f), first);
      if (equal) {
        plan.ranges.push_back({0, total, first});
      } else {
        if (!output_axis_outermost(dims, lay))
          throw_invalid(name, "packed parts of unequal size need the output axis outermost "
                              "(layout out_in or fan_axes out = {0}) so each part is contiguous; "
                              "shape " + to_string(dims));
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

  switch (init.kind) {
    case scheme::orthogonal: {
      if (rank < 2)
        throw_invalid(name, "needs rank >= 2 (it flattens to a matrix), got shape " + to_string(dims));
      plan.gain = init.gain;
      const bool keras_flat = !lay.axes && lay.convention == layout::in_out;
      // Zero elements leave no block, so the division by a zero extent never happens below.
      const std::int64_t rows = total == 0 ? 0 : keras_flat ? total / dims.back() : dims[0];
      const std::int64_t cols = total == 0 ? 0 : total / rows;
      if (!lay.parts.empty() && !given) {
        part_fans(dims, lay, name);  // validates the parts
        if (keras_flat || !output_axis_outermost(dims, lay))
          throw_invalid(name, "packed parts need the output axis outermost (layout out_in), so "
                              "each part is a block of rows; shape " + to_string(dims));
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
      plan.gain = init.gain;
      return plan;
    case scheme::dirac:
      if (rank < 3 || rank > 5)
        throw_invalid(name, "needs a 3-, 4- or 5-D shape (out, in, *kernel), got " + to_string(dims));
      if (dims[0] % init.groups != 0)
        throw_invalid(name, "dim 0 of shape " + to_string(dims) + " is not divisible by groups " +
                                std::to_string(init.groups));
      plan.dims = dims;
      plan.groups = init.groups;
      return plan;
    case scheme::sparse: {
      if (rank != 2) throw_invalid(name, "needs a 2-D shape (rows, cols), got " + to_string(dims));
      if (dims[0] > (std::int64_t{1} << 32))
        throw_invalid(name, "supports at most 2^32 rows, got shape " + to_string(dims));
      plan.rows = dims[0];
      plan.cols = dims[1];
      // PyTorch: num_zeros = int(math.ceil(sparsity * rows)), in double.
      plan.zeros = static_cast<std::int64_t>(std::ceil(init.sparsity * static_cast<double>(plan.rows)));
      plan.ranges.push_back({0, total, distribution::normal(init.mean, init.stddev)});
      check_distribution(plan.ranges[0].dist, tensor.type, function);
      return plan;
    }
    default: break;
  }
  throw_invalid(function, std::string("cannot plan scheme ") + name);
}

}  // namespace detail
}  // namespace weightinit
