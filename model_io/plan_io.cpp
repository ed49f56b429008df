// model_io/plan_io.cpp: from a model description (or a checkpoint's header) to rules and a model
// plan, and the metadata recorded with a checkpoint. Host C++ only (no CUDA runtime calls), so the
// model-description fuzz target can build plans too.
#include <stdexcept>
#include <string>

#include "checkpoint.hpp"
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
    if (t.dtype == "F32")
      x.dtype = "f32";
    else if (t.dtype == "F64")
      x.dtype = "f64";
    else if (t.dtype == "F16")
      x.dtype = "f16";
    else if (t.dtype == "BF16")
      x.dtype = "bf16";
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
  m["weightinit_streams"] =
      "FNV-1a 64 of each tensor's name, except those in weightinit_explicit_streams";
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

}  // namespace weightinit_io
