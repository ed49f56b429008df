// tests/fuzz/fuzz_parse.cpp: the tool's strict number, list and shape parsing (tools/parse.cpp) and
// checked byte sizes, against independent oracles: std::from_chars for integers (which, like the
// tool, takes no whitespace and no '+'), 128-bit arithmetic for sizes. The first byte picks the
// function and its bounds; the rest is the text.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "tools/parse.hpp"

namespace cli = weightinit_cli;

namespace {

[[noreturn]] void fail(const char* what, const std::string& text) {
  std::fprintf(stderr, "%s: '%s'\n", what, text.c_str());
  std::abort();
}

void check_uint(const std::string& text, std::uint64_t lo, std::uint64_t hi) {
  std::uint64_t want = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), want);
  const bool ok = !text.empty() && r.ec == std::errc() && r.ptr == text.data() + text.size() &&
                  want >= lo && want <= hi;
  try {
    const std::uint64_t got = cli::parse_uint(text, "--x", lo, hi);
    if (!ok || got != want) fail("parse_uint accepted what it must refuse, or misread it", text);
  } catch (const std::invalid_argument& e) {
    if (ok) fail("parse_uint refused a valid integer", text);
    if (std::string(e.what()).find("--x") == std::string::npos)
      fail("message lacks the option", text);
  }
}

void check_int(const std::string& text, std::int64_t lo, std::int64_t hi) {
  std::int64_t want = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), want);
  // A '-' is refused outright where the range has no negative values ("-0" too).
  const bool ok = !text.empty() && r.ec == std::errc() && r.ptr == text.data() + text.size() &&
                  want >= lo && want <= hi && !(lo >= 0 && text[0] == '-');
  try {
    const std::int64_t got = cli::parse_int(text, "--x", lo, hi);
    if (!ok || got != want) fail("parse_int accepted what it must refuse, or misread it", text);
  } catch (const std::invalid_argument&) {
    if (ok) fail("parse_int refused a valid integer", text);
  }
}

void check_shape(const std::string& text) {
  weightinit::shape dims;
  try {
    dims = cli::parse_shape(text, "--shape");
  } catch (const std::invalid_argument&) {
    return;
  }
  if (dims.empty()) fail("parse_shape returned no extents", text);
  for (std::int64_t d : dims)
    if (d < 0) fail("parse_shape returned a negative extent", text);
  for (weightinit::dtype t :
       {weightinit::dtype::f32, weightinit::dtype::f64, weightinit::dtype::bf16}) {
    unsigned __int128 n = 1;
    bool zero = false, over = false;
    for (std::int64_t d : dims) {
      if (d == 0) zero = true;
      if (!over) n *= static_cast<unsigned __int128>(d);
      if (n > static_cast<unsigned __int128>(INT64_MAX)) over = true;
    }
    const unsigned __int128 bytes = n * weightinit::size_of(t);
    const bool fits = zero || (!over && bytes <= static_cast<unsigned __int128>(SIZE_MAX));
    try {
      const std::size_t got = cli::checked_bytes(dims, t, "--shape");
      if (!fits || (zero ? got != 0 : got != static_cast<std::size_t>(bytes)))
        fail("checked_bytes gave a wrong size", text);
    } catch (const std::invalid_argument&) {
      if (fits) fail("checked_bytes refused a size that fits", text);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0: check_uint(text, 0, UINT64_MAX); break;
    case 1: check_uint(text, 1, 1u << 20); break;
    case 2: check_int(text, INT64_MIN, INT64_MAX); break;
    case 3: check_int(text, 0, INT64_MAX); break;
    case 4: check_shape(text); break;
    case 5:
      try {
        (void)cli::parse_double(text, "--param");
        (void)cli::parse_int_list(text, "--parts", 1, INT64_MAX);
      } catch (const std::invalid_argument&) {
      }
      (void)cli::shortest(static_cast<double>(size) / 7);
      break;
  }
  return 0;
}
