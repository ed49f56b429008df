// weightinit/philox.hpp: Philox4x32-10 (Random123 / cuRAND) and the word mapping of DESIGN.md §1.
// Host and device: the GPU kernels call cuRAND's curand_Philox4x32_10; tests prove this one equal.
#pragma once

#include <cstdint>

#include "weightinit/config.hpp"

namespace weightinit {

/// Four 32-bit words: one Philox block. Lane 0 is the least significant counter word.
struct words4 {
  std::uint32_t x, y, z, w;
};

namespace detail {
WEIGHTINIT_HOST_DEVICE inline std::uint32_t mulhilo32(std::uint32_t a, std::uint32_t b,
                                                      std::uint32_t* hi) {
  const std::uint64_t product = static_cast<std::uint64_t>(a) * b;
  *hi = static_cast<std::uint32_t>(product >> 32);
  return static_cast<std::uint32_t>(product);
}
}  // namespace detail

/// Philox4x32 with `rounds` rounds (10 for the product; 7 only for the known-answer file).
/// Multipliers 0xD2511F53, 0xCD9E8D57; Weyl key increments 0x9E3779B9, 0xBB67AE85.
WEIGHTINIT_HOST_DEVICE inline words4 philox4x32(words4 ctr, std::uint32_t k0, std::uint32_t k1,
                                                int rounds = 10) {
  for (int r = 0; r < rounds; ++r) {
    if (r > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    std::uint32_t hi0, hi1;
    const std::uint32_t lo0 = detail::mulhilo32(0xD2511F53u, ctr.x, &hi0);
    const std::uint32_t lo1 = detail::mulhilo32(0xCD9E8D57u, ctr.z, &hi1);
    ctr = words4{hi1 ^ ctr.y ^ k0, lo1, hi0 ^ ctr.w ^ k1, lo0};
  }
  return ctr;
}

/// Block `block` of stream `stream` under `seed`: the words 4*block .. 4*block+3 of DESIGN.md §1.
///   key     = (seed & 0xffffffff, seed >> 32)
///   counter = (block & 0xffffffff, block >> 32, stream & 0xffffffff, stream >> 32)
/// This is what cuRAND's curand_init(seed, stream, 4*block, &st) followed by four curand() yields.
WEIGHTINIT_HOST_DEVICE inline words4 philox_block(std::uint64_t seed, std::uint64_t stream,
                                                  std::uint64_t block) {
  const words4 ctr{static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32),
                   static_cast<std::uint32_t>(stream), static_cast<std::uint32_t>(stream >> 32)};
  return philox4x32(ctr, static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
}

/// Lane `lane` (0..3) of a block.
WEIGHTINIT_HOST_DEVICE inline std::uint32_t lane(const words4& w, unsigned lane) {
  return lane == 0 ? w.x : lane == 1 ? w.y : lane == 2 ? w.z : w.w;
}

/// Word j of a stream: lane j mod 4 of block j / 4. 64-bit j: any position of the 2^66-word stream
/// that a 64-bit block index reaches.
WEIGHTINIT_HOST_DEVICE inline std::uint32_t philox_word(std::uint64_t seed, std::uint64_t stream,
                                                        std::uint64_t j) {
  return lane(philox_block(seed, stream, j / 4), static_cast<unsigned>(j % 4));
}

}  // namespace weightinit
