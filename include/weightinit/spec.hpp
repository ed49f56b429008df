// weightinit/spec.hpp: SPEC strings such as "truncated_normal(std=0.02,a=-2,b=2)" (DESIGN.md §3):
// a name, optionally followed by parenthesized key=value parameters.
#pragma once

#include <map>
#include <string>

#include "weightinit/types.hpp"

namespace weightinit {

/// A parsed SPEC: the scheme name and its parameters as written (values still text).
struct spec {
  std::string name;
  std::map<std::string, std::string> params;
};

/// Splits "name(k=v, k2=v2)" into a spec. Whitespace around tokens is ignored. Throws
/// std::invalid_argument on malformed text, an empty name, or a repeated parameter.
spec parse_spec(const std::string& text);

/// The parameter `key` of `s` as a finite-or-infinite double ("inf", "-inf" accepted); `fallback`
/// when absent. Throws std::invalid_argument naming the scheme and key on text that is no number.
double spec_number(const spec& s, const std::string& key, double fallback);

/// Throws std::invalid_argument when `s` has a parameter outside `allowed` (comma-separated),
/// naming it and listing what was expected.
void spec_expect_only(const spec& s, const std::string& allowed);

/// The elementwise distributions by SPEC, with PyTorch's defaults: zeros, ones, constant(value),
/// uniform(a=0,b=1), normal(mean=0,std=1), truncated_normal(mean=0,std=1,a=-2,b=2).
/// Throws std::invalid_argument for unknown names or parameters.
distribution parse_distribution(const std::string& text);

}  // namespace weightinit
