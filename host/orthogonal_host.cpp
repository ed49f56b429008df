// host/orthogonal_host.cpp: the CPU orthogonal: Householder QR in double precision (LAPACK's
// dgeqr2/dorg2r, unblocked), sign-corrected so that R has a positive diagonal, which makes Q unique
// (independent of the reflector convention, so cuSOLVER's Q agrees to rounding) and
// Haar-distributed when the input is Gaussian (Mezzadri 2007).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "schemes_internal.hpp"
#include "thread_pool.hpp"

namespace weightinit {
namespace detail {
namespace {

// Runs body(k) for k in [lo, hi), split over up to `threads` threads when the work is large.
void parallel_columns(std::int64_t lo, std::int64_t hi, std::int64_t work_per_column,
                      unsigned threads, const std::function<void(std::int64_t)>& body) {
  const std::int64_t n = hi - lo;
  const std::int64_t useful = std::max<std::int64_t>(1, n * work_per_column / (1 << 16));
  const unsigned t = static_cast<unsigned>(std::min<std::int64_t>({threads, useful, n}));
  if (t <= 1) {
    for (std::int64_t k = lo; k < hi; ++k) body(k);
    return;
  }
  parallel_for(t, t, [&](std::int64_t w) {
    for (std::int64_t k = lo + n * w / t; k < lo + n * (w + 1) / t; ++k) body(k);
  });
}

// Applies H = I - tau v vᵀ (v[0] = 1 implicit, v[1..] below the diagonal of column j of `a`, in
// rows j+1..m-1) to column k of `x` (both column-major with leading dimension m), rows j..m-1.
inline void apply_reflector(const double* a, double tau, std::int64_t m, std::int64_t j,
                            double* x) {
  const double* v = a + j;  // v[0] is the diagonal slot: treated as 1
  double s = x[j];
  for (std::int64_t i = j + 1; i < m; ++i) s += v[i - j] * x[i];
  s *= tau;
  x[j] -= s;
  for (std::int64_t i = j + 1; i < m; ++i) x[i] -= s * v[i - j];
}

}  // namespace

// `a`: column-major m × n, m >= n. On return `a` holds Q (m × n, orthonormal columns) with column j
// multiplied by sign(R_jj) (+1 when R_jj is 0), i.e. the Q of the QR with R_jj >= 0.
void orthonormalize_columns(std::vector<double>& a, std::int64_t m, std::int64_t n,
                            unsigned threads) {
  std::vector<double> tau(static_cast<std::size_t>(n)), sign(static_cast<std::size_t>(n));
  double* A = a.data();
  for (std::int64_t j = 0; j < n; ++j) {
    double* col = A + j * m;
    double norm2 = 0;
    for (std::int64_t i = j; i < m; ++i) norm2 += col[i] * col[i];
    const double norm = std::sqrt(norm2);
    const double alpha = col[j];
    if (norm == 0) {  // a zero column: no reflection, R_jj = 0, sign +1
      tau[j] = 0;
      sign[j] = 1;
      for (std::int64_t i = j + 1; i < m; ++i) col[i] = 0;
      continue;
    }
    const double beta = -std::copysign(norm, alpha);  // R_jj; |alpha - beta| = |alpha| + norm
    const double scale = 1.0 / (alpha - beta);
    for (std::int64_t i = j + 1; i < m; ++i) col[i] *= scale;
    tau[j] = (beta - alpha) / beta;
    sign[j] = beta < 0 ? -1.0 : 1.0;  // sign(R_jj)
    col[j] = beta;
    parallel_columns(j + 1, n, m - j, threads,
                     [&](std::int64_t k) { apply_reflector(col, tau[j], m, j, A + k * m); });
  }
  // Q = H_0 H_1 ... H_{n-1} [I_n; 0], built backwards in place (dorg2r): column j of Q only needs
  // the reflectors j.. and is then multiplied by sign_j.
  std::vector<double> q(static_cast<std::size_t>(m * n), 0.0);
  for (std::int64_t j = 0; j < n; ++j) q[static_cast<std::size_t>(j * m + j)] = 1.0;
  for (std::int64_t j = n - 1; j >= 0; --j) {
    const double* refl = A + j * m;
    parallel_columns(j, n, m - j, threads, [&](std::int64_t k) {
      apply_reflector(refl, tau[j], m, j, q.data() + k * m);
    });
  }
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < m; ++i) q[static_cast<std::size_t>(j * m + i)] *= sign[j];
  a.swap(q);
}

std::vector<double> orthogonal_block_host(const std::vector<double>& gaussian, std::int64_t rows,
                                          std::int64_t cols, double gain, unsigned threads) {
  // rows < cols: the row-major rows × cols input read column-major is Aᵀ (cols × rows), the tall
  // matrix to factor, and Q read back the same way is the result (orthonormal rows).
  // rows >= cols: A itself is tall; transpose it into column-major storage and back.
  std::vector<double> out(static_cast<std::size_t>(rows * cols));
  if (rows < cols) {
    std::vector<double> w(gaussian);
    orthonormalize_columns(w, cols, rows, threads);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = gain * w[i];
    return out;
  }
  std::vector<double> w(static_cast<std::size_t>(rows * cols));
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c)
      w[static_cast<std::size_t>(c * rows + r)] = gaussian[static_cast<std::size_t>(r * cols + c)];
  orthonormalize_columns(w, rows, cols, threads);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c)
      out[static_cast<std::size_t>(r * cols + c)] =
          gain * w[static_cast<std::size_t>(c * rows + r)];
  return out;
}

}  // namespace detail
}  // namespace weightinit
