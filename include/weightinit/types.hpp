// weightinit/types.hpp: the vocabulary of the public API: element types, keys, shapes, tensor
// views and resolved distributions. Plain C++17.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace weightinit {

/// Element type of a tensor. f16 is IEEE binary16, bf16 is bfloat16; both hold the f32 value
/// rounded to nearest even.
enum class dtype { f32, f64, f16, bf16 };

/// Bytes per element of `t`; 0 for a value outside the enum.
std::size_t size_of(dtype t) noexcept;
/// "f32", "f64", "f16", "bf16" ("?" for a value outside the enum).
const char* to_string(dtype t) noexcept;
/// Parses "f32" | "float32" | "float" | "f64" | "float64" | "double" | "f16" | "float16" | "half" |
/// "bf16" | "bfloat16"; throws std::invalid_argument otherwise.
dtype parse_dtype(const std::string& name);
/// Whether `t` is one of the four values of the enum (every entry point checks this).
bool is_valid(dtype t) noexcept;

/// The float value of IEEE binary16 / bfloat16 bits (exact: every 16-bit value is a float).
float f16_to_float(std::uint16_t bits) noexcept;
float bf16_to_float(std::uint16_t bits) noexcept;

/// Where the values come from: a 64-bit seed and a 64-bit stream id. Give each tensor of a model
/// its own stream so that the order of initialization never matters.
struct key {
  std::uint64_t seed = 0;
  std::uint64_t stream = 0;
};

/// A tensor's shape, outermost dimension first (row-major), as signed 64-bit extents. Written as a
/// braced list of any integer type, as people write them: `{3 * E, E}` with `std::size_t E`
/// compiles (an extent that does not fit in int64 throws std::invalid_argument). Negative extents
/// are representable and refused by every function that reads the shape.
class shape {
 public:
  using value_type = std::int64_t;
  using iterator = std::vector<std::int64_t>::iterator;
  using const_iterator = std::vector<std::int64_t>::const_iterator;

  shape() = default;
  template <class... Extents, class = std::enable_if_t<(sizeof...(Extents) > 0) &&
                                                       (std::is_integral<Extents>::value && ...)>>
  shape(Extents... extents) : dims_{checked(extents)...} {}          // NOLINT: implicit on purpose
  shape(std::vector<std::int64_t> dims) : dims_(std::move(dims)) {}  // NOLINT: implicit on purpose
  template <class It, class = std::enable_if_t<!std::is_integral<It>::value>>
  shape(It first, It last) {
    for (; first != last; ++first) dims_.push_back(checked(*first));
  }

  std::size_t size() const noexcept { return dims_.size(); }
  bool empty() const noexcept { return dims_.empty(); }
  std::int64_t operator[](std::size_t i) const { return dims_[i]; }
  std::int64_t& operator[](std::size_t i) { return dims_[i]; }
  std::int64_t front() const { return dims_.front(); }
  std::int64_t back() const { return dims_.back(); }
  const_iterator begin() const noexcept { return dims_.begin(); }
  const_iterator end() const noexcept { return dims_.end(); }
  iterator begin() noexcept { return dims_.begin(); }
  iterator end() noexcept { return dims_.end(); }
  void push_back(std::int64_t extent) { dims_.push_back(extent); }
  const std::vector<std::int64_t>& extents() const noexcept { return dims_; }

  friend bool operator==(const shape& x, const shape& y) { return x.dims_ == y.dims_; }
  friend bool operator!=(const shape& x, const shape& y) { return x.dims_ != y.dims_; }

 private:
  template <class T>
  static std::int64_t checked(T extent) {
    if constexpr (std::is_unsigned<T>::value) {
      if (static_cast<std::uint64_t>(extent) >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        throw std::invalid_argument("shape: extent " + std::to_string(extent) +
                                    " does not fit in a signed 64-bit extent");
    }
    return static_cast<std::int64_t>(extent);
  }
  std::vector<std::int64_t> dims_;
};

/// Number of elements of a shape (1 for the empty shape); throws std::invalid_argument on a
/// negative extent or on overflow of int64.
std::int64_t element_count(const shape& dims);

/// "[256, 128]".
std::string to_string(const shape& dims);

/// An N-D box of a global tensor: per dimension, the first coordinate (`offset`) and the number of
/// coordinates (`extent`). Its elements are stored dense and row-major in the box's own shape
/// (`extent`); their values are the global tensor's at the same coordinates (weightinit/shard.hpp
/// has the partitions: shard(), row_parallel(), column_parallel(), megatron_qkv_shard()).
struct shard_box {
  std::vector<std::int64_t> offset;
  std::vector<std::int64_t> extent;
};

/// Memory to fill: `count` elements at `data`, holding the global row-major elements
/// [first, first + count) of a tensor of shape `dims`. The defaults (first 0, count -1) mean the
/// whole tensor. A window lets a shard, or a chunked call, fill its part with exactly the values
/// the whole tensor would have there.
///
/// With `box` set, `dims` is the *global* shape and `data` holds the box's elements, dense
/// row-major in the shape box->extent; fans come from the global shape, so a tensor-parallel shard
/// of an Xavier weight has the whole weight's distribution. A box cannot be combined with a window
/// (first must be 0 and count -1 or the box's element count).
struct tensor_view {
  void* data = nullptr;
  dtype type = dtype::f32;
  shape dims;
  std::int64_t first = 0;
  std::int64_t count = -1;  ///< -1: every element from `first` to the end
  std::optional<shard_box> box = std::nullopt;
};

/// The elements a view covers: count, or element_count(dims) - first when count is -1. Throws
/// std::invalid_argument naming `function` when the dtype is not one of the enum's values, the
/// window does not lie inside the tensor, or its size in bytes does not fit in 64 bits.
std::int64_t window_count(const tensor_view& view, const char* function);

/// The kinds of elementwise distribution that a fill draws. Schemes (Xavier, He, ...) resolve to
/// one.
enum class distribution_kind {
  constant,          ///< every element = value (zeros, ones, constant); draws no words
  uniform,           ///< U(low, high); one word per element (two for f64)
  normal,            ///< N(mean, stddev²); one word per element (two for f64), inverse CDF
  truncated_normal,  ///< N(mean, stddev²) conditioned on [low, high], inverse CDF, one word (two)
};

/// A resolved elementwise distribution: the kind and its parameters, in double precision. Usable
/// wherever an initializer is (fill, fill_host).
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

/// "normal(mean=0, std=0.02)" and the like; numbers as the shortest decimal that round-trips.
std::string to_string(const distribution& d);

/// The shortest decimal text that reads back as exactly `x` ("0.1", "1e-07", "inf", "nan").
std::string format_number(double x);

}  // namespace weightinit
