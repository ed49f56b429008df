// weightinit/schemes.hpp: initialization schemes: fans of a weight shape under a layout convention,
// gains, the `initializer` value type (Xavier, He, LeCun, variance scaling, truncated normal,
// orthogonal, eye, dirac, sparse, ...), its resolution against a shape, its CPU and GPU fills,
// framework presets and SPEC strings. Plain C++17.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "weightinit/fill.hpp"
#include "weightinit/types.hpp"

namespace weightinit {

// =============================================================================================
// Layouts and fans
// =============================================================================================

/// Where the input and output dimensions of a weight live.
///   out_in: PyTorch, (out, in, *kernel): fan_in = dims[1]·rf, fan_out = dims[0]·rf,
///           rf = product of dims[2:]                      (nn.Linear (out, in), nn.ConvNd)
///   in_out: Keras/TF/JAX, (*kernel, in, out): fan_in = dims[-2]·rf, fan_out = dims[-1]·rf,
///           rf = product of dims[:-2]                     (Dense (in, out), Conv2D (kh, kw, in, out))
/// For rank 2 the receptive field is 1 and the two differ only in which dimension is which.
enum class layout { out_in, in_out };

/// "out_in" | "in_out"; parse_layout also accepts "pytorch"/"torch" (out_in) and
/// "keras"/"tf"/"tensorflow"/"jax"/"flax" (in_out). Throws std::invalid_argument otherwise.
const char* to_string(layout l) noexcept;
layout parse_layout(const std::string& name);

/// Explicit axes, as JAX's variance_scaling(in_axis, out_axis, batch_axis) has them: fan_in is the
/// product of the `in` extents times the receptive field, fan_out likewise with `out`; the
/// receptive field is the product of every axis in none of the three lists; `batch` axes count in
/// neither fan (a stack of independent weights). Negative axes count from the end (-1 = last).
/// The lists must be disjoint, in range, and `in` and `out` non-empty.
/// Example: JAX's default is fan_axes{{-2}, {-1}, {}}, which equals layout::in_out.
struct fan_axes {
  std::vector<int> in;
  std::vector<int> out;
  std::vector<int> batch;
};

/// How to read fans off a shape: a convention (or explicit axes), grouped convolutions and packed
/// weights. Converts implicitly from `layout` and `fan_axes`, so compute_fans(dims, layout::in_out)
/// reads naturally.
///
/// Grouped convolution: the stored weight already holds in/groups input channels
/// ((out, in/groups, *k) in PyTorch, (*k, in/groups, out) in TF), so fan_in = stored dim · rf is
/// the true number of inputs of each output. fan_out: with groups == 1 (the default) it is
/// out · rf, exactly what PyTorch and Keras compute for a grouped weight; with groups = g it is
/// (out / g) · rf, the true number of outputs each input feeds (out must be divisible by g).
///
/// Transposed convolution: PyTorch's nn.ConvTransposeNd stores (in, out/groups, *k) and its
/// reset_parameters computes fans as if dim 0 were the output, i.e. layout::out_in reproduces
/// PyTorch (fan_in = out/groups · rf). For the fans of the transposed layer's own forward pass use
/// fan_axes{{0}, {1}, {}} (fan_in = in · rf). Neither accounts for the stride.
///
/// Packed weights: `parts` lists the sizes of the parts along the output dimension (a fused QKV
/// (3E, E) weight: parts {E, E, E}; GQA: {E, E/4, E/4}; a gate-up MLP: {F, F}). Their sum must equal
/// the output extent, which must be a single axis. Fans are computed per part (fan_out = part · rf),
/// so a packed (3E, E) weight gets exactly the distribution of three separate (E, E) weights.
/// Unequal parts need the output axis outermost (out_in or fan_axes with out = {0}) so that each part
/// is one contiguous range of elements. groups and parts cannot be combined.
struct fan_layout {
  layout convention = layout::out_in;
  std::optional<fan_axes> axes;  ///< when set, overrides `convention`
  std::int64_t groups = 1;
  std::vector<std::int64_t> parts;  ///< empty: one part, the whole output dimension

  fan_layout() = default;
  fan_layout(layout l) : convention(l) {}                 // NOLINT: implicit on purpose
  fan_layout(fan_axes a) : axes(std::move(a)) {}          // NOLINT: implicit on purpose
};

/// Fans of a weight, as doubles (they enter the formulas as such).
struct fans {
  double fan_in = 0;
  double fan_out = 0;
  double receptive_field = 0;
};

/// The fans of `dims` under `lay` (of one part for a packed weight whose parts are all equal).
/// Throws std::invalid_argument naming compute_fans and the shape for: rank < 2, negative extents,
/// bad axes, groups < 1 or not dividing the output extent, bad parts, or unequal parts (use
/// compute_part_fans). A zero extent yields a zero fan; fan-based schemes reject it when resolving,
/// and fills treat zero-element tensors as a no-op before they look at fans.
fans compute_fans(const shape& dims, const fan_layout& lay = layout::out_in);

/// The fans of every part of a packed weight, in order (one entry when lay.parts is empty).
std::vector<fans> compute_part_fans(const shape& dims, const fan_layout& lay);

// =============================================================================================
// Gains (PyTorch's torch.nn.init.calculate_gain table)
// =============================================================================================

enum class nonlinearity {
  linear,
  identity,
  conv1d,
  conv2d,
  conv3d,
  conv_transpose1d,
  conv_transpose2d,
  conv_transpose3d,
  sigmoid,
  tanh,
  relu,
  leaky_relu,
  selu,
};

/// The recommended gain: linear, identity, conv*, conv_transpose*, sigmoid → 1; tanh → 5/3;
/// relu → √2; leaky_relu → √(2 / (1 + slope²)) with slope = param, default 0.01; selu → 3/4.
/// `param` is used only by leaky_relu (ignored otherwise, as in PyTorch) but must be finite
/// whenever given. Throws std::invalid_argument("gain: ...") for a non-finite param or an
/// out-of-range enum value.
double gain(nonlinearity nl, std::optional<double> param = std::nullopt);

/// The same by name ("tanh", "leaky_relu", ...; the names of the enum). Unknown names throw
/// std::invalid_argument naming the word and listing the known ones.
double gain(const std::string& name, std::optional<double> param = std::nullopt);

const char* to_string(nonlinearity nl) noexcept;
nonlinearity parse_nonlinearity(const std::string& name);

// =============================================================================================
// Initializers
// =============================================================================================

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

/// The schemes. Elementwise schemes resolve to one `distribution`; structured ones (orthogonal,
/// eye, dirac, sparse) need the whole tensor.
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

/// An initialization scheme with its parameters: a small value type, built by the factories below
/// (or parse_initializer), compared by value, resolved against a shape when a tensor is filled.
/// Only the fields the scheme names are meaningful; the factories set them and leave the rest at
/// their defaults so that equal schemes compare equal.
struct initializer {
  scheme kind = scheme::zeros;
  double value = 0;        ///< constant
  double a = 0, b = 1;     ///< uniform, truncated_normal: absolute; truncated_normal_sigma: in std units
  double mean = 0;         ///< normal, truncated_normal*
  double stddev = 1;       ///< normal, truncated_normal*, sparse
  bool correct_variance = false;  ///< truncated_normal_sigma: stddev is the std after truncation
  double gain = 1;         ///< xavier_*, orthogonal, eye
  fan_mode mode = fan_mode::fan_in;                ///< he_*, variance_scaling
  nonlinearity nonlin = nonlinearity::relu;        ///< he_*
  double slope = 0;        ///< he_* with leaky_relu: the negative slope (PyTorch's `a`)
  double scale = 1;        ///< variance_scaling
  scale_distribution dist = scale_distribution::truncated_normal;  ///< variance_scaling
  std::int64_t groups = 1;  ///< dirac
  double sparsity = 0;      ///< sparse: fraction of each column set to zero

  friend bool operator==(const initializer& x, const initializer& y);
  friend bool operator!=(const initializer& x, const initializer& y) { return !(x == y); }
};

/// Whether the scheme resolves to a single elementwise distribution.
bool is_elementwise(scheme s) noexcept;
/// Whether the scheme reads fans (the fan-based ones and bias_uniform).
bool uses_fans(scheme s) noexcept;

/// The SPEC text of an initializer, every parameter written out with 17 significant digits:
/// parse_initializer(to_string(x)) == x.
std::string to_string(const initializer& init);

// ---- factories (parameters are checked when resolved or filled, not here) ----------------

initializer zeros();
initializer ones();
initializer constant(double value);
/// U(a, b). Needs finite a < b.
initializer uniform(double a = 0, double b = 1);
/// N(mean, stddev²). Needs finite mean and finite stddev >= 0.
initializer normal(double mean = 0, double stddev = 1);
/// N(mean, stddev²) conditioned on [a, b], absolute bounds (PyTorch trunc_normal_; a and b may be
/// infinite). Needs stddev > 0, a < b.
initializer truncated_normal(double mean = 0, double stddev = 1, double a = -2, double b = 2);
/// Bounds in std units (JAX's truncated_normal(stddev, lower, upper), Keras's TruncatedNormal at
/// ±2σ): N(mean, σ²) on [mean + a·σ, mean + b·σ]. With correct_variance = false σ = stddev (JAX,
/// Keras). With correct_variance = true σ = stddev / s(a, b), s the standard deviation of the
/// standard normal truncated to [a, b], so the samples have standard deviation `stddev`
/// (the mean is not corrected; it stays `mean` for symmetric bounds).
initializer truncated_normal_sigma(double mean = 0, double stddev = 1, double a = -2, double b = 2,
                                   bool correct_variance = false);

/// Glorot & Bengio (2010): U(±gain·√(6 / (fan_in + fan_out))). Needs finite gain > 0.
initializer xavier_uniform(double gain = 1);
/// Glorot & Bengio: N(0, σ²), σ = gain·√(2 / (fan_in + fan_out)).
initializer xavier_normal(double gain = 1);
inline initializer glorot_uniform(double g = 1) { return xavier_uniform(g); }
inline initializer glorot_normal(double g = 1) { return xavier_normal(g); }

/// He et al. (2015): U(±gain·√(3 / fan)), gain = gain(nonlinearity, a), fan by mode (fan_in or
/// fan_out only; other modes throw). Untruncated, as PyTorch's kaiming_uniform_.
initializer he_uniform(fan_mode mode = fan_mode::fan_in, nonlinearity nl = nonlinearity::relu,
                       double a = 0);
/// He et al.: N(0, σ²), σ = gain / √fan. Untruncated, as PyTorch's kaiming_normal_ (Keras's
/// HeNormal is truncated: use variance_scaling(2, fan_in, truncated_normal)).
initializer he_normal(fan_mode mode = fan_mode::fan_in, nonlinearity nl = nonlinearity::relu,
                      double a = 0);
inline initializer kaiming_uniform(fan_mode m = fan_mode::fan_in,
                                   nonlinearity nl = nonlinearity::relu, double a = 0) {
  return he_uniform(m, nl, a);
}
inline initializer kaiming_normal(fan_mode m = fan_mode::fan_in,
                                  nonlinearity nl = nonlinearity::relu, double a = 0) {
  return he_normal(m, nl, a);
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
/// nn.ConvNd bias. Resolve it with the weight's fans (resolve_with_fans, the fans overloads of the
/// fills, or the preset fills); against its own 1-D shape it fails with a message saying so.
initializer bias_uniform();

/// Saxe et al. (2014), PyTorch's orthogonal_: the shape is flattened to a matrix, rows × cols;
/// a Gaussian matrix of that size is drawn from our normal fill (the tensor's key, element index
/// r·cols + c, so the input is reproducible and identical on CPU and GPU), factored A = QR (QR of
/// Aᵀ when rows < cols), Q's columns multiplied by sign(R_jj) (+1 when R_jj == 0) so the result is
/// Haar-distributed, and scaled by gain. The result has orthonormal rows (rows <= cols) or columns
/// (rows >= cols), times gain. Flattening: out_in and explicit axes as PyTorch (rows = dims[0],
/// cols = the rest); in_out as Keras (rows = product of dims[:-1], cols = dims[-1]). The math is f64
/// on the CPU (our Householder QR) and f32 (f64 for f64 tensors) with cuSOLVER on the GPU, rounded
/// once to the tensor's type: CPU and GPU agree to rounding, not bit for bit. A packed weight
/// (parts, output axis outermost) gets one orthogonal matrix per part. Needs rank >= 2, finite gain.
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

// ---- resolution -----------------------------------------------------------------------------

/// The elementwise distribution of `init` for a weight of shape `dims` under `lay` (fans computed
/// with compute_fans). Throws std::invalid_argument naming the scheme and the values for bad
/// parameters, rank < 2 for a fan-based scheme ("xavier_uniform: needs rank >= 2, got shape
/// [128]"), a zero fan, a structured scheme (orthogonal, eye, dirac, sparse), or a packed weight
/// whose parts resolve differently (the fills handle those part by part).
distribution resolve(const initializer& init, const shape& dims,
                     const fan_layout& lay = layout::out_in);

/// The same with fans given directly (e.g. the weight's fans for a bias_uniform bias). Fan-based
/// schemes need finite fans > 0 (the ones their mode reads). (A separate name, so that
/// resolve(init, {256, 128}) is unambiguously a shape.)
distribution resolve_with_fans(const initializer& init, const fans& f);

/// Checks the scheme's own parameters (gain, mode, std, bounds, sparsity, ...) without a shape.
/// Throws std::invalid_argument naming the scheme and the values.
void validate(const initializer& init);

// ---- fills ------------------------------------------------------------------------------------
// Every precondition (the scheme's parameters, rank, fans, the window, the pointer) is checked
// before anything is written or launched. A zero-element tensor or window is a documented no-op
// (after the scheme's own parameters are validated). Elementwise schemes give exactly the bits of
// fill_host / fill with the resolved distribution; windows work for every scheme. `lay` is read
// only by the schemes that use fans and by orthogonal (its flattening and parts); the others
// (zeros, ones, constant, uniform, normal, truncated normal, eye, dirac, sparse) ignore it, as
// their PyTorch counterparts ignore layouts, so it is not validated for them.

/// Fills host memory, synchronously.
void fill_host(const tensor_view& tensor, const initializer& init, key k,
               const fan_layout& lay = layout::out_in, host_policy policy = {});
/// The same with the fans given (a bias with its weight's fans).
void fill_host(const tensor_view& tensor, const initializer& init, key k, const fans& f,
               host_policy policy = {});

/// Fills device memory on `stream`. Elementwise, eye, dirac and sparse: asynchronous, no allocation,
/// no synchronization, graph-capturable (sparse runs two kernels). Orthogonal is the exception:
/// it allocates its workspace stream-ordered (cudaMallocAsync/cudaFreeAsync) and creates a cuSOLVER
/// handle, which may synchronize; do not capture it in a graph. Throws std::invalid_argument before
/// launching anything; weightinit::cuda_error on CUDA/cuSOLVER failures.
void fill(const tensor_view& tensor, const initializer& init, key k, cudaStream_t stream);
void fill(const tensor_view& tensor, const initializer& init, key k, const fan_layout& lay,
          cudaStream_t stream);
void fill(const tensor_view& tensor, const initializer& init, key k, const fans& f,
          cudaStream_t stream);

// ---- SPEC strings -----------------------------------------------------------------------------

/// Parses a SPEC (DESIGN.md §3) into an initializer. Names and parameters (defaults in brackets):
///   zeros, ones, constant(value), uniform(a[0], b[1]), normal(mean[0], std[1]),
///   truncated_normal(mean[0], std[1], a[-2], b[2]),
///   truncated_normal_sigma(mean[0], std[1], a[-2], b[2], correct_variance[false]),
///   xavier_uniform(gain[1]), xavier_normal(gain[1]) (aliases glorot_*),
///   he_uniform / he_normal (aliases kaiming_*)(mode[fan_in], nonlinearity[relu], a[0]),
///   lecun_uniform, lecun_normal,
///   variance_scaling(scale[1], mode[fan_in], distribution[truncated_normal]),
///   bias_uniform, orthogonal(gain[1]), eye(gain[1]), dirac(groups[1]),
///   sparse(sparsity, std[0.01]).
/// Booleans: true/false/1/0. Throws std::invalid_argument naming the unknown word (scheme,
/// parameter or value) and what was expected.
initializer parse_initializer(const std::string& text);

// =============================================================================================
// Recommendations and presets
// =============================================================================================

/// The scheme users expect for an activation: sigmoid, tanh, softmax, linear/identity/none →
/// xavier_uniform with gain(activation) (1, or 5/3 for tanh); relu, leaky_relu (slope = param,
/// default 0.01), gelu, silu/swish, elu, mish → he_normal(fan_in) with the relu / leaky_relu gain;
/// selu → lecun_normal (Klambauer et al. 2017). Unknown names throw std::invalid_argument.
initializer recommended_init(const std::string& activation,
                             std::optional<double> param = std::nullopt);

/// A framework's default for one layer: the weight's scheme and layout, and the bias's scheme.
/// The bias is resolved with the *weight's* fans (bias_uniform needs them).
struct layer_preset {
  std::string name;
  initializer weight;
  initializer bias;
  fan_layout layout;
};

/// PyTorch nn.Linear, weight (out, in): kaiming_uniform(a = √5) = U(±1/√fan_in) (computed as
/// PyTorch does: gain √(2/(1+a²)), std gain/√fan_in, bound √3·std); bias U(±1/√fan_in).
layer_preset pytorch_linear();
/// PyTorch nn.Conv1d/2d/3d, weight (out, in/groups, *k): the same schemes as nn.Linear.
layer_preset pytorch_conv();
/// Keras Dense (and Conv*D), kernel (*k, in, out): glorot_uniform as Keras defines it,
/// variance_scaling(1, fan_avg, uniform) (the same distribution as xavier_uniform(1), with Keras's
/// operation order, so the bound equals Keras's in double), zero bias.
layer_preset keras_dense();
/// Flax nn.Dense, kernel (in, out): lecun_normal = variance_scaling(1, fan_in, truncated_normal)
/// (truncated at ±2σ, σ = 1/(√fan_in · 0.87962566103423978)), zero bias.
layer_preset flax_dense();
/// Megatron-LM: weights N(0, sigma²), zero bias.
layer_preset megatron(double sigma = 0.02);
/// Megatron-LM output projections (attention out, MLP down): N(0, (sigma / √(2·num_layers))²),
/// zero bias. Needs num_layers >= 1.
layer_preset megatron_output(std::int64_t num_layers, double sigma = 0.02);
/// By name: "pytorch_linear", "pytorch_conv", "keras_dense", "flax_dense", "megatron"
/// (sigma 0.02). Unknown names throw std::invalid_argument.
layer_preset preset_by_name(const std::string& name);

/// Fills a layer's weight and bias on the host; `bias` may be a zero-element view (no bias).
/// Both are validated before either is written. A bias_uniform bias of a weight with fan_in 0 is
/// zero (PyTorch: bound = 1/√fan_in if fan_in > 0 else 0).
void fill_host(const tensor_view& weight, const tensor_view& bias, const layer_preset& preset,
               key weight_key, key bias_key, host_policy policy = {});
/// The same on the device, on `stream` (asynchronous, as fill).
void fill(const tensor_view& weight, const tensor_view& bias, const layer_preset& preset,
          key weight_key, key bias_key, cudaStream_t stream);

}  // namespace weightinit
