// tests/cpu/scheme_test_util.hpp: what the scheme tests share: reading a filled buffer back as
// doubles, sentinel buffers that prove nothing was written, and the statistics (moment bounds at
// 6 standard errors, the Kolmogorov-Smirnov distance) with their false-alarm rates.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "tests/common/options.hpp"
#include "kernels/transforms.hpp"
#include "weightinit/weightinit.hpp"

namespace scheme_test {

namespace wi = weightinit;

/// A host buffer for `n` elements of `type`, every byte 0xA5 (a NaN pattern in every float type:
/// no fill writes it).
struct buffer {
  wi::dtype type;
  std::vector<unsigned char> bytes;
  buffer(wi::dtype t, std::int64_t n)
      : type(t), bytes(static_cast<std::size_t>(n) * wi::size_of(t), 0xA5) {}
  void* data() { return bytes.data(); }
  bool untouched() const {
    return std::all_of(bytes.begin(), bytes.end(), [](unsigned char b) { return b == 0xA5; });
  }
  double at(std::int64_t i) const {
    switch (type) {
      case wi::dtype::f32: {
        float v;
        std::memcpy(&v, &bytes[static_cast<std::size_t>(i) * 4], 4);
        return v;
      }
      case wi::dtype::f64: {
        double v;
        std::memcpy(&v, &bytes[static_cast<std::size_t>(i) * 8], 8);
        return v;
      }
      case wi::dtype::f16:
      case wi::dtype::bf16: {
        std::uint16_t h;
        std::memcpy(&h, &bytes[static_cast<std::size_t>(i) * 2], 2);
        return type == wi::dtype::f16 ? wi::xf::from_f16_bits(h) : wi::xf::from_bf16_bits(h);
      }
    }
    return 0;
  }
  std::vector<double> values() const {
    std::vector<double> v(bytes.size() / wi::size_of(type));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = at(static_cast<std::int64_t>(i));
    return v;
  }
};

/// Fills a whole tensor of `dims` on the host and returns it.
inline buffer filled(const wi::initializer& init, const wi::shape& dims, wi::dtype t, wi::key k,
                     const wi::fan_layout& lay = wi::layout::out_in) {
  buffer b(t, wi::element_count(dims));
  wi::fill_host(wi::tensor_view{b.data(), t, dims}, init, k, weightinit_test::with_layout(lay));
  return b;
}

/// PyTorch's _calculate_fan_in_and_fan_out, literally: num_input_fmaps = size(1),
/// num_output_fmaps = size(0), receptive_field_size = prod(shape[2:]).
inline wi::fans torch_fans(const wi::shape& s) {
  double rf = 1;
  for (std::size_t i = 2; i < s.size(); ++i) rf *= static_cast<double>(s[i]);
  return {static_cast<double>(s[1]) * rf, static_cast<double>(s[0]) * rf, rf};
}

/// Keras's compute_fans, literally: receptive_field_size = prod(shape[:-2]);
/// fan_in = shape[-2] * rf, fan_out = shape[-1] * rf.
inline wi::fans keras_fans(const wi::shape& s) {
  const std::size_t r = s.size();
  const double rf = std::accumulate(s.begin(), s.end() - 2, 1.0, [](double a, std::int64_t d) {
    return a * static_cast<double>(d);
  });
  return {static_cast<double>(s[r - 2]) * rf, static_cast<double>(s[r - 1]) * rf, rf};
}

inline double phi_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

/// Kolmogorov-Smirnov distance sup |F_n - F| of samples against a continuous CDF.
inline double ks_distance(std::vector<double> x, const std::function<double(double)>& cdf) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(x[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return d;
}

/// The KS bound used everywhere: sqrt(n)·D <= 3.0. Under the null hypothesis
/// P(sqrt(n)·D > 3) ≈ 2·exp(-18) ≈ 3e-8 per test.
inline void expect_ks(const std::vector<double>& x, const std::function<double(double)>& cdf,
                      const std::string& what) {
  const double d = ks_distance(x, cdf);
  const double stat = std::sqrt(static_cast<double>(x.size())) * d;
  EXPECT_LE(stat, 3.0) << what << ": KS sqrt(n)*D = " << stat << ", n = " << x.size();
}

/// Mean and variance within 6 standard errors of the expected ones (false alarm about 2e-9 each
/// by the normal approximation). The variance's standard error is sigma²·sqrt((kurtosis - 1)/n);
/// `kurtosis` is the distribution's (3 normal, 1.8 uniform; 3 is an upper bound for any normal
/// truncated symmetrically, so it keeps the false-alarm rate at most the stated one).
inline void expect_moments(const std::vector<double>& x, double mean, double variance,
                           double kurtosis, const std::string& what) {
  const double n = static_cast<double>(x.size());
  double s = 0;
  for (double v : x) s += v;
  const double m = s / n;
  double ss = 0;
  for (double v : x) ss += (v - m) * (v - m);
  const double var = ss / (n - 1);
  const double se_mean = std::sqrt(variance / n);
  const double se_var = variance * std::sqrt((kurtosis - 1) / n);
  EXPECT_LE(std::fabs(m - mean), 6 * se_mean)
      << what << ": mean " << m << " expected " << mean << " (n = " << n << ")";
  EXPECT_LE(std::fabs(var - variance), 6 * se_var)
      << what << ": variance " << var << " expected " << variance << " (n = " << n << ")";
}

/// Runs `f`, expects std::invalid_argument whose message contains every word of `words`.
template <class F>
void expect_invalid(F&& f, const std::vector<std::string>& words, const std::string& what) {
  try {
    f();
    ADD_FAILURE() << what << ": no exception";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    for (const std::string& w : words)
      EXPECT_NE(msg.find(w), std::string::npos)
          << what << ": message '" << msg << "' lacks '" << w << "'";
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": wrong exception type: " << e.what();
  }
}

}  // namespace scheme_test
using weightinit_test::with_fans;
using weightinit_test::with_layout;
