// model_io/checkpoint.hpp: from a model description (or a checkpoint's header) to a model plan, and
// from a plan to an initialized .safetensors file, one tensor at a time, written whole or not at
// all.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "model_description.hpp"
#include "safetensors_header.hpp"
#include "weightinit/model.hpp"
#include "weightinit/rules.hpp"

namespace weightinit_io {

/// The rules of a description: its "rules" in order, then its preset's.
weightinit::rule_set rules_of(const model_description& d);

/// The tensors of a checkpoint header as a description (names, shapes, dtypes; no rules).
/// Throws std::invalid_argument for a dtype that is no floating type weightinit fills.
model_description description_of(const safetensors_header& h);

/// The plan of a description: each tensor's own "init", else the first matching rule of `rules`.
/// Throws std::invalid_argument naming the tensor for a bad dtype, SPEC or layout, no matching
/// rule, or anything model_plan::add refuses.
weightinit::model_plan plan_of(const model_description& d, const weightinit::rule_set& rules,
                               std::uint64_t seed);

/// "F32", "F64", "F16", "BF16".
const char* safetensors_code(weightinit::dtype t);

struct write_options {
  bool gpu = false;      ///< fill on the GPU (the current device), copy back, write
  unsigned threads = 0;  ///< CPU fill threads (0: all)
  std::map<std::string, std::string> metadata;  ///< added to __metadata__
  /// Called after each tensor with (tensors done, bytes done); may be empty.
  std::function<void(std::size_t, std::uint64_t)> progress;
};

/// The __metadata__ recorded for a plan: seed, contract and library versions, the stream rule and
/// any explicit streams, the rules' description.
std::map<std::string, std::string> checkpoint_metadata(const weightinit::model_plan& plan,
                                                       const weightinit::rule_set& rules,
                                                       const std::string& model_name);

/// Writes `plan` as a safetensors file at `path`: to a temporary file beside it, every write
/// checked, renamed over `path` on success (removed on failure, `path` untouched). Memory: one
/// buffer of the largest tensor's bytes. Returns the file's size. std::runtime_error on I/O or CUDA
/// failure.
std::uint64_t write_checkpoint(const weightinit::model_plan& plan, const std::string& path,
                               const write_options& options);

}  // namespace weightinit_io
