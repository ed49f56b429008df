// examples/demo/theory.cpp: Gauss-Hermite nodes and weights by Newton's method, Gaussian moments of
// the activations, and the mean-field variance and gradient recursions (theory.hpp).
#include "theory.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace weightinit_demo {
namespace {

constexpr double pi = 3.14159265358979323846;

// The orthonormal Hermite polynomials h_j (∫ e^{-x²} h_j h_k = δ_jk) at x by their three-term
// recurrence: h_0 = π^{-1/4}, h_1 = √2·x·h_0, h_j = x·√(2/j)·h_{j-1} − √((j-1)/j)·h_{j-2}.
// Returns h_m(x) and sets *below = h_{m-1}(x); h_m'(x) = √(2m)·h_{m-1}(x).
double hermite(int m, double x, double* below) {
  double p0 = std::pow(pi, -0.25), p1 = 0;
  for (int j = 1; j <= m; ++j) {
    const double p2 = p1;
    p1 = p0;
    p0 = x * std::sqrt(2.0 / j) * p1 - std::sqrt((j - 1.0) / j) * p2;
  }
  *below = p1;
  return p0;
}

// How many eigenvalues of the m x m Jacobi matrix of the orthonormal Hermite recurrence (zero
// diagonal, off-diagonal √(j/2), j = 1..m-1) lie below x: the number of negative pivots of
// J − x·I = L·D·Lᵀ (Sylvester's law of inertia). These eigenvalues are the roots of H_m.
int sturm_count_below(int m, double x) {
  int count = 0;
  double d = 1;
  for (int j = 0; j < m; ++j) {
    d = j == 0 ? -x : -x - (j / 2.0) / d;
    if (d == 0) d = -1e-300;  // an exact zero pivot: perturb it (counts x as just above a root)
    if (d < 0) ++count;
  }
  return count;
}

}  // namespace

gauss_hermite gauss_hermite_rule(int m) {
  if (m < 1 || m > 400)
    throw std::invalid_argument("gauss_hermite_rule: needs 1 <= m <= 400, got " +
                                std::to_string(m));
  gauss_hermite rule;
  rule.nodes.assign(m, 0.0);
  rule.weights.assign(m, 0.0);
  // The nodes are the eigenvalues of the Jacobi matrix of the Hermite recurrence (zero diagonal,
  // off-diagonal √(j/2): Golub & Welsch 1969). Each is bracketed by bisection on the Sturm count,
  // which cannot land on the wrong root (Newton from the classical asymptotic estimates does: from
  // m = 199 on, its first step from the second estimate overshoots to the first root), then
  // polished by one Newton step on h_m when that step stays inside the bracket's last width.
  const int half = (m + 1) / 2;
  std::vector<double> root(half);
  const double bound = std::sqrt(2.0 * m + 1) + 1;  // every root of H_m lies below √(2m + 1)
  for (int i = 0; i < half; ++i) {
    const int k = m - 1 - i;  // the root is the (k+1)-th smallest eigenvalue
    double lo = -bound, hi = i == 0 ? bound : root[i - 1];
    for (int it = 0; it < 300 && hi - lo > 2e-16 * std::fmax(1.0, std::fabs(hi)); ++it) {
      const double mid = 0.5 * (lo + hi);
      if (mid <= lo || mid >= hi) break;
      (sturm_count_below(m, mid) > k ? hi : lo) = mid;
    }
    double z = 0.5 * (lo + hi), below;
    const double p = hermite(m, z, &below), dp = std::sqrt(2.0 * m) * below;
    if (dp != 0 && std::isfinite(p / dp) &&
        std::fabs(p / dp) <= 4 * (hi - lo) + 1e-15 * std::fabs(z))
      z -= p / dp;
    root[i] = z;
  }
  for (int i = 0; i < half; ++i) {
    double below;
    hermite(m, root[i], &below);
    const double dp = std::sqrt(2.0 * m) * below;
    const double w = 2.0 / (dp * dp);
    rule.nodes[m - 1 - i] = root[i];
    rule.nodes[i] = -root[i];
    rule.weights[m - 1 - i] = w;
    rule.weights[i] = w;
  }
  if (m % 2 == 1) rule.nodes[m / 2] = 0.0;  // exact symmetry at the middle node
  return rule;
}

gauss_legendre gauss_legendre_rule(int m) {
  if (m < 1 || m > 400)
    throw std::invalid_argument("gauss_legendre_rule: needs 1 <= m <= 400, got " +
                                std::to_string(m));
  gauss_legendre rule;
  rule.nodes.assign(m, 0.0);
  rule.weights.assign(m, 0.0);
  for (int i = 0; i < (m + 1) / 2; ++i) {
    // Root i from the top, started at Tricomi's estimate cos(π(i + 3/4)/(m + 1/2)).
    double x = std::cos(pi * (i + 0.75) / (m + 0.5)), dp = 1;
    for (int it = 0; it < 100; ++it) {
      double p0 = 1, p1 = 0;  // P_j(x) by (j)P_j = (2j-1)x P_{j-1} - (j-1)P_{j-2}
      for (int j = 1; j <= m; ++j) {
        const double p2 = p1;
        p1 = p0;
        p0 = ((2.0 * j - 1) * x * p1 - (j - 1.0) * p2) / j;
      }
      dp = m * (x * p0 - p1) / (x * x - 1);  // P_m'(x)
      const double step = p0 / dp;
      x -= step;
      if (std::fabs(step) <= 1e-16) break;
    }
    const double w = 2.0 / ((1 - x * x) * dp * dp);
    rule.nodes[i] = -x;
    rule.nodes[m - 1 - i] = x;
    rule.weights[i] = rule.weights[m - 1 - i] = w;
  }
  if (m % 2 == 1) rule.nodes[m / 2] = 0.0;
  return rule;
}

namespace {

struct moment_sums {
  double mean = 0, second = 0, fourth = 0, deriv_second = 0;
  void add(double w, double v, double d) {
    mean += w * v;
    second += w * v * v;
    fourth += w * (v * v) * (v * v);
    deriv_second += w * d * d;
  }
};

gaussian_moments finish(const moment_sums& s, double norm) {
  return {s.mean * norm, s.second * norm, s.fourth * norm, s.deriv_second * norm};
}

gaussian_moments moments_gauss_hermite(const gauss_hermite& rule, activation a, double q,
                                       double slope) {
  moment_sums s;
  const double scale = std::sqrt(2.0 * q);
  for (std::size_t i = 0; i < rule.nodes.size(); ++i) {
    double v = 0, d = 0;
    evaluate<double>(a, scale * rule.nodes[i], slope, v, d);
    s.add(rule.weights[i], v, d);
  }
  return finish(s, 1.0 / std::sqrt(pi));
}

gaussian_moments moments_composite(activation a, double q, double slope) {
  static const gauss_legendre panel = gauss_legendre_rule(10);
  constexpr double z_max = 9.0;  // 2·P(z > 9) = 2e-19
  const double root_q = std::sqrt(q);
  moment_sums s;
  for (double side : {-1.0, 1.0}) {
    double lo = 0, width = root_q > 1 ? 0.25 / root_q : 0.25;
    while (lo < z_max) {
      const double hi = std::fmin(z_max, lo + width), half = (hi - lo) / 2, mid = (hi + lo) / 2;
      for (std::size_t k = 0; k < panel.nodes.size(); ++k) {
        const double z = mid + half * panel.nodes[k];
        double v = 0, d = 0;
        evaluate<double>(a, side * root_q * z, slope, v, d);
        s.add(half * panel.weights[k] * std::exp(-0.5 * z * z), v, d);
      }
      lo = hi;
      width = std::fmin(0.5, width * 1.6);
    }
  }
  return finish(s, 1.0 / std::sqrt(2 * pi));
}

}  // namespace

gaussian_moments moments(const gauss_hermite& rule, activation a, double q, double slope,
                         quadrature method) {
  if (method == quadrature::automatic) {
    // An m-point Gauss-Hermite rule integrates g(√q·z) with an error ~ exp(-2·d·√(m/q)) when g's
    // nearest complex singularity is at distance d from the real axis: the poles of tanh at
    // ±iπ/2, of the logistic function (sigmoid, swish) at ±iπ. It is used where that is e^-40
    // (the poles of φ⁴ and φ'² are of higher order: the error's prefactor grows, and at e^-36
    // tanh's E[φ⁴] was off by 5e-11): for tanh with 96 nodes up to q = 0.59 (at q = 2 it would be
    // off by 1e-8), for sigmoid and swish up to 2.4. Kinks (ReLU, leaky ReLU, SELU) always take
    // the panels.
    const bool smooth = a == activation::tanh || a == activation::sigmoid || a == activation::swish;
    const double d = a == activation::tanh ? pi / 2 : pi;
    const double m = static_cast<double>(rule.nodes.size());
    method = smooth && q > 0 && 2 * d * std::sqrt(m / q) >= 40 ? quadrature::gauss_hermite
                                                               : quadrature::composite;
  }
  return method == quadrature::gauss_hermite ? moments_gauss_hermite(rule, a, q, slope)
                                             : moments_composite(a, q, slope);
}

pair_moments joint_moments(const gauss_hermite& rule, activation a, double q, double c,
                           double slope) {
  c = std::fmax(-1.0, std::fmin(1.0, c));
  const double scale = std::sqrt(2.0 * q), other = std::sqrt(1.0 - c * c);
  const std::size_t m = rule.nodes.size();
  std::vector<double> first(m);
  for (std::size_t i = 0; i < m; ++i) {
    double d = 0;
    evaluate<double>(a, scale * rule.nodes[i], slope, first[i], d);
  }
  pair_moments r;
  for (std::size_t i = 0; i < m; ++i) {
    double cross = 0, cross_sq = 0;
    for (std::size_t k = 0; k < m; ++k) {
      double v = 0, d = 0;
      evaluate<double>(a, scale * (c * rule.nodes[i] + other * rule.nodes[k]), slope, v, d);
      cross += rule.weights[k] * v;
      cross_sq += rule.weights[k] * v * v;
    }
    r.cross += rule.weights[i] * first[i] * cross;
    r.cross_sq += rule.weights[i] * first[i] * first[i] * cross_sq;
  }
  r.cross /= pi;
  r.cross_sq /= pi;
  return r;
}

std::vector<theory_layer> mean_field(const gauss_hermite& rule, activation a, double slope,
                                     double weight_var, int depth, double width, double batch) {
  std::vector<theory_layer> out(depth > 0 ? depth : 0);
  const double n = width, b = batch;
  const double shared = 1.0 - 1.0 / b;  // weight of the part that samples share
  double q = n * weight_var;            // the input is N(0, 1): E[x²] = 1
  double c = 0;                         // independent inputs
  double v_hat = 2.0 / (n * b);         // relative variance of the batch's mean ‖x‖²/n
  std::vector<double> deriv_second(out.size());
  for (std::size_t l = 0; l < out.size(); ++l) {
    theory_layer& t = out[l];
    t.q = q;
    t.corr = c;
    const gaussian_moments m = moments(rule, a, q, slope);
    t.act_std = std::sqrt(std::fmax(0.0, m.second - m.mean * m.mean));
    deriv_second[l] = m.deriv_second;
    t.log_q_var = v_hat + 2.0 / n * (1.0 / b + shared * c * c);
    const double q_next = n * weight_var * m.second;
    double c_next = c, rho = 1;
    if (q > 0 && std::isfinite(q) && m.second > 0 && std::isfinite(m.second)) {
      t.kappa = m.fourth / (m.second * m.second) - 1;
      const double h = 1e-4;
      const double up = moments(rule, a, q * std::exp(h), slope).second;
      const double down = moments(rule, a, q * std::exp(-h), slope).second;
      t.slope = (up > 0 && down > 0) ? (std::log(up) - std::log(down)) / (2 * h) : 0;
      const pair_moments pm = joint_moments(rule, a, q, c, slope);
      c_next = pm.cross / m.second;
      const double var_sq = m.fourth - m.second * m.second;
      rho = var_sq > 0 ? std::fmin(1.0, (pm.cross_sq - m.second * m.second) / var_sq) : 1;
      v_hat = t.slope * t.slope * v_hat + t.kappa / n * (1.0 / b + shared * std::fmax(rho, 0.0));
    }
    q = q_next;
    c = c_next;
  }
  // Backward: the gradient enters at the top as r/batch and is multiplied, layer by layer, by
  // width · Var(w) · E[φ'²] (the usual independence assumption of the weights going back).
  double delta_sq = 0;
  for (std::size_t k = out.size(); k-- > 0;) {
    delta_sq = (k + 1 == out.size()) ? width / batch * deriv_second[k]
                                     : delta_sq * width * weight_var * deriv_second[k];
    out[k].delta_sq = delta_sq;
  }
  return out;
}

}  // namespace weightinit_demo
