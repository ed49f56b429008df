// examples/demo/study.cpp: the study's logic: the schemes and activations, the configuration
// checks, one measured pair (engine run + resolved distribution + mean-field theory + verdict),
// and the whole scheme x activation sweep on the CPU or the GPU.
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "demo.hpp"
#include "network.hpp"

namespace weightinit_demo {
namespace {

struct moments2 {
  double mean = 0, var = 0;
};

double std_normal_pdf(double x) { return std::exp(-0.5 * x * x) * 0.39894228040143267794; }
double std_normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// Mean and variance of a resolved elementwise distribution.
moments2 distribution_moments(const weightinit::distribution& d) {
  using weightinit::distribution_kind;
  switch (d.kind) {
    case distribution_kind::constant: return {d.value, 0};
    case distribution_kind::uniform:
      return {(d.low + d.high) / 2, (d.high - d.low) * (d.high - d.low) / 12};
    case distribution_kind::normal: return {d.mean, d.stddev * d.stddev};
    case distribution_kind::truncated_normal: {
      const double s = d.stddev, a = (d.low - d.mean) / s, b = (d.high - d.mean) / s;
      const double pa = std::isfinite(a) ? std_normal_pdf(a) : 0,
                   pb = std::isfinite(b) ? std_normal_pdf(b) : 0;
      const double apa = std::isfinite(a) ? a * pa : 0, bpb = std::isfinite(b) ? b * pb : 0;
      const double z = std_normal_cdf(b) - std_normal_cdf(a);
      const double shift = (pa - pb) / z;
      return {d.mean + s * shift, s * s * (1 + (apa - bpb) / z - shift * shift)};
    }
  }
  return {};
}

const gauss_hermite& rule_for(int nodes) {
  static std::map<int, gauss_hermite> cache;  // the study runs on one thread
  auto it = cache.find(nodes);
  if (it == cache.end()) it = cache.emplace(nodes, gauss_hermite_rule(nodes)).first;
  return it->second;
}

pair_result assemble(const study_config& c, const scheme_entry& s, activation act,
                     std::vector<layer_stats> layers) {
  pair_result r;
  r.scheme = s.name;
  r.act = act;
  r.layers = std::move(layers);
  r.weight_gradients = c.backward && c.weight_gradients;
  r.elementwise = weightinit::is_elementwise(s.init.kind());
  if (r.elementwise) {
    r.weights = weightinit::resolve(s.init, weightinit::shape{c.width, c.width});
    const moments2 m = distribution_moments(r.weights);
    r.weight_var = m.var;
    // Mean-field theory needs i.i.d. zero-mean weights.
    if (m.mean == 0)
      r.theory = mean_field(rule_for(c.quadrature_nodes), act, c.slope, m.var, c.depth,
                            static_cast<double>(c.width), static_cast<double>(c.batch));
  }
  classify(r);
  return r;
}

}  // namespace

const char* to_string(activation a) noexcept {
  switch (a) {
    case activation::tanh: return "tanh";
    case activation::sigmoid: return "sigmoid";
    case activation::relu: return "relu";
    case activation::leaky_relu: return "leaky_relu";
    case activation::selu: return "selu";
    case activation::swish: return "swish";
  }
  return "?";
}

activation parse_activation(const std::string& name) {
  for (activation a : all_activations())
    if (name == to_string(a)) return a;
  if (name == "silu") return activation::swish;
  throw std::invalid_argument("demo: unknown activation '" + name +
                              "' (expected tanh, sigmoid, relu, leaky_relu, selu or swish)");
}

std::vector<activation> all_activations() {
  return {activation::tanh,       activation::sigmoid, activation::relu,
          activation::leaky_relu, activation::selu,    activation::swish};
}

std::vector<scheme_entry> study_schemes() {
  namespace wi = weightinit;
  return {{"zeros", wi::zeros()},
          {"normal(std=0.01)", wi::normal(0, 0.01)},
          {"normal(std=1)", wi::normal(0, 1)},
          {"xavier_uniform", wi::xavier_uniform()},
          {"xavier_normal", wi::xavier_normal()},
          {"he_uniform", wi::he_uniform()},
          {"he_normal", wi::he_normal()},
          {"lecun_normal", wi::lecun_normal()}};
}

scheme_entry scheme_from_spec(const std::string& spec) {
  return {spec, weightinit::parse_initializer(spec)};
}

const char* to_string(verdict v) noexcept {
  switch (v) {
    case verdict::stable: return "stable";
    case verdict::vanishing: return "vanishing";
    case verdict::exploding: return "exploding";
    case verdict::symmetric: return "symmetric";
  }
  return "?";
}

void validate(const study_config& c) {
  auto bad = [](const std::string& what) { throw std::invalid_argument("demo: " + what); };
  constexpr std::int64_t int_max = std::numeric_limits<int>::max();
  if (c.depth < 1 || c.depth > 100000)
    bad("--depth must be in [1, 100000], got " + std::to_string(c.depth));
  if (c.width < 1 || c.width > int_max)
    bad("--width must be in [1, 2^31), got " + std::to_string(c.width));
  if (c.batch < 1 || c.batch > int_max)
    bad("--batch must be in [1, 2^31), got " + std::to_string(c.batch));
  const double weights = static_cast<double>(c.depth) * c.width * c.width;
  if (weights > std::ldexp(1.0, 40))
    bad("depth x width² = " + std::to_string(weights) + " weights is more than 2^40");
  if (!std::isfinite(c.slope)) bad("the leaky ReLU slope must be finite");
  if (c.quadrature_nodes < 1 || c.quadrature_nodes > 400)
    bad("quadrature_nodes must be in [1, 400], got " + std::to_string(c.quadrature_nodes));
  if (c.schemes.empty()) bad("no scheme to study");
  if (c.activations.empty()) bad("no activation to study");
  for (const auto& s : c.schemes) weightinit::validate(s.init);
}

void classify(pair_result& r, const verdict_rule& rule) {
  const auto& L = r.layers;
  r.reason.clear();
  if (L.empty()) {
    r.v = verdict::stable;
    return;
  }
  // Without a backward pass every gradient norm is NaN; with one, every norm computed must be
  // finite (the weight gradients' only when they were computed).
  bool has_bwd = false;
  for (const auto& s : L) has_bwd |= !std::isnan(s.delta_norm);
  bool symmetric = true, finite = true;
  for (const auto& s : L) {
    if (!(s.unit_spread <= rule.symmetry_tol * s.act_max_abs)) symmetric = false;
    if (!std::isfinite(s.q) || !std::isfinite(s.act_std) ||
        (has_bwd && !std::isfinite(s.delta_norm)) ||
        (has_bwd && r.weight_gradients && !std::isfinite(s.grad_norm)))
      finite = false;
  }
  if (symmetric && finite) {
    r.v = verdict::symmetric;
    r.reason = "units identical";
    return;
  }
  if (!finite) {
    r.v = verdict::exploding;
    r.reason = "overflow";
    return;
  }
  // Ratios over the depth: activations forward (last / first), gradients backward (first / last).
  auto ratio = [](double num, double den) {
    if (den > 0) return num / den;
    return num > 0 ? std::numeric_limits<double>::infinity() : 1.0;
  };
  const double fwd = ratio(L.back().act_std, L.front().act_std);
  const double bwd = has_bwd ? ratio(L.front().delta_norm, L.back().delta_norm) : 1.0;
  auto magnitude = [](double x) {
    return x > 0 ? std::fabs(std::log(x)) : std::numeric_limits<double>::infinity();
  };
  const bool fwd_out = fwd > rule.ratio || fwd < 1 / rule.ratio;
  const bool bwd_out = bwd > rule.ratio || bwd < 1 / rule.ratio;
  if (!fwd_out && !bwd_out) {
    r.v = verdict::stable;
    return;
  }
  const bool use_fwd = fwd_out && (!bwd_out || magnitude(fwd) >= magnitude(bwd));
  const double x = use_fwd ? fwd : bwd;
  r.v = x > 1 ? verdict::exploding : verdict::vanishing;
  r.reason = use_fwd ? "activations" : "gradients";
}

pair_result measure_cpu(const study_config& config, const scheme_entry& scheme, activation act,
                        const layer_observer& observer, bool stream_weights) {
  validate(config);
  auto net = detail::make_cpu_network(config, stream_weights);
  net->load(scheme.init);
  return assemble(config, scheme, act, net->run(act, observer));
}

study_result run_study(const study_config& config, const progress_fn& progress) {
  validate(config);
  const auto start = std::chrono::steady_clock::now();
  const bool gpu = config.device == device_choice::gpu ||
                   (config.device == device_choice::automatic && gpu_available());
  auto net = gpu ? detail::make_gpu_network(config) : detail::make_cpu_network(config, false);
  study_result result;
  result.config = config;
  result.device = net->name();
  const std::size_t total = config.schemes.size() * config.activations.size();
  std::size_t done = 0;
  for (const auto& s : config.schemes) {
    net->load(s.init);
    for (activation a : config.activations) {
      if (progress) progress(done, total, s.name + " x " + to_string(a));
      result.pairs.push_back(assemble(config, s, a, net->run(a, {})));
      ++done;
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (progress) progress(total, total, "done");
  return result;
}

}  // namespace weightinit_demo
