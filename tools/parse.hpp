// tools/parse.hpp: strict parsing of the command line's numbers and shapes, and the checked size of
// a tensor's bytes. Every function either returns exactly the number written or throws
// std::invalid_argument naming the option and the text: no wrap, no clamp, no whitespace, no sign
// where none is allowed, no hex or exponent. Plain C++17 (the fuzz targets in tests/fuzz/ build it
// with clang alone).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "weightinit/types.hpp"

namespace weightinit_cli {

/// A decimal integer in [lo, hi]: an optional '-' (only when lo < 0) and one or more ASCII digits,
/// nothing else. Throws std::invalid_argument("<what> must be an integer in [lo, hi], got 'text'").
std::uint64_t parse_uint(const std::string& text, const std::string& what, std::uint64_t lo = 0,
                         std::uint64_t hi = UINT64_MAX);
std::int64_t parse_int(const std::string& text, const std::string& what, std::int64_t lo,
                       std::int64_t hi);

/// A floating-point number as strtod reads it ("0.2", "-1e-3", "inf", "nan"), the whole text and
/// nothing else (no leading or trailing whitespace). Range checks are the library's.
double parse_double(const std::string& text, const std::string& what);

/// Comma-separated integers in [lo, hi], at least one, no empty items ("3,,4", "3,").
std::vector<std::int64_t> parse_int_list(const std::string& text, const std::string& what,
                                         std::int64_t lo, std::int64_t hi);

/// A shape: one or more comma-separated extents in [0, 2^63 - 1] (an empty text is refused; there
/// is no way to write the 0-dimensional shape). The product is checked by checked_bytes.
weightinit::shape parse_shape(const std::string& text, const std::string& what);

/// The bytes of a tensor of `dims` and `t`, computed with checked arithmetic: throws
/// std::invalid_argument naming `what` and the shape when the element count exceeds 2^63 - 1 or
/// the byte size 2^64 - 1. A zero extent anywhere gives 0 bytes.
std::size_t checked_bytes(const weightinit::shape& dims, weightinit::dtype t,
                          const std::string& what);

/// The shortest decimal that reads back as exactly `x` (std::to_chars), e.g. 1.4142135623730951,
/// 0.1, 3, 1e+300, inf, nan.
std::string shortest(double x);

}  // namespace weightinit_cli
