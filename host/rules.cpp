// host/rules.cpp: glob matching of tensor names, rule sets, and the shipped rule sets (GPT-2,
// Llama, Megatron-LM, PyTorch module defaults) with the formulas those code bases use.
#include <cmath>
#include <stdexcept>
#include <string>

#include "weightinit/presets.hpp"
#include "weightinit/rules.hpp"

namespace weightinit {
namespace {

// Matches one character class starting after '[' at p[i]; sets `end` past its ']'. False when
// the class is unterminated.
bool class_match(std::string_view p, std::size_t i, char c, bool& hit, std::size_t& end) {
  bool negate = false;
  if (i < p.size() && (p[i] == '!' || p[i] == '^')) {
    negate = true;
    ++i;
  }
  bool any = false, first = true;
  for (; i < p.size(); ++i) {
    if (p[i] == ']' && !first) {
      hit = any != negate;
      end = i + 1;
      return true;
    }
    first = false;
    char lo = p[i];
    if (lo == '\\' && i + 1 < p.size()) lo = p[++i];
    char hi = lo;
    if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
      hi = p[i + 2];
      if (hi == '\\' && i + 3 < p.size()) hi = p[++i + 2];
      i += 2;
    }
    if (lo <= c && c <= hi) any = true;
  }
  return false;
}

// One element of the pattern at p[i] against c; `next` is past it. -1: malformed.
int match_one(std::string_view p, std::size_t i, char c, std::size_t& next) {
  if (p[i] == '?') {
    next = i + 1;
    return 1;
  }
  if (p[i] == '[') {
    bool hit = false;
    if (!class_match(p, i + 1, c, hit, next)) return -1;
    return hit ? 1 : 0;
  }
  if (p[i] == '\\') {
    if (i + 1 >= p.size()) return -1;
    next = i + 2;
    return p[i + 1] == c ? 1 : 0;
  }
  next = i + 1;
  return p[i] == c ? 1 : 0;
}

}  // namespace

bool glob_match(std::string_view p, std::string_view s) noexcept {
  // Iterative matcher with one backtrack point (the last '*'): linear in practice, no recursion.
  std::size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
      continue;
    }
    std::size_t next = 0;
    const int m = pi < p.size() ? match_one(p, pi, s[si], next) : 0;
    if (m < 0) return false;
    if (m == 1) {
      pi = next;
      ++si;
      continue;
    }
    if (star == std::string_view::npos) return false;
    pi = star + 1;
    si = ++mark;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

void validate_glob(std::string_view p) {
  const auto bad = [&](const std::string& why) {
    return std::invalid_argument("rule pattern '" + std::string(p) + "': " + why);
  };
  if (p.empty()) throw bad("empty pattern");
  for (std::size_t i = 0; i < p.size();) {
    if (p[i] == '*') {
      ++i;
      continue;
    }
    std::size_t next = 0;
    if (match_one(p, i, 'a', next) < 0)
      throw bad(p[i] == '[' ? "unterminated character class '['" : "trailing '\\'");
    i = next;
  }
}

rule_set& rule_set::add(std::string pattern, initializer init, std::optional<fan_layout> layout) {
  validate_glob(pattern);
  validate(init);
  rules_.push_back({std::move(pattern), std::move(init), std::move(layout)});
  return *this;
}

rule_set& rule_set::append(const rule_set& other) {
  for (const rule& r : other.rules_) rules_.push_back(r);
  return *this;
}

const rule* rule_set::match(std::string_view name) const noexcept {
  for (const rule& r : rules_)
    if (glob_match(r.pattern, name)) return &r;
  return nullptr;
}

std::string rule_set::describe() const {
  std::string s;
  for (const rule& r : rules_) {
    s += r.pattern + " -> " + to_string(r.init);
    if (r.layout && !r.layout->axes && r.layout->groups == 1 && r.layout->parts.empty())
      s += std::string(" [") + to_string(r.layout->convention) + "]";
    s += "\n";
  }
  return s;
}

plan_entry entry_from_rules(const rule_set& rules, std::string name, shape dims, dtype type) {
  const rule* r = rules.match(name);
  if (r == nullptr)
    throw std::invalid_argument(
        "no rule" + (rules.name().empty() ? std::string() : " of '" + rules.name() + "'") +
        " matches tensor '" + name + "' (add a rule, e.g. a final '*' rule)");
  plan_entry e;
  e.name = std::move(name);
  e.dims = std::move(dims);
  e.type = type;
  e.init = r->init;
  e.layout = r->layout;
  return e;
}

namespace {
void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}
}  // namespace

rule_set gpt2_rules(std::int64_t n_layer, double std) {
  require(n_layer >= 1, "gpt2_rules: needs n_layer >= 1, got " + std::to_string(n_layer));
  require(std::isfinite(std) && std > 0,
          "gpt2_rules: needs a finite std > 0, got " + format_number(std));
  rule_set r("gpt2");
  // nanoGPT: torch.nn.init.normal_(p, mean=0.0, std=0.02/math.sqrt(2 * config.n_layer)); Hugging
  // Face: std=(initializer_range / math.sqrt(2 * n_layer)) for "c_proj.weight".
  r.add("*c_proj.weight", normal(0, std / std::sqrt(2.0 * static_cast<double>(n_layer))));
  r.add("*ln_*.weight", ones());
  r.add("*ln_*.bias", zeros());
  r.add("*.bias", zeros());
  r.add("*", normal(0, std));
  return r;
}

rule_set llama_rules(double initializer_range) {
  require(
      std::isfinite(initializer_range) && initializer_range > 0,
      "llama_rules: needs a finite initializer_range > 0, got " + format_number(initializer_range));
  rule_set r("llama");
  r.add("*norm.weight", ones());
  r.add("*.bias", zeros());
  r.add("*", normal(0, initializer_range));
  return r;
}

rule_set megatron_rules(std::int64_t num_layers, double sigma) {
  require(num_layers >= 1,
          "megatron_rules: needs num_layers >= 1, got " + std::to_string(num_layers));
  require(std::isfinite(sigma) && sigma > 0,
          "megatron_rules: needs a finite sigma > 0, got " + format_number(sigma));
  rule_set r("megatron");
  // scaled_init_method_normal: std = sigma / math.sqrt(2.0 * num_layers).
  const initializer scaled = normal(0, sigma / std::sqrt(2.0 * static_cast<double>(num_layers)));
  r.add("*self_attention.dense.weight", scaled);
  r.add("*dense_4h_to_h.weight", scaled);
  r.add("*linear_proj.weight", scaled);
  r.add("*linear_fc2.weight", scaled);
  r.add("*norm*.weight", ones());
  r.add("*norm*.bias", zeros());
  r.add("*.bias", zeros());
  r.add("*", normal(0, sigma));
  return r;
}

rule_set pytorch_default_rules() {
  rule_set r("pytorch");
  const layer_preset linear = pytorch_linear();
  r.add("*norm*.weight", ones());
  r.add("*norm*.bias", zeros());
  r.add("*ln_*.weight", ones());
  r.add("*ln_*.bias", zeros());
  r.add("*emb*", normal(0, 1));
  r.add("*wte*", normal(0, 1));
  r.add("*wpe*", normal(0, 1));
  r.add("*.bias", linear.bias);
  r.add("*", linear.weight, fan_layout(layout::out_in));
  return r;
}

rule_set preset_rules(const std::string& name, const std::map<std::string, double>& numbers) {
  auto take = [&](const char* allowed, const char* key, double fallback) {
    for (const auto& kv : numbers) {
      const std::string list = std::string(",") + allowed + ",";
      if (list.find("," + kv.first + ",") == std::string::npos)
        throw std::invalid_argument("preset '" + name + "': unknown number '" + kv.first +
                                    "' (expected " + (*allowed ? allowed : "none") + ")");
    }
    const auto it = numbers.find(key);
    return it == numbers.end() ? fallback : it->second;
  };
  auto layers = [&](const char* allowed, const char* key) {
    const double v = take(allowed, key, std::nan(""));
    if (!(v >= 1 && v <= 1e6 && v == std::floor(v)))
      throw std::invalid_argument("preset '" + name + "': needs '" + key +
                                  "', an integer >= 1 (the number of transformer layers)");
    return static_cast<std::int64_t>(v);
  };
  if (name == "gpt2")
    return gpt2_rules(layers("n_layer,std", "n_layer"), take("n_layer,std", "std", 0.02));
  if (name == "llama") return llama_rules(take("initializer_range", "initializer_range", 0.02));
  if (name == "megatron")
    return megatron_rules(layers("num_layers,sigma", "num_layers"),
                          take("num_layers,sigma", "sigma", 0.02));
  if (name == "pytorch") {
    take("", "", 0);
    return pytorch_default_rules();
  }
  throw std::invalid_argument("unknown preset '" + name +
                              "' (expected gpt2, llama, megatron, pytorch)");
}

}  // namespace weightinit
