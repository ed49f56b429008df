// host/model_plan.cpp: the model plan: entries validated and resolved when added (names, shapes,
// boxes, schemes against the global shape, bias fans from the sibling weight), the arena layout,
// and the CPU fill of a whole plan: every entry's runs cut into ~64 Ki-element windows spread over
// one thread pool; each window is the per-tensor fill's window, so the bits are the same.
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "model_internal.hpp"
#include "thread_pool.hpp"
#include "weightinit/resolve.hpp"

namespace weightinit {

std::uint64_t stream_of_name(std::string_view name) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

plan_buffers plan_buffers::per_entry(std::vector<void*> pointers) {
  plan_buffers b;
  b.pointers_ = std::move(pointers);
  return b;
}
plan_buffers plan_buffers::arena(void* base) {
  plan_buffers b;
  b.arena_ = base;
  return b;
}
void* plan_buffers::data(std::size_t i, const model_plan& plan) const {
  if (!pointers_.empty()) return pointers_[i];
  return arena_ == nullptr ? nullptr : static_cast<unsigned char*>(arena_) + plan.arena_offset(i);
}

model_plan::model_plan(std::uint64_t seed) : impl_(new impl) { impl_->seed = seed; }
model_plan::~model_plan() = default;
model_plan::model_plan(model_plan&&) noexcept = default;
model_plan& model_plan::operator=(model_plan&&) noexcept = default;
model_plan::model_plan(const model_plan& o) : impl_(new impl(*o.impl_)) {}
model_plan& model_plan::operator=(const model_plan& o) {
  if (this != &o) impl_.reset(new impl(*o.impl_));
  return *this;
}

namespace {

// A pointer that is never dereferenced: entries are planned before their memory exists.
void* placeholder() {
  alignas(16) static unsigned char byte[16];
  return byte;
}

// The fans a bias_uniform entry is resolved with: those of its weight (PyTorch Linear/Conv).
fans sibling_weight_fans(const model_plan& plan, const plan_entry& bias) {
  const std::string& name = bias.name;
  const std::size_t at = name.rfind("bias");
  if (at == std::string::npos)
    throw std::invalid_argument(
        "bias_uniform needs its weight's fans: give fan_override, or name the "
        "bias like its weight with 'bias' for 'weight' (x.bias, x.weight)");
  const std::string weight = name.substr(0, at) + "weight" + name.substr(at + 4);
  const std::size_t w = plan.find(weight);
  if (w == plan.size())
    throw std::invalid_argument("bias_uniform needs the fans of its weight '" + weight +
                                "', which is not in the plan (add the weight first, or give "
                                "fan_override)");
  const plan_entry& we = plan.entry(w);
  if (we.fan_override) return *we.fan_override;
  if (we.dims.size() < 2)
    throw std::invalid_argument("bias_uniform: its weight '" + weight + "' has shape " +
                                to_string(we.dims) + ", which has no fan_in (rank < 2)");
  return compute_part_fans(we.dims, we.layout ? *we.layout : fan_layout{})[0];
}

}  // namespace

std::size_t model_plan::add(plan_entry e) {
  const char* fn = "model_plan::add";
  try {
    if (e.name.empty()) throw std::invalid_argument("empty tensor name");
    if (impl_->index.count(e.name)) throw std::invalid_argument("duplicate tensor name");
    if (e.layout && e.fan_override)
      throw std::invalid_argument("sets both layout and fan_override; give one");
    if (e.fan_override && !uses_fans(e.init.kind()))
      throw std::invalid_argument(std::string("fan_override is given, but ") +
                                  to_string(e.init.kind()) + " reads no fans");
    initializer init = e.init;
    std::optional<fans> given = e.fan_override;
    if (init.kind() == scheme::bias_uniform && !given) {
      given = sibling_weight_fans(*this, e);
      if (given->fan_in == 0) init = zeros();  // PyTorch: bound 1/√fan_in if fan_in > 0 else 0
    }
    impl::resolved r;
    tensor_view v{placeholder(), e.type, e.dims};
    v.box = e.box;
    r.plan = detail::plan_fill(v, init, e.layout ? *e.layout : fan_layout{},
                               given ? &*given : nullptr, fn);
    r.stored = e.box ? element_count(*e.box) : element_count(e.dims);
    r.bytes = static_cast<std::size_t>(r.stored) * size_of(e.type);
    r.k = key{impl_->seed, e.stream ? *e.stream : stream_of_name(e.name)};
    r.offset = (impl_->arena_bytes + arena_alignment - 1) / arena_alignment * arena_alignment;
    if (r.offset + r.bytes < r.offset)
      throw std::invalid_argument("the arena would overflow 64 bits");
    e.init = init;
    if (given) e.fan_override = given;
    r.entry = std::move(e);
    const std::size_t i = impl_->entries.size();
    impl_->index.emplace(r.entry.name, i);
    impl_->arena_bytes = r.offset + r.bytes;
    impl_->total += r.stored;
    impl_->entries.push_back(std::move(r));
    return i;
  } catch (const std::invalid_argument& err) {
    std::string what = err.what();
    const std::string prefix = std::string(fn) + ": ";
    if (what.compare(0, prefix.size(), prefix) == 0) what = what.substr(prefix.size());
    throw std::invalid_argument(prefix + "tensor '" + e.name + "' " + to_string(e.dims) + ": " +
                                what);
  }
}

std::uint64_t model_plan::seed() const noexcept { return impl_->seed; }
std::size_t model_plan::size() const noexcept { return impl_->entries.size(); }
const plan_entry& model_plan::entry(std::size_t i) const { return impl_->entries.at(i).entry; }
std::size_t model_plan::find(std::string_view name) const noexcept {
  const auto it = impl_->index.find(std::string(name));
  return it == impl_->index.end() ? size() : it->second;
}
key model_plan::key_of(std::size_t i) const { return impl_->entries.at(i).k; }
std::int64_t model_plan::stored_elements(std::size_t i) const {
  return impl_->entries.at(i).stored;
}
std::size_t model_plan::stored_bytes(std::size_t i) const { return impl_->entries.at(i).bytes; }
tensor_view model_plan::view(std::size_t i, void* data) const {
  const plan_entry& e = entry(i);
  tensor_view v{data, e.type, e.dims};
  v.box = e.box;
  return v;
}
std::size_t model_plan::arena_offset(std::size_t i) const { return impl_->entries.at(i).offset; }
std::size_t model_plan::arena_bytes() const noexcept { return impl_->arena_bytes; }
std::int64_t model_plan::total_elements() const noexcept { return impl_->total; }
bool model_plan::is_elementwise(std::size_t i) const {
  return weightinit::is_elementwise(entry(i).init.kind());
}

namespace detail {
namespace {

void check_plan_options(const fill_options& options, const char* fn) {
  if (options.layout || options.fan_override)
    throw std::invalid_argument(std::string(fn) +
                                ": each plan entry carries its own layout and fans; "
                                "leave fill_options::layout and fan_override unset");
}

// Entry i's memory: checked for a plan of this size, and non-null where it holds elements.
void* entry_data(const model_plan& plan, const plan_buffers& buffers, std::size_t i,
                 const char* fn) {
  void* p = buffers.data(i, plan);
  if (p == nullptr && plan.stored_elements(i) > 0)
    throw std::invalid_argument(
        std::string(fn) + ": null " + (buffers.is_arena() ? "arena" : "buffer") + " for tensor '" +
        plan.entry(i).name + "' (" + std::to_string(plan.stored_elements(i)) + " elements)");
  return p;
}

void check_buffers(const model_plan& plan, const plan_buffers& buffers, const char* fn) {
  if (!buffers.is_arena() && buffers.size() != plan.size())
    throw std::invalid_argument(std::string(fn) + ": " + std::to_string(buffers.size()) +
                                " buffers for a plan of " + std::to_string(plan.size()) +
                                " tensors");
  for (std::size_t i = 0; i < plan.size(); ++i) entry_data(plan, buffers, i, fn);
}

// One task of the CPU fill: runs [run_begin, run_end) of an entry, elements [lo, hi) of each.
struct host_task {
  std::size_t entry;
  std::int64_t run_begin, run_end, lo, hi;
};

constexpr std::int64_t kTaskElements = std::int64_t{1} << 16;

}  // namespace
}  // namespace detail

void fill_host(const model_plan& plan, const plan_buffers& buffers, const fill_options& options) {
  const char* fn = "fill_host";
  detail::check_plan_options(options, fn);
  detail::check_buffers(plan, buffers, fn);
  const auto& entries = plan.internals().entries;
  std::vector<detail::host_task> tasks;
  std::vector<std::size_t> whole;  // sparse and orthogonal: one entry at a time, all threads
  std::vector<detail::box_runs> geo(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (e.stored == 0) continue;
    const scheme kind = e.entry.init.kind();
    if (kind == scheme::sparse || kind == scheme::orthogonal) {
      whole.push_back(i);
      continue;
    }
    detail::box_runs& g = geo[i];
    if (e.plan.boxed) {
      g = e.plan.box;
    } else {
      g.runs = 1;
      g.run_len = e.stored;
    }
    if (g.run_len >= detail::kTaskElements) {
      for (std::int64_t r = 0; r < g.runs; ++r)
        for (std::int64_t lo = 0; lo < g.run_len; lo += detail::kTaskElements)
          tasks.push_back({i, r, r + 1, lo, std::min(g.run_len, lo + detail::kTaskElements)});
    } else {
      const std::int64_t per = detail::kTaskElements / g.run_len;
      for (std::int64_t r = 0; r < g.runs; r += per)
        tasks.push_back({i, r, std::min(g.runs, r + per), 0, g.run_len});
    }
  }
  const unsigned threads = options.threads ? options.threads : detail::default_thread_count();
  detail::parallel_for(static_cast<std::int64_t>(tasks.size()), threads, [&](std::int64_t t) {
    const detail::host_task& task = tasks[static_cast<std::size_t>(t)];
    const auto& e = entries[task.entry];
    const detail::box_runs& g = geo[task.entry];
    unsigned char* data = static_cast<unsigned char*>(buffers.data(task.entry, plan));
    const std::int64_t bytes = static_cast<std::int64_t>(size_of(e.entry.type));
    for (std::int64_t r = task.run_begin; r < task.run_end; ++r) {
      const std::int64_t first = g.run_first(r) + task.lo, n = task.hi - task.lo;
      tensor_view w{data + (r * g.run_len + task.lo) * bytes, e.entry.type, e.entry.dims, first, n};
      detail::execute_host(w, detail::window_of(e.plan, first, n), e.k, host_policy{1});
    }
  });
  for (std::size_t i : whole)
    detail::execute_host(plan.view(i, buffers.data(i, plan)), entries[i].plan, entries[i].k,
                         host_policy{threads});
}

void fill_host(const model_plan& plan, std::size_t i, void* data, const fill_options& options) {
  const char* fn = "fill_host";
  detail::check_plan_options(options, fn);
  if (i >= plan.size())
    throw std::invalid_argument(std::string(fn) + ": entry " + std::to_string(i) +
                                " of a plan of " + std::to_string(plan.size()) + " tensors");
  if (data == nullptr && plan.stored_elements(i) > 0)
    throw std::invalid_argument(std::string(fn) + ": null buffer for tensor '" +
                                plan.entry(i).name + "'");
  const auto& e = plan.internals().entries[i];
  detail::execute_host(plan.view(i, data), e.plan, e.k, host_policy{options.threads});
}

}  // namespace weightinit
