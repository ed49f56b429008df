// tests/cpu/test_orthogonal.cpp: the CPU orthogonal: QᵀQ = I (or QQᵀ = I) within float tolerance
// over tall, wide, square, conv and Keras-flattened shapes; Q is the QR factor of the documented
// Gaussian input with R's diagonal positive; it equals a long-double Gram-Schmidt reference; its
// entries are Haar-distributed (KS against U(-1, 1) for 3 × 3); packed parts are orthogonal each.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "scheme_test_util.hpp"
#include "tests/common/orthonormality.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using scheme_test::buffer;
using scheme_test::expect_ks;
using scheme_test::filled;
using weightinit_test::orthonormality_error;

namespace {

const wi::key kKey{20240917, 11};

// The Gaussian input of a block as the library documents it: the f32 normal fill (f64 for f64
// tensors) of the tensor's key at the block's global indices.
std::vector<double> gaussian_input(const wi::shape& dims, wi::dtype t, std::int64_t offset,
                                   std::int64_t n) {
  const wi::dtype math = t == wi::dtype::f64 ? wi::dtype::f64 : wi::dtype::f32;
  buffer g(math, n);
  wi::fill_host(wi::tensor_view{g.data(), math, dims, offset, n}, wi::distribution::normal(0, 1),
                kKey);
  return g.values();
}

}  // namespace

TEST(Orthogonal, RowsOrColumnsAreOrthonormalTimesGain) {
  struct shape_case {
    wi::shape dims;
    wi::layout l;
    std::int64_t rows, cols;  // the flattened matrix
  };
  const std::vector<shape_case> cases = {
      {{64, 64}, wi::layout::out_in, 64, 64},      {{100, 30}, wi::layout::out_in, 100, 30},
      {{30, 100}, wi::layout::out_in, 30, 100},    {{1, 50}, wi::layout::out_in, 1, 50},
      {{50, 1}, wi::layout::out_in, 50, 1},        {{16, 4, 3, 3}, wi::layout::out_in, 16, 36},
      {{3, 3, 8, 16}, wi::layout::in_out, 72, 16}, {{3, 3, 8, 160}, wi::layout::in_out, 72, 160},
      {{120, 130}, wi::layout::in_out, 120, 130}};
  for (const shape_case& c : cases)
    for (double gain : {1.0, 2.5})
      for (auto [t, tol] : {std::pair{wi::dtype::f64, 1e-12}, std::pair{wi::dtype::f32, 2e-6},
                            std::pair{wi::dtype::bf16, 2e-2}}) {
        const std::vector<double> q = filled(wi::orthogonal(gain), c.dims, t, kKey, c.l).values();
        const double err = orthonormality_error(q.data(), c.rows, c.cols, gain);
        EXPECT_LE(err, tol * std::sqrt(static_cast<double>(std::max(c.rows, c.cols))))
            << wi::to_string(c.dims) << " " << wi::to_string(c.l) << " " << wi::to_string(t)
            << " gain " << gain;
      }
}

TEST(Orthogonal, IsTheQrFactorOfTheDocumentedGaussianInputWithPositiveDiagonal) {
  // rows >= cols: R = QᵀA is upper triangular with R_jj > 0. rows < cols: the problem is Aᵀ, so
  // R = Q Aᵀ (rows × rows) is. Either proves Q came from that input, in Gram-Schmidt order, with
  // the sign correction.
  for (auto [rows, cols] : {std::pair<std::int64_t, std::int64_t>{40, 12}, {12, 40}, {25, 25}}) {
    const wi::shape dims{rows, cols};
    for (wi::dtype t : {wi::dtype::f64, wi::dtype::f32}) {
      const std::vector<double> q = filled(wi::orthogonal(), dims, t, kKey).values();
      const std::vector<double> a = gaussian_input(dims, t, 0, rows * cols);
      const std::int64_t k = std::min(rows, cols), len = std::max(rows, cols);
      const double tol = t == wi::dtype::f64 ? 1e-11 : 1e-4;
      for (std::int64_t i = 0; i < k; ++i)
        for (std::int64_t j = 0; j < k; ++j) {
          long double r = 0;  // R_ij = <q_i, a_j>
          for (std::int64_t e = 0; e < len; ++e) {
            const std::size_t qi =
                static_cast<std::size_t>(rows >= cols ? e * cols + i : i * cols + e);
            const std::size_t aj =
                static_cast<std::size_t>(rows >= cols ? e * cols + j : j * cols + e);
            r += static_cast<long double>(q[qi]) * a[aj];
          }
          if (i > j) {
            EXPECT_NEAR(static_cast<double>(r), 0.0, tol * std::sqrt(len))
                << rows << "x" << cols << " R" << i << j;
          } else if (i == j) {
            EXPECT_GT(static_cast<double>(r), 0.0) << rows << "x" << cols << " R" << i << i;
          }
        }
    }
  }
}

TEST(Orthogonal, EqualsLongDoubleGramSchmidtOnTheSameInput) {
  const std::int64_t rows = 60, cols = 20;
  const wi::shape dims{rows, cols};
  const std::vector<double> q = filled(wi::orthogonal(), dims, wi::dtype::f64, kKey).values();
  const std::vector<double> a = gaussian_input(dims, wi::dtype::f64, 0, rows * cols);
  // Modified Gram-Schmidt with reorthogonalization, in long double: the unique Q with R_jj > 0.
  std::vector<std::vector<long double>> v(static_cast<std::size_t>(cols),
                                          std::vector<long double>(rows));
  for (std::int64_t j = 0; j < cols; ++j) {
    for (std::int64_t i = 0; i < rows; ++i) v[j][i] = a[static_cast<std::size_t>(i * cols + j)];
    for (int pass = 0; pass < 2; ++pass)
      for (std::int64_t p = 0; p < j; ++p) {
        long double d = 0;
        for (std::int64_t i = 0; i < rows; ++i) d += v[p][i] * v[j][i];
        for (std::int64_t i = 0; i < rows; ++i) v[j][i] -= d * v[p][i];
      }
    long double n = 0;
    for (std::int64_t i = 0; i < rows; ++i) n += v[j][i] * v[j][i];
    n = std::sqrt(n);
    for (std::int64_t i = 0; i < rows; ++i) v[j][i] /= n;
  }
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j)
      ASSERT_NEAR(q[static_cast<std::size_t>(i * cols + j)], static_cast<double>(v[j][i]), 1e-12)
          << i << "," << j;
}

TEST(Orthogonal, EntriesOfThreeByThreeMatricesAreUniformOnMinusOneOne) {
  // For a Haar-distributed 3 × 3 orthogonal matrix every entry is U(-1, 1) (a coordinate of a
  // uniform point on the 2-sphere). Without the sign correction Q[0][0] = -|a00|/|a0| <= 0 with
  // our Householder convention, and the test fails. 3000 matrices, one stream each.
  const int m = 3000;
  std::vector<std::vector<double>> entry(3);
  for (int s = 0; s < m; ++s) {
    buffer b(wi::dtype::f64, 9);
    wi::fill_host(wi::tensor_view{b.data(), wi::dtype::f64, {3, 3}}, wi::orthogonal(),
                  wi::key{99, static_cast<std::uint64_t>(s)});
    entry[0].push_back(b.at(0));  // Q[0][0]
    entry[1].push_back(b.at(5));  // Q[1][2]
    entry[2].push_back(b.at(8));  // Q[2][2]
  }
  for (int e = 0; e < 3; ++e)
    expect_ks(
        entry[e], [](double x) { return (x + 1) / 2; }, "3x3 Haar entry " + std::to_string(e));
}

TEST(Orthogonal, IsReproducibleAndDependsOnTheKey) {
  const wi::shape dims{20, 30};
  const buffer a = filled(wi::orthogonal(), dims, wi::dtype::f32, kKey);
  EXPECT_EQ(a.bytes, filled(wi::orthogonal(), dims, wi::dtype::f32, kKey).bytes);
  EXPECT_NE(a.bytes,
            filled(wi::orthogonal(), dims, wi::dtype::f32, {kKey.seed, kKey.stream + 1}).bytes);
  EXPECT_NE(a.bytes,
            filled(wi::orthogonal(), dims, wi::dtype::f32, {kKey.seed + 1, kKey.stream}).bytes);
  // The thread count never changes the values.
  buffer one(wi::dtype::f32, 600);
  wi::fill_host(wi::tensor_view{one.data(), wi::dtype::f32, dims}, wi::orthogonal(), kKey,
                wi::fill_options().with_threads(1));
  EXPECT_EQ(a.bytes, one.bytes);
}

TEST(Orthogonal, PackedPartsAreEachOrthogonalFromTheirOwnRowsOfTheInput) {
  const std::int64_t e = 16;
  wi::fan_layout qkv = wi::layout::out_in;
  qkv.parts = {e, e, e};
  const std::vector<double> q =
      filled(wi::orthogonal(), {3 * e, e}, wi::dtype::f64, kKey, qkv).values();
  for (int p = 0; p < 3; ++p) {
    const std::vector<double> block(q.begin() + p * e * e, q.begin() + (p + 1) * e * e);
    EXPECT_LE(orthonormality_error(block.data(), e, e, 1.0), 1e-12) << "part " << p;
  }
  // Not one (3E, E) matrix with orthonormal columns: each column then has norm √3, not 1.
  double col0 = 0;
  for (std::int64_t i = 0; i < 3 * e; ++i)
    col0 += q[static_cast<std::size_t>(i * e)] * q[static_cast<std::size_t>(i * e)];
  EXPECT_NEAR(col0, 3.0, 1e-12);
}
