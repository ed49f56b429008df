// tests/cpu/test_structured.cpp: eye and dirac against literal reimplementations of torch.eye and
// PyTorch's dirac_ loops; sparse: exactly ceil(sparsity·rows) zeros per column chosen by the
// documented Philox words, the other values equal to the normal fill, rows chosen uniformly and
// independently of the values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "scheme_test_util.hpp"
#include "weightinit/philox.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using scheme_test::buffer;
using scheme_test::expect_ks;
using scheme_test::filled;
using scheme_test::phi_cdf;

namespace {
const wi::key kKey{0xabcdef, 3};
}

TEST(Eye, IsGainOnTheDiagonalForSquareTallAndWideShapes) {
  for (auto [rows, cols] : {std::pair<std::int64_t, std::int64_t>{6, 6}, {5, 8}, {8, 5}, {1, 4}})
    for (double gain : {1.0, 2.5})
      for (wi::dtype t : {wi::dtype::f32, wi::dtype::f64, wi::dtype::f16}) {
        const buffer b = filled(wi::eye(gain), {rows, cols}, t, kKey);
        for (std::int64_t r = 0; r < rows; ++r)
          for (std::int64_t c = 0; c < cols; ++c)
            ASSERT_EQ(b.at(r * cols + c), r == c ? gain : 0.0)
                << rows << "x" << cols << " at " << r << "," << c;
      }
}

TEST(Dirac, MatchesPyTorchsLoopsForEveryRankAndGroupCount) {
  struct dirac_case {
    wi::shape dims;
    std::int64_t groups;
  };
  for (const dirac_case& c : std::vector<dirac_case>{{{8, 4, 3, 3}, 1},
                                                     {{8, 4, 3, 3}, 2},
                                                     {{8, 4, 3, 3}, 4},
                                                     {{6, 6, 5}, 3},
                                                     {{4, 8, 3, 3, 3}, 2},
                                                     {{2, 6, 4, 4}, 1},
                                                     {{3, 2, 1}, 1},
                                                     {{12, 2, 2, 3}, 3}}) {
    // PyTorch dirac_: out_chans_per_grp = size(0) // groups; min_dim = min(that, size(1));
    // tensor[g * out_chans_per_grp + d, d, size(2) // 2, ...] = 1.
    const wi::shape& s = c.dims;
    std::vector<double> want(static_cast<std::size_t>(wi::element_count(s)), 0.0);
    const std::int64_t opg = s[0] / c.groups, min_dim = std::min(opg, s[1]);
    std::int64_t inner = 1, centre = 0;
    for (std::size_t j = 2; j < s.size(); ++j) {
      centre = centre * s[j] + s[j] / 2;
      inner *= s[j];
    }
    for (std::int64_t g = 0; g < c.groups; ++g)
      for (std::int64_t d = 0; d < min_dim; ++d)
        want[static_cast<std::size_t>(((g * opg + d) * s[1] + d) * inner + centre)] = 1.0;
    for (wi::dtype t : {wi::dtype::f32, wi::dtype::bf16})
      EXPECT_EQ(filled(wi::dirac(c.groups), s, t, kKey).values(), want)
          << wi::to_string(s) << " groups " << c.groups;
  }
}

TEST(Sparse, EachColumnHasExactlyCeilSparsityTimesRowsZeros) {
  for (std::int64_t rows : {1, 2, 7, 33, 100})
    for (double sparsity : {0.0, 0.1, 0.25, 0.5, 0.99, 1.0}) {
      const std::int64_t cols = 17;
      const std::int64_t want =
          static_cast<std::int64_t>(std::ceil(sparsity * static_cast<double>(rows)));
      const buffer b = filled(wi::sparse(sparsity, 0.5), {rows, cols}, wi::dtype::f32, kKey);
      for (std::int64_t c = 0; c < cols; ++c) {
        std::int64_t zeros = 0;
        for (std::int64_t r = 0; r < rows; ++r) zeros += b.at(r * cols + c) == 0.0;
        ASSERT_EQ(zeros, want) << rows << " rows, sparsity " << sparsity << ", column " << c;
      }
    }
}

TEST(Sparse, ZerosAreTheRowsWithTheSmallestDocumentedSelectionWords) {
  // Independent of the library's selection code: word 2^65 + i of the stream, i.e. lane i mod 4 of
  // block 2^63 + i/4, ties broken by the row.
  const std::int64_t rows = 50, cols = 9;
  const double sparsity = 0.3;
  const std::int64_t k = 15;  // ceil(0.3 * 50)
  const buffer b = filled(wi::sparse(sparsity, 1.0), {rows, cols}, wi::dtype::f64, kKey);
  const buffer values = filled(wi::normal(0, 1.0), {rows, cols}, wi::dtype::f64, kKey);
  for (std::int64_t c = 0; c < cols; ++c) {
    std::vector<std::pair<std::uint32_t, std::int64_t>> keys;
    for (std::int64_t r = 0; r < rows; ++r) {
      const std::uint64_t i = static_cast<std::uint64_t>(r * cols + c);
      const wi::words4 w = wi::philox_block(kKey.seed, kKey.stream, (1ull << 63) + i / 4);
      keys.push_back({wi::lane(w, static_cast<unsigned>(i % 4)), r});
    }
    std::sort(keys.begin(), keys.end());
    std::vector<bool> zero(static_cast<std::size_t>(rows), false);
    for (std::int64_t j = 0; j < k; ++j)
      zero[static_cast<std::size_t>(keys[static_cast<std::size_t>(j)].second)] = true;
    for (std::int64_t r = 0; r < rows; ++r) {
      const std::int64_t i = r * cols + c;
      if (zero[static_cast<std::size_t>(r)]) {
        ASSERT_EQ(b.at(i), 0.0) << "row " << r << " column " << c;
        ASSERT_FALSE(std::signbit(b.at(i))) << "zeros are +0";
      } else {
        ASSERT_EQ(b.at(i), values.at(i))
            << "kept values are the normal fill's, row " << r << " column " << c;
      }
    }
  }
}

TEST(Sparse, SelectionIsTheSameForEveryDtypeAndReproducible) {
  const wi::shape dims{40, 24};
  auto zeros_of = [&](wi::dtype t, wi::key k) {
    const std::vector<double> v = filled(wi::sparse(0.4), dims, t, k).values();
    std::vector<bool> z;
    for (double x : v) z.push_back(x == 0.0);
    return z;
  };
  const std::vector<bool> f32 = zeros_of(wi::dtype::f32, kKey);
  EXPECT_EQ(f32, zeros_of(wi::dtype::f64, kKey));
  EXPECT_EQ(f32, zeros_of(wi::dtype::bf16, kKey));
  EXPECT_EQ(f32, zeros_of(wi::dtype::f32, kKey));
  EXPECT_NE(f32, zeros_of(wi::dtype::f32, {kKey.seed, kKey.stream + 1}));
}

TEST(Sparse, RowsAreChosenUniformly) {
  // 64 rows, 4096 columns, 16 zeros per column: each row is zero in Binomial(4096, 1/4) columns
  // (columns independent): mean 1024, sd 27.7. Bound 6 sd per row: false alarm ~1.3e-7 overall.
  const std::int64_t rows = 64, cols = 4096;
  const buffer b = filled(wi::sparse(0.25), {rows, cols}, wi::dtype::f32, {5, 6});
  const double mean = cols * 0.25, sd = std::sqrt(cols * 0.25 * 0.75);
  for (std::int64_t r = 0; r < rows; ++r) {
    std::int64_t count = 0;
    for (std::int64_t c = 0; c < cols; ++c) count += b.at(r * cols + c) == 0.0;
    EXPECT_LE(std::fabs(static_cast<double>(count) - mean), 6 * sd)
        << "row " << r << " zero in " << count << " columns";
  }
}

TEST(Sparse, SelectionIsIndependentOfTheValues) {
  // The normal fill's values at the zeroed positions are still N(0, std²): selection words come
  // from a counter range no value uses. (Selecting by the value words would pick large |z|.)
  const std::int64_t rows = 64, cols = 1024;
  const double std_dev = 0.5;
  const buffer b = filled(wi::sparse(0.25, std_dev), {rows, cols}, wi::dtype::f32, {8, 9});
  const buffer v = filled(wi::normal(0, std_dev), {rows, cols}, wi::dtype::f32, {8, 9});
  std::vector<double> hidden, kept;
  for (std::int64_t i = 0; i < rows * cols; ++i)
    (b.at(i) == 0.0 ? hidden : kept).push_back(v.at(i));
  ASSERT_EQ(hidden.size(), static_cast<std::size_t>(16 * cols));
  auto cdf = [&](double x) { return phi_cdf(x / std_dev); };
  expect_ks(hidden, cdf, "values under the zeros");
  expect_ks(kept, cdf, "kept values");
}
