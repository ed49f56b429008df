// tests/cpu/test_demo.cpp: the signal-propagation study (examples/demo, `weightinit demo`).
//  DemoTheory       the mean-field module alone: quadrature rules against exact moments, the
//                   Gaussian expectations of the activations against closed forms and an
//                   independent dense Simpson integral, the variance and gradient recursions.
//  DemoMeasurement  small networks (fixed seeds) against the theory, layer by layer, within a
//                   tolerance derived from width and batch; and a wrong theory that it rejects.
//  DemoHeadline     the facts the demo shows at depth 50: He + ReLU keeps the std within 2x, Xavier
//                   + ReLU loses √2 per layer, N(0, 0.01²) + ReLU is below 1e-6 by layer 10,
//                   N(0, 1) + ReLU explodes, zero init never breaks the symmetry.
//  DemoEngine       the CPU engine's statistics do not depend on how its threads split the
//  products;
//                   the weight gradients are computed only when asked; the header names the BLAS
//                   and its kernels, and only kernels older than the CPU are replaced.
//  DemoReport       the table, the CSV and the plot's side files for an overflowed network.
//  DemoCli          `weightinit demo` as a user runs it: table, CSV rows, bad arguments -> 2.
// Everything runs on the CPU (BLIS or OpenBLAS); the whole file takes a few seconds on 2 cores.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#if defined(WEIGHTINIT_HAVE_DEMO)

#include "examples/demo/blas.hpp"
#include "examples/demo/demo.hpp"
#include "examples/demo/theory.hpp"
#include "tests/common/run_tool.hpp"
#include "weightinit/weightinit.hpp"

namespace demo = weightinit_demo;
namespace wi = weightinit;
using demo::activation;

namespace {

constexpr double kPi = 3.14159265358979323846;

// ---- an independent reference: the activations written out again, and a dense Simpson rule ----

double phi_ref(activation a, double x, double slope) {
  switch (a) {
    case activation::tanh: return std::tanh(x);
    case activation::sigmoid: return 1.0 / (1.0 + std::exp(-x));
    case activation::relu: return x > 0 ? x : 0.0;
    case activation::leaky_relu: return x > 0 ? x : slope * x;
    case activation::selu:
      return x > 0 ? demo::selu_lambda * x : demo::selu_lambda * demo::selu_alpha * std::expm1(x);
    case activation::swish: return x / (1.0 + std::exp(-x));
  }
  return 0;
}

double dphi_ref(activation a, double x, double slope) {
  switch (a) {
    case activation::tanh: return 1.0 - std::tanh(x) * std::tanh(x);
    case activation::sigmoid: {
      const double s = 1.0 / (1.0 + std::exp(-x));
      return s * (1 - s);
    }
    case activation::relu: return x > 0 ? 1.0 : 0.0;
    case activation::leaky_relu: return x > 0 ? 1.0 : slope;
    case activation::selu:
      return x > 0 ? demo::selu_lambda : demo::selu_lambda * demo::selu_alpha * std::exp(x);
    case activation::swish: {
      const double s = 1.0 / (1.0 + std::exp(-x));
      return s + x * s * (1 - s);
    }
  }
  return 0;
}

// E[g(z)], z ~ N(0, 1), by composite Simpson on [-12, 0] and [0, 12], 100000 intervals each
// (h = 1.2e-4; the Gaussian tail beyond 12 is 4e-33 of the mass). Each half takes g at z = 0 as
// its own one-sided limit (g(-0.0) and g(+1e-300)), so a kink or a jump at 0 (SELU's φ') costs
// nothing. Error ≈ 12/180 · h⁴ · max|(g·pdf)⁗| ≲ 1e-11 even at q = 500, where tanh(√q z) turns
// over in 0.045 in z (375 points).
double simpson_expectation(const std::function<double(double)>& g) {
  constexpr int n = 100000;
  constexpr double half = 12, h = half / n;
  double sum = 0;
  for (double side : {-1.0, 1.0}) {
    for (int i = 0; i <= n; ++i) {
      const double z = i == 0 ? side * 1e-300 : side * h * i;
      const double w = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);
      sum += w * g(z) * std::exp(-0.5 * z * z);
    }
  }
  return sum * h / 3 / std::sqrt(2 * kPi);
}

void expect_rel_near(double actual, double expected, double rel, const std::string& what) {
  EXPECT_LE(std::fabs(actual - expected), rel * std::fabs(expected) + 1e-300)
      << what << ": got " << actual << ", expected " << expected;
}

// ---- running small networks -------------------------------------------------------------------

demo::study_config small_config(int depth, std::int64_t width, std::int64_t batch,
                                std::uint64_t seed) {
  demo::study_config c;
  c.depth = depth;
  c.width = width;
  c.batch = batch;
  c.seed = seed;
  c.device = demo::device_choice::cpu;
  c.backward = false;  // forward statistics only: half the work, and one layer's weights at a time
  return c;
}

demo::pair_result forward(const demo::study_config& c, const char* name,
                          const wi::initializer& init, activation act,
                          const demo::layer_observer& observer = {}) {
  return demo::measure_cpu(c, demo::scheme_entry{name, init}, act, observer,
                           /*stream_weights=*/true);
}

}  // namespace

// =================================================================================================
// DemoTheory: the mean-field module alone.
// =================================================================================================

TEST(DemoTheory, GaussHermiteRuleIntegratesPolynomialsExactly) {
  for (int m : {1, 2, 5, 20, 96, 400}) {
    const demo::gauss_hermite r = demo::gauss_hermite_rule(m);
    ASSERT_EQ(r.nodes.size(), static_cast<std::size_t>(m));
    ASSERT_EQ(r.weights.size(), static_cast<std::size_t>(m));
    for (int i = 0; i < m; ++i) {
      // e^{-x²} at the outermost nodes of the big rules (x = 27.7 for m = 400) is below double's
      // range: those weights are 0; every weight inside |x| < 25 (e^{-625} = 4e-272) is positive.
      EXPECT_GE(r.weights[i], 0) << "m=" << m << " i=" << i;
      if (std::fabs(r.nodes[i]) < 25) {
        EXPECT_GT(r.weights[i], 0) << "m=" << m << " i=" << i;
      }
      EXPECT_EQ(r.nodes[i], -r.nodes[m - 1 - i]) << "m=" << m << " i=" << i;
      if (i > 0) {
        EXPECT_LT(r.nodes[i - 1], r.nodes[i]) << "m=" << m << " i=" << i;
      }
    }
    // ∫ e^{-x²} x^{2k} dx = Γ(k + 1/2); odd moments vanish. Exact up to degree 2m - 1 (checked
    // up to degree 60: beyond it the terms span more than double's range of useful digits).
    for (int deg = 0; deg <= std::min(2 * m - 1, 60); ++deg) {
      double sum = 0, scale = 0;
      for (int i = 0; i < m; ++i) {
        const double t = r.weights[i] * std::pow(r.nodes[i], deg);
        sum += t;
        scale += std::fabs(t);
      }
      const double exact = deg % 2 ? 0.0 : std::tgamma(deg / 2 + 0.5);
      EXPECT_LE(std::fabs(sum - exact), 1e-12 * scale + 1e-300)
          << "m=" << m << " degree " << deg << ": " << sum << " vs " << exact;
    }
  }
  EXPECT_THROW(demo::gauss_hermite_rule(0), std::invalid_argument);
  EXPECT_THROW(demo::gauss_hermite_rule(401), std::invalid_argument);
}

TEST(DemoTheory, GaussLegendreRuleIntegratesPolynomialsExactly) {
  for (int m : {1, 3, 10, 64}) {
    const demo::gauss_legendre r = demo::gauss_legendre_rule(m);
    for (int deg = 0; deg <= 2 * m - 1; ++deg) {
      double sum = 0;
      for (int i = 0; i < m; ++i) sum += r.weights[i] * std::pow(r.nodes[i], deg);
      const double exact = deg % 2 ? 0.0 : 2.0 / (deg + 1);
      EXPECT_NEAR(sum, exact, 1e-13) << "m=" << m << " degree " << deg;
    }
  }
  EXPECT_THROW(demo::gauss_legendre_rule(0), std::invalid_argument);
}

// ReLU and leaky ReLU have closed forms at every q: E[relu(√q z)²] = q/2, E[relu] = √(q/2π),
// E[relu⁴] = 3q²/2, E[relu'²] = 1/2; leaky ReLU with slope s: E[φ²] = q(1 + s²)/2,
// E[φ] = (1 - s)√(q/2π), E[φ'²] = (1 + s²)/2. Both quadratures must give them (Gauss-Hermite
// exactly, by the symmetry of its nodes, even though the kink makes it a poor rule in general).
TEST(DemoTheory, ReluMomentsMatchClosedForms) {
  const demo::gauss_hermite rule = demo::gauss_hermite_rule(96);
  for (auto method : {demo::quadrature::automatic, demo::quadrature::composite,
                      demo::quadrature::gauss_hermite}) {
    for (double q : {1e-12, 1e-3, 0.5, 1.0, 2.0, 37.0, 1e6}) {
      const std::string at =
          "q=" + std::to_string(q) + " method " + std::to_string(static_cast<int>(method));
      const demo::gaussian_moments r = demo::moments(rule, activation::relu, q, 0.01, method);
      expect_rel_near(r.second, q / 2, 1e-12, "relu E[phi^2] " + at);
      expect_rel_near(r.fourth, 1.5 * q * q, 1e-11, "relu E[phi^4] " + at);
      expect_rel_near(r.deriv_second, 0.5, 1e-12, "relu E[phi'^2] " + at);
      if (method != demo::quadrature::gauss_hermite)  // |z| is a kink: only the panels resolve it
        expect_rel_near(r.mean, std::sqrt(q / (2 * kPi)), 1e-10, "relu E[phi] " + at);
      for (double s : {0.01, 0.2}) {
        const demo::gaussian_moments k = demo::moments(rule, activation::leaky_relu, q, s, method);
        expect_rel_near(k.second, q * (1 + s * s) / 2, 1e-12, "leaky E[phi^2] " + at);
        expect_rel_near(k.deriv_second, (1 + s * s) / 2, 1e-12, "leaky E[phi'^2] " + at);
        if (method != demo::quadrature::gauss_hermite)
          expect_rel_near(k.mean, (1 - s) * std::sqrt(q / (2 * kPi)), 1e-10, "leaky E[phi] " + at);
      }
    }
  }
}

// SELU's constants are chosen so that E[selu(z)] = 0 and E[selu(z)²] = 1 at q = 1.
TEST(DemoTheory, SeluFixedPointAtUnitVariance) {
  const demo::gauss_hermite rule = demo::gauss_hermite_rule(96);
  const demo::gaussian_moments r = demo::moments(rule, activation::selu, 1.0, 0.01);
  EXPECT_NEAR(r.mean, 0.0, 1e-10);
  EXPECT_NEAR(r.second, 1.0, 1e-10);
}

// Smooth activations (and SELU) against the dense Simpson integral of the reference φ above, over
// q from 1e-4 (nearly linear) to 500 (tanh and sigmoid saturated: their transition lies between
// Gauss-Hermite nodes, the case the composite rule exists for), with q = 0.59 and 2.4 at the
// edges of the automatic choice's Gauss-Hermite range. The module promises 1e-10; so does the test
// (relative; E[φ] absolutely, on the scale √E[φ²], since it is 0 for tanh and SELU at q = 1).
// Observed: at most 2e-12 (tanh's E[φ⁴] at q = 0.59, Gauss-Hermite), 1e-13 elsewhere.
TEST(DemoTheory, SmoothActivationMomentsMatchADenseSimpsonIntegral) {
  const demo::gauss_hermite rule = demo::gauss_hermite_rule(96);
  constexpr double tol = 1e-10;
  for (activation a :
       {activation::tanh, activation::sigmoid, activation::swish, activation::selu}) {
    for (double q : {1e-4, 0.1, 0.5, 0.59, 1.0, 2.0, 2.4, 3.0, 10.0, 100.0, 500.0}) {
      const std::string at = std::string(demo::to_string(a)) + " q=" + std::to_string(q);
      const double rq = std::sqrt(q);
      const double mean = simpson_expectation([&](double z) { return phi_ref(a, rq * z, 0.01); });
      const double second = simpson_expectation([&](double z) {
        const double v = phi_ref(a, rq * z, 0.01);
        return v * v;
      });
      const double fourth = simpson_expectation([&](double z) {
        const double v = phi_ref(a, rq * z, 0.01);
        return v * v * v * v;
      });
      const double dsecond = simpson_expectation([&](double z) {
        const double d = dphi_ref(a, rq * z, 0.01);
        return d * d;
      });
      const demo::gaussian_moments m = demo::moments(rule, a, q, 0.01);  // automatic
      EXPECT_NEAR(m.mean, mean, tol * std::sqrt(second)) << "E[phi] " << at;
      expect_rel_near(m.second, second, tol, "E[phi^2] " + at);
      expect_rel_near(m.fourth, fourth, tol, "E[phi^4] " + at);
      expect_rel_near(m.deriv_second, dsecond, tol, "E[phi'^2] " + at);
      // Each method on its own: the panels everywhere, Gauss-Hermite where the automatic choice
      // takes it (tanh up to q = 0.59, the logistic ones up to 2.4 with 96 nodes).
      const auto panels = demo::moments(rule, a, q, 0.01, demo::quadrature::composite);
      expect_rel_near(panels.second, second, tol, "composite E[phi^2] " + at);
      expect_rel_near(panels.deriv_second, dsecond, tol, "composite E[phi'^2] " + at);
      const double gh_range = a == activation::tanh ? 0.59 : a == activation::selu ? 0 : 2.4;
      if (q <= gh_range) {
        const auto gh = demo::moments(rule, a, q, 0.01, demo::quadrature::gauss_hermite);
        expect_rel_near(gh.second, second, tol, "gauss-hermite E[phi^2] " + at);
        expect_rel_near(gh.fourth, fourth, tol, "gauss-hermite E[phi^4] " + at);
      }
    }
  }
}

// He + ReLU: Var(w) = 2/n makes q(l+1) = n · (2/n) · q(l)/2 = q(l): constant, q(1) = 2 (input
// N(0, 1)); the gradient's recursion multiplies by n · Var(w) · E[φ'²] = 1: constant too.
TEST(DemoTheory, HeReluVarianceAndGradientAreConstant) {
  const demo::gauss_hermite rule = demo::gauss_hermite_rule(96);
  const double n = 512, b = 256;
  const auto t = demo::mean_field(rule, activation::relu, 0.01, 2.0 / n, 50, n, b);
  ASSERT_EQ(t.size(), 50u);
  for (std::size_t l = 0; l < t.size(); ++l) {
    expect_rel_near(t[l].q, 2.0, 1e-12, "q at layer " + std::to_string(l + 1));
    expect_rel_near(t[l].act_std, std::sqrt(2.0 / 2 - 2.0 / (2 * kPi)), 1e-10,
                    "act_std at layer " + std::to_string(l + 1));
    expect_rel_near(t[l].delta_sq, n / b * 0.5, 1e-12,
                    "delta_sq at layer " + std::to_string(l + 1));
  }
}

// Xavier + ReLU on square layers: Var(w) = 2/(fan_in + fan_out) = 1/n, so every layer halves q
// (q(l) = 2^-(l-1)) and, going back, halves E‖δ‖² as well.
TEST(DemoTheory, XavierReluHalvesTheVarianceEachLayer) {
  const demo::gauss_hermite rule = demo::gauss_hermite_rule(96);
  const double n = 256;
  // The library's own resolution of xavier_normal for a square layer: N(0, 1/n).
  const wi::distribution d = wi::resolve(wi::xavier_normal(), wi::shape{256, 256});
  ASSERT_EQ(d.kind, wi::distribution_kind::normal);
  expect_rel_near(d.stddev * d.stddev, 1 / n, 1e-12, "xavier_normal variance");
  const auto t = demo::mean_field(rule, activation::relu, 0.01, 1 / n, 50, n, 64);
  for (std::size_t l = 0; l < t.size(); ++l) {
    expect_rel_near(t[l].q, std::ldexp(1.0, -static_cast<int>(l)), 1e-12,
                    "q at layer " + std::to_string(l + 1));
    expect_rel_near(t[l].delta_sq, t.back().delta_sq * std::ldexp(1.0, -static_cast<int>(49 - l)),
                    1e-12, "delta_sq at layer " + std::to_string(l + 1));
  }
}

// A smooth case one step at a time, against the Simpson reference: q(l+1) = n·Var(w)·E[tanh²].
TEST(DemoTheory, TanhRecursionFollowsTheGaussianExpectation) {
  const demo::gauss_hermite rule = demo::gauss_hermite_rule(96);
  const double n = 300, var = 1.7 / n;
  const auto t = demo::mean_field(rule, activation::tanh, 0.01, var, 6, n, 32);
  expect_rel_near(t[0].q, 1.7, 1e-14, "q(1) = n Var(w)");
  for (std::size_t l = 0; l + 1 < t.size(); ++l) {
    const double rq = std::sqrt(t[l].q);
    const double e2 = simpson_expectation([&](double z) {
      const double v = std::tanh(rq * z);
      return v * v;
    });
    expect_rel_near(t[l + 1].q, n * var * e2, 1e-9, "q at layer " + std::to_string(l + 2));
  }
}

// =================================================================================================
// DemoMeasurement: measured per-layer pre-activation variance against the theory.
// =================================================================================================
//
// The tolerance. Let r_l = ln(q_measured(l) / q_theory(l)). To first order it is a sum of
// independent relative errors (each layer draws new weights):
//  - layer 1 averages the squares of n·B pre-activations of an N(0, 1) input: relative variance
//    2/(n·B) (the sampling error of a variance estimate over width·batch entries);
//  - every layer l averages a_l² over its n units, which (given the layer below) are independent
//    Gaussians: relative variance <= 2/n (equality when the batch's samples are fully
//    correlated, as deep layers make them; less when they are not);
//  - passing to layer l+1, the average of φ(a_l)² over n units adds relative variance
//    <= κ_l/n, κ = Var(φ²)/E[φ²]² (5 for ReLU: Hanin & Nica's constant, 2 for a linear φ, less
//    for saturating ones), and the map q -> q(l+1) carries the error accumulated so far
//    multiplied by its log-slope s_l = d ln q(l+1) / d ln q(l) (1 for ReLU, < 1 for contracting
//    maps).
// So Var(r_l) <= σ_l² = v_l + 2/n with v_1 = 2/(n·B), v_{l+1} = s_l²·v_l + κ_l/n. For ReLU
// this is 2/(n·B) + (2 + 5(l-1))/n: the multiplicative finite-width drift √(depth·5/width).
// κ_l and s_l are computed here from moments() (checked above against the Simpson reference), not
// taken from the module's own noise model.
// ln is concave: E[r_l] ≈ -σ_l²/2, a bias that averaging does not remove; it is added to the bound.
// The test averages r_l over S = 4 independent seeds (σ_l/2) and requires, at every layer,
//   |mean r_l| <= 6·σ_l/√S + σ_l²/2   and, per seed,  |r_l| <= 6·σ_l + σ_l²/2.
// With r Gaussian to first order, a 6σ excursion has probability 2e-9; over the 540 comparisons
// here (9 pairs x 12 layers x (4 seeds + their mean); union bound) the false-alarm rate is below
// 1e-6. (Observed at these seeds: |r| <= 1.5σ per seed, |mean| <= 1.2σ/√S.) At width 1024, batch 64
// and depth 12 the bound on the mean at layer 12 for ReLU is ≈ 0.74 in ln (a factor 2.1), tight
// enough to reject a 10% error in Var(w) (ln 1.1 · 12 = 1.14 at layer 12: see the next test).

namespace {

struct bound {
  std::vector<double> sigma;  // σ_l, l = 1..depth (index l-1)
};

bound tolerance(const std::vector<demo::theory_layer>& theory, activation act, double slope_param,
                double n, double b) {
  const demo::gauss_hermite rule = demo::gauss_hermite_rule(96);
  bound out;
  double v = 2.0 / (n * b);
  for (const auto& t : theory) {
    out.sigma.push_back(std::sqrt(v + 2.0 / n));
    const demo::gaussian_moments m = demo::moments(rule, act, t.q, slope_param);
    const double kappa = m.fourth / (m.second * m.second) - 1;
    const double h = 1e-3;
    const double s = (std::log(demo::moments(rule, act, t.q * std::exp(h), slope_param).second) -
                      std::log(demo::moments(rule, act, t.q * std::exp(-h), slope_param).second)) /
                     (2 * h);
    v = s * s * v + kappa / n;
  }
  return out;
}

struct measured_pair {
  const char* name;
  wi::initializer init;
  activation act;
};

// The pairs whose signal stays measurable (neither 0 nor overflowed in float) over the depth.
std::vector<measured_pair> measurable_pairs() {
  return {{"he_normal", wi::he_normal(), activation::relu},
          {"he_uniform", wi::he_uniform(), activation::leaky_relu},
          {"xavier_normal", wi::xavier_normal(), activation::relu},  // q halves each layer
          {"xavier_uniform", wi::xavier_uniform(), activation::tanh},
          {"xavier_normal", wi::xavier_normal(), activation::sigmoid},
          {"lecun_normal", wi::lecun_normal(), activation::selu},
          {"he_normal", wi::he_normal(), activation::swish},
          {"normal(std=0.01)", wi::normal(0, 0.01), activation::tanh},  // 1e-23 by layer 12
          {"normal(std=1)", wi::normal(0, 1), activation::tanh}};       // saturated
}

constexpr int kDepth = 12, kSeeds = 4;
constexpr std::int64_t kWidth = 1024, kBatch = 64;

// r_l = ln(q_measured / q_theory) for seeds 1001..1000+kSeeds, and the theory (the same for every
// seed: it depends on the configuration and the weight distribution only).
struct log_ratios {
  std::vector<std::vector<double>> per_seed;  // [seed][layer]
  std::vector<demo::theory_layer> theory;
  std::vector<std::vector<double>> q;  // measured q, [seed][layer]
};

log_ratios measure_log_ratios(const measured_pair& p) {
  log_ratios out;
  for (int s = 1; s <= kSeeds; ++s) {
    const demo::pair_result r =
        forward(small_config(kDepth, kWidth, kBatch, 1000 + s), p.name, p.init, p.act);
    EXPECT_EQ(r.theory.size(), static_cast<std::size_t>(kDepth)) << p.name;
    if (r.theory.size() != static_cast<std::size_t>(kDepth)) return out;
    if (out.theory.empty()) out.theory = r.theory;
    std::vector<double> lr, q;
    for (int l = 0; l < kDepth; ++l) {
      lr.push_back(std::log(r.layers[l].q / r.theory[l].q));
      q.push_back(r.layers[l].q);
    }
    out.per_seed.push_back(lr);
    out.q.push_back(q);
  }
  return out;
}

}  // namespace

TEST(DemoMeasurement, PerLayerVarianceAgreesWithMeanFieldTheory) {
  for (const measured_pair& p : measurable_pairs()) {
    const std::string what = std::string(p.name) + " x " + demo::to_string(p.act);
    const log_ratios m = measure_log_ratios(p);
    ASSERT_EQ(m.per_seed.size(), static_cast<std::size_t>(kSeeds)) << what;
    const bound tol = tolerance(m.theory, p.act, 0.01, kWidth, kBatch);
    for (int l = 0; l < kDepth; ++l) {
      const double sig = tol.sigma[l], bias = sig * sig / 2;
      double mean = 0;
      for (int s = 0; s < kSeeds; ++s) {
        const double r = m.per_seed[s][l];
        ASSERT_TRUE(std::isfinite(r)) << what << " layer " << l + 1 << " q=" << m.q[s][l];
        EXPECT_LE(std::fabs(r), 6 * sig + bias)
            << what << " layer " << l + 1 << " seed " << 1001 + s << ": measured q " << m.q[s][l]
            << ", theory " << m.theory[l].q << ", σ " << sig;
        mean += r / kSeeds;
      }
      EXPECT_LE(std::fabs(mean), 6 * sig / std::sqrt(double(kSeeds)) + bias)
          << what << " layer " << l + 1 << ": mean ln(measured/theory) " << mean << ", theory q "
          << m.theory[l].q << ", σ " << sig;
    }
  }
}

// The same bound has power: a theory computed with Var(w) 10% too large (q off by 1.1^l for ReLU)
// is rejected by the He + ReLU measurements, and one 10% too small as well.
TEST(DemoMeasurement, RejectsATheoryWithTheWrongWeightVariance) {
  const measured_pair p{"he_normal", wi::he_normal(), activation::relu};
  const log_ratios m = measure_log_ratios(p);
  ASSERT_EQ(m.per_seed.size(), static_cast<std::size_t>(kSeeds));
  const demo::gauss_hermite rule = demo::gauss_hermite_rule(96);
  for (double factor : {1.1, 1 / 1.1}) {
    const auto wrong =
        demo::mean_field(rule, p.act, 0.01, factor * 2.0 / kWidth, kDepth, kWidth, kBatch);
    const bound tol = tolerance(wrong, p.act, 0.01, kWidth, kBatch);
    bool rejected = false;
    for (int l = 0; l < kDepth; ++l) {
      double mean = 0;
      for (int s = 0; s < kSeeds; ++s) mean += std::log(m.q[s][l] / wrong[l].q) / kSeeds;
      const double sig = tol.sigma[l];
      rejected |= std::fabs(mean) > 6 * sig / std::sqrt(double(kSeeds)) + sig * sig / 2;
    }
    EXPECT_TRUE(rejected) << "a theory with Var(w) x " << factor << " was not rejected";
  }
}

// =================================================================================================
// DemoHeadline: the facts the demo shows, at depth 50.
// =================================================================================================

// He + ReLU keeps the activation std within a factor 2 of layer 1 for all 50 layers.
// The std performs a multiplicative random walk: Var(ln q_L) ≈ 5(L-1)/n (Hanin & Nica), so
// log2(std_L/std_1) has σ ≈ √(5·49/n)/(2 ln 2) at L = 50: 1.0 at n = 128, 0.5 at n = 512 (the
// demo's default, where a seed leaves the band with probability ~10%) and 0.25 at n = 2048. At
// 2048 the band (±1 in log2) is 4σ at the end of the walk; the chance that the walk leaves it
// anywhere is ≈ 4·P(Z > 4) ≈ 1e-4 per seed (over seeds 1..40 the largest excursion was 0.51).
// Batch 16 is enough: the deep layers' samples are nearly parallel, a bigger batch averages
// nothing away.
TEST(DemoHeadline, HeReluKeepsTheStdWithinAFactorTwoOverFiftyLayers) {
  for (const auto& [name, init] :
       {std::pair<const char*, wi::initializer>{"he_normal", wi::he_normal()},
        {"he_uniform", wi::he_uniform()}}) {
    const demo::pair_result r =
        forward(small_config(50, 2048, 16, 0), name, init, activation::relu);
    ASSERT_EQ(r.layers.size(), 50u);
    const double first = r.layers[0].act_std;
    ASSERT_GT(first, 0.5) << name;  // theory: √(1 - 1/π) = 0.826
    double worst = 0;
    for (int l = 0; l < 50; ++l) {
      const double ratio = r.layers[l].act_std / first;
      worst = std::max(worst, std::fabs(std::log2(ratio)));
      EXPECT_TRUE(ratio >= 0.5 && ratio <= 2.0)
          << name << " x relu: std at layer " << l + 1 << " is " << ratio << " x layer 1's";
    }
    EXPECT_EQ(r.v, demo::verdict::stable) << name << " " << r.reason;
    std::printf("[          ] %s x relu, width 2048: largest |log2(std_l / std_1)| = %.3f\n", name,
                worst);
  }
}

// Xavier + ReLU loses a factor √2 in std per layer: std_L/std_1 ≈ 2^(-(L-1)/2), 2^-24.5 ≈ 4e-8 at
// layer 50. The same random walk as above at n = 1024: σ(log2 ratio) ≈ √(5(L-1)/n)/(2 ln 2),
// 0.35 at L = 50, plus a drift E[ln q] ≈ -Var/2 (-0.09 in log2 at L = 50). Tolerance in log2 units:
// 6σ_L + |drift| + 0.1 (float32 rounding at 1e-8: negligible; and layer 1's own sampling error).
// The per-layer factor that follows, (log2 ratio at 50) / 49 = -0.5 ± 0.05, is √2 within 3.5%.
TEST(DemoHeadline, XavierReluLosesRootTwoPerLayer) {
  const double n = 1024;
  for (const auto& [name, init] :
       {std::pair<const char*, wi::initializer>{"xavier_normal", wi::xavier_normal()},
        {"xavier_uniform", wi::xavier_uniform()}}) {
    const demo::pair_result r =
        forward(small_config(50, 1024, 16, 0), name, init, activation::relu);
    ASSERT_EQ(r.layers.size(), 50u);
    const double first = r.layers[0].act_std;
    for (int L = 1; L <= 50; ++L) {
      const double log2_ratio = std::log2(r.layers[L - 1].act_std / first);
      const double expected = -(L - 1) / 2.0;
      const double var_ln_q = 5.0 * (L - 1) / n;
      const double tol =
          6 * std::sqrt(var_ln_q) / (2 * std::log(2.0)) + var_ln_q / 4 / std::log(2.0) + 0.1;
      EXPECT_NEAR(log2_ratio, expected, tol) << name << " x relu, layer " << L;
    }
    const double per_layer = std::log2(r.layers[49].act_std / first) / 49;
    EXPECT_NEAR(per_layer, -0.5, 0.05) << name << ": std lost per layer 2^" << per_layer;
    EXPECT_EQ(r.v, demo::verdict::vanishing) << name;
  }
}

// N(0, 0.01²) + ReLU: q(l+1) = n·1e-4·q(l)/2, a factor 0.0256 at the demo's width 512, so the std
// drops by 0.16 per layer: from 0.13 at layer 1 to ~1e-8 at layer 10 (the table's std@10). The
// claim is the demo's (width 512); at width 2048 the factor would be 0.1 in q and std@10 ≈ 1e-5.
TEST(DemoHeadline, SmallNormalReluFallsBelowOneInAMillionByLayerTen) {
  const demo::pair_result r = forward(small_config(50, 512, 32, 0), "normal(std=0.01)",
                                      wi::normal(0, 0.01), activation::relu);
  EXPECT_LT(r.layers[9].act_std, 1e-6);
  EXPECT_GT(r.layers[9].act_std, 0) << "still measurable at layer 10 (not flushed to zero)";
  ASSERT_FALSE(r.theory.empty());
  EXPECT_LT(r.theory[9].act_std, 1e-6);
  for (int l = 9; l < 50; ++l) EXPECT_LT(r.layers[l].act_std, 1e-6) << "layer " << l + 1;
  EXPECT_EQ(r.v, demo::verdict::vanishing);
  EXPECT_EQ(r.reason, "activations");
}

// N(0, 1) + ReLU: q(l+1) = (n/2)·q(l): the std grows by √(n/2) = 8 per layer at width 128 and
// overflows float32 (3.4e38) near layer 40.
TEST(DemoHeadline, UnitNormalReluExplodes) {
  const demo::pair_result r =
      forward(small_config(50, 128, 16, 0), "normal(std=1)", wi::normal(0, 1), activation::relu);
  EXPECT_GT(r.layers[9].act_std / r.layers[0].act_std, 1e6);  // theory: 8^9 = 1.3e8
  EXPECT_EQ(r.v, demo::verdict::exploding);
  EXPECT_EQ(r.reason, "overflow");
  // Past the overflow the statistics are not finite: no layer passes for a vanished signal.
  bool overflowed = false;
  for (const auto& s : r.layers) {
    overflowed |= !std::isfinite(s.q);
    if (overflowed) {
      EXPECT_FALSE(std::isfinite(s.act_std) && s.act_std < 1) << s.act_std;
    }
  }
  EXPECT_TRUE(overflowed);
}

// Zero init: every unit of every layer computes the same value for a sample (φ(0), for sigmoid
// 0.5: not a trivially dead network), the symmetry is never broken, and the verdict says so.
TEST(DemoHeadline, ZeroInitNeverBreaksTheSymmetry) {
  for (activation act : {activation::relu, activation::sigmoid, activation::tanh}) {
    int layers_seen = 0;
    bool all_identical = true;
    double value = std::nan("");
    auto observer = [&](int, const float* h, std::int64_t batch, std::int64_t width) {
      ++layers_seen;
      for (std::int64_t b = 0; b < batch; ++b)
        for (std::int64_t j = 1; j < width; ++j) all_identical &= h[b * width + j] == h[b * width];
      value = h[0];
    };
    const demo::pair_result r =
        forward(small_config(50, 64, 16, 0), "zeros", wi::zeros(), act, observer);
    const std::string what = demo::to_string(act);
    EXPECT_EQ(layers_seen, 50) << what;
    EXPECT_TRUE(all_identical) << what;
    double v = 0, d = 0;
    demo::evaluate<double>(act, 0.0, 0.01, v, d);
    EXPECT_EQ(value, static_cast<float>(v)) << what;  // φ(0) everywhere
    for (const auto& s : r.layers) EXPECT_EQ(s.unit_spread, 0) << what;
    EXPECT_EQ(r.v, demo::verdict::symmetric) << what;
    EXPECT_STREQ(demo::to_string(r.v), "symmetric");
  }
}

// Symmetry is a property of the weights, not of a vanishing signal: a tiny random init is not
// called symmetric, even though its signal dies.
TEST(DemoHeadline, RandomInitIsNotCalledSymmetric) {
  const demo::pair_result r = forward(small_config(20, 64, 16, 0), "normal(std=0.01)",
                                      wi::normal(0, 0.01), activation::tanh);
  EXPECT_NE(r.v, demo::verdict::symmetric);
}

// =================================================================================================
// DemoEngine: the CPU engine's split of the products over threads, and the optional weight
// gradients.
// =================================================================================================

namespace {

demo::pair_result full_pass(std::int64_t width, std::int64_t batch, unsigned threads,
                            bool weight_gradients) {
  demo::study_config c = small_config(4, width, batch, 7);
  c.backward = true;
  c.weight_gradients = weight_gradients;
  c.threads = threads;
  return demo::measure_cpu(c, demo::scheme_entry{"he_normal", wi::he_normal()}, activation::tanh);
}

}  // namespace

// Each thread carries a block of rows through the whole pass (batch 200: up to 6 blocks of >= 32
// rows; with the weight gradients, which sum over the batch, the backward pass goes layer by layer
// instead), or, when the batch is too small to share, multiplies a block of columns layer by layer
// (batch 8, width 256). The statistics, forward and backward, must not depend on how the work was
// split (float sums in a different order: 1e-5).
TEST(DemoEngine, StatisticsDoNotDependOnTheThreadCount) {
  for (const auto& [width, batch] : {std::pair<std::int64_t, std::int64_t>{96, 200}, {256, 8}}) {
    const demo::pair_result one = full_pass(width, batch, 1, true);
    for (unsigned threads : {2u, 3u, 6u}) {
      const demo::pair_result rows_alone = full_pass(width, batch, threads, false);
      ASSERT_EQ(one.layers.size(), rows_alone.layers.size());
      for (std::size_t l = 0; l < one.layers.size(); ++l) {
        expect_rel_near(rows_alone.layers[l].q, one.layers[l].q, 1e-5, "q without dW");
        expect_rel_near(rows_alone.layers[l].delta_norm, one.layers[l].delta_norm, 1e-5,
                        "delta_norm without dW, threads " + std::to_string(threads) + " layer " +
                            std::to_string(l + 1));
      }
      const demo::pair_result many = full_pass(width, batch, threads, true);
      ASSERT_EQ(one.layers.size(), many.layers.size());
      for (std::size_t l = 0; l < one.layers.size(); ++l) {
        const std::string at = "width " + std::to_string(width) + " batch " +
                               std::to_string(batch) + " threads " + std::to_string(threads) +
                               " layer " + std::to_string(l + 1);
        const demo::layer_stats &a = one.layers[l], &b = many.layers[l];
        ASSERT_GT(a.delta_norm, 0) << at;
        ASSERT_GT(a.grad_norm, 0) << at;
        expect_rel_near(b.q, a.q, 1e-5, "q " + at);
        expect_rel_near(b.act_std, a.act_std, 1e-5, "act_std " + at);
        expect_rel_near(b.delta_norm, a.delta_norm, 1e-5, "delta_norm " + at);
        expect_rel_near(b.grad_norm, a.grad_norm, 1e-5, "grad_norm " + at);
      }
    }
  }
}

// The weight gradients are an extra product per layer that no verdict needs: off by default
// (grad_norm NaN, the CSV field empty), on request finite, and the rest of the pass unchanged.
TEST(DemoEngine, WeightGradientsOnlyWhenAsked) {
  const demo::pair_result off = full_pass(64, 64, 2, false);
  const demo::pair_result on = full_pass(64, 64, 2, true);
  EXPECT_FALSE(off.weight_gradients);
  EXPECT_TRUE(on.weight_gradients);
  for (std::size_t l = 0; l < off.layers.size(); ++l) {
    EXPECT_TRUE(std::isnan(off.layers[l].grad_norm)) << "layer " << l + 1;
    EXPECT_TRUE(std::isfinite(on.layers[l].grad_norm) && on.layers[l].grad_norm > 0)
        << "layer " << l + 1;
    EXPECT_EQ(off.layers[l].delta_norm, on.layers[l].delta_norm) << "layer " << l + 1;
    EXPECT_EQ(off.layers[l].q, on.layers[l].q) << "layer " << l + 1;
  }
  EXPECT_EQ(off.v, on.v);
}

// The header names the BLAS and the kernels it runs ("cpu (BLIS 0.9.0, zen3 kernels, 2 threads)").
TEST(DemoEngine, HeaderNamesTheBlasAndItsKernels) {
  demo::study_config c = small_config(2, 8, 8, 0);
  c.schemes = {{"he_normal", wi::he_normal()}};
  c.activations = {activation::relu};
  c.threads = 2;
  const demo::study_result r = demo::run_study(c);
  const std::string blas = demo::blas_description();
  EXPECT_EQ(r.device, "cpu (" + blas + ", 2 threads)");
  const bool named =
      blas.rfind("BLIS ", 0) == 0 || blas.rfind("OpenBLAS ", 0) == 0 || blas.rfind("CBLAS", 0) == 0;
  EXPECT_TRUE(named) << blas;
  if (blas.rfind("CBLAS", 0) != 0) {
    EXPECT_NE(blas.find(" kernels"), std::string::npos) << blas;
  }
  EXPECT_NE(demo::format_table(r).find("on " + r.device + "\n"), std::string::npos);
}

// BLIS configurations older than an AVX2 + FMA CPU are the ones the demo replaces (by running
// again with BLIS_ARCH_TYPE): 'generic' (BLIS 0.9.0 on AMD family 1Ah), pre-AVX2 configurations;
// never a configuration with AVX2 kernels, and never on a CPU without AVX2 and FMA.
TEST(DemoEngine, OnlyKernelsOlderThanTheCpuAreReplaced) {
  for (const char* old : {"generic", "penryn", "sandybridge", "bulldozer", "piledriver"}) {
    EXPECT_TRUE(demo::detail::blis_kernels_below_cpu(old, true)) << old;
    EXPECT_FALSE(demo::detail::blis_kernels_below_cpu(old, false)) << old;
  }
  for (const char* modern : {"haswell", "skx", "zen", "zen2", "zen3", "zen4", "zen5"})
    EXPECT_FALSE(demo::detail::blis_kernels_below_cpu(modern, true)) << modern;
  if (std::getenv("BLIS_ARCH_TYPE") == nullptr) {
    // Here the build's own choice stands unless it is one of the old ones.
    const std::string o = demo::blas_kernel_override();
    EXPECT_TRUE(o.empty() || o.rfind("BLIS_ARCH_TYPE=", 0) == 0) << o;
  }
}

// =================================================================================================
// DemoReport: what the table, the CSV and the plot show.
// =================================================================================================

namespace {

std::string make_temp_dir() {
  std::string tmpl = ::testing::TempDir() + "weightinit_demo_XXXXXX";
  if (!mkdtemp(tmpl.data())) return "";
  return tmpl;
}

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

demo::study_result overflow_study() {
  demo::study_config c =
      small_config(50, 128, 16, 0);  // q grows 64x per layer: overflow ~ layer 42
  c.backward = true;
  c.schemes = {{"normal(std=1)", wi::normal(0, 1)}, {"he_normal", wi::he_normal()}};
  c.activations = {activation::relu};
  return demo::run_study(c);
}

}  // namespace

// An overflowed network's later layers read "inf" in the table, never "0" (which would read as a
// vanished signal), and its gradient ratio "n/a"; the CSV writes them as non-finite.
TEST(DemoReport, OverflowShowsAsInfNotZero) {
  const demo::study_result res = overflow_study();
  ASSERT_EQ(res.pairs.size(), 2u);
  ASSERT_EQ(res.pairs[0].v, demo::verdict::exploding);
  const std::string table = demo::format_table(res);
  std::vector<std::string> row, header;
  std::istringstream in(table);
  for (std::string line; std::getline(in, line);) {
    const auto w = words(line);
    if (!w.empty() && w[0] == "scheme") header = w;
    if (!w.empty() && w[0] == "normal(std=1)") row = w;
  }
  ASSERT_FALSE(header.empty()) << table;
  ASSERT_FALSE(row.empty()) << table;
  // scheme std@1 std@10 std@25 std@50 q@50 theory grad verdict...
  ASSERT_GE(header.size(), 9u) << table;
  ASSERT_EQ(header[4], "std@50") << table;
  ASSERT_EQ(header[5], "q@50") << table;
  ASSERT_GE(row.size(), 9u) << table;
  EXPECT_EQ(row[4], "inf") << table;
  EXPECT_EQ(row[5], "inf") << table;
  EXPECT_EQ(row[7], "n/a") << table;
  EXPECT_EQ(row[8], "exploding") << table;
  EXPECT_NE(row[1], "inf") << table;  // layer 1 is finite and shows its number

  const std::string dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  demo::write_csv(res, dir + "/s.csv");
  std::istringstream csv(file_text(dir + "/s.csv"));
  std::string line;
  std::getline(csv, line);
  int rows = 0, nonfinite_last = 0;
  while (std::getline(csv, line)) {
    ++rows;
    if (line.rfind("\"normal(std=1)\",relu,50,", 0) == 0) {
      std::vector<std::string> f;
      std::stringstream ls(line);
      for (std::string x; std::getline(ls, x, ',');) f.push_back(x);
      ASSERT_GE(f.size(), 8u);
      // q (column 5) and act_std (column 8) of layer 50
      nonfinite_last += (f[4] == "nan" || f[4] == "inf") + (f[7] == "nan" || f[7] == "inf");
    }
  }
  EXPECT_EQ(rows, 100);
  EXPECT_EQ(nonfinite_last, 2);
  std::filesystem::remove_all(dir);
}

// The plot's side files: gnuplot's log is removed when empty, kept and named when it has
// something to say. Fake gnuplots (shell scripts) stand in for the real one.
TEST(DemoReport, GnuplotLogIsRemovedWhenEmptyAndKeptOnFailure) {
  demo::study_config c = small_config(5, 16, 8, 0);
  c.schemes = {{"he_normal", wi::he_normal()}};
  c.activations = {activation::relu};
  const demo::study_result res = demo::run_study(c);
  const std::string dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  auto script = [&](const std::string& name, const std::string& body) {
    const std::string path = dir + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n" << body;
    chmod(path.c_str(), 0755);
    return path;
  };
  // Writes the PNG named by its `-e "png_output = '...'"` argument, says nothing.
  const std::string ok =
      script("ok-gnuplot",
             "out=$(printf '%s' \"$2\" | sed -n \"s/^png_output = '\\(.*\\)'$/\\1/p\")\n"
             "printf '\\211PNG\\r\\n\\032\\nrest' > \"$out\"\n");
  const std::string bad = script("bad-gnuplot", "echo 'line 7: boom' >&2\nexit 3\n");
  const std::string png = dir + "/p.png", gp = dir + "/p.gp", log = gp + ".log";

  demo::plot_outcome o = demo::write_plot(res, png, gp, ok);
  EXPECT_TRUE(o.ok) << o.message;
  EXPECT_TRUE(exists(png));
  EXPECT_FALSE(exists(log)) << "an empty gnuplot log is left behind";

  o = demo::write_plot(res, png, gp, bad);
  EXPECT_FALSE(o.ok);
  EXPECT_TRUE(exists(log));
  EXPECT_NE(file_text(log).find("boom"), std::string::npos);
  EXPECT_NE(o.message.find("boom"), std::string::npos) << o.message;
  EXPECT_NE(o.message.find(log), std::string::npos) << "the message names the log: " << o.message;

  o = demo::write_plot(res, png, gp, dir + "/no-such-gnuplot");
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.message.find("not found"), std::string::npos) << o.message;
  EXPECT_FALSE(exists(log)) << "the failed start leaves an empty log behind";
  std::filesystem::remove_all(dir);
}

// =================================================================================================
// DemoCli: `weightinit demo` as a user runs it.
// =================================================================================================

namespace {

using weightinit_test::run_tool;
using weightinit_test::tool_exists;
using weightinit_test::tool_result;

bool on_path(const std::string& program) {
  return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

TEST(DemoCli, TinyStudyWritesTheTableAndTheCsv) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  const std::string dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  const tool_result r = run_tool(
      "demo --depth 5 --width 16 --batch 16 --device cpu --no-plot "
      "--quiet --out-dir " +
          dir + "/out",
      /*with_stderr=*/false);
  ASSERT_EQ(r.status, 0) << r.out;
  for (const auto& s : demo::study_schemes())
    EXPECT_NE(r.out.find("  " + s.name + " "), std::string::npos) << s.name << "\n" << r.out;
  for (activation a : demo::all_activations())
    EXPECT_NE(r.out.find("\n" + std::string(demo::to_string(a)) + "\n"), std::string::npos)
        << demo::to_string(a) << "\n"
        << r.out;
  EXPECT_NE(r.out.find("std@1"), std::string::npos);
  EXPECT_NE(r.out.find("std@5"), std::string::npos);  // the last layer's column
  EXPECT_NE(r.out.find("verdicts:"), std::string::npos);
  EXPECT_NE(r.out.find("symmetric"), std::string::npos);  // zeros

  const std::string csv = file_text(dir + "/out/signal_propagation.csv");
  std::istringstream in(csv);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line,
            "scheme,activation,layer,weight_var,q,q_theory,act_mean,act_std,act_std_theory,"
            "unit_spread,delta_norm,delta_norm_theory,grad_norm,verdict");
  int rows = 0;
  while (std::getline(in, line)) {
    ++rows;
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), 13) << line;
  }
  EXPECT_EQ(rows, 8 * 6 * 5);                                 // schemes x activations x layers
  EXPECT_FALSE(exists(dir + "/out/signal_propagation.png"));  // --no-plot
  std::filesystem::remove_all(dir);
}

// grad_norm (the next-to-last CSV field) is empty unless --weight-gradients asks for it.
TEST(DemoCli, WeightGradientsFillTheCsvColumnOnlyWhenAsked) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  const std::string dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  for (const bool asked : {false, true}) {
    const std::string out = dir + (asked ? "/on" : "/off");
    const tool_result r = run_tool(
        "demo --depth 3 --width 16 --batch 16 --device cpu --no-plot "
        "--quiet --scheme he_normal --activation relu --out-dir " +
        out + (asked ? " --weight-gradients" : ""));
    ASSERT_EQ(r.status, 0) << r.out;
    std::istringstream in(file_text(out + "/signal_propagation.csv"));
    std::string line;
    ASSERT_TRUE(std::getline(in, line));
    int rows = 0;
    while (std::getline(in, line)) {
      ++rows;
      std::vector<std::string> f;
      std::stringstream ls(line);
      for (std::string x; std::getline(ls, x, ',');) f.push_back(x);
      ASSERT_EQ(f.size(), 14u) << line;
      if (asked) {
        EXPECT_GT(std::atof(f[12].c_str()), 0) << line;
      } else {
        EXPECT_EQ(f[12], "") << line;
      }
    }
    EXPECT_EQ(rows, 3);
  }
  const tool_result r = run_tool("demo --forward-only --weight-gradients --out-dir " + dir + "/x");
  EXPECT_EQ(r.status, 2) << r.out;
  std::filesystem::remove_all(dir);
}

TEST(DemoCli, PlotLeavesNoEmptyLogBehind) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  if (!on_path("gnuplot")) GTEST_SKIP() << "gnuplot not installed";
  const std::string dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  const tool_result r = run_tool(
      "demo --depth 3 --width 8 --batch 8 --device cpu --quiet "
      "--activation relu,tanh --out-dir " +
      dir);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("wrote " + dir + "/signal_propagation.png"), std::string::npos) << r.out;
  EXPECT_TRUE(exists(dir + "/signal_propagation.png"));
  EXPECT_TRUE(exists(dir + "/signal_propagation.gp"));
  const std::string log = dir + "/signal_propagation.gp.log";
  if (exists(log)) {
    EXPECT_FALSE(file_text(log).empty()) << "an empty gnuplot log is left behind";
  }
  std::filesystem::remove_all(dir);
}

TEST(DemoCli, BadArgumentsExitWithStatusTwoAndSayWhy) {
  if (!tool_exists()) GTEST_SKIP() << "weightinit tool not built";
  const std::string dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  const std::string out = " --out-dir " + dir + "/never";
  struct bad_case {
    std::string args, message;
  } cases[] = {
      {"--depth 0", "--depth must be in [1, 100000], got 0"},
      {"--width 0", "--width must be in [1, 2^31), got 0"},
      {"--batch -4", "--batch must be in [1, 2^31), got -4"},
      {"--activation nope", "unknown activation 'nope'"},
      {"--activation relu,nope", "unknown activation 'nope'"},
      {"--scheme 'bogus'", "bogus"},
      {"--device tpu", "tpu"},
      {"--depth ten", "ten"},
  };
  for (const auto& c : cases) {
    const tool_result r = run_tool("demo " + c.args + out);
    EXPECT_EQ(r.status, 2) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.message), std::string::npos) << c.args << "\n" << r.out;
  }
  EXPECT_FALSE(exists(dir + "/never")) << "a rejected run created its output directory";
  std::filesystem::remove_all(dir);
}

#endif  // WEIGHTINIT_HAVE_DEMO
