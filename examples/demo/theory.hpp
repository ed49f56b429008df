// examples/demo/theory.hpp: the mean-field prediction the study prints beside its measurements:
// Gauss-Hermite quadrature (nodes and weights computed here by Newton's method on the Hermite
// recurrence), Gaussian expectations of the activations, and the layer-to-layer variance map
// q(l+1) = fan_in · Var(w) · E[φ(√q(l)·z)²] (Poole et al. 2016; Schoenholz et al. 2017).
#pragma once

#include <vector>

#include "activation.hpp"

namespace weightinit_demo {

/// An m-point Gauss-Hermite rule for the weight e^{-x²}: Σ weights[i]·f(nodes[i]) equals
/// ∫ e^{-x²} f(x) dx exactly for polynomials f of degree <= 2m - 1. Nodes ascending, symmetric.
struct gauss_hermite {
  std::vector<double> nodes;
  std::vector<double> weights;
};

/// Computes the m-point rule (1 <= m <= 400) by Newton's method on the orthonormal Hermite
/// recurrence, each node refined to convergence in double. Throws std::invalid_argument for a bad
/// m.
gauss_hermite gauss_hermite_rule(int m);

/// An m-point Gauss-Legendre rule on [-1, 1] (1 <= m <= 400), by Newton's method on the Legendre
/// recurrence: exact for polynomials of degree <= 2m - 1.
struct gauss_legendre {
  std::vector<double> nodes;
  std::vector<double> weights;
};
gauss_legendre gauss_legendre_rule(int m);

/// Gaussian moments of an activation at pre-activation variance q: for z ~ N(0, 1) and
/// x = √q·z, the expectations of φ(x), φ(x)², φ(x)⁴ and φ'(x)².
struct gaussian_moments {
  double mean = 0;          ///< E[φ]
  double second = 0;        ///< E[φ²]
  double fourth = 0;        ///< E[φ⁴]
  double deriv_second = 0;  ///< E[φ'²]
};

/// How the expectation is computed.
///  gauss_hermite: E[g(z)] = π^{-1/2} Σ w_i g(√2 x_i). Spectrally accurate when g(√q·z) is smooth
///    on the scale of the nodes (spacing ≈ π/√m in z), i.e. for tanh, sigmoid and swish while q is
///    small. It is not for kinks (ReLU, leaky ReLU, SELU at 0: φ' jumps) nor for saturation at
///    large q (tanh's transition is 1/√q wide in z: at q = 500 it falls between the nodes).
///  composite: Gauss-Legendre panels on z in [-9, 0] and [0, 9] (the kink of every activation here
///    sits at 0), the first panel 0.25/√q wide and each next one 1.6x wider up to 0.5: resolves
///    the activation's own scale at any q. Error below 1e-10 for these activations.
///  automatic: gauss_hermite where it is accurate to ~1e-12 (for 96 nodes: tanh with q <= 0.59,
///    sigmoid and swish with q <= 2.4; the bound grows in proportion to the number of nodes),
///    composite elsewhere.
enum class quadrature { automatic, gauss_hermite, composite };
gaussian_moments moments(const gauss_hermite& rule, activation a, double q, double slope,
                         quadrature method = quadrature::automatic);

/// Joint moments of the activations of two samples whose pre-activations (u, v) are jointly
/// Gaussian with variance q each and correlation c: E[φ(u)φ(v)] and E[φ(u)²φ(v)²], by the tensor
/// product of the Gauss-Hermite rule. Used only for the finite-size noise estimate (correlations,
/// a 10% error there moves the tolerance by 5%), where m² evaluations per layer must stay cheap.
struct pair_moments {
  double cross = 0;     ///< E[φ(u)φ(v)]
  double cross_sq = 0;  ///< E[φ(u)²φ(v)²]
};
pair_moments joint_moments(const gauss_hermite& rule, activation a, double q, double c,
                           double slope);

/// The mean-field prediction for one layer, and how far one finite network may stray from it.
struct theory_layer {
  double q = 0;          ///< pre-activation variance (second moment) of the layer
  double act_std = 0;    ///< √(E[φ²] − E[φ]²): the std of the layer's activations
  double delta_sq = 0;   ///< E‖∂loss/∂a_l‖², the back-propagated gradient at the layer
  double corr = 0;       ///< correlation of two samples' pre-activations (mean-field map)
  double kappa = 0;      ///< Var(φ²)/E[φ²]² at q
  double slope = 0;      ///< d log q(l+1) / d log q(l): how the map damps or amplifies noise
  double log_q_var = 0;  ///< predicted variance of log(measured q / q) at this width and batch
};

/// The recursions for a network of `depth` square layers of width n = `width` with i.i.d.
/// zero-mean weights of variance `weight_var`, zero biases, a batch of B = `batch` independent
/// N(0, I) inputs (q(1) = n · weight_var, correlation 0), and the study's loss
/// (Σ r ⊙ h_L / B, r ~ N(0, 1)). Entry l-1 describes layer l.
///
/// Variance: q(l+1) = n · Var(w) · E[φ(√q(l)·z)²]. Correlation: c(l+1) = n · Var(w) ·
/// E[φ(u)φ(v)] / q(l+1). Gradient: E‖δ_L‖² = n/B · E[φ'²(q(L))],
/// E‖δ_l‖² = E‖δ_{l+1}‖² · n · Var(w) · E[φ'²(q(l))].
///
/// Finite-size noise (log_q_var), to first order: the measured q of a layer is a mean over n
/// units and B samples. Given the previous layer, the units are independent, the samples
/// correlated. Averaging φ(a)² over the units adds relative variance κ/n · (1/B + (1 − 1/B)·ρ),
/// ρ the correlation of φ(u)², φ(v)² between two samples; it passes to the next layer multiplied
/// by slope². Squaring the pre-activations adds 2/n · (1/B + (1 − 1/B)·c²) to the layer itself.
/// The first layer starts from the input's 2/(nB). Samples decorrelate nothing once c → 1 (ReLU
/// nets map every input to nearly the same direction), so deep layers get little from the batch.
std::vector<theory_layer> mean_field(const gauss_hermite& rule, activation a, double slope,
                                     double weight_var, int depth, double width, double batch);

}  // namespace weightinit_demo
