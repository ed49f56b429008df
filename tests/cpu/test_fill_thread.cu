// tests/cpu/test_fill_thread.cu: the device fill's per-thread code (kernels/fill_unit.cuh, the body
// of every fill kernel) run on the host for every thread of several grids: cuRAND's Philox, the
// unit values, the vector and scalar stores. It must write exactly fill_host's bytes and nothing
// outside the window, for every distribution x dtype x size x pointer offset x window start. No
// GPU.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "host/prepare.hpp"
#include "kernels/fill_unit.cuh"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;

namespace {

// Every thread of a blocks x threads grid, in order, as fill_kernel runs them.
template <class Storage, class T, wi::distribution_kind Kind>
void run_grid(const wi::prepared<T>& p, const wi::launch::plan& plan, wi::key k,
              unsigned char* data, unsigned blocks, unsigned threads) {
  const std::uint64_t all = static_cast<std::uint64_t>(blocks) * threads;
  for (unsigned b = 0; b < blocks; ++b)
    for (unsigned t = 0; t < threads; ++t)
      wi::detail::fill_thread<Storage, T, Kind>(p, plan, k, data,
                                                wi::launch::global_thread(b, threads, t), all);
}

template <class Storage, class T>
void run_kind(const wi::prepared<T>& p, const wi::launch::plan& plan, wi::key k,
              unsigned char* data, unsigned blocks, unsigned threads) {
  using K = wi::distribution_kind;
  switch (p.kind) {
    case K::constant: return run_grid<Storage, T, K::constant>(p, plan, k, data, blocks, threads);
    case K::uniform: return run_grid<Storage, T, K::uniform>(p, plan, k, data, blocks, threads);
    case K::normal: return run_grid<Storage, T, K::normal>(p, plan, k, data, blocks, threads);
    case K::truncated_normal:
      return run_grid<Storage, T, K::truncated_normal>(p, plan, k, data, blocks, threads);
  }
}

// The device fill of the window [first, first + n) at `data`, as the kernels would write it.
void emulate_fill(wi::dtype t, const wi::distribution& d, wi::key k, std::int64_t first,
                  std::int64_t n, unsigned char* data, unsigned blocks, unsigned threads) {
  const int bytes = static_cast<int>(wi::size_of(t));
  const wi::launch::plan plan =
      wi::launch::make_plan(reinterpret_cast<std::uintptr_t>(data), bytes, first, n);
  if (t == wi::dtype::f64) {
    run_kind<double>(wi::detail::prepare_f64(d, "test"), plan, k, data, blocks, threads);
    return;
  }
  const wi::prepared<float> p = wi::detail::prepare_f32(d, t, "test");
  if (t == wi::dtype::f32) run_kind<float>(p, plan, k, data, blocks, threads);
  if (t == wi::dtype::f16) run_kind<wi::f16_bits>(p, plan, k, data, blocks, threads);
  if (t == wi::dtype::bf16) run_kind<wi::bf16_bits>(p, plan, k, data, blocks, threads);
}

}  // namespace

TEST(FillThread, CurandPhiloxBlockEqualsOurPhiloxFarPastTwoToThe32) {
  const std::uint64_t seeds[] = {0, 1, 20111115, 0xdeadbeefcafef00dull, ~0ull};
  const std::uint64_t streams[] = {0, 1, 7, 0x0123456789abcdefull, ~0ull};
  const std::uint64_t blocks[] = {
      0, 1, 2499, (1ull << 32) - 1, 1ull << 32, (1ull << 32) + 1, (1ull << 61) + 5, ~0ull};
  for (std::uint64_t s : seeds)
    for (std::uint64_t st : streams)
      for (std::uint64_t b : blocks) {
        const wi::words4 c = wi::curand_philox_block(s, st, b), w = wi::philox_block(s, st, b);
        ASSERT_TRUE(c.x == w.x && c.y == w.y && c.z == w.z && c.w == w.w)
            << "seed " << s << " stream " << st << " block " << b;
      }
}

TEST(FillThread, EveryThreadOfTheKernelWritesExactlyTheHostFillBytesAndNothingElse) {
  const wi::distribution dists[] = {
      wi::distribution::constant(0.0), wi::distribution::constant(-0.375),
      wi::distribution::uniform(-0.3, 0.7), wi::distribution::normal(0.5, 2.0),
      wi::distribution::truncated_normal(0.1, 0.5, -0.4, 1.2)};
  const wi::dtype types[] = {wi::dtype::f32, wi::dtype::f64, wi::dtype::f16, wi::dtype::bf16};
  const std::int64_t firsts[] = {0, 5, (std::int64_t{1} << 32) + 3};
  const std::int64_t sizes[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 255, 257};
  const unsigned grids[][2] = {{1, 32}, {3, 96}};
  const wi::key k{20261129, 3};
  constexpr std::size_t guard = 64;
  int cases = 0;
  for (const wi::distribution& d : dists)
    for (wi::dtype t : types)
      for (std::int64_t first : firsts)
        for (std::int64_t n : sizes) {
          const std::size_t S = wi::size_of(t), bytes = static_cast<std::size_t>(n) * S;
          std::vector<unsigned char> want(bytes + 1);
          wi::fill_host({want.data(), t, {first + n}, first, n}, d, k);
          for (std::size_t offset = 0; offset < 8; ++offset)
            for (const auto& g : grids) {
              // A 16-byte aligned region: guard, window at `offset` elements, guard; all 0xff.
              std::vector<unsigned char> mem(2 * guard + 8 * S + bytes + 16, 0xff);
              unsigned char* base = mem.data();
              while (reinterpret_cast<std::uintptr_t>(base) % 16) ++base;
              unsigned char* data = base + guard + offset * S;
              if (n > 0) emulate_fill(t, d, k, first, n, data, g[0], g[1]);
              const std::string where = wi::to_string(d) + " " + wi::to_string(t) + " first " +
                                        std::to_string(first) + " n " + std::to_string(n) +
                                        " offset " + std::to_string(offset) + " grid " +
                                        std::to_string(g[0]) + "x" + std::to_string(g[1]);
              ASSERT_EQ(std::memcmp(data, want.data(), bytes), 0) << where;
              for (const unsigned char* q = mem.data(); q < mem.data() + mem.size(); ++q)
                if (q < data || q >= data + bytes)
                  ASSERT_EQ(*q, 0xff) << where << ": wrote outside";
              ++cases;
            }
        }
  EXPECT_EQ(cases, 5 * 4 * 3 * 16 * 8 * 2);
}
