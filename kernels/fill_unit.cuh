// kernels/fill_unit.cuh: what one thread of the device fill does (kernels/fill.cu): walk its units
// of the window (kernels/launch.hpp), draw each unit's Philox blocks from cuRAND, turn them into
// values with the exact transforms shared with the CPU fill (kernels/element.hpp), and store the
// unit with stores as wide as its alignment allows (head and tail units element by element).
// Host-device, so the CPU tests run this very code for every thread of a grid
// (tests/cpu/test_fill_thread.cu).
#pragma once

#include <cstdint>

#include "curand_philox.cuh"
#include "element.hpp"
#include "launch.hpp"

// `#pragma unroll` in device code only (the host compiler would warn about an unknown pragma):
// unrolled, the small per-unit arrays stay in registers instead of local memory.
#if defined(__CUDA_ARCH__)
#define WEIGHTINIT_UNROLL _Pragma("unroll")
#else
#define WEIGHTINIT_UNROLL
#endif

namespace weightinit {
namespace detail {

// ---------------------------------------------------------------------------------------------
// The 16 bytes of one unit, as four little-endian 32-bit words in element order: the exact bits
// fill_host stores for the same elements.

template <distribution_kind Kind>
WEIGHTINIT_HOST_DEVICE inline words4 block_words(key k, std::uint64_t block) {
  if (!draws_words(Kind)) return words4{0, 0, 0, 0};  // constants draw no words
  return curand_philox_block(k.seed, k.stream, block);
}

// f32: one block, four elements.
template <distribution_kind Kind>
WEIGHTINIT_HOST_DEVICE inline void unit_bits(const prepared<float>& p, key k, std::uint64_t unit,
                                             float*, std::uint32_t out[4]) {
  float v[4];
  block_values(p, block_words<Kind>(k, unit), v);
  WEIGHTINIT_UNROLL
  for (int j = 0; j < 4; ++j) out[j] = xf::bits_of(v[j]);
}

// f64: one block, two elements of two words each.
template <distribution_kind Kind>
WEIGHTINIT_HOST_DEVICE inline void unit_bits(const prepared<double>& p, key k, std::uint64_t unit,
                                             double*, std::uint32_t out[4]) {
  double v[2];
  block_values(p, block_words<Kind>(k, unit), v);
  WEIGHTINIT_UNROLL
  for (int j = 0; j < 2; ++j) {
    const std::uint64_t b = xf::bits_of(v[j]);
    out[2 * j] = static_cast<std::uint32_t>(b);
    out[2 * j + 1] = static_cast<std::uint32_t>(b >> 32);
  }
}

// f16 and bf16: two blocks (2 * unit, 2 * unit + 1), eight elements of half a word each, rounded
// from f32 exactly as fill_host rounds them (pack2: two at a time by the hardware's RNE conversion
// on the device, the software rounding on the host; the same bits).
template <distribution_kind Kind, class Half>
WEIGHTINIT_HOST_DEVICE inline void half_unit_bits(const prepared<float>& p, key k,
                                                  std::uint64_t unit, std::uint32_t out[4]) {
  WEIGHTINIT_UNROLL
  for (int b = 0; b < 2; ++b) {
    float v[4];
    block_values(p, block_words<Kind>(k, 2 * unit + b), v);
    out[2 * b] = pack2(static_cast<Half*>(nullptr), v[0], v[1]);
    out[2 * b + 1] = pack2(static_cast<Half*>(nullptr), v[2], v[3]);
  }
}
template <distribution_kind Kind>
WEIGHTINIT_HOST_DEVICE inline void unit_bits(const prepared<float>& p, key k, std::uint64_t unit,
                                             f16_bits*, std::uint32_t out[4]) {
  half_unit_bits<Kind, f16_bits>(p, k, unit, out);
}
template <distribution_kind Kind>
WEIGHTINIT_HOST_DEVICE inline void unit_bits(const prepared<float>& p, key k, std::uint64_t unit,
                                             bf16_bits*, std::uint32_t out[4]) {
  half_unit_bits<Kind, bf16_bits>(p, k, unit, out);
}

// ---------------------------------------------------------------------------------------------
// Stores.

// A full unit at `dst` (its element 0), as 16 / store_bytes stores of store_bytes each; the plan
// guarantees dst is a multiple of store_bytes, and store_bytes >= the element size.
template <class Storage>
WEIGHTINIT_HOST_DEVICE inline void store_full(unsigned char* dst, int store_bytes,
                                              const std::uint32_t b[4]) {
  if (store_bytes == 16) {
    *reinterpret_cast<uint4*>(dst) = make_uint4(b[0], b[1], b[2], b[3]);
    return;
  }
  if (store_bytes == 8) {
    uint2* q = reinterpret_cast<uint2*>(dst);
    q[0] = make_uint2(b[0], b[1]);
    q[1] = make_uint2(b[2], b[3]);
    return;
  }
  if constexpr (sizeof(Storage) <= 4) {
    if (store_bytes == 4) {
      std::uint32_t* q = reinterpret_cast<std::uint32_t*>(dst);
      WEIGHTINIT_UNROLL
      for (int i = 0; i < 4; ++i) q[i] = b[i];
      return;
    }
  }
  if constexpr (sizeof(Storage) == 2) {  // store_bytes == 2
    std::uint16_t* q = reinterpret_cast<std::uint16_t*>(dst);
    WEIGHTINIT_UNROLL
    for (int i = 0; i < 4; ++i) {
      q[2 * i] = static_cast<std::uint16_t>(b[i]);
      q[2 * i + 1] = static_cast<std::uint16_t>(b[i] >> 16);
    }
  }
}

// The elements [begin, end) of a head or tail unit whose element 0 is the window element
// `local_start`, one element-sized store each (only addresses inside the window are formed).
template <class Storage>
WEIGHTINIT_HOST_DEVICE inline void store_partial(unsigned char* data, const launch::unit_job& job,
                                                 const std::uint32_t b[4]) {
  constexpr int bytes = static_cast<int>(sizeof(Storage));
  constexpr int per_unit = launch::unit_bytes / bytes;
  WEIGHTINIT_UNROLL
  for (int j = 0; j < per_unit; ++j) {
    if (j < job.begin || j >= job.end) continue;
    unsigned char* dst = data + (job.local_start + j) * bytes;
    if constexpr (bytes == 8) {
      *reinterpret_cast<unsigned long long*>(dst) =
          static_cast<unsigned long long>(b[2 * j]) |
          (static_cast<unsigned long long>(b[2 * j + 1]) << 32);
    } else if constexpr (bytes == 4) {
      *reinterpret_cast<std::uint32_t*>(dst) = b[j];
    } else {
      *reinterpret_cast<std::uint16_t*>(dst) =
          static_cast<std::uint16_t>(b[j / 2] >> (16 * (j % 2)));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// One thread's whole share of a fill: the units t = thread, thread + threads, ... of the window.
// The kind is a template parameter so each kernel holds only its own transform (and registers).

template <class Storage, class T, distribution_kind Kind>
WEIGHTINIT_HOST_DEVICE inline void fill_thread(const prepared<T>& params, const launch::plan& plan,
                                               key k, unsigned char* data, std::uint64_t thread,
                                               std::uint64_t threads) {
  prepared<T> p = params;
  p.kind = Kind;  // lets the compiler fold block_values' switch
  const launch::thread_units mine = launch::units_of_thread(plan, thread, threads);
  for (std::int64_t t = mine.begin; t < mine.end; t += mine.step) {
    const launch::unit_job job = launch::unit_at(plan, t);
    std::uint32_t b[4];
    unit_bits<Kind>(p, k, static_cast<std::uint64_t>(job.global_unit),
                    static_cast<Storage*>(nullptr), b);
    if (job.full) {
      store_full<Storage>(data + job.local_start * static_cast<std::int64_t>(sizeof(Storage)),
                          plan.store_bytes, b);
    } else {
      store_partial<Storage>(data, job, b);
    }
  }
}

}  // namespace detail
}  // namespace weightinit
