// host/fill_host.cpp: the CPU fill. Each worker takes a contiguous range of the window and computes
// the same Philox blocks and exact transforms as the GPU kernels, so any thread count, window or
// prefix yields the same bits (DESIGN.md §1).
#include <algorithm>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../kernels/element.hpp"
#include "prepare.hpp"
#include "weightinit/fill.hpp"

namespace weightinit {
namespace {

// Writes the window-relative elements [lo, hi) of a window that starts at global index `first`.
template <class Storage, class T>
void fill_range(const prepared<T>& p, key k, Storage* out, std::int64_t first, std::int64_t lo,
                std::int64_t hi) {
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

template <class Storage, class T>
void fill_parallel(const prepared<T>& p, key k, void* data, std::int64_t first, std::int64_t n,
                   unsigned threads) {
  Storage* out = static_cast<Storage*>(data);
  constexpr std::int64_t min_per_thread = 1 << 15;
  const std::int64_t useful = std::max<std::int64_t>(1, n / min_per_thread);
  const unsigned t = static_cast<unsigned>(std::min<std::int64_t>(threads, useful));
  if (t <= 1) {
    fill_range(p, k, out, first, 0, n);
    return;
  }
  // Chunks end on multiples of 4 global elements, so no Philox block is computed twice.
  const std::int64_t chunk = ((n + t - 1) / t + 3) / 4 * 4;
  std::vector<std::thread> workers;
  workers.reserve(t);
  for (unsigned i = 0; i < t; ++i) {
    const std::int64_t lo = std::min<std::int64_t>(n, i == 0 ? 0 : (first + i * chunk) / 4 * 4 - first);
    const std::int64_t hi =
        std::min<std::int64_t>(n, i + 1 == t ? n : (first + (i + 1) * chunk) / 4 * 4 - first);
    if (lo >= hi) continue;
    workers.emplace_back([=] { fill_range(p, k, out, first, lo, hi); });
  }
  for (auto& w : workers) w.join();
}

}  // namespace

void fill_host(const tensor_view& tensor, const distribution& dist, key k, host_policy policy) {
  const char* fn = "fill_host";
  const std::int64_t n = window_count(tensor, fn);
  // Validate the distribution even for empty windows: a bad call is bad at any size.
  if (tensor.type == dtype::f64) {
    const prepared<double> p = detail::prepare_f64(dist, fn);
    if (n == 0) return;
    if (tensor.data == nullptr)
      throw std::invalid_argument(std::string(fn) + ": null data pointer for " + std::to_string(n) +
                                  " elements");
    unsigned threads = policy.threads ? policy.threads : std::max(1u, std::thread::hardware_concurrency());
    fill_parallel<double>(p, k, tensor.data, tensor.first, n, threads);
    return;
  }
  const prepared<float> p = detail::prepare_f32(dist, tensor.type, fn);
  if (n == 0) return;
  if (tensor.data == nullptr)
    throw std::invalid_argument(std::string(fn) + ": null data pointer for " + std::to_string(n) +
                                " elements");
  unsigned threads = policy.threads ? policy.threads : std::max(1u, std::thread::hardware_concurrency());
  switch (tensor.type) {
    case dtype::f32: fill_parallel<float>(p, k, tensor.data, tensor.first, n, threads); break;
    case dtype::f16: fill_parallel<f16_bits>(p, k, tensor.data, tensor.first, n, threads); break;
    case dtype::bf16: fill_parallel<bf16_bits>(p, k, tensor.data, tensor.first, n, threads); break;
    case dtype::f64: break;  // handled above
  }
}

}  // namespace weightinit
