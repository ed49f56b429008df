// host/model_plan_device.cpp: a model plan bound to device memory. The constructor checks every
// pointer, builds the descriptor table of the elementwise entries (host/model_internal.hpp) and
// uploads it; fill() is one launch of the plan kernel (kernels/plan_fill.cu) plus the structured
// entries' own kernels, all on the caller's stream, allocating nothing.
#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "cuda_check.hpp"
#include "fill_device.hpp"
#include "model_internal.hpp"

namespace weightinit {

struct device_plan::impl {
  const model_plan* plan = nullptr;
  model_plan copy{0};  // the plan, kept alive with the table
  detail::plan_descriptor* table = nullptr;
  std::int64_t count = 0, slots = 0;
  unsigned blocks = 1, threads = 256;
  struct structured {
    tensor_view view;
    std::size_t entry;
  };
  std::vector<structured> others;
};

device_plan::device_plan(const model_plan& plan, const plan_buffers& buffers) : impl_(new impl) {
  const char* fn = "device_plan";
  impl_->copy = plan;
  const model_plan& p = impl_->copy;
  if (!buffers.is_arena() && buffers.size() != p.size())
    throw std::invalid_argument(std::string(fn) + ": " + std::to_string(buffers.size()) +
                                " buffers for a plan of " + std::to_string(p.size()) + " tensors");
  std::vector<void*> address(p.size(), nullptr);
  for (std::size_t i = 0; i < p.size(); ++i) {
    const std::int64_t n = p.stored_elements(i);
    if (n == 0) continue;
    tensor_view v = p.view(i, buffers.data(i, p));
    try {
      address[i] = detail::writable_device_address(v, n, fn);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string(e.what()) + " (tensor '" + p.entry(i).name + "')");
    }
    if (!p.is_elementwise(i)) impl_->others.push_back({p.view(i, address[i]), i});
  }
  const std::vector<detail::plan_descriptor> table = detail::plan_table(
      p, [&](std::size_t i) { return address[i]; }, impl_->slots, fn);
  impl_->count = static_cast<std::int64_t>(table.size());
  if (!table.empty()) {
    const std::size_t bytes = table.size() * sizeof(detail::plan_descriptor);
    void* dev = nullptr;
    WEIGHTINIT_CUDA_TRY(cudaMalloc(&dev, bytes), fn);
    impl_->table = static_cast<detail::plan_descriptor*>(dev);
    const cudaError_t copied = cudaMemcpy(dev, table.data(), bytes, cudaMemcpyHostToDevice);
    if (copied != cudaSuccess) {
      cudaFree(dev);
      impl_->table = nullptr;
      detail::throw_cuda_error(copied, fn, "cudaMemcpy");
    }
    impl_->blocks = detail::plan_kernel_blocks(impl_->slots, impl_->threads, fn);
  }
}

device_plan::~device_plan() {
  if (impl_ && impl_->table) cudaFree(impl_->table);
}

std::size_t device_plan::descriptors() const noexcept {
  return static_cast<std::size_t>(impl_->count);
}
std::size_t device_plan::launches() const noexcept {
  return (impl_->count > 0 ? 1 : 0) + impl_->others.size();
}

void fill(const device_plan& plan, cudaStream_t stream) {
  const device_plan::impl& d = plan.internals();
  if (d.count > 0) {
    const cudaError_t before = cudaPeekAtLastError();
    const cudaError_t launched =
        detail::launch_plan_fill(d.table, d.count, d.slots, d.blocks, d.threads, stream);
    if (launched != cudaSuccess)
      detail::throw_launch_error(launched, before, "fill", "the plan kernel");
  }
  const auto& entries = d.copy.internals().entries;
  for (const auto& s : d.others)
    detail::execute_device(s.view, entries[s.entry].plan, entries[s.entry].k, stream);
}

}  // namespace weightinit
