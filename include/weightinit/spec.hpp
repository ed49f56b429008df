// weightinit/spec.hpp: SPEC strings such as "truncated_normal(std=0.02,a=-2,b=2)" (DESIGN.md §3):
// a name, optionally followed by parenthesized key=value parameters.
#pragma once

#include <map>
#include <string>

#include "weightinit/initializers.hpp"
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

/// Parses a SPEC (DESIGN.md §3) into an initializer. Names and parameters (defaults in brackets):
///   zeros, ones, constant(value), uniform(a[0], b[1]), normal(mean[0], std[1]),
///   truncated_normal(mean[0], std[1], a[-2], b[2]),
///   truncated_normal_sigma(mean[0], std[1], a[-2], b[2], correct_variance[false]),
///   xavier_uniform(gain[1]), xavier_normal(gain[1]) (aliases glorot_*),
///   he_uniform / he_normal (aliases kaiming_*)(mode[fan_in], nonlinearity[relu], a[0]),
///   lecun_uniform, lecun_normal,
///   variance_scaling(scale[1], mode[fan_in], distribution[truncated_normal]),
///   bias_uniform, orthogonal(gain[1]), eye(gain[1]), dirac(groups[1]),
///   sparse(sparsity, std[0.01]).
/// Booleans: true/false/1/0. Throws std::invalid_argument naming the unknown word (scheme,
/// parameter or value) and what was expected; the parameters are validated (validate()).
initializer parse_initializer(const std::string& text);

/// The scheme names parse_initializer accepts, aliases included, comma-separated.
const char* initializer_names() noexcept;

}  // namespace weightinit
