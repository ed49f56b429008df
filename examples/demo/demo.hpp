// examples/demo/demo.hpp: the signal-propagation study behind `weightinit demo`: a deep fully
// connected network initialized by each scheme through weightinit's own fills, a forward and a
// backward pass per activation (BLIS or OpenBLAS on the CPU, cuBLAS on a GPU), per-layer
// statistics beside the mean-field prediction, a verdict per pair, and the table, CSV and gnuplot
// PNG that show them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "activation.hpp"
#include "theory.hpp"
#include "weightinit/weightinit.hpp"

namespace weightinit_demo {

// ---- what is studied ------------------------------------------------------------------------

const char* to_string(activation a) noexcept;
/// "tanh" | "sigmoid" | "relu" | "leaky_relu" | "selu" | "swish" (also "silu"); throws
/// std::invalid_argument naming the word and the known ones.
activation parse_activation(const std::string& name);
/// The six activations, in the study's order.
std::vector<activation> all_activations();

/// A scheme of the study: a short name for tables and files and the initializer that fills it.
struct scheme_entry {
  std::string name;
  weightinit::initializer init;
};
/// zeros; normal(std=0.01); normal(std=1); xavier_uniform; xavier_normal; he_uniform; he_normal;
/// lecun_normal. He uses the ReLU gain √2 and fan_in, whatever the activation: the study asks what
/// each fixed recipe does to each activation.
std::vector<scheme_entry> study_schemes();
/// A scheme from a SPEC (weightinit::parse_initializer), named by the SPEC text.
scheme_entry scheme_from_spec(const std::string& spec);

/// The CPU products' library and kernels ("BLIS 0.9.0, zen3 kernels"), as the CPU engine's name
/// shows them.
std::string blas_description();
/// "BLIS_ARCH_TYPE=<id of BLIS's haswell configuration>" when this build uses BLIS, BLIS chose
/// kernels older than the CPU (see detail::blis_kernels_below_cpu) and BLIS_ARCH_TYPE is not set;
/// else "". BLIS reads BLIS_ARCH_TYPE once per process, at its first use (this call is one): a
/// program acts on the answer by re-executing itself with the variable set (`weightinit demo`).
std::string blas_kernel_override();

enum class device_choice { cpu, gpu, automatic };
/// Whether a CUDA device is usable (cudaGetDeviceCount > 0; any error counts as none).
bool gpu_available();

struct study_config {
  int depth = 50;
  std::int64_t width = 512;  ///< every layer is width x width; the input has `width` features
  std::int64_t batch = 512;
  std::uint64_t seed = 0;
  device_choice device = device_choice::automatic;
  unsigned threads = 0;  ///< CPU: fill and BLAS threads (0 = all cores)
  bool backward = true;  ///< run the backward pass (gradient norms of the activations)
  /// Also compute ‖∂loss/∂W_l‖ (one more width x width x batch product per layer, a third of the
  /// work): no verdict or table column needs it, so only the CSV's grad_norm shows it.
  bool weight_gradients = false;
  double slope = 0.01;        ///< leaky ReLU's negative slope (PyTorch's default)
  int quadrature_nodes = 96;  ///< Gauss-Hermite points of the theory
  std::vector<scheme_entry> schemes = study_schemes();
  std::vector<activation> activations = all_activations();
};

/// Throws std::invalid_argument naming the field when a size is out of range (depth, width and
/// batch >= 1, width and batch < 2^31 for BLAS, the weights of all layers < 2^40 elements).
void validate(const study_config& config);

// ---- what is measured -------------------------------------------------------------------------

/// Layer l's statistics (index l-1), over the batch x width matrix of the layer.
struct layer_stats {
  double q = 0;         ///< pre-activation variance: mean of a² (zero biases, zero-mean weights)
  double act_mean = 0;  ///< mean of h = φ(a)
  double act_std = 0;   ///< standard deviation of h over batch and units
  double act_max_abs = 0;  ///< max |h|
  double unit_spread = 0;  ///< max over samples of (max over units − min over units) of h
  double delta_norm = 0;  ///< ‖∂loss/∂a_l‖_F, the back-propagated gradient (NaN without backward)
  double grad_norm = 0;  ///< ‖∂loss/∂W_l‖_F, the weight gradient (NaN unless computed)
};

enum class verdict { stable, vanishing, exploding, symmetric };
const char* to_string(verdict v) noexcept;

/// The thresholds of the verdict; see classify().
struct verdict_rule {
  double ratio = 100;          ///< stable while last/first stays within [1/ratio, ratio]
  double symmetry_tol = 1e-6;  ///< units identical: spread <= tol · max|h| in every layer
};

struct pair_result {
  std::string scheme;
  activation act = activation::relu;
  weightinit::distribution weights;  ///< the resolved weight distribution (if elementwise)
  bool elementwise = false;          ///< weights is meaningful (theory applies when its mean is 0)
  bool weight_gradients = false;     ///< layers[].grad_norm was computed (backward and config)
  double weight_var = 0;             ///< Var(w) of the resolved distribution
  std::vector<layer_stats> layers;
  std::vector<theory_layer> theory;  ///< empty when the theory does not apply
  verdict v = verdict::stable;
  std::string reason;  ///< why, in a few words ("activations", "gradients", ...)
};

/// The verdict of a measured pair:
///  symmetric  every layer's units are identical for every sample (spread <= tol · max|h|): the
///             initialization never broke the symmetry, the layer is one unit copied `width` times;
///  exploding  a non-finite value, or std(layer L)/std(layer 1) > ratio, or
///             ‖δ_1‖/‖δ_L‖ > ratio (gradients reaching the first layer grew);
///  vanishing  either ratio < 1/ratio;
///  stable     otherwise. When activations and gradients disagree the larger change (in log) wins.
void classify(pair_result& r, const verdict_rule& rule = {});

/// Seen by a run's observer after each forward layer: the batch x width activations, row-major.
using layer_observer =
    std::function<void(int layer, const float* h, std::int64_t batch, std::int64_t width)>;

/// Measures one pair on the CPU: fills the weights of every layer (key {seed, layer}), the input
/// (key {seed, 0x1000000000}) and the loss readout (key {seed, 0x1000000001}) with weightinit's
/// fill_host, runs the passes, computes the theory and the verdict. `observer` (may be empty) sees
/// each layer's activations. With config.backward off and `stream_weights` on, only one layer's
/// weights are held at a time (wide tests).
pair_result measure_cpu(const study_config& config, const scheme_entry& scheme, activation act,
                        const layer_observer& observer = {}, bool stream_weights = false);

/// The whole study: every scheme x activation, on the device the config asks for (automatic: a GPU
/// when gpu_available()). `progress` (may be empty) is called before each pair and once at the end.
struct study_result {
  study_config config;
  std::string
      device;  ///< "cpu (BLIS 0.9.0, zen3 kernels, 2 threads)" or "gpu (NVIDIA ..., cuBLAS)"
  double seconds = 0;
  std::vector<pair_result> pairs;
};
using progress_fn =
    std::function<void(std::size_t done, std::size_t total, const std::string& what)>;
/// Throws std::invalid_argument for a bad config, std::runtime_error when a GPU is asked for and
/// none is present, weightinit::cuda_error on CUDA failures.
study_result run_study(const study_config& config, const progress_fn& progress = {});

// ---- what is shown -----------------------------------------------------------------------------

/// The layers the table shows: 1, 10, 25, 50 (those <= depth), and depth itself.
std::vector<int> table_layers(int depth);
/// The terminal table: per activation, per scheme, the activation std at table_layers, the measured
/// and predicted pre-activation variance at the last layer, the gradient ratio and the verdict.
std::string format_table(const study_result& result);
/// One row per pair and layer: scheme, activation, layer, measured and predicted values, verdict.
/// Non-finite values are written as nan / inf / -inf; a value not computed (a theory that does not
/// apply, grad_norm without config.weight_gradients) as an empty field.
/// Written whole or not at all (a temporary file beside `path`, renamed onto it): on failure an
/// existing file is left as it was. Throws std::runtime_error on I/O failure.
void write_csv(const study_result& result, const std::string& path);

/// Throws std::invalid_argument naming `what` when `text` cannot go into the gnuplot script: it
/// holds a control character (newline, carriage return, tab, ...), which no gnuplot string literal
/// can carry (a line break ends the command, and the rest of the line would run as a new one,
/// system() included). Every other byte is safe: write_plot writes paths and names as single-quoted
/// literals, inside which gnuplot substitutes nothing (no backquoted command, no macro, no escape).
void check_script_text(const std::string& text, const std::string& what);

struct plot_outcome {
  bool ok = false;
  std::string message;  ///< on failure: what happened and what to do
};
/// Writes a gnuplot script (data inline) to `script_path` and runs `gnuplot_exe` on it to render
/// `png_path`: activation std per layer, log scale, one line per scheme, one panel per activation.
/// gnuplot's messages go to `script_path`.log, removed when empty, kept and named in the message
/// otherwise. The script and the PNG are written whole or not at all (a temporary file beside each,
/// renamed onto it on success): a failed run leaves an existing PNG as it was. Throws
/// std::invalid_argument (check_script_text) before writing anything when a path or a scheme name
/// cannot go into the script; never throws for a missing or failing gnuplot: the outcome says so.
plot_outcome write_plot(const study_result& result, const std::string& png_path,
                        const std::string& script_path, const std::string& gnuplot_exe = "gnuplot");

}  // namespace weightinit_demo
