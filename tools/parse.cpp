// tools/parse.cpp: strict integers, numbers, lists and shapes for the command line, and checked
// byte sizes. Digits are accumulated with overflow checks; nothing goes through strtoull/stoll,
// which skip whitespace, accept '+', '-' (negating unsigned values) and clamp on overflow.
#include "parse.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <system_error>

namespace weightinit_cli {
namespace {

[[noreturn]] void refuse(const std::string& what, const std::string& expected,
                         const std::string& text, const std::string& why = "") {
  throw std::invalid_argument(what + " must be " + expected + ", got '" + text + "'" +
                              (why.empty() ? "" : " (" + why + ")"));
}

std::string interval(std::int64_t lo, std::int64_t hi) {
  return "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}
std::string interval(std::uint64_t lo, std::uint64_t hi) {
  return "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}

// The magnitude of the digits text[begin..]: false when there are none, or anything but digits.
// `overflow` is set when the value exceeds `limit`.
bool digits(const std::string& text, std::size_t begin, std::uint64_t limit, std::uint64_t& value,
            bool& overflow) {
  value = 0;
  overflow = false;
  if (begin >= text.size()) return false;
  for (std::size_t i = begin; i < text.size(); ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (!overflow && (value > (limit - d) / 10)) overflow = true;
    if (!overflow) value = value * 10 + d;
  }
  return true;
}

}  // namespace

std::uint64_t parse_uint(const std::string& text, const std::string& what, std::uint64_t lo,
                         std::uint64_t hi) {
  std::uint64_t v = 0;
  bool overflow = false;
  if (!digits(text, 0, UINT64_MAX, v, overflow)) {
    const bool negative = !text.empty() && text[0] == '-';
    refuse(what, interval(lo, hi), text, negative ? "negative" : "");
  }
  if (overflow || v < lo || v > hi) refuse(what, interval(lo, hi), text, "out of range");
  return v;
}

std::int64_t parse_int(const std::string& text, const std::string& what, std::int64_t lo,
                       std::int64_t hi) {
  const bool negative = !text.empty() && text[0] == '-';
  if (negative && lo >= 0) refuse(what, interval(lo, hi), text, "negative");
  // |INT64_MIN| = INT64_MAX + 1 is the largest magnitude a negative value may have.
  const std::uint64_t limit =
      negative ? static_cast<std::uint64_t>(INT64_MAX) + 1 : static_cast<std::uint64_t>(INT64_MAX);
  std::uint64_t mag = 0;
  bool overflow = false;
  if (!digits(text, negative ? 1 : 0, limit, mag, overflow)) refuse(what, interval(lo, hi), text);
  if (overflow) refuse(what, interval(lo, hi), text, "out of range");
  const std::int64_t v = negative ? (mag == limit ? INT64_MIN : -static_cast<std::int64_t>(mag))
                                  : static_cast<std::int64_t>(mag);
  if (v < lo || v > hi) refuse(what, interval(lo, hi), text, "out of range");
  return v;
}

double parse_double(const std::string& text, const std::string& what) {
  // strtod skips leading whitespace and stops at trailing text: both are refused here.
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])))
    refuse(what, "a number", text);
  char* end = nullptr;
  const double x = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || end != text.c_str() + text.size())
    refuse(what, "a number", text);
  return x;
}

std::vector<std::int64_t> parse_int_list(const std::string& text, const std::string& what,
                                         std::int64_t lo, std::int64_t hi) {
  std::vector<std::int64_t> v;
  if (text.empty()) refuse(what, "one or more integers separated by commas", text);
  std::size_t begin = 0;
  while (true) {
    const std::size_t comma = text.find(',', begin);
    const std::string item =
        text.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin);
    try {
      v.push_back(parse_int(item, what, lo, hi));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string(e.what()) + " in '" + text + "'");
    }
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  return v;
}

weightinit::shape parse_shape(const std::string& text, const std::string& what) {
  if (text.empty()) refuse(what, "one or more extents separated by commas", text);
  return parse_int_list(text, what + " extent", 0, INT64_MAX);
}

std::size_t checked_bytes(const weightinit::shape& dims, weightinit::dtype t,
                          const std::string& what) {
  std::uint64_t n = 1;
  bool zero = false, too_many = false;
  for (std::int64_t d : dims) {
    if (d < 0)
      throw std::invalid_argument(what + ": negative extent in shape " +
                                  weightinit::to_string(dims));
    if (d == 0) zero = true;
    if (d > 0 && n > static_cast<std::uint64_t>(INT64_MAX) / static_cast<std::uint64_t>(d))
      too_many = true;
    if (!too_many) n *= static_cast<std::uint64_t>(d);
  }
  if (zero) return 0;
  if (too_many)
    throw std::invalid_argument(what + ": shape " + weightinit::to_string(dims) +
                                " has more than 2^63 - 1 elements");
  const std::uint64_t size = weightinit::size_of(t);
  if (n > std::numeric_limits<std::size_t>::max() / size)
    throw std::invalid_argument(what + ": shape " + weightinit::to_string(dims) + " of " +
                                weightinit::to_string(t) + " has " + std::to_string(n) +
                                " elements of " + std::to_string(size) +
                                " bytes, more than 2^64 - 1 bytes in all");
  return static_cast<std::size_t>(n * size);
}

std::string shortest(double x) {
  char buf[64];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, x);
  if (r.ec != std::errc()) return "?";
  return std::string(buf, r.ptr);
}

}  // namespace weightinit_cli
