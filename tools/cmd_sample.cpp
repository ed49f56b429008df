// tools/cmd_sample.cpp: `weightinit sample`: fills a tensor with a SPEC and writes it as .npy,
// printing shape, dtype, mean, std, min and max.
#include <algorithm>
#include <cstring>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <cuda_runtime_api.h>

#include <memory>

#include "../kernels/transforms.hpp"
#include "commands.hpp"
#include "npy.hpp"
#include "weightinit/weightinit.hpp"

namespace weightinit_cli {
namespace {

struct sample_args {
  std::string init = "normal";
  std::string shape = "256,128";
  std::string layout = "out_in";
  std::string dtype = "f32";
  std::uint64_t seed = 0, stream = 0;
  std::string device = "cpu";
  std::string out;
  unsigned threads = 0;
  std::string box;  // --box offset:extent,...: one shard of the global --shape
};

weightinit::shape parse_shape(const std::string& text) {
  weightinit::shape dims;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) {
    std::size_t used = 0;
    long long v = -1;
    try {
      v = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || v < 0)
      throw std::invalid_argument("sample: --shape wants non-negative integers separated by commas, got '" +
                                  text + "'");
    dims.push_back(v);
  }
  if (dims.empty()) throw std::invalid_argument("sample: --shape is empty");
  return dims;
}

double value_at(const std::vector<unsigned char>& buf, weightinit::dtype t, std::size_t i) {
  using weightinit::dtype;
  switch (t) {
    case dtype::f32: { float v; std::memcpy(&v, &buf[i * 4], 4); return v; }
    case dtype::f64: { double v; std::memcpy(&v, &buf[i * 8], 8); return v; }
    case dtype::f16: { std::uint16_t h; std::memcpy(&h, &buf[i * 2], 2); return weightinit::xf::from_f16_bits(h); }
    case dtype::bf16: { std::uint16_t h; std::memcpy(&h, &buf[i * 2], 2); return weightinit::xf::from_bf16_bits(h); }
  }
  return 0;
}

// The SPEC as parsed and, for an elementwise scheme on a non-empty shape, what it resolved to.
std::string describe_init(const weightinit::initializer& init, const weightinit::shape& dims,
                          const weightinit::fan_layout& lay) {
  std::string s = weightinit::to_string(init);
  if (weightinit::is_elementwise(init.kind()) && weightinit::element_count(dims) > 0)
    s += " -> " + weightinit::to_string(weightinit::resolve(init, dims, lay));
  return s;
}

// --device gpu: the same fill on the GPU, into cudaMalloc'ed memory on the default stream, copied
// back into `buf`, so the .npy is byte for byte the one --device cpu writes. No usable GPU is a
// runtime failure (exit status 1) that says so.
void fill_on_gpu(const weightinit::tensor_view& view, const weightinit::initializer& init,
                 weightinit::key k, const weightinit::fan_layout& lay,
                 std::vector<unsigned char>& buf) {
  int devices = 0;
  const cudaError_t found = cudaGetDeviceCount(&devices);
  if (found != cudaSuccess || devices == 0)
    throw std::runtime_error(std::string("sample: --device gpu needs a CUDA device, and "
                                         "cudaGetDeviceCount found none (") +
                             cudaGetErrorName(found) + ": " + cudaGetErrorString(found) + ")");
  auto cuda_try = [](cudaError_t e, const char* call) {
    if (e != cudaSuccess)
      throw std::runtime_error(std::string("sample: ") + call + " failed: " + cudaGetErrorName(e) +
                               ": " + cudaGetErrorString(e));
  };
  void* dev = nullptr;
  if (!buf.empty()) cuda_try(cudaMalloc(&dev, buf.size()), "cudaMalloc");
  const std::unique_ptr<void, cudaError_t (*)(void*)> owner(dev, &cudaFree);
  weightinit::tensor_view device_view = view;
  device_view.data = dev;
  weightinit::fill(device_view, init, k, weightinit::fill_options().with_layout(lay), nullptr);
  if (!buf.empty())
    cuda_try(cudaMemcpy(buf.data(), dev, buf.size(), cudaMemcpyDeviceToHost), "cudaMemcpy");
}

void run_sample(const sample_args& a) {
  const weightinit::dtype type = weightinit::parse_dtype(a.dtype);
  const weightinit::shape dims = parse_shape(a.shape);
  weightinit::element_count(dims);
  // Every scheme by SPEC (parse_initializer), resolved against --shape under --layout.
  const weightinit::initializer init = weightinit::parse_initializer(a.init);
  const weightinit::fan_layout lay = weightinit::parse_layout(a.layout);
  // --box: the memory holds one shard box of the global shape (its values are the global tensor's).
  weightinit::tensor_view view{nullptr, type, dims};
  if (!a.box.empty()) {
    view.box = weightinit::parse_box(a.box);
    weightinit::check_box(*view.box, dims, "sample: --box");
  }
  const weightinit::shape stored = view.box ? weightinit::shape(view.box->extent) : dims;
  const std::int64_t n = weightinit::element_count(stored);
  std::vector<unsigned char> buf(static_cast<std::size_t>(n) * weightinit::size_of(type));
  view.data = buf.data();
  const weightinit::key k{a.seed, a.stream};
  if (a.device == "cpu") {
    weightinit::fill_host(view, init, k, weightinit::fill_options().with_layout(lay).with_threads(a.threads));
  } else if (a.device == "gpu") {
    fill_on_gpu(view, init, k, lay, buf);
  } else {
    throw std::invalid_argument("sample: --device must be cpu or gpu, got '" + a.device + "'");
  }
  double sum = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (std::int64_t i = 0; i < n; ++i) {
    const double v = value_at(buf, type, static_cast<std::size_t>(i));
    sum += v;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const double mean = n ? sum / n : 0;
  double ss = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double d = value_at(buf, type, static_cast<std::size_t>(i)) - mean;
    ss += d * d;
  }
  if (!a.out.empty()) write_npy(a.out, type, stored, buf.data(), buf.size());
  if (view.box) std::printf("box    %s of %s\n", weightinit::to_string(*view.box).c_str(), weightinit::to_string(dims).c_str());
  std::printf("init   %s\nshape  %s (%lld elements)\ndtype  %s\ndevice %s\nkey    seed=%llu stream=%llu\n",
              describe_init(init, dims, lay).c_str(), weightinit::to_string(stored).c_str(),
              static_cast<long long>(n), weightinit::to_string(type), a.device.c_str(),
              static_cast<unsigned long long>(a.seed), static_cast<unsigned long long>(a.stream));
  std::printf("mean   %.6g\nstd    %.6g\nmin    %.6g\nmax    %.6g\n", mean,
              n ? std::sqrt(ss / n) : 0.0, n ? lo : 0.0, n ? hi : 0.0);
  if (!a.out.empty()) std::printf("wrote  %s\n", a.out.c_str());
}

}  // namespace

void add_sample_command(CLI::App& app) {
  auto args = std::make_shared<sample_args>();
  CLI::App* cmd = app.add_subcommand("sample", "fill a tensor and write it as NumPy .npy");
  cmd->add_option("--init", args->init, "SPEC, e.g. normal(std=0.02)")->capture_default_str();
  cmd->add_option("--shape", args->shape, "comma-separated extents")->capture_default_str();
  cmd->add_option("--layout", args->layout, "out_in (PyTorch) or in_out (Keras/TF)")
      ->check(CLI::IsMember({"out_in", "in_out"}))->capture_default_str();
  cmd->add_option("--dtype", args->dtype, "f32 | f64 | f16 | bf16")->capture_default_str();
  cmd->add_option("--seed", args->seed, "64-bit seed")->capture_default_str();
  cmd->add_option("--stream", args->stream, "64-bit stream id")->capture_default_str();
  cmd->add_option("--device", args->device, "cpu | gpu")->capture_default_str();
  cmd->add_option("--threads", args->threads, "CPU threads (0 = all)")->capture_default_str();
  cmd->add_option("--out", args->out, "output .npy path");
  cmd->add_option("--box", args->box, "fill one shard box of --shape: offset:extent per dimension, e.g. 0:1024,512:512");
  cmd->callback([args] { run_sample(*args); });
}

}  // namespace weightinit_cli
