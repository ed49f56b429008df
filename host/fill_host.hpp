// host/fill_host.hpp: the CPU fill's instruction-set levels and the entry points that pin one, so
// tests can compare every vector path the machine runs against the plain scalar reference, fill by
// fill and block by block (tests/cpu/test_fill_simd.cpp). weightinit::fill_host = fill_host_at
// with best_simd_level().
#pragma once

#include <cstddef>
#include <cstdint>

#include "../kernels/element.hpp"
#include "host_policy.hpp"
#include "weightinit/fill.hpp"
#include "weightinit/philox.hpp"

namespace weightinit {
namespace detail {

/// Code paths of the CPU fill. `scalar` is the reference: kernels/element.hpp one block at a time.
/// `avx2` is x86-64-v3 (AVX2, FMA), 8 lanes; `avx512` is x86-64-v4 (AVX-512 F/BW/DQ/VL), 16 lanes.
enum class simd_level { scalar, avx2, avx512 };

/// "scalar", "avx2", "avx512".
const char* to_string(simd_level level) noexcept;

/// Whether this build has the path and this CPU can run it (scalar: always).
bool simd_supported(simd_level level) noexcept;

/// The widest supported level: what fill_host uses.
simd_level best_simd_level() noexcept;

/// fill_host on the path `level`: the same checks, the same values. Throws std::invalid_argument
/// when the level is not supported here.
void fill_host_at(simd_level level, const tensor_view& tensor, const distribution& dist, key k,
                  host_policy policy);

/// The scalar reference: fill_host_at(simd_level::scalar, ...).
void fill_host_reference(const tensor_view& tensor, const distribution& dist, key k,
                         host_policy policy);

/// Philox blocks first_block .. first_block + n - 1 of `k` computed by the path `level`.
void philox_blocks_at(simd_level level, key k, std::uint64_t first_block, std::size_t n,
                      words4* out);

/// block_values for arbitrary words on the path `level`: out[4b + j] (f32) or out[2b + j] (f64) is
/// element j of the block whose words are in[b]. Lets tests feed edge words that Philox rarely
/// yields (0, ~0, the binade boundaries of the quantile table).
void block_values_at(simd_level level, const prepared<float>& p, const words4* in, std::size_t n,
                     float* out);
void block_values_at(simd_level level, const prepared<double>& p, const words4* in, std::size_t n,
                     double* out);

/// The f16 / bf16 rounding of kernels/transforms.hpp on the path `level`, for any f32 bits.
void round_f16_at(simd_level level, const float* in, std::size_t n, std::uint16_t* out);
void round_bf16_at(simd_level level, const float* in, std::size_t n, std::uint16_t* out);

}  // namespace detail
}  // namespace weightinit
