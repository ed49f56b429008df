// weightinit/types.hpp: the vocabulary of the public API: element types, keys, shapes, tensor
// views and resolved distributions. Plain C++17.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace weightinit {

/// Element type of a tensor. f16 is IEEE binary16, bf16 is bfloat16; both hold the f32 value
/// rounded to nearest even.
enum class dtype { f32, f64, f16, bf16 };

/// Bytes per element of `t`.
std::size_t size_of(dtype t) noexcept;
/// "f32", "f64", "f16", "bf16".
const char* to_string(dtype t) noexcept;
/// Parses "f32" | "float32" | "f64" | "float64" | "f16" | "float16" | "half" | "bf16" | "bfloat16";
/// throws std::invalid_argument otherwise.
dtype parse_dtype(const std::string& name);

/// The float value of IEEE binary16 / bfloat16 bits (exact: every 16-bit value is a float).
float f16_to_float(std::uint16_t bits) noexcept;
float bf16_to_float(std::uint16_t bits) noexcept;

/// Where the values come from: a 64-bit seed and a 64-bit stream id. Give each tensor of a model its
/// own stream (its index, say) so that the order of initialization never matters.
struct key {
  std::uint64_t seed = 0;
  std::uint64_t stream = 0;
};

/// A tensor's shape, outermost dimension first (row-major).
using shape = std::vector<std::int64_t>;

/// Number of elements of a shape (1 for the empty shape); throws std::invalid_argument on a
/// negative extent or on overflow of int64.
std::int64_t element_count(const shape& dims);

/// "[256, 128]".
std::string to_string(const shape& dims);

/// Memory to fill: `count` elements at `data`, holding the global row-major elements
/// [first, first + count) of a tensor of shape `dims`. The defaults (first 0, count -1) mean the
/// whole tensor. A window lets a shard, or a chunked call, fill its part with exactly the values the
/// whole tensor would have there.
struct tensor_view {
  void* data = nullptr;
  dtype type = dtype::f32;
  shape dims;
  std::int64_t first = 0;
  std::int64_t count = -1;  ///< -1: every element from `first` to the end
};

/// The elements a view covers: count, or element_count(dims) - first when count is -1.
/// Throws std::invalid_argument when the window does not lie inside the tensor.
std::int64_t window_count(const tensor_view& view, const char* function);

/// The kinds of elementwise distribution that a fill draws. Schemes (Xavier, He, ...) resolve to one.
enum class distribution_kind {
  constant,          ///< every element = value (zeros, ones, constant); draws no words
  uniform,           ///< U(low, high); one word per element (two for f64)
  normal,            ///< N(mean, stddev²), exact Box-Muller on word pairs
  truncated_normal,  ///< N(mean, stddev²) conditioned on [low, high], inverse CDF, one word
};

/// A resolved elementwise distribution: the kind and its parameters, in double precision.
struct distribution {
  distribution_kind kind = distribution_kind::constant;
  double value = 0.0;   ///< constant
  double low = 0.0;     ///< uniform and truncated_normal: lower bound (absolute)
  double high = 1.0;    ///< uniform and truncated_normal: upper bound (absolute)
  double mean = 0.0;    ///< normal and truncated_normal
  double stddev = 1.0;  ///< normal and truncated_normal (of the parent normal)

  static distribution constant(double value);
  static distribution uniform(double low, double high);
  static distribution normal(double mean, double stddev);
  static distribution truncated_normal(double mean, double stddev, double low, double high);
};

/// "normal(mean=0, std=0.02)" and the like.
std::string to_string(const distribution& d);

}  // namespace weightinit
