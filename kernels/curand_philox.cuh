// kernels/curand_philox.cuh: the one place the fill kernels draw Philox words: cuRAND's stateless
// curand_Philox4x32_10(counter, key), with the counter and key of DESIGN.md §1, exactly as
// weightinit::philox_block builds them. nvcc only; host code of the library never includes this.
#pragma once

// cuRAND declares its Philox functions `static __forceinline__ __device__` unless QUALIFIERS is
// defined first. Its mulhilo32 has a host branch (NV_IF_ELSE_TARGET), so we add __host__: the CPU
// tests then run cuRAND's own Philox inside the kernel's per-thread code (kernels/fill_unit.cuh).
// Include this before any other cuRAND device header in a translation unit.
#if defined(CURAND_PHILOX4X32_X__H_)
#error "kernels/curand_philox.cuh must be included before cuRAND's device headers"
#endif
#if !defined(QUALIFIERS)
#define QUALIFIERS static __forceinline__ __host__ __device__
#define WEIGHTINIT_DEFINED_CURAND_QUALIFIERS
#endif
#include <curand_philox4x32_x.h>
#if defined(WEIGHTINIT_DEFINED_CURAND_QUALIFIERS)
#undef QUALIFIERS
#undef WEIGHTINIT_DEFINED_CURAND_QUALIFIERS
#endif

#include <cstdint>

#include "weightinit/philox.hpp"

namespace weightinit {

/// Block `block` of stream `stream` under `seed`: words 4*block .. 4*block+3 of the stream.
///   key     = (seed & 0xffffffff, seed >> 32)
///   counter = (block & 0xffffffff, block >> 32, stream & 0xffffffff, stream >> 32)
/// No state, no curand_init: one Philox evaluation per block.
WEIGHTINIT_HOST_DEVICE inline words4 curand_philox_block(std::uint64_t seed, std::uint64_t stream,
                                                         std::uint64_t block) {
  const uint4 counter =
      make_uint4(static_cast<unsigned>(block), static_cast<unsigned>(block >> 32),
                 static_cast<unsigned>(stream), static_cast<unsigned>(stream >> 32));
  const uint2 key = make_uint2(static_cast<unsigned>(seed), static_cast<unsigned>(seed >> 32));
  const uint4 r = curand_Philox4x32_10(counter, key);
  return words4{r.x, r.y, r.z, r.w};
}

}  // namespace weightinit
