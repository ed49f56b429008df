// model_io/checkpoint.cpp: description → plan, and plan → .safetensors: header first, then each
// tensor filled into one reused buffer (fill_host of the plan's entry, or the GPU fill and a copy)
// and appended, so memory stays bounded by the largest tensor.
#include "checkpoint.hpp"

#include <cuda_runtime_api.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include "weightinit/weightinit.hpp"

namespace weightinit_io {

namespace wi = weightinit;

wi::rule_set rules_of(const model_description& d) {
  wi::rule_set r(d.preset.name.empty() ? (d.rules.empty() ? "" : "rules") : d.preset.name);
  for (const rule_text& t : d.rules) {
    try {
      std::optional<wi::fan_layout> lay;
      if (!t.layout.empty()) lay = wi::fan_layout(wi::parse_layout(t.layout));
      r.add(t.pattern, wi::parse_initializer(t.init), lay);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("rule '" + t.pattern + "': " + e.what());
    }
  }
  if (!d.preset.name.empty()) r.append(wi::preset_rules(d.preset.name, d.preset.numbers));
  return r;
}

model_description description_of(const safetensors_header& h) {
  model_description d;
  for (const safetensors_tensor& t : h.tensors) {
    tensor_text x;
    x.name = t.name;
    x.shape = t.shape;
    if (t.dtype == "F32") x.dtype = "f32";
    else if (t.dtype == "F64") x.dtype = "f64";
    else if (t.dtype == "F16") x.dtype = "f16";
    else if (t.dtype == "BF16") x.dtype = "bf16";
    else
      throw std::invalid_argument("tensor '" + t.name + "' has dtype " + t.dtype +
                                  ", which weightinit does not fill (F32, F64, F16, BF16)");
    d.tensors.push_back(std::move(x));
  }
  return d;
}

wi::model_plan plan_of(const model_description& d, const wi::rule_set& rules, std::uint64_t seed) {
  wi::model_plan plan(seed);
  for (const tensor_text& t : d.tensors) {
    const std::string where = "tensor '" + t.name + "'";
    wi::dtype type;
    try {
      type = wi::parse_dtype(t.dtype.empty() ? d.dtype : t.dtype);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where + ": " + e.what());
    }
    wi::plan_entry e;
    if (!t.init.empty()) {
      e.name = t.name;
      e.dims = wi::shape(t.shape);
      e.type = type;
      try {
        e.init = wi::parse_initializer(t.init);
      } catch (const std::invalid_argument& err) {
        throw std::invalid_argument(where + ": " + err.what());
      }
    } else {
      e = wi::entry_from_rules(rules, t.name, wi::shape(t.shape), type);
    }
    e.stream = t.stream;
    plan.add(std::move(e));
  }
  return plan;
}

const char* safetensors_code(wi::dtype t) {
  switch (t) {
    case wi::dtype::f32: return "F32";
    case wi::dtype::f64: return "F64";
    case wi::dtype::f16: return "F16";
    case wi::dtype::bf16: return "BF16";
  }
  return "?";
}

std::map<std::string, std::string> checkpoint_metadata(const wi::model_plan& plan,
                                                       const wi::rule_set& rules,
                                                       const std::string& model_name) {
  std::map<std::string, std::string> m;
  m["format"] = "pt";  // what transformers' safetensors loader expects
  m["weightinit_version"] = wi::version();
  m["weightinit_contract_version"] = std::to_string(wi::contract_version);
  m["weightinit_seed"] = std::to_string(plan.seed());
  m["weightinit_streams"] = "FNV-1a 64 of each tensor's name, except those in weightinit_explicit_streams";
  std::string explicit_streams;
  for (std::size_t i = 0; i < plan.size(); ++i)
    if (plan.entry(i).stream)
      explicit_streams += (explicit_streams.empty() ? "" : ",") + plan.entry(i).name + "=" +
                          std::to_string(*plan.entry(i).stream);
  if (!explicit_streams.empty()) m["weightinit_explicit_streams"] = explicit_streams;
  m["weightinit_rules"] = rules.describe();
  if (!model_name.empty()) m["weightinit_model"] = model_name;
  return m;
}

namespace {

struct file_closer {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

void cuda_try(cudaError_t e, const char* call) {
  if (e != cudaSuccess)
    throw std::runtime_error(std::string("init-model: ") + call + " failed: " + cudaGetErrorName(e) + ": " +
                             cudaGetErrorString(e));
}

}  // namespace

std::uint64_t write_checkpoint(const wi::model_plan& plan, const std::string& path,
                               const write_options& options) {
  std::vector<safetensors_tensor> tensors;
  std::uint64_t at = 0;
  std::size_t largest = 0;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const wi::plan_entry& e = plan.entry(i);
    safetensors_tensor t;
    t.name = e.name;
    t.dtype = safetensors_code(e.type);
    t.shape = e.box ? e.box->extent : e.dims.extents();
    t.begin = at;
    at += plan.stored_bytes(i);
    t.end = at;
    largest = std::max(largest, plan.stored_bytes(i));
    tensors.push_back(std::move(t));
  }
  const std::string header = safetensors_header_bytes(tensors, options.metadata);

  void* device = nullptr;
  if (options.gpu) {
    int devices = 0;
    const cudaError_t found = cudaGetDeviceCount(&devices);
    if (found != cudaSuccess || devices == 0)
      throw std::runtime_error(std::string("init-model: --device gpu needs a CUDA device, and "
                                           "cudaGetDeviceCount found none (") + cudaGetErrorName(found) + ")");
    if (largest) cuda_try(cudaMalloc(&device, largest), "cudaMalloc");
  }
  const std::unique_ptr<void, cudaError_t (*)(void*)> device_owner(device, &cudaFree);
  std::vector<unsigned char> buffer(largest);

  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  std::FILE* raw = std::fopen(tmp.c_str(), "wb");
  if (!raw) throw std::runtime_error("init-model: cannot create '" + tmp + "': " + std::strerror(errno));
  bool ok = false;
  struct cleanup {
    const std::string& tmp;
    bool& ok;
    ~cleanup() {
      if (!ok) std::remove(tmp.c_str());
    }
  } guard{tmp, ok};
  {
    std::unique_ptr<std::FILE, file_closer> f(raw);
    auto put = [&](const void* p, std::size_t n) {
      if (n && std::fwrite(p, 1, n, f.get()) != n)
        throw std::runtime_error("init-model: writing '" + tmp + "' failed: " + std::strerror(errno));
    };
    put(header.data(), header.size());
    std::uint64_t done = 0;
    for (std::size_t i = 0; i < plan.size(); ++i) {
      const std::size_t n = plan.stored_bytes(i);
      if (options.gpu) {
        const wi::plan_entry& e = plan.entry(i);
        wi::fill_options o;
        if (e.layout) o.layout = *e.layout;
        if (e.fan_override) o.fan_override = *e.fan_override;
        wi::fill(plan.view(i, device), e.init, plan.key_of(i), o, nullptr);
        if (n) cuda_try(cudaMemcpy(buffer.data(), device, n, cudaMemcpyDeviceToHost), "cudaMemcpy");
      } else {
        wi::fill_host(plan, i, buffer.data(), wi::fill_options().with_threads(options.threads));
      }
      put(buffer.data(), n);
      done += n;
      if (options.progress) options.progress(i + 1, done);
    }
    if (std::fflush(f.get()) != 0)
      throw std::runtime_error("init-model: writing '" + tmp + "' failed: " + std::strerror(errno));
    std::FILE* closing = f.release();
    if (std::fclose(closing) != 0)
      throw std::runtime_error("init-model: closing '" + tmp + "' failed: " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("init-model: cannot rename '" + tmp + "' to '" + path + "': " + std::strerror(errno));
  ok = true;
  return header.size() + at;
}

}  // namespace weightinit_io
