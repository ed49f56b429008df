// host/fill_host.cpp: the CPU fill. Workers take contiguous ranges of the window; each range runs
// the widest vector path this CPU supports (host/fill_host_simd.inl: AVX-512 or AVX2+FMA, chosen at
// run time, so a stock build uses them) or the scalar reference (kernels/element.hpp one block at a
// time). All paths compute the same bits as the GPU kernels for any thread count, window or prefix.
#include "thread_pool.hpp"
#include "fill_host.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "../kernels/element.hpp"
#include "prepare.hpp"
#include "weightinit/fill.hpp"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define WEIGHTINIT_HAVE_X86_SIMD 1
#include <immintrin.h>
#else
#define WEIGHTINIT_HAVE_X86_SIMD 0
#endif

namespace weightinit {
namespace detail {
namespace {

// Fills the window-relative elements [lo, hi) of a window that starts at global index `first`.
template <class T>
using range_fn = void (*)(const prepared<T>& p, key k, void* out, std::int64_t first,
                          std::int64_t lo, std::int64_t hi);

// ---------------------------------------------------------------------------------------------
// The scalar reference: one Philox block and one block_values call at a time.

template <class Storage, class T>
void scalar_range(const prepared<T>& p, key k, void* data, std::int64_t first, std::int64_t lo,
                  std::int64_t hi) {
  Storage* out = static_cast<Storage*>(data);
  constexpr int per_block = sizeof(T) == 8 ? 2 : 4;
  const bool draws = draws_words(p.kind);
  T vals[per_block];
  if (!draws) block_values(p, words4{0, 0, 0, 0}, vals);  // constants: no words
  std::int64_t g = first + lo;
  const std::int64_t g_end = first + hi;
  while (g < g_end) {
    const std::uint64_t b = static_cast<std::uint64_t>(g) / per_block;
    const std::int64_t block_start = static_cast<std::int64_t>(b) * per_block;
    if (draws) block_values(p, philox_block(k.seed, k.stream, b), vals);
    const int j0 = static_cast<int>(g - block_start);
    const int j1 = static_cast<int>(std::min<std::int64_t>(per_block, g_end - block_start));
    Storage* dst = out + (block_start - first);
    for (int j = j0; j < j1; ++j) store_value(dst + j, vals[j]);
    g = block_start + j1;
  }
}

range_fn<float> pick_scalar(dtype type, float*) {
  switch (type) {
    case dtype::f16: return &scalar_range<f16_bits, float>;
    case dtype::bf16: return &scalar_range<bf16_bits, float>;
    default: return &scalar_range<float, float>;
  }
}
range_fn<double> pick_scalar(dtype, double*) { return &scalar_range<double, double>; }

}  // namespace

// ---------------------------------------------------------------------------------------------
// The vector paths: one copy of host/fill_host_simd.inl per instruction set. Each is compiled for
// its target only; fill_host_at calls it only after the CPU reported that target.

#if WEIGHTINIT_HAVE_X86_SIMD
namespace {
#pragma GCC push_options
#pragma GCC target("arch=x86-64-v3")
#define WEIGHTINIT_SIMD_NS avx2
#define WEIGHTINIT_SIMD_WIDTH 8
#include "fill_host_simd.inl"
#undef WEIGHTINIT_SIMD_NS
#undef WEIGHTINIT_SIMD_WIDTH
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("arch=x86-64-v4")
#define WEIGHTINIT_SIMD_NS avx512
#define WEIGHTINIT_SIMD_WIDTH 16
#include "fill_host_simd.inl"
#undef WEIGHTINIT_SIMD_NS
#undef WEIGHTINIT_SIMD_WIDTH
#pragma GCC pop_options
}  // namespace
#endif

const char* to_string(simd_level level) noexcept {
  switch (level) {
    case simd_level::scalar: return "scalar";
    case simd_level::avx2: return "avx2";
    case simd_level::avx512: return "avx512";
  }
  return "?";
}

bool simd_supported(simd_level level) noexcept {
  switch (level) {
    case simd_level::scalar: return true;
#if WEIGHTINIT_HAVE_X86_SIMD
    case simd_level::avx2: return __builtin_cpu_supports("x86-64-v3");
    case simd_level::avx512: return __builtin_cpu_supports("x86-64-v4");
#else
    case simd_level::avx2:
    case simd_level::avx512: return false;
#endif
  }
  return false;
}

simd_level best_simd_level() noexcept {
  if (simd_supported(simd_level::avx512)) return simd_level::avx512;
  if (simd_supported(simd_level::avx2)) return simd_level::avx2;
  return simd_level::scalar;
}

namespace {

void require_supported(simd_level level, const char* function) {
  if (!simd_supported(level))
    throw std::invalid_argument(std::string(function) + ": the " + to_string(level) +
                                " path is not supported by this build or CPU");
}

template <class T>
range_fn<T> pick_range(simd_level level, dtype type, distribution_kind kind) {
  T* tag = nullptr;
  switch (level) {
#if WEIGHTINIT_HAVE_X86_SIMD
    case simd_level::avx2: return avx2::pick(type, kind, tag);
    case simd_level::avx512: return avx512::pick(type, kind, tag);
#endif
    default: return pick_scalar(type, tag);
  }
}

// Below this many elements per worker, waking a pool thread costs more than it saves.
constexpr std::int64_t kMinPerThread = std::int64_t{1} << 16;
// Worker ranges start on multiples of this many global elements: whole vector batches of every
// path.
constexpr std::int64_t kChunkAlign = 64;

template <class T>
void fill_parallel(range_fn<T> fn, const prepared<T>& p, key k, void* data, std::int64_t first,
                   std::int64_t n, unsigned threads) {
  const std::int64_t useful = std::max<std::int64_t>(1, n / kMinPerThread);
  const unsigned t = static_cast<unsigned>(std::min<std::int64_t>(threads, useful));
  if (t <= 1) {
    fn(p, k, data, first, 0, n);
    return;
  }
  // Range i covers global elements [bound(i), bound(i+1)), bounds rounded to kChunkAlign.
  const std::int64_t chunk = (n + t - 1) / t;
  auto bound = [&](std::int64_t i) -> std::int64_t {
    if (i == 0) return 0;
    if (i == t) return n;
    const std::int64_t g = (first + i * chunk) / kChunkAlign * kChunkAlign;
    return std::min(n, std::max<std::int64_t>(0, g - first));
  };
  // The persistent pool (host/thread_pool.hpp): no thread is started per fill.
  parallel_for(t, t, [&](std::int64_t i) {
    const std::int64_t lo = bound(i), hi = bound(i + 1);
    if (lo < hi) fn(p, k, data, first, lo, hi);
  });
}

}  // namespace

void fill_host_at(simd_level level, const tensor_view& tensor, const distribution& dist, key k,
                  host_policy policy) {
  const char* fn = "fill_host";
  require_supported(level, fn);
  const std::int64_t n = window_count(tensor, fn);
  const unsigned threads = policy.threads ? policy.threads : default_thread_count();
  // Validate the distribution even for empty windows: a bad call is bad at any size.
  if (tensor.type == dtype::f64) {
    const prepared<double> p = prepare_f64(dist, fn);
    if (n == 0) return;
    if (tensor.data == nullptr)
      throw std::invalid_argument(std::string(fn) + ": null data pointer for " + std::to_string(n) +
                                  " elements");
    fill_parallel(pick_range<double>(level, tensor.type, p.kind), p, k, tensor.data, tensor.first,
                  n, threads);
    return;
  }
  const prepared<float> p = prepare_f32(dist, tensor.type, fn);
  if (n == 0) return;
  if (tensor.data == nullptr)
    throw std::invalid_argument(std::string(fn) + ": null data pointer for " + std::to_string(n) +
                                " elements");
  fill_parallel(pick_range<float>(level, tensor.type, p.kind), p, k, tensor.data, tensor.first, n,
                threads);
}

void fill_host_reference(const tensor_view& tensor, const distribution& dist, key k,
                         host_policy policy) {
  fill_host_at(simd_level::scalar, tensor, dist, k, policy);
}

void philox_blocks_at(simd_level level, key k, std::uint64_t first_block, std::size_t n,
                      words4* out) {
  require_supported(level, "philox_blocks_at");
  switch (level) {
#if WEIGHTINIT_HAVE_X86_SIMD
    case simd_level::avx2: return avx2::philox_blocks(k, first_block, n, out);
    case simd_level::avx512: return avx512::philox_blocks(k, first_block, n, out);
#endif
    default:
      for (std::size_t i = 0; i < n; ++i) out[i] = philox_block(k.seed, k.stream, first_block + i);
  }
}

namespace {
template <class T>
void block_values_any(simd_level level, const prepared<T>& p, const words4* in, std::size_t n,
                      T* out) {
  require_supported(level, "block_values_at");
  switch (level) {
#if WEIGHTINIT_HAVE_X86_SIMD
    case simd_level::avx2: return avx2::block_values(p, in, n, out);
    case simd_level::avx512: return avx512::block_values(p, in, n, out);
#endif
    default: {
      constexpr int per_block = sizeof(T) == 8 ? 2 : 4;
      for (std::size_t i = 0; i < n; ++i) block_values(p, in[i], out + per_block * i);
    }
  }
}

template <bool F16>
void round_any(simd_level level, const float* in, std::size_t n, std::uint16_t* out) {
  require_supported(level, F16 ? "round_f16_at" : "round_bf16_at");
  switch (level) {
#if WEIGHTINIT_HAVE_X86_SIMD
    case simd_level::avx2: return avx2::round_16<F16>(in, n, out);
    case simd_level::avx512: return avx512::round_16<F16>(in, n, out);
#endif
    default:
      for (std::size_t i = 0; i < n; ++i)
        out[i] = F16 ? xf::to_f16_bits(in[i]) : xf::to_bf16_bits(in[i]);
  }
}
}  // namespace

void block_values_at(simd_level level, const prepared<float>& p, const words4* in, std::size_t n,
                     float* out) {
  block_values_any(level, p, in, n, out);
}
void block_values_at(simd_level level, const prepared<double>& p, const words4* in, std::size_t n,
                     double* out) {
  block_values_any(level, p, in, n, out);
}
void round_f16_at(simd_level level, const float* in, std::size_t n, std::uint16_t* out) {
  round_any<true>(level, in, n, out);
}
void round_bf16_at(simd_level level, const float* in, std::size_t n, std::uint16_t* out) {
  round_any<false>(level, in, n, out);
}

}  // namespace detail

void fill_host(const tensor_view& tensor, const distribution& dist, key k, host_policy policy) {
  detail::fill_host_at(detail::best_simd_level(), tensor, dist, k, policy);
}

}  // namespace weightinit
