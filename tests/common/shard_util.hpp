// tests/common/shard_util.hpp: what the shard and plan tests share: copying a box's dense memory
// into (or out of) the global tensor it came from, and a small zoo of initializers and dtypes.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "weightinit/weightinit.hpp"

namespace weightinit_test {

/// Copies the dense row-major box memory `box_data` to its coordinates in the global row-major
/// tensor `global` of shape `dims` (element size `bytes`): element by element, independently of
/// the library's run logic.
inline void scatter_box(const weightinit::shape& dims, const weightinit::shard_box& box,
                        std::size_t bytes, const unsigned char* box_data, unsigned char* global) {
  const std::size_t rank = dims.size();
  const std::int64_t n = weightinit::element_count(box);
  std::vector<std::int64_t> idx(rank, 0);
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t g = 0;
    for (std::size_t d = 0; d < rank; ++d) g = g * dims[d] + box.offset[d] + idx[d];
    std::memcpy(global + g * bytes, box_data + i * bytes, bytes);
    for (std::size_t d = rank; d-- > 0;) {
      if (++idx[d] < box.extent[d]) break;
      idx[d] = 0;
    }
  }
}

/// The box's elements gathered out of the global tensor, element by element.
inline std::vector<unsigned char> gather_box(const weightinit::shape& dims,
                                             const weightinit::shard_box& box, std::size_t bytes,
                                             const unsigned char* global) {
  const std::size_t rank = dims.size();
  const std::int64_t n = weightinit::element_count(box);
  std::vector<unsigned char> out(static_cast<std::size_t>(n) * bytes);
  std::vector<std::int64_t> idx(rank, 0);
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t g = 0;
    for (std::size_t d = 0; d < rank; ++d) g = g * dims[d] + box.offset[d] + idx[d];
    std::memcpy(out.data() + i * bytes, global + g * bytes, bytes);
    for (std::size_t d = rank; d-- > 0;) {
      if (++idx[d] < box.extent[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

}  // namespace weightinit_test
