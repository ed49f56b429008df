// tests/fuzz/fuzz_fans.cpp: compute_fans and compute_part_fans on shapes and layouts decoded from
// the input bytes: rank, extents (small, or any int64), convention, explicit axes, groups, parts.
// Every input must give fans or std::invalid_argument; fans that are given are >= 0 (not NaN).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "weightinit/weightinit.hpp"

namespace wi = weightinit;

namespace {

struct reader {
  const std::uint8_t* p;
  std::size_t n;
  std::uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  std::int64_t extent() {
    const std::uint8_t tag = byte();
    if (tag < 200) return tag % 17;  // mostly small, with zeros
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | byte();
    return static_cast<std::int64_t>(v);  // anything, negative included
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  reader r{data, size};
  const int rank = r.byte() % 9;
  wi::shape dims;
  for (int i = 0; i < rank; ++i) dims.push_back(r.extent());
  const std::uint8_t mode = r.byte();
  wi::fan_layout lay = (mode & 1) ? wi::layout::in_out : wi::layout::out_in;
  if (mode & 2) lay.convention = static_cast<wi::layout>(mode >> 4);  // possibly no valid value
  if (mode & 4) {
    wi::fan_axes axes;
    for (auto* list : {&axes.in, &axes.out, &axes.batch}) {
      const int k = r.byte() % 4;
      for (int i = 0; i < k; ++i) list->push_back(static_cast<std::int8_t>(r.byte()) % 12);
    }
    lay.axes = axes;
  }
  if (mode & 8) lay.groups = r.extent();
  const int parts = r.byte() % 5;
  for (int i = 0; i < parts; ++i) lay.parts.push_back(r.extent());
  try {
    for (const wi::fans& f : wi::compute_part_fans(dims, lay))
      if (!(f.fan_in >= 0 && f.fan_out >= 0 && f.receptive_field >= 0)) {
        std::fprintf(stderr, "negative or NaN fans for shape %s\n", wi::to_string(dims).c_str());
        std::abort();
      }
  } catch (const std::invalid_argument&) {
  }
  try {
    (void)wi::compute_fans(dims, lay);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
