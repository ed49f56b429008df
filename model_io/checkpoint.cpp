// model_io/checkpoint.cpp: plan → .safetensors: header first, then each
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

namespace {

struct file_closer {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

void cuda_try(cudaError_t e, const char* call) {
  if (e != cudaSuccess)
    throw std::runtime_error(std::string("init-model: ") + call +
                             " failed: " + cudaGetErrorName(e) + ": " + cudaGetErrorString(e));
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
                                           "cudaGetDeviceCount found none (") +
                               cudaGetErrorName(found) + ")");
    if (largest) cuda_try(cudaMalloc(&device, largest), "cudaMalloc");
  }
  const std::unique_ptr<void, cudaError_t (*)(void*)> device_owner(device, &cudaFree);
  std::vector<unsigned char> buffer(largest);

  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  std::FILE* raw = std::fopen(tmp.c_str(), "wb");
  if (!raw)
    throw std::runtime_error("init-model: cannot create '" + tmp + "': " + std::strerror(errno));
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
        throw std::runtime_error("init-model: writing '" + tmp +
                                 "' failed: " + std::strerror(errno));
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
    throw std::runtime_error("init-model: cannot rename '" + tmp + "' to '" + path +
                             "': " + std::strerror(errno));
  ok = true;
  return header.size() + at;
}

}  // namespace weightinit_io
