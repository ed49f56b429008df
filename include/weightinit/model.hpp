// weightinit/model.hpp: whole models. A model_plan is a list of entries (name, global shape, dtype,
// initializer, optional stream, optional shard box), each validated and resolved when it is added;
// fill_host(plan, buffers) fills them all through one thread pool, and a device_plan (the plan's
// descriptor table uploaded once, bound to device buffers) fills every elementwise entry in one
// kernel launch. Values are bit-identical to filling each tensor on its own with the entry's key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weightinit/fans.hpp"
#include "weightinit/fill.hpp"
#include "weightinit/initializers.hpp"
#include "weightinit/types.hpp"

namespace weightinit {

/// The default stream of a tensor named `name`: FNV-1a 64 of its UTF-8 bytes (offset basis
/// 0xcbf29ce484222325, prime 0x100000001b3; DESIGN.md §1). Adding, removing or reordering tensors
/// never changes another tensor's values.
std::uint64_t stream_of_name(std::string_view name) noexcept;

/// One tensor of a model.
struct plan_entry {
  std::string name;
  shape dims;  ///< the global shape
  dtype type = dtype::f32;
  initializer init;
  std::optional<std::uint64_t> stream = std::nullopt;  ///< unset: stream_of_name(name)
  std::optional<shard_box> box = std::nullopt;         ///< unset: the whole tensor
  /// How fans are read off the global shape (unset: out_in), or the fans themselves. A
  /// bias_uniform entry with neither takes the fans of the entry named like it with "bias"
  /// replaced by "weight" (PyTorch's Linear/Conv bias), which must have been added before it.
  std::optional<fan_layout> layout = std::nullopt;
  std::optional<fans> fan_override = std::nullopt;
};

/// Where a plan's tensors live: one pointer per entry (in the order they were added), or one arena
/// laid out by the plan (model_plan::arena_offset, arena_bytes).
class plan_buffers {
 public:
  static plan_buffers per_entry(std::vector<void*> pointers);
  static plan_buffers arena(void* base);
  /// The memory of entry i of `plan`-sized buffers (no check of i).
  void* data(std::size_t i, const class model_plan& plan) const;
  bool is_arena() const noexcept { return arena_ != nullptr || pointers_.empty(); }
  std::size_t size() const noexcept { return pointers_.size(); }
  void* base() const noexcept { return arena_; }

 private:
  std::vector<void*> pointers_;
  void* arena_ = nullptr;
};

/// A validated, resolved list of tensors with one seed.
class model_plan {
 public:
  /// Arena offsets are multiples of this (256 bytes, what cudaMalloc guarantees).
  static constexpr std::size_t arena_alignment = 256;

  explicit model_plan(std::uint64_t seed);
  ~model_plan();
  model_plan(model_plan&&) noexcept;
  model_plan& operator=(model_plan&&) noexcept;
  model_plan(const model_plan&);
  model_plan& operator=(const model_plan&);

  /// Validates and adds an entry. Throws std::invalid_argument naming "model_plan::add", the
  /// entry's name and the problem (empty or duplicate name, bad shape or box, a scheme that cannot
  /// be resolved against the global shape, a bias_uniform without its weight), and then the plan
  /// is unchanged. Returns the entry's index.
  std::size_t add(plan_entry entry);

  std::uint64_t seed() const noexcept;
  std::size_t size() const noexcept;
  const plan_entry& entry(std::size_t i) const;
  /// The index of the entry named `name`, or size() when there is none.
  std::size_t find(std::string_view name) const noexcept;
  /// The key entry i is filled with: (seed, its stream).
  key key_of(std::size_t i) const;
  /// Elements entry i stores (its box's, or the whole tensor's) and their bytes.
  std::int64_t stored_elements(std::size_t i) const;
  std::size_t stored_bytes(std::size_t i) const;
  /// The tensor_view of entry i at `data`.
  tensor_view view(std::size_t i, void* data) const;
  /// Arena layout: entry i at byte offset arena_offset(i), aligned to arena_alignment, in order.
  std::size_t arena_offset(std::size_t i) const;
  std::size_t arena_bytes() const noexcept;
  /// Elements and bytes of every entry together.
  std::int64_t total_elements() const noexcept;
  /// Whether entry i is filled by the one-launch kernel (elementwise) or beside it (orthogonal,
  /// eye, dirac, sparse).
  bool is_elementwise(std::size_t i) const;

  struct impl;
  const impl& internals() const noexcept { return *impl_; }

 private:
  std::unique_ptr<impl> impl_;
};

/// Fills every entry of `plan` in host memory, tensors and their elements spread over one thread
/// pool (options.threads; options.layout and fan_override must be unset: each entry carries its
/// own). Throws std::invalid_argument before anything is written when a buffer is null or
/// `buffers` has the wrong number of pointers.
void fill_host(const model_plan& plan, const plan_buffers& buffers,
               const fill_options& options = {});

/// Fills entry i only (init-model streams a checkpoint one tensor at a time this way).
void fill_host(const model_plan& plan, std::size_t i, void* data, const fill_options& options = {});

/// A model plan bound to device memory: the descriptor table of every elementwise entry is built
/// and uploaded (cudaMalloc, a synchronous copy) when it is constructed, and freed when it is
/// destroyed. fill() then launches one kernel for all elementwise entries and the structured
/// kernels beside it, allocates nothing, synchronizes nothing, and can be captured in a CUDA graph
/// (unless the plan has an orthogonal entry: its cuSOLVER workspace is allocated stream-ordered).
/// The pointers must be device, managed or mapped pinned memory of the current device (checked
/// at construction, std::invalid_argument).
class device_plan {
 public:
  device_plan(const model_plan& plan, const plan_buffers& buffers);
  ~device_plan();
  device_plan(const device_plan&) = delete;
  device_plan& operator=(const device_plan&) = delete;

  /// Descriptors in the table (pieces of elementwise entries) and kernel launches per fill.
  std::size_t descriptors() const noexcept;
  std::size_t launches() const noexcept;

  struct impl;
  const impl& internals() const noexcept { return *impl_; }

 private:
  std::unique_ptr<impl> impl_;
};

/// Fills a bound plan on `stream`, asynchronously.
void fill(const device_plan& plan, cudaStream_t stream);

}  // namespace weightinit
