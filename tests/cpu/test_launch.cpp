// tests/cpu/test_launch.cpp: the device fill's launch logic (kernels/launch.hpp) run on the CPU:
// every thread of small grids is simulated, and every element of the window must be written exactly
// once, by stores aligned to their width, from the unit that holds its global index; windows past
// 2^32 elements are checked arithmetically, without memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/element.hpp"
#include "kernels/launch.hpp"

namespace wi = weightinit;
namespace launch = weightinit::launch;

namespace {

struct grid_shape {
  unsigned blocks, block_dim;
};

// The largest power of two <= 16 that divides `address` (16 for 0).
int alignment_of(std::uint64_t address) {
  int a = 1;
  while (a < 16 && address % (2 * a) == 0) a *= 2;
  return a;
}

// Runs the kernel's loop (kernels/fill.cu) for every thread of `grid` over the window and counts
// the writes of every element. Returns "" or the first violated property.
std::string simulate(std::uint64_t address, int element_bytes, std::int64_t first,
                     std::int64_t count, grid_shape grid) {
  std::ostringstream err;
  const launch::plan p = launch::make_plan(address, element_bytes, first, count);
  if (p.per_unit * element_bytes != launch::unit_bytes) return "a unit is not 16 bytes";
  if (p.store_bytes < element_bytes || p.store_bytes > 16 || (p.store_bytes & (p.store_bytes - 1)))
    return "bad store width " + std::to_string(p.store_bytes);
  std::vector<int> writes(static_cast<std::size_t>(count), 0);
  const std::uint64_t threads = static_cast<std::uint64_t>(grid.blocks) * grid.block_dim;
  int partial_units = 0;
  for (unsigned b = 0; b < grid.blocks; ++b) {
    for (unsigned tib = 0; tib < grid.block_dim; ++tib) {
      const launch::thread_units mine =
          launch::units_of_thread(p, launch::global_thread(b, grid.block_dim, tib), threads);
      for (std::int64_t t = mine.begin; t < mine.end; t += mine.step) {
        const launch::unit_job job = launch::unit_at(p, t);
        if (job.global_unit * p.per_unit != first + job.local_start)
          return "unit " + std::to_string(t) + " does not hold the global elements it writes";
        if (!(0 <= job.begin && job.begin < job.end && job.end <= p.per_unit))
          return "unit " + std::to_string(t) + " has an empty or bad element range";
        if (job.full != (job.begin == 0 && job.end == p.per_unit))
          return "unit " + std::to_string(t) + " misreports fullness";
        if (job.full) {
          const int per_store = launch::elements_per_store(p);
          if (launch::stores_per_unit(p) * per_store != p.per_unit)
            return "stores do not tile a unit";
          const std::uint64_t unit_address =
              address + static_cast<std::uint64_t>(job.local_start) * element_bytes;
          // The body uses the widest store its alignment allows (16 bytes when aligned).
          if (p.store_bytes != alignment_of(unit_address))
            return "store width " + std::to_string(p.store_bytes) + " but the unit at " +
                   std::to_string(unit_address) + " allows " +
                   std::to_string(alignment_of(unit_address));
          for (int s = 0; s < launch::stores_per_unit(p); ++s) {
            const std::int64_t e0 = job.local_start + static_cast<std::int64_t>(s) * per_store;
            if ((address + static_cast<std::uint64_t>(e0) * element_bytes) % p.store_bytes != 0)
              return "misaligned store at element " + std::to_string(e0);
            for (std::int64_t e = e0; e < e0 + per_store; ++e) {
              if (e < 0 || e >= count) return "full unit writes outside the window";
              ++writes[static_cast<std::size_t>(e)];
            }
          }
        } else {
          ++partial_units;
          if (t != 0 && t != p.units - 1) return "a partial unit in the middle of the window";
          for (int j = job.begin; j < job.end; ++j) {
            const std::int64_t e = job.local_start + j;
            if (e < 0 || e >= count) return "partial unit writes outside the window";
            ++writes[static_cast<std::size_t>(e)];
          }
        }
      }
    }
  }
  if (partial_units > 2) return "more than a head and a tail";
  for (std::int64_t e = 0; e < count; ++e) {
    if (writes[static_cast<std::size_t>(e)] != 1) {
      err << "element " << e << " written " << writes[static_cast<std::size_t>(e)] << " times";
      return err.str();
    }
  }
  return "";
}

}  // namespace

TEST(LaunchPlan, AUnitIsSixteenBytesAndWholePhiloxBlocksForEveryDtype) {
  for (wi::dtype t : {wi::dtype::f32, wi::dtype::f64, wi::dtype::f16, wi::dtype::bf16}) {
    const int bytes = static_cast<int>(wi::size_of(t));
    const launch::plan p = launch::make_plan(0, bytes, 0, 1);
    EXPECT_EQ(p.per_unit * bytes, 16) << wi::to_string(t);
    // A Philox block never straddles two units, so no thread recomputes another's block.
    EXPECT_EQ(p.per_unit % wi::elements_per_block(t), 0) << wi::to_string(t);
  }
}

TEST(LaunchPlan, EveryElementIsWrittenExactlyOnceForManySizesAlignmentsWindowsAndGrids) {
  const std::int64_t firsts[] = {
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, (1ll << 32) - 3, (1ll << 40) + 5};
  std::vector<std::int64_t> counts;
  for (std::int64_t c = 1; c <= 40; ++c) counts.push_back(c);
  for (std::int64_t c : {63, 64, 65, 255, 256, 257, 1000}) counts.push_back(c);
  const grid_shape grids[] = {{1, 1}, {1, 32}, {3, 32}, {5, 96}, {2, 7}};
  int cases = 0;
  for (int bytes : {2, 4, 8}) {
    for (int offset = 0; offset < 8; ++offset) {
      const std::uint64_t address = 0x7f0000000000ull + static_cast<std::uint64_t>(offset) * bytes;
      for (std::int64_t first : firsts) {
        for (std::int64_t count : counts) {
          for (const grid_shape& g : grids) {
            const std::string e = simulate(address, bytes, first, count, g);
            ASSERT_EQ(e, "") << "element bytes " << bytes << ", pointer offset " << offset
                             << " elements, first " << first << ", count " << count << ", grid "
                             << g.blocks << "x" << g.block_dim;
            ++cases;
          }
        }
      }
    }
  }
  EXPECT_EQ(cases, 3 * 8 * 15 * 47 * 5);
}

TEST(LaunchPlan, ALargeGridWithMostThreadsIdleStillWritesEachElementOnce) {
  for (int bytes : {2, 4, 8}) {
    for (std::int64_t count : {1, 7, 1000, 4097}) {
      ASSERT_EQ(simulate(0x10000 + 2 * bytes, bytes, 3, count, {64, 256}), "")
          << "bytes " << bytes << " count " << count;
    }
  }
}

TEST(LaunchPlan, AlignedWindowsAreAllSixteenByteStoresWithoutHeadOrTail) {
  // cudaMalloc'd memory (256-byte aligned), a window starting on a unit, a whole number of units.
  for (int bytes : {2, 4, 8}) {
    const std::int64_t per_unit = 16 / bytes;
    const launch::plan p =
        launch::make_plan(0x7f0000000000ull, bytes, 5 * per_unit, 1000 * per_unit);
    EXPECT_EQ(p.store_bytes, 16);
    EXPECT_EQ(p.units, 1000);
    EXPECT_TRUE(launch::unit_at(p, 0).full);
    EXPECT_TRUE(launch::unit_at(p, p.units - 1).full);
  }
}

TEST(LaunchPlan, WindowPhaseSetsTheBodyStoreWidth) {
  // f32 at a 16-byte aligned address: the units start 16, 12, 8, 4 bytes in for first mod 4 = 0..3.
  EXPECT_EQ(launch::make_plan(0x1000, 4, 0, 100).store_bytes, 16);
  EXPECT_EQ(launch::make_plan(0x1000, 4, 1, 100).store_bytes, 4);
  EXPECT_EQ(launch::make_plan(0x1000, 4, 2, 100).store_bytes, 8);
  EXPECT_EQ(launch::make_plan(0x1000, 4, 3, 100).store_bytes, 4);
  // With first = 3 the first unit starts at window element 1: a pointer 12 bytes past alignment
  // puts it (and every later unit) back on 16 bytes; 4 bytes past puts it on 8.
  EXPECT_EQ(launch::make_plan(0x100c, 4, 3, 100).store_bytes, 16);
  EXPECT_EQ(launch::make_plan(0x1004, 4, 3, 100).store_bytes, 8);
  // bf16 with the pointer 2 bytes off: 2-byte stores only; 8 bytes off: two 8-byte stores.
  EXPECT_EQ(launch::make_plan(0x1002, 2, 0, 100).store_bytes, 2);
  EXPECT_EQ(launch::make_plan(0x1008, 2, 0, 100).store_bytes, 8);
  // f64 8 bytes off: two 8-byte stores.
  EXPECT_EQ(launch::make_plan(0x1008, 8, 0, 100).store_bytes, 8);
}

TEST(LaunchPlan, GlobalThreadIndexIsComputedIn64Bits) {
  // blockIdx.x * blockDim.x wraps in 32 bits past 2^32 threads.
  EXPECT_EQ(launch::global_thread(0x7fffffffu, 1024, 1023), 0x7fffffffull * 1024 + 1023);
  EXPECT_EQ(launch::global_thread(4194304u, 1024, 5), (1ull << 32) + 5);
}

// Windows past 2^32 elements: the unit count, the head, the tail and the units around every power
// of two that a 32-bit index would wrap at, plus the ownership of every sampled unit by exactly one
// thread of real grid shapes, all by arithmetic.
TEST(LaunchPlan, WindowsPastTwoToThe32AreCutAndAssignedExactly) {
  const std::int64_t counts[] = {(1ll << 32) + 2000000, (1ll << 32) - 1, 1ll << 32,
                                 (1ll << 32) + 1,       (1ll << 33) + 7, (1ll << 40) + 3};
  const std::int64_t firsts[] = {0, 1, 3, 7, (1ll << 32) + 1, (1ll << 41) + 6};
  const grid_shape grids[] = {{132 * 8, 256}, {1, 32}, {4194304u, 1024}, {65535, 96}};
  for (int bytes : {2, 4, 8}) {
    const std::int64_t per_unit = 16 / bytes;
    for (int offset = 0; offset < 8; ++offset) {
      const std::uint64_t address = 0x7f0000000000ull + static_cast<std::uint64_t>(offset) * bytes;
      for (std::int64_t first : firsts) {
        for (std::int64_t count : counts) {
          SCOPED_TRACE(::testing::Message() << "bytes " << bytes << " offset " << offset
                                            << " first " << first << " count " << count);
          const launch::plan p = launch::make_plan(address, bytes, first, count);
          // Independent count of the units: a head to the first unit start, whole units, a tail.
          const std::int64_t head =
              std::min<std::int64_t>(count, (per_unit - first % per_unit) % per_unit);
          const std::int64_t body = (count - head) / per_unit;
          const std::int64_t tail = (count - head) % per_unit;
          ASSERT_EQ(p.units, (head > 0) + body + (tail > 0));
          // The first unit starts the window, the last ends it.
          const launch::unit_job u0 = launch::unit_at(p, 0);
          const launch::unit_job un = launch::unit_at(p, p.units - 1);
          ASSERT_EQ(u0.local_start + u0.begin, 0);
          ASSERT_EQ(un.local_start + un.end, count);
          ASSERT_EQ(u0.global_unit, first / per_unit);
          // Units around the wrap points of 32-bit arithmetic (in units and in elements) follow
          // each other with neither gap nor overlap, and hold the right global elements.
          std::vector<std::int64_t> ts = {0, 1, 2, p.units - 2, p.units - 1};
          for (int k : {29, 30, 31, 32, 33}) {
            for (std::int64_t d : {-1, 0, 1}) {
              ts.push_back((1ll << k) + d);
              ts.push_back(((1ll << k) + d) / per_unit);
            }
          }
          for (std::int64_t t : ts) {
            if (t < 0 || t + 1 >= p.units) continue;
            const launch::unit_job a = launch::unit_at(p, t), b = launch::unit_at(p, t + 1);
            ASSERT_EQ(a.local_start + a.end, b.local_start + b.begin)
                << "units " << t << ", " << t + 1;
            ASSERT_EQ(a.global_unit * per_unit, first + a.local_start) << "unit " << t;
            ASSERT_EQ(b.global_unit, a.global_unit + 1);
            if (t > 0) {
              ASSERT_TRUE(a.full) << "unit " << t;
            }
            // Each unit belongs to exactly one thread, at one step of its loop.
            for (const grid_shape& g : grids) {
              const std::uint64_t threads = static_cast<std::uint64_t>(g.blocks) * g.block_dim;
              const std::uint64_t owner = static_cast<std::uint64_t>(t) % threads;
              const launch::thread_units r = launch::units_of_thread(
                  p,
                  launch::global_thread(static_cast<unsigned>(owner / g.block_dim), g.block_dim,
                                        static_cast<unsigned>(owner % g.block_dim)),
                  threads);
              ASSERT_EQ(static_cast<std::uint64_t>(r.begin), owner);
              ASSERT_EQ(static_cast<std::uint64_t>(r.step), threads);
              ASSERT_EQ(r.end, p.units);
              ASSERT_EQ((t - r.begin) % r.step, 0);
            }
          }
          // The element count adds up: all middle units are full.
          if (p.units >= 2) {
            ASSERT_EQ((u0.end - u0.begin) + (p.units - 2) * per_unit + (un.end - un.begin), count);
          }
        }
      }
    }
  }
}

TEST(LaunchPlan, GridBlocksCoverSmallWindowsAndCapLargeOnesAtResidentBlocks) {
  EXPECT_EQ(launch::grid_blocks(1, 256, 1056), 1u);
  EXPECT_EQ(launch::grid_blocks(256, 256, 1056), 1u);
  EXPECT_EQ(launch::grid_blocks(257, 256, 1056), 2u);
  EXPECT_EQ(launch::grid_blocks(1ll << 40, 256, 1056), 1056u);
  EXPECT_EQ(launch::grid_blocks((1ll << 29) + 250000, 1024, 0x7fffffffu), 524533u);
  for (std::int64_t units : {1ll, 2ll, 255ll, 256ll, 257ll, 100000ll, 1ll << 33}) {
    for (unsigned threads : {32u, 96u, 256u, 1024u}) {
      const unsigned b = launch::grid_blocks(units, threads, 1056);
      EXPECT_GE(b, 1u);
      EXPECT_LE(b, 1056u);
      // Either every unit has its own thread or the grid is full.
      EXPECT_TRUE(static_cast<std::int64_t>(b) * threads >= units || b == 1056u)
          << units << " " << threads;
      // And no block is wholly idle.
      EXPECT_LT(static_cast<std::int64_t>(b - 1) * threads, units);
    }
  }
}
