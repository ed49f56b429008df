// weightinit/rules.hpp: name-pattern rules for whole models: a glob on tensor names (first match
// wins) picks each tensor's initializer, and shipped rule sets reproduce what GPT-2 (nanoGPT and
// Hugging Face), Llama, Megatron-LM and PyTorch's module defaults do.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weightinit/fans.hpp"
#include "weightinit/initializers.hpp"
#include "weightinit/model.hpp"

namespace weightinit {

/// Shell-style glob over the whole name: `*` matches any run of characters (dots included, so
/// `*.bias` matches "h.0.attn.c_attn.bias"), `?` any one character, `[abc]`, `[a-z]`, `[!x]` a
/// character class, `\` escapes the next character. A malformed pattern (see validate_glob) matches
/// nothing.
bool glob_match(std::string_view pattern, std::string_view name) noexcept;

/// Throws std::invalid_argument naming the pattern for an empty pattern, an unterminated `[`
/// class or a trailing `\`.
void validate_glob(std::string_view pattern);

struct rule {
  std::string pattern;
  initializer init;
  std::optional<fan_layout> layout = std::nullopt;  ///< how fans are read (unset: out_in)
};

/// An ordered list of rules; the first whose pattern matches a name decides.
class rule_set {
 public:
  rule_set() = default;
  explicit rule_set(std::string name) : name_(std::move(name)) {}
  /// Appends a rule (validated: the glob and the initializer's parameters).
  rule_set& add(std::string pattern, initializer init,
                std::optional<fan_layout> layout = std::nullopt);
  /// Appends every rule of `other` after this set's.
  rule_set& append(const rule_set& other);
  /// The first rule matching `name`, or nullptr.
  const rule* match(std::string_view name) const noexcept;
  const std::vector<rule>& rules() const noexcept { return rules_; }
  const std::string& name() const noexcept { return name_; }
  /// One line per rule, "pattern -> SPEC" (recorded in checkpoint metadata).
  std::string describe() const;

 private:
  std::string name_;
  std::vector<rule> rules_;
};

/// The entry for a tensor from the first matching rule: throws std::invalid_argument naming the
/// tensor when no rule matches.
plan_entry entry_from_rules(const rule_set& rules, std::string name, shape dims, dtype type);

/// GPT-2 as nanoGPT and Hugging Face initialize it: every weight N(0, std²), the residual
/// projections (`*c_proj.weight`: attention output and MLP down) N(0, (std/√(2·n_layer))²), biases
/// zero, LayerNorm (`*ln_*`) weight one and bias zero. Needs n_layer >= 1, std > 0.
rule_set gpt2_rules(std::int64_t n_layer, double std = 0.02);
/// Llama (Hugging Face LlamaPreTrainedModel): every weight N(0, initializer_range²), RMSNorm
/// weights (`*norm.weight`) one, biases (if any) zero.
rule_set llama_rules(double initializer_range = 0.02);
/// Megatron-LM: init_method_normal(sigma) for every weight, scaled_init_method_normal(sigma,
/// num_layers) = N(0, (sigma/√(2·num_layers))²) for the output layers
/// (`*self_attention.dense.weight`,
/// `*dense_4h_to_h.weight`, and Megatron-Core's `*linear_proj.weight`, `*linear_fc2.weight`),
/// biases zero, layer norms (`*layernorm*`, `*norm*`) weight one and bias zero.
rule_set megatron_rules(std::int64_t num_layers, double sigma = 0.02);
/// PyTorch's module defaults by name: norms (`*norm*`, `*ln_*`) weight one and bias
/// zero; embeddings (`*emb*`, `*wte*`, `*wpe*`) N(0, 1); other weights nn.Linear's
/// kaiming_uniform(a=√5) (layout out_in), other biases U(±1/√fan_in) with their weight's fan_in.
rule_set pytorch_default_rules();

/// A shipped rule set by name with its numbers: "gpt2" (n_layer, std), "llama"
/// (initializer_range), "megatron" (num_layers, sigma), "pytorch". Unknown names or numbers throw
/// std::invalid_argument listing what is expected.
rule_set preset_rules(const std::string& name, const std::map<std::string, double>& numbers = {});

}  // namespace weightinit
