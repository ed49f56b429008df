// model_io/model_description.cpp: the JSON model description parser (model_description.hpp):
// nlohmann-json's parser without exceptions escaping as anything but std::invalid_argument, and a
// strict walk over the expected keys and types.
#include "model_description.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>
#include <stdexcept>
#include <string>

namespace weightinit_io {
namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string& what) {
  throw std::invalid_argument("model description: " + what);
}

const char* type_name(const json& j) { return j.type_name(); }

void only_keys(const json& obj, const std::set<std::string>& allowed, const std::string& where) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!allowed.count(it.key())) {
      std::string list;
      for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(where + ": unknown key '" + it.key() + "' (expected " + list + ")");
    }
  }
}

std::string string_at(const json& obj, const char* key, const std::string& where, bool required) {
  const auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) fail(where + ": missing \"" + key + "\"");
    return "";
  }
  if (!it->is_string()) fail(where + ": \"" + key + "\" must be a string, got " + type_name(*it));
  return it->get<std::string>();
}

void parse_preset(const json& j, model_description& d) {
  if (!j.is_object())
    fail(std::string(
             "\"preset\" must be an object like {\"name\": \"gpt2\", \"n_layer\": 12}, got ") +
         type_name(j));
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "name") continue;
    if (!it->is_number())
      fail("preset: \"" + it.key() + "\" must be a number, got " + type_name(*it));
    const double v = it->get<double>();
    if (!std::isfinite(v)) fail("preset: \"" + it.key() + "\" must be finite");
    d.preset.numbers[it.key()] = v;
  }
  d.preset.name = string_at(j, "name", "preset", true);
  if (d.preset.name.empty()) fail("preset: empty \"name\"");
}

void parse_rules(const json& j, model_description& d) {
  if (!j.is_array()) fail(std::string("\"rules\" must be an array, got ") + type_name(j));
  for (std::size_t i = 0; i < j.size(); ++i) {
    const json& r = j[i];
    const std::string where = "rules[" + std::to_string(i) + "]";
    if (!r.is_object()) fail(where + " must be an object, got " + type_name(r));
    only_keys(r, {"pattern", "init", "layout"}, where);
    rule_text t;
    t.pattern = string_at(r, "pattern", where, true);
    t.init = string_at(r, "init", where, true);
    t.layout = string_at(r, "layout", where, false);
    if (t.pattern.empty()) fail(where + ": empty \"pattern\"");
    if (t.init.empty()) fail(where + ": empty \"init\"");
    d.rules.push_back(std::move(t));
  }
}

void parse_tensors(const json& j, model_description& d) {
  if (!j.is_array()) fail(std::string("\"tensors\" must be an array, got ") + type_name(j));
  std::set<std::string> seen;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const json& t = j[i];
    const std::string where = "tensors[" + std::to_string(i) + "]";
    if (!t.is_object()) fail(where + " must be an object, got " + type_name(t));
    only_keys(t, {"name", "shape", "dtype", "init", "stream"}, where);
    tensor_text x;
    x.name = string_at(t, "name", where, true);
    if (x.name.empty()) fail(where + ": empty \"name\"");
    if (x.name.size() > max_name_bytes)
      fail(where + ": name longer than " + std::to_string(max_name_bytes) + " bytes");
    if (!seen.insert(x.name).second) fail(where + ": duplicate tensor name '" + x.name + "'");
    const std::string named = where + " '" + x.name + "'";
    const auto shape = t.find("shape");
    if (shape == t.end()) fail(named + ": missing \"shape\"");
    if (!shape->is_array())
      fail(named + ": \"shape\" must be an array of extents, got " + type_name(*shape));
    if (shape->size() > max_rank)
      fail(named + ": more than " + std::to_string(max_rank) + " dimensions");
    for (const json& e : *shape) {
      if (e.is_number_unsigned() || (e.is_number_integer() && e.get<std::int64_t>() >= 0)) {
        const std::uint64_t v = e.get<std::uint64_t>();
        if (v > static_cast<std::uint64_t>(INT64_MAX))
          fail(named + ": extent " + std::to_string(v) + " does not fit in int64");
        x.shape.push_back(static_cast<std::int64_t>(v));
      } else {
        fail(named + ": extents must be non-negative integers, got " + e.dump());
      }
    }
    x.dtype = string_at(t, "dtype", named, false);
    x.init = string_at(t, "init", named, false);
    const auto stream = t.find("stream");
    if (stream != t.end()) {
      if (!stream->is_number_unsigned() &&
          !(stream->is_number_integer() && stream->get<std::int64_t>() >= 0))
        fail(named + ": \"stream\" must be an unsigned 64-bit integer, got " + stream->dump());
      x.stream = stream->get<std::uint64_t>();
    }
    d.tensors.push_back(std::move(x));
  }
}

}  // namespace

void check_nesting(std::string_view text, int max_depth, const char* what) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth)
        throw std::invalid_argument(std::string(what) + ": nested deeper than " +
                                    std::to_string(max_depth) + " levels");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

namespace {

model_description parse(std::string_view text, bool tensors_allowed) {
  if (text.size() > max_description_bytes)
    fail("larger than " + std::to_string(max_description_bytes >> 20) + " MiB");
  check_nesting(text, 32, "model description");
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Parse again for the position and the reason.
    try {
      const json reason = json::parse(text.begin(), text.end());
      (void)reason;
    } catch (const json::exception& e) {
      fail(std::string("not valid JSON: ") + e.what());
    }
    fail("not valid JSON");
  }
  if (!j.is_object()) fail(std::string("must be a JSON object, got ") + type_name(j));
  model_description d;
  if (tensors_allowed)
    only_keys(j, {"name", "dtype", "preset", "rules", "tensors"}, "top level");
  else
    only_keys(j, {"name", "preset", "rules"}, "rules file");
  d.name = string_at(j, "name", "top level", false);
  const std::string dtype = string_at(j, "dtype", "top level", false);
  if (!dtype.empty()) d.dtype = dtype;
  if (j.contains("preset")) parse_preset(j["preset"], d);
  if (j.contains("rules")) parse_rules(j["rules"], d);
  if (tensors_allowed && j.contains("tensors")) parse_tensors(j["tensors"], d);
  return d;
}

}  // namespace

model_description parse_model_json(std::string_view text) { return parse(text, true); }
model_description parse_rules_json(std::string_view text) { return parse(text, false); }

}  // namespace weightinit_io
