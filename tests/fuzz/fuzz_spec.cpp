// tests/fuzz/fuzz_spec.cpp: SPEC strings (parse_spec, parse_initializer, parse_distribution). Any
// input must parse or throw std::invalid_argument; what parses must survive validate/resolve (or
// refuse with std::invalid_argument), and print back as a SPEC that parses to the same initializer
// (schemes.hpp: parse_initializer(to_string(x)) == x).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "weightinit/weightinit.hpp"
#include "weightinit/spec.hpp"

namespace wi = weightinit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const wi::spec s = wi::parse_spec(text);
    (void)s;
  } catch (const std::invalid_argument&) {
  }
  try {
    (void)wi::parse_distribution(text);
  } catch (const std::invalid_argument&) {
  }
  wi::initializer init;
  try {
    init = wi::parse_initializer(text);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  const std::string back = wi::to_string(init);
  wi::initializer again;
  try {
    again = wi::parse_initializer(back);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "'%s' parsed, but its to_string '%s' does not: %s\n", text.c_str(),
                 back.c_str(), e.what());
    std::abort();
  }
  if (!(again == init)) {
    std::fprintf(stderr, "'%s' -> '%s' -> '%s' differs\n", text.c_str(), back.c_str(),
                 wi::to_string(again).c_str());
    std::abort();
  }
  try {
    wi::validate(init);
    if (wi::is_elementwise(init.kind())) (void)wi::resolve(init, {16, 8, 3});
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
