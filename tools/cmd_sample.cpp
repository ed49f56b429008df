// tools/cmd_sample.cpp: `weightinit sample`: fills a tensor with a SPEC and writes it as .npy,
// printing the scheme, shape, dtype, mean, std, min and max. Every argument is checked before
// anything is allocated, filled or written; the output file is written whole or not at all.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>

#include <cuda_runtime_api.h>

#include "commands.hpp"
#include "npy.hpp"
#include "output.hpp"
#include "parse.hpp"
#include "weightinit/weightinit.hpp"

namespace weightinit_cli {
namespace {

struct sample_args {
  std::string init = "normal";
  std::string shape = "256,128";
  std::string layout = "out_in";
  std::string dtype = "f32";
  std::string seed = "0", stream = "0";
  std::string device = "cpu";
  std::string out;
  std::string threads = "0";
  std::optional<std::string> fan_in;
  std::string box;  // --box offset:extent,...: one shard of the global --shape
};

// How the fill is asked for: everything the library's fill calls take besides the view.
struct fill_request {
  weightinit::initializer init;
  weightinit::key k;
  weightinit::fan_layout lay;
  std::optional<weightinit::fans> fans;  // --fan-in: given instead of read off the shape
  unsigned threads = 0;
};

double value_at(const unsigned char* buf, weightinit::dtype t, std::size_t i) {
  using weightinit::dtype;
  switch (t) {
    case dtype::f32: {
      float v;
      std::memcpy(&v, buf + i * 4, 4);
      return v;
    }
    case dtype::f64: {
      double v;
      std::memcpy(&v, buf + i * 8, 8);
      return v;
    }
    case dtype::f16: {
      std::uint16_t h;
      std::memcpy(&h, buf + i * 2, 2);
      return weightinit::f16_to_float(h);
    }
    case dtype::bf16: {
      std::uint16_t h;
      std::memcpy(&h, buf + i * 2, 2);
      return weightinit::bf16_to_float(h);
    }
  }
  return 0;
}

// The SPEC as parsed and, for an elementwise scheme on a non-empty shape, what it resolved to.
std::string describe_init(const fill_request& r, const weightinit::shape& dims) {
  std::string s = weightinit::to_string(r.init);
  if (weightinit::is_elementwise(r.init.kind()) && weightinit::element_count(dims) > 0)
    s += " -> " + weightinit::to_string(r.fans ? weightinit::resolve_with_fans(r.init, *r.fans)
                                               : weightinit::resolve(r.init, dims, r.lay));
  return s;
}

void cuda_try(cudaError_t e, const char* call) {
  if (e != cudaSuccess)
    throw weightinit::cuda_error(
        static_cast<int>(e),
        std::string("sample: ") + call + ": " + cudaGetErrorName(e) + ": " + cudaGetErrorString(e));
}

// The only two calls into the library's fills.
weightinit::fill_options options_of(const fill_request& r) {
  weightinit::fill_options o;
  if (r.fans)
    o.fan_override = *r.fans;
  else
    o.layout = r.lay;
  o.threads = r.threads;
  return o;
}

void fill_on_cpu(const weightinit::tensor_view& view, const fill_request& r) {
  weightinit::fill_host(view, r.init, r.k, options_of(r));
}

// --device gpu: the same fill on the GPU, into cudaMalloc'ed memory on the default stream, copied
// back into `buf`, so the .npy is byte for byte the one --device cpu writes. No usable GPU is a
// runtime failure (exit status 1) that says so.
void fill_on_gpu(const weightinit::tensor_view& view, const fill_request& r, unsigned char* buf,
                 std::size_t bytes) {
  int devices = 0;
  const cudaError_t found = cudaGetDeviceCount(&devices);
  if (found != cudaSuccess || devices == 0)
    throw std::runtime_error(std::string("sample: --device gpu needs a CUDA device, and "
                                         "cudaGetDeviceCount found none (") +
                             cudaGetErrorName(found) + ": " + cudaGetErrorString(found) + ")");
  void* dev = nullptr;
  if (bytes) cuda_try(cudaMalloc(&dev, bytes), "cudaMalloc");
  const std::unique_ptr<void, cudaError_t (*)(void*)> owner(dev, &cudaFree);
  weightinit::tensor_view device_view = view;
  device_view.data = dev;
  weightinit::fill(device_view, r.init, r.k, options_of(r), nullptr);
  if (bytes) cuda_try(cudaMemcpy(buf, dev, bytes, cudaMemcpyDeviceToHost), "cudaMemcpy");
}

// Host memory for the tensor: refused with a clear message when larger than this machine's memory
// or when the allocation fails (no std::bad_alloc, no zero-filling pages the fill overwrites).
std::unique_ptr<unsigned char[]> allocate(std::size_t bytes, const weightinit::shape& dims,
                                          weightinit::dtype t) {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  const double gib = static_cast<double>(bytes) / (1024.0 * 1024 * 1024);
  const std::string what = "sample: shape " + weightinit::to_string(dims) + " of " +
                           weightinit::to_string(t) + " needs " + std::to_string(bytes) +
                           " bytes (" + shortest(std::round(gib * 100) / 100) + " GiB)";
  if (pages > 0 && page > 0 &&
      static_cast<double>(bytes) > static_cast<double>(pages) * static_cast<double>(page))
    throw std::runtime_error(
        what + ", more than this machine's memory (" +
        shortest(std::round(static_cast<double>(pages) * page / (1 << 30) * 100) / 100) + " GiB)");
  std::unique_ptr<unsigned char[]> p(new (std::nothrow) unsigned char[bytes ? bytes : 1]);
  if (!p) throw std::runtime_error(what + ", and that much memory could not be allocated");
  return p;
}

void run_sample(const sample_args& a) {
  // Every argument first: nothing is allocated, filled or written before all are accepted.
  const weightinit::dtype type = weightinit::parse_dtype(a.dtype);
  const weightinit::shape dims = parse_shape(a.shape, "sample: --shape");
  // --box: the memory holds one shard box of the global shape (its values are the global tensor's).
  std::optional<weightinit::shard_box> box;
  if (!a.box.empty()) {
    box = weightinit::parse_box(a.box);
    weightinit::check_box(*box, dims, "sample: --box");
  }
  const weightinit::shape stored = box ? weightinit::shape(box->extent) : dims;
  const std::size_t bytes = checked_bytes(stored, type, box ? "sample: --box" : "sample: --shape");
  const std::int64_t n = static_cast<std::int64_t>(bytes / weightinit::size_of(type));
  fill_request r;
  r.init = weightinit::parse_initializer(a.init);
  r.lay = weightinit::parse_layout(a.layout);
  r.k = {parse_uint(a.seed, "sample: --seed"), parse_uint(a.stream, "sample: --stream")};
  r.threads = static_cast<unsigned>(parse_uint(a.threads, "sample: --threads", 0, UINT32_MAX));
  if (a.device != "cpu" && a.device != "gpu")
    throw std::invalid_argument("sample: --device must be cpu or gpu, got '" + a.device + "'");
  if (a.fan_in) {
    if (!weightinit::uses_fans(r.init.kind()))
      throw std::invalid_argument(
          "sample: --fan-in applies only to schemes that read fans "
          "(bias_uniform, xavier_*, he_*, lecun_*, variance_scaling), not " +
          a.init);
    // The fan the shape cannot give (a bias's is its weight's fan_in); fan_out and the receptive
    // field are not known, so schemes that read fan_out are refused by the library.
    const std::uint64_t fan_in = parse_uint(*a.fan_in, "sample: --fan-in", 1, 1ull << 53);
    r.fans = weightinit::fans{static_cast<double>(fan_in), 0.0, 1.0};
    if (weightinit::is_elementwise(r.init.kind())) {
      try {
        (void)weightinit::resolve_with_fans(r.init, *r.fans);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string(e.what()) +
                                    "; --fan-in gives the fan_in only, so fan_out is unknown");
      }
    }
  }
  // A target that cannot be written is refused before the fill, and left as it was.
  std::optional<atomic_file> out;
  if (!a.out.empty()) out.emplace(a.out);
  const std::unique_ptr<unsigned char[]> buf = allocate(bytes, stored, type);
  weightinit::tensor_view view{buf.get(), type, dims};
  view.box = box;
  if (a.device == "cpu")
    fill_on_cpu(view, r);
  else
    fill_on_gpu(view, r, buf.get(), bytes);

  double sum = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (std::int64_t i = 0; i < n; ++i) {
    const double v = value_at(buf.get(), type, static_cast<std::size_t>(i));
    sum += v;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const double mean = n ? sum / n : 0;
  double ss = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double d = value_at(buf.get(), type, static_cast<std::size_t>(i)) - mean;
    ss += d * d;
  }
  char stats[160];
  std::snprintf(stats, sizeof stats, "mean   %.6g\nstd    %.6g\n", mean,
                n ? std::sqrt(ss / n) : 0.0);
  std::string text =
      (box ? "box    " + weightinit::to_string(*box) + " of " + weightinit::to_string(dims) + "\n"
           : std::string()) +
      "init   " + describe_init(r, dims) + "\nshape  " + weightinit::to_string(stored) + " (" +
      std::to_string(n) + " elements)\ndtype  " + weightinit::to_string(type) + "\ndevice " +
      a.device + "\nkey    seed=" + std::to_string(r.k.seed) +
      " stream=" + std::to_string(r.k.stream) + "\n";
  if (r.fans) text += "fans   fan_in=" + shortest(r.fans->fan_in) + " (--fan-in)\n";
  text += stats;
  text += "min    " + shortest(n ? lo : 0.0) + "\nmax    " + shortest(n ? hi : 0.0) + "\n";
  // The report reaches stdout before the file replaces the target, so a failing stdout leaves the
  // target as it was; "wrote" follows the rename.
  write_stdout(text);
  flush_stdout();
  if (out) {
    write_npy(*out, type, stored, buf.get(), bytes);
    write_stdout("wrote  " + a.out + "\n");
  }
}

// The scheme names, from the library (to_string of every value of the enum).
std::string scheme_names() {
  std::string s;
  for (int i = 0;; ++i) {
    const char* name = weightinit::to_string(static_cast<weightinit::scheme>(i));
    if (std::string(name) == "?" || i > 1000) break;
    s += (s.empty() ? "" : ", ") + std::string(name);
  }
  return s;
}

}  // namespace

void add_sample_command(CLI::App& app) {
  auto args = std::make_shared<sample_args>();
  CLI::App* cmd = app.add_subcommand("sample", "fill a tensor and write it as NumPy .npy");
  cmd->add_option("--init", args->init, "SPEC, e.g. normal(std=0.02)")->capture_default_str();
  cmd->add_option("--shape", args->shape, "comma-separated extents")->capture_default_str();
  cmd->add_option("--layout", args->layout, "out_in (PyTorch) or in_out (Keras/TF)")
      ->capture_default_str();
  cmd->add_option("--dtype", args->dtype, "f32 | f64 | f16 | bf16")->capture_default_str();
  cmd->add_option("--seed", args->seed, "64-bit seed, 0 .. 2^64 - 1")->capture_default_str();
  cmd->add_option("--stream", args->stream, "64-bit stream id")->capture_default_str();
  cmd->add_option("--device", args->device, "cpu | gpu")->capture_default_str();
  cmd->add_option("--threads", args->threads, "CPU threads (0 = all)")->capture_default_str();
  cmd->add_option("--fan-in", args->fan_in,
                  "the fan_in the shape cannot give, e.g. a bias_uniform bias's weight's fan_in");
  cmd->add_option("--out", args->out, "output .npy path (written whole or not at all)");
  cmd->add_option(
      "--box", args->box,
      "fill one shard box of --shape: offset:extent per dimension, e.g. 0:1024,512:512");
  cmd->footer(
      "SPEC: a scheme name, optionally with parameters, e.g. 'he_normal(mode=fan_out)', "
      "'truncated_normal(std=0.02,a=-0.04,b=0.04)'. Schemes: " +
      scheme_names() + " (aliases glorot_* = xavier_*, kaiming_* = he_*). README: Schemes.\n");
  cmd->callback([args] { run_sample(*args); });
}

}  // namespace weightinit_cli
