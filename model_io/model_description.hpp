// model_io/model_description.hpp: the JSON model description `weightinit init-model --model` reads
// (and the rules file of --rules), parsed into plain text fields with every structural check done:
// no CUDA, no weightinit library calls, so a fuzz target builds it with a host compiler alone.
//
//   {"name": "gpt2-small", "dtype": "f32",
//    "preset": {"name": "gpt2", "n_layer": 12, "std": 0.02},
//    "rules": [{"pattern": "*.bias", "init": "zeros"}, {"pattern": "*", "init": "normal(std=0.02)",
//               "layout": "out_in"}],
//    "tensors": [{"name": "wte.weight", "shape": [50257, 768]}, {"name": "x", "shape": [4],
//                 "dtype": "bf16", "init": "ones", "stream": 7}]}
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weightinit_io {

struct rule_text {
  std::string pattern;
  std::string init;    ///< a SPEC
  std::string layout;  ///< "" (out_in) or a layout name
};

struct preset_text {
  std::string name;  ///< "" when there is no preset
  std::map<std::string, double> numbers;
};

struct tensor_text {
  std::string name;
  std::vector<std::int64_t> shape;
  std::string dtype;  ///< "" = the description's default
  std::string init;   ///< "" = by the rules
  std::optional<std::uint64_t> stream;
};

struct model_description {
  std::string name;
  std::string dtype = "f32";
  preset_text preset;
  std::vector<rule_text> rules;
  std::vector<tensor_text> tensors;
};

/// Limits that keep a hostile description from exhausting memory before it is refused.
constexpr std::size_t max_description_bytes = std::size_t{64} << 20;
constexpr std::size_t max_rank = 16;
constexpr std::size_t max_name_bytes = 4096;

/// Parses a model description. Throws std::invalid_argument starting "model description: " and
/// naming the problem (malformed JSON with its byte offset, an unknown key, a wrong type, a
/// negative or non-integer extent, a duplicate tensor name, an empty name, too many dimensions).
model_description parse_model_json(std::string_view text);

/// Throws std::invalid_argument starting with `what` when JSON text nests arrays/objects deeper
/// than max_depth (checked before parsing, so hostile input cannot exhaust the stack).
void check_nesting(std::string_view text, int max_depth, const char* what);

/// Parses a rules file: the same object with "preset" and/or "rules" only ("tensors" refused).
model_description parse_rules_json(std::string_view text);

}  // namespace weightinit_io
