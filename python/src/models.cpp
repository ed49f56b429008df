// python/src/models.cpp: whole models from Python: weightinit._core.ModelPlan over model_plan (the
// CPU fill through one thread pool, the GPU fill in one launch), plans from a model description, a
// checkpoint's header or a list of tensors with rules (the readers and rules of `weightinit
// init-model`, model_io/), and the safetensors writer. The Python package (weightinit/models.py)
// turns arrays, dtypes and rules into the plain values these functions take.
#include <cuda_runtime_api.h>
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "checkpoint.hpp"
#include "core_util.hpp"
#include "model_description.hpp"
#include "safetensors_header.hpp"
#include "weightinit/weightinit.hpp"

namespace weightinit_python {
namespace {

namespace io = weightinit_io;

// A plan with what it was made from: the rules and the model's name go into checkpoint metadata.
struct py_plan {
  wi::model_plan plan;
  wi::rule_set rules;
  std::string model_name;

  explicit py_plan(std::uint64_t seed) : plan(seed) {}
  py_plan(wi::model_plan p, wi::rule_set r, std::string name)
      : plan(std::move(p)), rules(std::move(r)), model_name(std::move(name)) {}
};

// (data pointer, dtype name, shape, DLPack device type, device id): an array as fill_ sees it.
using array_info = std::tuple<std::uintptr_t, std::string, std::vector<std::int64_t>, int, int>;

const std::vector<std::int64_t>& stored_extents(const wi::plan_entry& e) {
  return e.box ? e.box->extent : e.dims.extents();
}

std::string device_name(int device, int id) {
  if (device == device_kind::cpu) return "cpu";
  if (device == device_kind::cuda) return "cuda:" + std::to_string(id);
  return "DLPack device " + std::to_string(device) + ":" + std::to_string(id);
}

std::size_t index_of(const py_plan& p, const std::string& name) {
  const std::size_t i = p.plan.find(name);
  if (i == p.plan.size())
    throw nb::key_error(("weightinit.ModelPlan: no tensor named '" + name + "'").c_str());
  return i;
}

std::size_t add_entry(
    py_plan& p, std::string name, std::vector<std::int64_t> shape, const wi::initializer& init,
    const std::string& dtype, std::optional<std::uint64_t> stream,
    std::optional<std::tuple<std::vector<std::int64_t>, std::vector<std::int64_t>>> box,
    std::optional<std::string> layout, std::optional<std::tuple<double, double>> fans) {
  wi::plan_entry e;
  e.name = std::move(name);
  e.dims = wi::shape(std::move(shape));
  e.type = parse_dtype_name(dtype);
  e.init = init;
  e.stream = stream;
  if (box) e.box = wi::shard_box{std::get<0>(*box), std::get<1>(*box)};
  if (layout) e.layout = wi::fan_layout(wi::parse_layout(*layout));
  if (fans) {
    wi::fans f;
    f.fan_in = std::get<0>(*fans);
    f.fan_out = std::get<1>(*fans);
    f.receptive_field = 1;
    e.fan_override = f;
  }
  return p.plan.add(std::move(e));
}

nb::dict entry_dict(const py_plan& p, std::size_t i) {
  if (i >= p.plan.size())
    throw nb::index_error(("weightinit.ModelPlan: index " + std::to_string(i) +
                           " out of range for a plan of " + std::to_string(p.plan.size()) +
                           " tensors")
                              .c_str());
  const wi::plan_entry& e = p.plan.entry(i);
  nb::dict d;
  d["name"] = e.name;
  d["shape"] = e.dims.extents();
  d["dtype"] = std::string(wi::to_string(e.type));
  d["init"] = e.init;
  d["stream"] = p.plan.key_of(i).stream;
  d["explicit_stream"] = e.stream.has_value();
  if (e.box)
    d["box"] = std::make_tuple(e.box->offset, e.box->extent);
  else
    d["box"] = nb::none();
  d["stored_shape"] = stored_extents(e);
  d["stored_bytes"] = p.plan.stored_bytes(i);
  d["elementwise"] = p.plan.is_elementwise(i);
  return d;
}

// Fills every entry of the plan into `arrays` (in plan order), checked first: one array per entry,
// its dtype and stored shape, one device for all. Nothing is written when a check fails.
void fill_arrays(const py_plan& p, const std::vector<array_info>& arrays, unsigned threads,
                 std::uintptr_t cuda_stream) {
  const char* fn = "weightinit.ModelPlan.fill_";
  const wi::model_plan& plan = p.plan;
  if (arrays.size() != plan.size())
    throw std::invalid_argument(std::string(fn) + ": " + std::to_string(arrays.size()) +
                                " arrays for a plan of " + std::to_string(plan.size()) +
                                " tensors");
  if (plan.size() == 0) return;
  const int device = std::get<3>(arrays[0]), device_id = std::get<4>(arrays[0]);
  std::vector<void*> pointers;
  pointers.reserve(arrays.size());
  static char empty_cpu_tensor;  // stands in for the null data pointer of an empty CPU array
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    const auto& [data, dtype, shape, dev, dev_id] = arrays[i];
    const wi::plan_entry& e = plan.entry(i);
    const wi::dtype t = parse_dtype_name(dtype);
    if (t != e.type)
      throw nb::type_error((std::string(fn) + ": tensor '" + e.name + "' is " +
                            wi::to_string(e.type) + " in the plan, got a " + wi::to_string(t) +
                            " array")
                               .c_str());
    if (shape != stored_extents(e))
      throw std::invalid_argument(
          std::string(fn) + ": tensor '" + e.name + "' needs an array of shape " +
          wi::to_string(wi::shape(stored_extents(e))) +
          (e.box ? " (its box " + wi::to_string(*e.box) + " of " + wi::to_string(e.dims) + ")"
                 : std::string()) +
          ", got " + wi::to_string(wi::shape(shape)));
    if (dev != device || dev_id != device_id)
      throw std::invalid_argument(std::string(fn) + ": every array must be on one device: '" +
                                  plan.entry(0).name + "' is on " + device_name(device, device_id) +
                                  ", '" + e.name + "' on " + device_name(dev, dev_id));
    void* ptr = reinterpret_cast<void*>(data);
    if (ptr == nullptr && device == device_kind::cpu && plan.stored_elements(i) == 0)
      ptr = &empty_cpu_tensor;
    pointers.push_back(ptr);
  }
  wi::fill_options o;
  o.threads = threads;
  if (device == device_kind::cpu) {
    nb::gil_scoped_release no_gil;
    wi::fill_host(plan, wi::plan_buffers::per_entry(std::move(pointers)), o);
  } else if (device == device_kind::cuda) {
    device_guard guard(device_id, fn);
    auto stream = reinterpret_cast<cudaStream_t>(cuda_stream);
    nb::gil_scoped_release no_gil;
    const wi::device_plan bound(plan, wi::plan_buffers::per_entry(std::move(pointers)));
    wi::fill(bound, stream);
    // The bound plan's descriptor table is freed on return, so this one-shot form waits for the
    // launch it made (the stream's earlier work too) before the table goes.
    const cudaError_t rc = cudaStreamSynchronize(stream);
    if (rc != cudaSuccess)
      throw std::runtime_error(std::string(fn) +
                               ": the fill failed on the GPU: " + cudaGetErrorString(rc));
  } else {
    throw std::invalid_argument(std::string(fn) + ": arrays on " + device_name(device, device_id) +
                                " are not supported (CPU and CUDA memory only)");
  }
}

// The plan of a model description (JSON text) or of a checkpoint's header (a path), with rules
// (JSON text) tried before the description's own: exactly `weightinit init-model`'s plan.
py_plan plan_from_description(std::optional<std::string> model_json,
                              std::optional<std::string> like_path,
                              std::optional<std::string> rules_json, std::uint64_t seed) {
  if (model_json.has_value() == like_path.has_value())
    throw std::invalid_argument("weightinit.model_plan: give exactly one of model= and like=");
  io::model_description d;
  {
    nb::gil_scoped_release no_gil;
    d = model_json ? io::parse_model_json(*model_json)
                   : io::description_of(io::read_safetensors_header(*like_path));
  }
  wi::rule_set rules;
  if (rules_json) rules = io::rules_of(io::parse_rules_json(*rules_json));
  rules.append(io::rules_of(d));
  wi::model_plan plan = io::plan_of(d, rules, seed);
  return py_plan(std::move(plan), std::move(rules), d.name);
}

// The plan of (name, shape, dtype) tensors by rules (JSON text in the rules-file form).
py_plan plan_from_tensors(
    const std::vector<std::tuple<std::string, std::vector<std::int64_t>, std::string>>& tensors,
    const std::string& rules_json, std::uint64_t seed, const std::string& model_name) {
  io::model_description d;
  d.name = model_name;
  for (const auto& [name, shape, dtype] : tensors) {
    io::tensor_text t;
    t.name = name;
    t.shape = shape;
    t.dtype = dtype;
    d.tensors.push_back(std::move(t));
  }
  wi::rule_set rules = io::rules_of(io::parse_rules_json(rules_json));
  wi::model_plan plan = io::plan_of(d, rules, seed);
  return py_plan(std::move(plan), std::move(rules), model_name);
}

std::uint64_t write_safetensors(const py_plan& p, const std::string& path,
                                const std::map<std::string, std::string>& metadata,
                                unsigned threads, bool gpu) {
  io::write_options o;
  o.gpu = gpu;
  o.threads = threads;
  o.metadata = io::checkpoint_metadata(p.plan, p.rules, p.model_name);
  for (const auto& [k, v] : metadata) {
    if (k.rfind("weightinit_", 0) == 0)
      throw std::invalid_argument("weightinit.ModelPlan.save_safetensors: metadata key '" + k +
                                  "' is reserved (weightinit records its own provenance there)");
    o.metadata[k] = v;
  }
  nb::gil_scoped_release no_gil;
  try {
    return io::write_checkpoint(p.plan, path, o);
  } catch (const std::runtime_error& e) {  // the writer names the CLI command; name ours
    std::string what = e.what();
    const std::string cli = "init-model: ";
    if (what.rfind(cli, 0) == 0) what.erase(0, cli.size());
    throw std::runtime_error("weightinit.ModelPlan.save_safetensors: " + what);
  }
}

// An array's memory as fill_ needs it: DLPack (or the buffer protocol), C-contiguous, a float
// dtype.
array_info info_of(const nb::ndarray<>& arr) {
  const char* fn = "weightinit.ModelPlan.fill_";
  const wi::dtype t = dtype_of(arr.dtype(), fn);
  const wi::shape dims = checked_shape(arr, fn);
  return {reinterpret_cast<std::uintptr_t>(arr.data()), wi::to_string(t), dims.extents(),
          arr.device_type(), arr.device_id()};
}

}  // namespace

void bind_models(nb::module_& m) {
  nb::class_<py_plan>(
      m, "ModelPlan",
      "A validated, resolved list of tensors with one seed (weightinit::model_plan).")
      .def(nb::init<std::uint64_t>(), nb::arg("seed"))
      .def("add", &add_entry, nb::arg("name"), nb::arg("shape"), nb::arg("init"), nb::arg("dtype"),
           nb::arg("stream").none(), nb::arg("box").none(), nb::arg("layout").none(),
           nb::arg("fans").none())
      .def("__len__", [](const py_plan& p) { return p.plan.size(); })
      .def_prop_ro("seed", [](const py_plan& p) { return p.plan.seed(); })
      .def_prop_ro("model_name", [](const py_plan& p) { return p.model_name; })
      .def_prop_ro("rules", [](const py_plan& p) { return p.rules.describe(); })
      .def_prop_ro("total_elements", [](const py_plan& p) { return p.plan.total_elements(); })
      .def("index", &index_of, nb::arg("name"))
      .def("entry", &entry_dict, nb::arg("index"))
      .def("fill_arrays", &fill_arrays, nb::arg("arrays"), nb::arg("threads"),
           nb::arg("cuda_stream"))
      .def("write_safetensors", &write_safetensors, nb::arg("path"), nb::arg("metadata"),
           nb::arg("threads"), nb::arg("gpu"));
  m.def("plan_from_description", &plan_from_description, nb::arg("model_json").none(),
        nb::arg("like").none(), nb::arg("rules_json").none(), nb::arg("seed"));
  m.def("plan_from_tensors", &plan_from_tensors, nb::arg("tensors"), nb::arg("rules_json"),
        nb::arg("seed"), nb::arg("model_name"));
  m.def("array_info", &info_of, nb::arg("array"));
}

}  // namespace weightinit_python
