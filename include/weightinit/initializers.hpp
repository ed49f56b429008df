// weightinit/initializers.hpp: the initialization schemes as typed values: one parameter struct per
// scheme (weightinit::params), the `initializer` that holds exactly one of them, and the factories
// users know from PyTorch, Keras and JAX (xavier_uniform(), he_normal(mode), ...). A scheme has
// exactly the fields it reads: there is no field that one scheme uses and another ignores.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>

#include "weightinit/gains.hpp"
#include "weightinit/types.hpp"

namespace weightinit {

/// Which fan a fan-based scheme divides by: fan_in, fan_out, (fan_in + fan_out) / 2, or
/// √(fan_in · fan_out) (JAX's fan_geo_avg).
enum class fan_mode { fan_in, fan_out, fan_avg, fan_geo_avg };
const char* to_string(fan_mode m) noexcept;
fan_mode parse_fan_mode(const std::string& name);

/// variance_scaling's distribution, Keras/JAX semantics: uniform → U(±√(3v)); normal → N(0, v)
/// (Keras's "untruncated_normal"); truncated_normal → N(0, σ²) truncated to ±2σ with
/// σ = √v / 0.87962566103423978 so that the truncated variance is v.
enum class scale_distribution { uniform, normal, truncated_normal };
const char* to_string(scale_distribution d) noexcept;
scale_distribution parse_scale_distribution(const std::string& name);  // also "untruncated_normal"

/// The schemes, in the order of initializer::parameters. Elementwise schemes resolve to one
/// `distribution`; structured ones (orthogonal, eye, dirac, sparse) need the whole tensor.
enum class scheme {
  zeros,
  ones,
  constant,
  uniform,
  normal,
  truncated_normal,        ///< absolute bounds (PyTorch)
  truncated_normal_sigma,  ///< bounds in units of std (JAX/Keras), optional variance correction
  xavier_uniform,
  xavier_normal,
  he_uniform,
  he_normal,
  lecun_uniform,
  lecun_normal,
  variance_scaling,
  bias_uniform,  ///< U(±1/√fan_in) with the fan_in of the layer's weight (PyTorch Linear/Conv bias)
  orthogonal,
  eye,
  dirac,
  sparse,
};
const char* to_string(scheme s) noexcept;

/// Whether the scheme resolves to a single elementwise distribution.
bool is_elementwise(scheme s) noexcept;
/// Whether the scheme reads fans (Xavier, He, LeCun, variance scaling, bias_uniform).
bool uses_fans(scheme s) noexcept;

/// The parameters of each scheme: plain aggregates with the defaults of PyTorch (Keras for
/// variance_scaling), e.g. `params::uniform{-0.1, 0.1}`, `params::he_normal{fan_mode::fan_out}`.
/// The names are the SPEC names (DESIGN.md §3) except `stddev` (SPEC: std) and `negative_slope`
/// (SPEC and PyTorch's kaiming_*: a; calculate_gain: param).
namespace params {
struct zeros {};
struct ones {};
struct constant {
  double value = 0;
};
/// U(a, b).
struct uniform {
  double a = 0, b = 1;
};
/// N(mean, stddev²).
struct normal {
  double mean = 0, stddev = 1;
};
/// N(mean, stddev²) conditioned on [a, b], absolute bounds (PyTorch's trunc_normal_).
struct truncated_normal {
  double mean = 0, stddev = 1, a = -2, b = 2;
};
/// N(mean, σ²) on [mean + a·σ, mean + b·σ] with σ = stddev, or σ = stddev / s(a, b) when
/// correct_variance (s: std of the standard normal truncated to [a, b]), as JAX and Keras.
struct truncated_normal_sigma {
  double mean = 0, stddev = 1, a = -2, b = 2;
  bool correct_variance = false;
};
struct xavier_uniform {
  double gain = 1;
};
struct xavier_normal {
  double gain = 1;
};
/// He/Kaiming: mode fan_in or fan_out; gain = weightinit::gain(nonlinearity, negative_slope).
struct he_uniform {
  fan_mode mode = fan_mode::fan_in;
  weightinit::nonlinearity nonlinearity = weightinit::nonlinearity::relu;
  double negative_slope = 0;
};
struct he_normal {
  fan_mode mode = fan_mode::fan_in;
  weightinit::nonlinearity nonlinearity = weightinit::nonlinearity::relu;
  double negative_slope = 0;
};
struct lecun_uniform {};
struct lecun_normal {};
struct variance_scaling {
  double scale = 1;
  fan_mode mode = fan_mode::fan_in;
  scale_distribution distribution = scale_distribution::truncated_normal;
};
struct bias_uniform {};
struct orthogonal {
  double gain = 1;
};
struct eye {
  double gain = 1;
};
struct dirac {
  std::int64_t groups = 1;
};
/// N(0, stddev²) with ceil(sparsity·rows) zeros per column.
struct sparse {
  double sparsity = 0, stddev = 0.01;
};

bool operator==(const zeros&, const zeros&) noexcept;
bool operator==(const ones&, const ones&) noexcept;
bool operator==(const constant&, const constant&) noexcept;
bool operator==(const uniform&, const uniform&) noexcept;
bool operator==(const normal&, const normal&) noexcept;
bool operator==(const truncated_normal&, const truncated_normal&) noexcept;
bool operator==(const truncated_normal_sigma&, const truncated_normal_sigma&) noexcept;
bool operator==(const xavier_uniform&, const xavier_uniform&) noexcept;
bool operator==(const xavier_normal&, const xavier_normal&) noexcept;
bool operator==(const he_uniform&, const he_uniform&) noexcept;
bool operator==(const he_normal&, const he_normal&) noexcept;
bool operator==(const lecun_uniform&, const lecun_uniform&) noexcept;
bool operator==(const lecun_normal&, const lecun_normal&) noexcept;
bool operator==(const variance_scaling&, const variance_scaling&) noexcept;
bool operator==(const bias_uniform&, const bias_uniform&) noexcept;
bool operator==(const orthogonal&, const orthogonal&) noexcept;
bool operator==(const eye&, const eye&) noexcept;
bool operator==(const dirac&, const dirac&) noexcept;
bool operator==(const sparse&, const sparse&) noexcept;
}  // namespace params

/// An initialization scheme with its parameters: holds exactly one `params::` struct. Built by the
/// factories below, from a params struct (`initializer{params::normal{0, 0.02}}`), from a resolved
/// `distribution` (constant, uniform, normal, truncated_normal: the same values), or by
/// parse_initializer. Compared by value; resolved against a shape when a tensor is filled.
class initializer {
 public:
  /// In the order of `scheme`: kind() is the index of the alternative held.
  using parameters =
      std::variant<params::zeros, params::ones, params::constant, params::uniform, params::normal,
                   params::truncated_normal, params::truncated_normal_sigma, params::xavier_uniform,
                   params::xavier_normal, params::he_uniform, params::he_normal,
                   params::lecun_uniform, params::lecun_normal, params::variance_scaling,
                   params::bias_uniform, params::orthogonal, params::eye, params::dirac,
                   params::sparse>;

  /// zeros.
  initializer() = default;
  /// From any params:: struct.
  template <class P, class = std::enable_if_t<std::is_constructible<parameters, P>::value &&
                                              !std::is_same<std::decay_t<P>, initializer>::value &&
                                              !std::is_same<std::decay_t<P>, distribution>::value>>
  initializer(P p) : p_(std::move(p)) {}  // NOLINT: implicit on purpose
  /// From a resolved distribution: the scheme with the same values. Throws std::invalid_argument
  /// for a kind outside the enum.
  initializer(const distribution& d);  // NOLINT: implicit on purpose

  scheme kind() const noexcept { return static_cast<scheme>(p_.index()); }
  /// The parameters when the scheme is P's, else nullptr.
  template <class P>
  const P* get_if() const noexcept {
    return std::get_if<P>(&p_);
  }
  const parameters& variant() const noexcept { return p_; }

  friend bool operator==(const initializer& x, const initializer& y) { return x.p_ == y.p_; }
  friend bool operator!=(const initializer& x, const initializer& y) { return !(x.p_ == y.p_); }

 private:
  parameters p_;
};

/// The SPEC text of an initializer ("he_normal(mode=fan_out,nonlinearity=relu,a=0)"), numbers as
/// the shortest decimal that round-trips; parse_initializer(to_string(i)) == i.
std::string to_string(const initializer& init);

/// Checks the scheme's own parameters (gain, mode, std, bounds, sparsity, enum values) without a
/// shape. Throws std::invalid_argument naming the scheme and the values.
void validate(const initializer& init);

// ---- factories ------------------------------------------------------------------------------

initializer zeros();
initializer ones();
initializer constant(double value);
/// U(a, b).
initializer uniform(double a = 0, double b = 1);
/// N(mean, stddev²).
initializer normal(double mean = 0, double stddev = 1);
/// N(mean, stddev²) conditioned on [a, b], absolute bounds (PyTorch's trunc_normal_).
initializer truncated_normal(double mean = 0, double stddev = 1, double a = -2, double b = 2);
/// Bounds in units of σ (JAX's truncated_normal, Keras's TruncatedNormal). With correct_variance
/// the std after truncation is `stddev`.
initializer truncated_normal_sigma(double mean = 0, double stddev = 1, double a = -2, double b = 2,
                                   bool correct_variance = false);

/// Glorot & Bengio (2010): U(±gain·√(6 / (fan_in + fan_out))). Needs rank >= 2, finite gain > 0.
initializer xavier_uniform(double gain = 1);
/// Glorot & Bengio (2010): N(0, σ²), σ = gain·√(2 / (fan_in + fan_out)) (untruncated, as PyTorch).
initializer xavier_normal(double gain = 1);
inline initializer glorot_uniform(double gain = 1) { return xavier_uniform(gain); }
inline initializer glorot_normal(double gain = 1) { return xavier_normal(gain); }

/// He et al. (2015), PyTorch's kaiming_uniform_: U(±gain·√(3 / fan)), gain = gain(nl,
/// negative_slope), fan = fan_in or fan_out by mode (PyTorch's fan_in default). Needs rank >= 2.
initializer he_uniform(fan_mode mode = fan_mode::fan_in, nonlinearity nl = nonlinearity::relu,
                       double negative_slope = 0);
/// He et al. (2015), PyTorch's kaiming_normal_: N(0, σ²), σ = gain / √fan (untruncated).
initializer he_normal(fan_mode mode = fan_mode::fan_in, nonlinearity nl = nonlinearity::relu,
                      double negative_slope = 0);
inline initializer kaiming_uniform(fan_mode mode = fan_mode::fan_in,
                                   nonlinearity nl = nonlinearity::relu,
                                   double negative_slope = 0) {
  return he_uniform(mode, nl, negative_slope);
}
inline initializer kaiming_normal(fan_mode mode = fan_mode::fan_in,
                                  nonlinearity nl = nonlinearity::relu, double negative_slope = 0) {
  return he_normal(mode, nl, negative_slope);
}

/// LeCun et al. (1998): U(±√(3 / fan_in)).
initializer lecun_uniform();
/// LeCun et al. (1998): N(0, 1 / fan_in), untruncated as in the paper. (Keras/JAX's lecun_normal is
/// truncated: variance_scaling(1, fan_in, truncated_normal), which the flax_dense preset uses.)
initializer lecun_normal();

/// Keras/JAX VarianceScaling: variance v = scale / n, n = fan_in, fan_out, (fan_in + fan_out)/2 or
/// √(fan_in·fan_out) by mode, drawn per `dist` (see scale_distribution). Needs finite scale > 0.
/// Defaults are Keras's.
initializer variance_scaling(double scale = 1, fan_mode mode = fan_mode::fan_in,
                             scale_distribution dist = scale_distribution::truncated_normal);

/// U(−1/√fan_in, 1/√fan_in) where fan_in is that of the layer's *weight*: PyTorch's nn.Linear and
/// nn.ConvNd bias. Fill it with the weight's fans (fill_options::fan_override, or the preset
/// fills); against its own 1-D shape it fails with a message saying so.
initializer bias_uniform();

/// Saxe et al. (2014), PyTorch's orthogonal_: the shape is flattened to a matrix, rows × cols;
/// a Gaussian matrix of that size is drawn from our normal fill (the tensor's key, element index
/// r·cols + c, so the input is reproducible and identical on CPU and GPU), factored A = QR (QR of
/// Aᵀ when rows < cols), Q's columns multiplied by sign(R_jj) (+1 when R_jj == 0) so the result is
/// Haar-distributed, and scaled by gain. The result has orthonormal rows (rows <= cols) or columns
/// (rows >= cols), times gain. Flattening: out_in and explicit axes as PyTorch (rows = dims[0],
/// cols = the rest); in_out as Keras (rows = product of dims[:-1], cols = dims[-1]). The math is
/// f64 on the CPU (our Householder QR) and f32 (f64 for f64 tensors) with cuSOLVER on the GPU,
/// rounded once to the tensor's type: CPU and GPU agree to rounding, not bit for bit. A packed
/// weight (parts, output axis outermost) gets one orthogonal matrix per part. Needs rank >= 2,
/// finite gain.
initializer orthogonal(double gain = 1);

/// 2-D only: gain on the diagonal (r == c), 0 elsewhere (torch.eye for non-square shapes).
initializer eye(double gain = 1);

/// PyTorch's dirac_: rank 3 to 5, (out, in, *k); dims[0] divisible by groups; for each group g and
/// each d < min(dims[0]/groups, dims[1]) the element [g·dims[0]/groups + d, d, centre...] is 1,
/// where centre_i = k_i / 2; everything else 0. Preserves the input of a convolution (identity).
initializer dirac(std::int64_t groups = 1);

/// PyTorch's sparse_, reproducibly: 2-D (rows, cols). Values N(0, stddev²) from our normal fill
/// (element index i = r·cols + c, the tensor's key); then in each column exactly
/// k = ceil(sparsity · rows) elements are set to +0. The zeros of column c are the k rows with the
/// smallest selection key (s(r, c), r), compared lexicographically, where s(r, c) is word
/// 2^65 + (r·cols + c) of the tensor's Philox stream, i.e. lane i mod 4 of block 2^63 + i/4
/// (philox_block(seed, stream, 2^63 + i/4)). No fill ever reaches blocks >= 2^62, so the selection
/// is independent of every value and of every other tensor's words. It is the same for every dtype.
/// Needs sparsity in [0, 1], stddev finite and >= 0.
initializer sparse(double sparsity, double stddev = 0.01);

}  // namespace weightinit
