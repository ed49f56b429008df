// host/spec.cpp: the SPEC grammar: name [ "(" key "=" value { "," key "=" value } ")" ].
#include "weightinit/spec.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace weightinit {
namespace {

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

bool valid_word(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

[[noreturn]] void bad(const std::string& text, const std::string& why) {
  throw std::invalid_argument("parse_spec: '" + text + "': " + why);
}

}  // namespace

spec parse_spec(const std::string& text) {
  spec s;
  const std::string t = trim(text);
  const std::size_t open = t.find('(');
  s.name = trim(t.substr(0, open));
  if (!valid_word(s.name))
    bad(text, "expected a scheme name such as normal or he_normal(mode=fan_out)");
  if (open == std::string::npos) return s;
  if (t.back() != ')') bad(text, "missing ')'");
  const std::string inner = t.substr(open + 1, t.size() - open - 2);
  if (trim(inner).empty()) return s;
  std::stringstream items(inner);
  std::string item;
  while (std::getline(items, item, ',')) {
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos)
      bad(text, "parameter '" + trim(item) + "' needs the form key=value");
    const std::string k = trim(item.substr(0, eq)), v = trim(item.substr(eq + 1));
    if (!valid_word(k)) bad(text, "bad parameter name '" + k + "'");
    if (v.empty()) bad(text, "parameter '" + k + "' has no value");
    if (!s.params.emplace(k, v).second) bad(text, "parameter '" + k + "' given twice");
  }
  return s;
}

double spec_number(const spec& s, const std::string& key, double fallback) {
  const auto it = s.params.find(key);
  if (it == s.params.end()) return fallback;
  const std::string& v = it->second;
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || *end != '\0' || std::isnan(x))
    throw std::invalid_argument(s.name + ": parameter " + key + "='" + v + "' is not a number");
  return x;
}

void spec_expect_only(const spec& s, const std::string& allowed) {
  std::vector<std::string> names;
  std::stringstream a(allowed);
  std::string w;
  while (std::getline(a, w, ',')) names.push_back(trim(w));
  for (const auto& kv : s.params) {
    bool ok = false;
    for (const auto& n : names) ok = ok || n == kv.first;
    if (!ok)
      throw std::invalid_argument(s.name + ": unknown parameter '" + kv.first + "' (expected " +
                                  (allowed.empty() ? std::string("no parameters") : allowed) + ")");
  }
}

distribution parse_distribution(const std::string& text) {
  const spec s = parse_spec(text);
  if (s.name == "zeros") {
    spec_expect_only(s, "");
    return distribution::constant(0.0);
  }
  if (s.name == "ones") {
    spec_expect_only(s, "");
    return distribution::constant(1.0);
  }
  if (s.name == "constant") {
    spec_expect_only(s, "value");
    if (!s.params.count("value")) throw std::invalid_argument("constant: needs value=...");
    return distribution::constant(spec_number(s, "value", 0.0));
  }
  if (s.name == "uniform") {
    spec_expect_only(s, "a,b");
    return distribution::uniform(spec_number(s, "a", 0.0), spec_number(s, "b", 1.0));
  }
  if (s.name == "normal") {
    spec_expect_only(s, "mean,std");
    return distribution::normal(spec_number(s, "mean", 0.0), spec_number(s, "std", 1.0));
  }
  if (s.name == "truncated_normal") {
    spec_expect_only(s, "mean,std,a,b");
    return distribution::truncated_normal(spec_number(s, "mean", 0.0), spec_number(s, "std", 1.0),
                                          spec_number(s, "a", -2.0), spec_number(s, "b", 2.0));
  }
  throw std::invalid_argument(
      "parse_distribution: unknown distribution '" + s.name +
      "' (expected zeros, ones, constant, uniform, normal, truncated_normal)");
}

}  // namespace weightinit
