// python/src/module.cpp: weightinit._core, the nanobind extension over the public C++ API. It fills
// any DLPack array (NumPy, PyTorch, CuPy, ...) in place, zero-copy, with exactly fill_host's or
// fill's bits; the Python package (python/weightinit) adds the framework conveniences on top.
// Every check happens here, before anything is written: dtype (TypeError), contiguity, device and
// window (ValueError); the library's std::invalid_argument arrives in Python as ValueError.
#include <cuda_runtime_api.h>
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "core_util.hpp"
#include "weightinit/weightinit.hpp"

namespace nb = nanobind;
namespace wi = weightinit;
using namespace weightinit_python;  // NOLINT: the extension's own helpers

namespace {

// Everything a fill needs besides the memory: one struct so that the entry points stay short.
struct fill_args {
  const wi::initializer* init;
  wi::key k;
  std::optional<std::string> layout;
  std::optional<std::tuple<double, double>> fans;
  unsigned threads;
  std::uintptr_t cuda_stream;
};

wi::fill_options options_of(const fill_args& a) {
  wi::fill_options o;
  if (a.layout) o.layout = wi::fan_layout(wi::parse_layout(*a.layout));
  if (a.fans) {
    wi::fans f;
    f.fan_in = std::get<0>(*a.fans);
    f.fan_out = std::get<1>(*a.fans);
    f.receptive_field = 1;
    o.fan_override = f;
  }
  o.threads = a.threads;
  return o;
}

// Fills `outer` runs of `run` elements: run o lies at data + o·run elements and holds the global
// elements [first + o·global_step, + run) of `global`. outer = 1 is a plain window (or the whole
// tensor); outer > 1 is a shard split along an inner dimension (one window per row run).
void fill_runs(void* data, wi::dtype type, int device, int device_id, const wi::shape& global,
               std::int64_t first, std::int64_t run, std::int64_t outer, std::int64_t global_step,
               const fill_args& a) {
  const wi::fill_options o = options_of(a);
  const std::size_t es = wi::size_of(type);
  auto view_of = [&](std::int64_t i) {
    wi::tensor_view v;
    v.data = static_cast<char*>(data) + static_cast<std::size_t>(i * run) * es;
    v.type = type;
    v.dims = global;
    v.first = first + i * global_step;
    v.count = run;
    return v;
  };
  if (device == device_kind::cpu) {
    // Other Python threads run during a large fill; a small one is over before a switch would pay.
    std::optional<nb::gil_scoped_release> no_gil;
    if (run * outer >= (std::int64_t{1} << 14)) no_gil.emplace();
    for (std::int64_t i = 0; i < outer; ++i) wi::fill_host(view_of(i), *a.init, a.k, o);
  } else if (device == device_kind::cuda) {
    device_guard guard(device_id, "weightinit.fill_");
    auto stream = reinterpret_cast<cudaStream_t>(a.cuda_stream);
    nb::gil_scoped_release no_gil;
    for (std::int64_t i = 0; i < outer; ++i) wi::fill(view_of(i), *a.init, a.k, o, stream);
  } else {
    throw std::invalid_argument("weightinit.fill_: arrays on DLPack device type " +
                                std::to_string(device) +
                                " are not supported (CPU and CUDA memory only)");
  }
}

// fill_array(arr, init, seed, stream, ...): `arr` is the whole tensor, or (global_shape given) the
// elements [first, first + arr.size) of a tensor of global_shape, or (outer > 1) `outer` runs.
void fill_array(nb::ndarray<> arr, const wi::initializer& init, std::uint64_t seed,
                std::uint64_t stream, std::optional<std::string> layout,
                std::optional<std::tuple<double, double>> fans, unsigned threads,
                std::uintptr_t cuda_stream, std::optional<std::vector<std::int64_t>> global_shape,
                std::int64_t first, std::int64_t outer, std::int64_t global_step) {
  const char* fn = "weightinit.fill_";
  const wi::dtype type = dtype_of(arr.dtype(), fn);
  const wi::shape dims = checked_shape(arr, fn);
  const auto n = static_cast<std::int64_t>(arr.size());
  if (outer < 1 || n % outer != 0)
    throw std::invalid_argument(std::string(fn) + ": bad run count " + std::to_string(outer));
  const fill_args a{&init, {seed, stream}, std::move(layout), fans, threads, cuda_stream};
  if (!global_shape) {
    fill_runs(arr.data(), type, arr.device_type(), arr.device_id(), dims, 0, n, 1, 0, a);
  } else {
    fill_runs(arr.data(), type, arr.device_type(), arr.device_id(), wi::shape(*global_shape), first,
              n / outer, outer, global_step, a);
  }
}

// The same for raw memory the Python side describes (NumPy arrays of bf16 bits, fast paths).
void fill_pointer(std::uintptr_t data, const std::string& dtype_name, int device, int device_id,
                  std::vector<std::int64_t> global_shape, std::int64_t first, std::int64_t run,
                  std::int64_t outer, std::int64_t global_step, const wi::initializer& init,
                  std::uint64_t seed, std::uint64_t stream, std::optional<std::string> layout,
                  std::optional<std::tuple<double, double>> fans, unsigned threads,
                  std::uintptr_t cuda_stream) {
  const fill_args a{&init, {seed, stream}, std::move(layout), fans, threads, cuda_stream};
  fill_runs(reinterpret_cast<void*>(data), parse_dtype_name(dtype_name), device, device_id,
            wi::shape(std::move(global_shape)), first, run, outer, global_step, a);
}

}  // namespace

NB_MODULE(_core, m) {
  m.doc() = "weightinit's C++ core: DLPack arrays filled in place with the library's exact bits.";
  m.attr("__version__") = wi::version();
  m.attr("contract_version") = wi::contract_version;

  nb::class_<wi::initializer>(m, "Initializer",
                              "An initialization scheme with its parameters (a SPEC string parses "
                              "to one: Initializer('normal(std=0.02)')).")
      .def(
          "__init__",
          [](wi::initializer* self, const std::string& spec) {
            new (self) wi::initializer(wi::parse_initializer(spec));
          },
          nb::arg("spec"))
      .def_prop_ro("scheme", [](const wi::initializer& i) { return wi::to_string(i.kind()); })
      .def_prop_ro("elementwise",
                   [](const wi::initializer& i) { return wi::is_elementwise(i.kind()); })
      .def_prop_ro("uses_fans", [](const wi::initializer& i) { return wi::uses_fans(i.kind()); })
      .def("__str__", [](const wi::initializer& i) { return wi::to_string(i); })
      .def("__repr__",
           [](const wi::initializer& i) {
             return "weightinit.Initializer('" + wi::to_string(i) + "')";
           })
      .def("__eq__", [](const wi::initializer& x, const wi::initializer& y) { return x == y; })
      .def("__hash__",
           [](const wi::initializer& i) { return wi::stream_of_name(wi::to_string(i)); })
      .def(
          "resolve",
          [](const wi::initializer& i, std::vector<std::int64_t> shape, const std::string& layout) {
            return wi::to_string(
                wi::resolve(i, wi::shape(std::move(shape)), wi::parse_layout(layout)));
          },
          nb::arg("shape"), nb::arg("layout") = "out_in",
          "The elementwise distribution this scheme draws for a weight of `shape` (SPEC text).");

  // Factories, with the C++ names and defaults (PyTorch's).
  m.def("zeros", [] { return wi::zeros(); });
  m.def("ones", [] { return wi::ones(); });
  m.def(
      "constant", [](double v) { return wi::constant(v); }, nb::arg("value"));
  m.def(
      "uniform", [](double a, double b) { return wi::uniform(a, b); }, nb::arg("a") = 0.0,
      nb::arg("b") = 1.0);
  m.def(
      "normal", [](double mean, double std) { return wi::normal(mean, std); },
      nb::arg("mean") = 0.0, nb::arg("std") = 1.0);
  m.def(
      "truncated_normal",
      [](double mean, double std, double a, double b) {
        return wi::truncated_normal(mean, std, a, b);
      },
      nb::arg("mean") = 0.0, nb::arg("std") = 1.0, nb::arg("a") = -2.0, nb::arg("b") = 2.0);
  m.def(
      "truncated_normal_sigma",
      [](double mean, double std, double a, double b, bool correct) {
        return wi::truncated_normal_sigma(mean, std, a, b, correct);
      },
      nb::arg("mean") = 0.0, nb::arg("std") = 1.0, nb::arg("a") = -2.0, nb::arg("b") = 2.0,
      nb::arg("correct_variance") = false);
  m.def(
      "xavier_uniform", [](double g) { return wi::xavier_uniform(g); }, nb::arg("gain") = 1.0);
  m.def(
      "xavier_normal", [](double g) { return wi::xavier_normal(g); }, nb::arg("gain") = 1.0);
  m.def(
      "he_uniform",
      [](const std::string& mode, const std::string& nl, double a) {
        return wi::he_uniform(wi::parse_fan_mode(mode), wi::parse_nonlinearity(nl), a);
      },
      nb::arg("mode") = "fan_in", nb::arg("nonlinearity") = "relu", nb::arg("a") = 0.0);
  m.def(
      "he_normal",
      [](const std::string& mode, const std::string& nl, double a) {
        return wi::he_normal(wi::parse_fan_mode(mode), wi::parse_nonlinearity(nl), a);
      },
      nb::arg("mode") = "fan_in", nb::arg("nonlinearity") = "relu", nb::arg("a") = 0.0);
  m.def("lecun_uniform", [] { return wi::lecun_uniform(); });
  m.def("lecun_normal", [] { return wi::lecun_normal(); });
  m.def(
      "variance_scaling",
      [](double scale, const std::string& mode, const std::string& dist) {
        return wi::variance_scaling(scale, wi::parse_fan_mode(mode),
                                    wi::parse_scale_distribution(dist));
      },
      nb::arg("scale") = 1.0, nb::arg("mode") = "fan_in",
      nb::arg("distribution") = "truncated_normal");
  m.def("bias_uniform", [] { return wi::bias_uniform(); });
  m.def(
      "orthogonal", [](double g) { return wi::orthogonal(g); }, nb::arg("gain") = 1.0);
  m.def(
      "eye", [](double g) { return wi::eye(g); }, nb::arg("gain") = 1.0);
  m.def(
      "dirac", [](std::int64_t groups) { return wi::dirac(groups); }, nb::arg("groups") = 1);
  m.def(
      "sparse", [](double s, double std) { return wi::sparse(s, std); }, nb::arg("sparsity"),
      nb::arg("std") = 0.01);
  m.def(
      "parse_initializer", [](const std::string& s) { return wi::parse_initializer(s); },
      nb::arg("spec"));
  m.def("initializer_names", [] { return std::string(wi::initializer_names()); });

  m.def("fill_array", &fill_array, nb::arg("array"), nb::arg("init"), nb::arg("seed"),
        nb::arg("stream"), nb::arg("layout").none(), nb::arg("fans").none(), nb::arg("threads"),
        nb::arg("cuda_stream"), nb::arg("global_shape").none(), nb::arg("first"), nb::arg("outer"),
        nb::arg("global_step"));
  m.def("fill_pointer", &fill_pointer, nb::arg("data"), nb::arg("dtype"), nb::arg("device"),
        nb::arg("device_id"), nb::arg("global_shape"), nb::arg("first"), nb::arg("run"),
        nb::arg("outer"), nb::arg("global_step"), nb::arg("init"), nb::arg("seed"),
        nb::arg("stream"), nb::arg("layout").none(), nb::arg("fans").none(), nb::arg("threads"),
        nb::arg("cuda_stream"));

  m.def(
      "fnv1a64", [](const std::string& name) { return wi::stream_of_name(name); }, nb::arg("name"),
      "FNV-1a 64 of the UTF-8 bytes of `name`: the default stream id of a named tensor.");
  m.def(
      "compute_fans",
      [](std::vector<std::int64_t> shape, const std::string& layout) {
        const wi::fans f = wi::compute_fans(wi::shape(std::move(shape)), wi::parse_layout(layout));
        return std::make_tuple(f.fan_in, f.fan_out, f.receptive_field);
      },
      nb::arg("shape"), nb::arg("layout") = "out_in",
      "(fan_in, fan_out, receptive_field) of a weight shape under a layout.");
  m.def(
      "gain",
      [](const std::string& name, std::optional<double> param) { return wi::gain(name, param); },
      nb::arg("nonlinearity"), nb::arg("param").none() = nb::none(),
      "PyTorch's calculate_gain table.");
  m.def("cpu_simd_path", [] { return std::string(wi::cpu_simd_path()); });
  m.def("dtype_size", [](const std::string& name) { return wi::size_of(parse_dtype_name(name)); });

  bind_models(m);
}
