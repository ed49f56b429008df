// tests/common/orthonormality.hpp: the orthogonality measure of the CPU and GPU orthogonal tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace weightinit_test {

/// Max |(MᵀM)/gain² - I| over the columns of the row-major rows × cols matrix `m` when
/// rows >= cols, else max |(MMᵀ)/gain² - I| over its rows; dot products in long double.
inline double orthonormality_error(const double* m, std::int64_t rows, std::int64_t cols,
                                   double gain) {
  double worst = 0;
  const bool by_cols = rows >= cols;
  const std::int64_t k = by_cols ? cols : rows, len = by_cols ? rows : cols;
  auto at = [&](std::int64_t vec, std::int64_t i) {
    return by_cols ? m[i * cols + vec] : m[vec * cols + i];
  };
  for (std::int64_t a = 0; a < k; ++a)
    for (std::int64_t b = a; b < k; ++b) {
      long double dot = 0;
      for (std::int64_t i = 0; i < len; ++i) dot += static_cast<long double>(at(a, i)) * at(b, i);
      worst = std::max(worst,
                       std::fabs(static_cast<double>(dot) / (gain * gain) - (a == b ? 1.0 : 0.0)));
    }
  return worst;
}

}  // namespace weightinit_test
