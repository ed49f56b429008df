// tests/cpu/test_shard.cpp: shard boxes on the CPU. For many shapes x splits x dtypes x schemes,
// the shards of every rank, filled on their own and assembled, equal the unsharded fill bit for
// bit; the partition helpers cover the tensor exactly once; fans come from the global shape; a
// bf16 box past global index 2^32 equals the contract computed element by element.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/element.hpp"
#include "host/prepare.hpp"
#include "tests/common/shard_util.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using weightinit_test::gather_box;
using weightinit_test::scatter_box;

namespace {

std::vector<unsigned char> whole_fill(const wi::shape& dims, wi::dtype t,
                                      const wi::initializer& init, wi::key k,
                                      const wi::fill_options& o = {}) {
  std::vector<unsigned char> out(static_cast<std::size_t>(wi::element_count(dims)) *
                                 wi::size_of(t));
  wi::fill_host({out.data(), t, dims}, init, k, o);
  return out;
}

std::vector<unsigned char> box_fill(const wi::shape& dims, const wi::shard_box& box, wi::dtype t,
                                    const wi::initializer& init, wi::key k, unsigned threads,
                                    const wi::fill_options& base = {}) {
  std::vector<unsigned char> out(
      static_cast<std::size_t>(wi::element_count(box)) * wi::size_of(t) + 1, 0xAB);
  wi::tensor_view v{out.data(), t, dims};
  v.box = box;
  wi::fill_options o = base;
  o.threads = threads;
  wi::fill_host(v, init, k, o);
  EXPECT_EQ(out.back(), 0xAB) << "wrote past the box";
  out.pop_back();
  return out;
}

const wi::dtype kTypes[] = {wi::dtype::f32, wi::dtype::f64, wi::dtype::f16, wi::dtype::bf16};

std::vector<wi::initializer> schemes() {
  return {wi::uniform(-0.5, 0.25),
          wi::normal(0.1, 0.02),
          wi::truncated_normal(0, 1, -1.5, 0.5),
          wi::xavier_uniform(),
          wi::he_normal(),
          wi::constant(0.75),
          wi::ones()};
}

}  // namespace

TEST(Shard, EvenAndUnevenSplitsCoverTheDimensionOnceInRankOrder) {
  for (std::int64_t n : {1, 2, 7, 12, 13, 64, 100}) {
    for (int world = 1; world <= 5; ++world) {
      std::int64_t next = 0;
      for (int r = 0; r < world; ++r) {
        const wi::shard_box b = wi::shard({n, 3}, 0, r, world);
        EXPECT_EQ(b.offset[0], next) << n << " " << world << " " << r;
        EXPECT_EQ(b.offset[1], 0);
        EXPECT_EQ(b.extent[1], 3);
        EXPECT_GE(b.extent[0], n / world);
        EXPECT_LE(b.extent[0], n / world + 1);
        next += b.extent[0];
      }
      EXPECT_EQ(next, n);
    }
  }
  EXPECT_EQ(wi::column_parallel({4, 10}, 1, 3).offset, (std::vector<std::int64_t>{0, 4}));
  EXPECT_EQ(wi::column_parallel({4, 10}, 1, 3).extent, (std::vector<std::int64_t>{4, 3}));
  EXPECT_EQ(wi::row_parallel({10, 4}, 2, 3).offset, (std::vector<std::int64_t>{7, 0}));
}

TEST(Shard, AssembledShardsEqualTheUnshardedFillBitForBit) {
  const wi::shape shapes[] = {{37, 29}, {64, 48}, {6, 5, 7}, {8, 3, 5, 5}, {1000}, {3, 1, 17}};
  const wi::key k{20261201, 77};
  int checked = 0;
  for (const wi::shape& dims : shapes) {
    for (wi::dtype t : kTypes) {
      for (const wi::initializer& init : schemes()) {
        if (wi::uses_fans(init.kind()) && dims.size() < 2) continue;
        const std::vector<unsigned char> whole = whole_fill(dims, t, init, k);
        const std::size_t bytes = wi::size_of(t);
        for (int dim = 0; dim < static_cast<int>(dims.size()); ++dim) {
          for (int world : {2, 3, 4}) {
            std::vector<unsigned char> assembled(whole.size(), 0x5C);
            for (int r = 0; r < world; ++r) {
              const wi::shard_box b = wi::shard(dims, dim, r, world);
              const std::vector<unsigned char> part = box_fill(dims, b, t, init, k, 1 + r % 2);
              scatter_box(dims, b, bytes, part.data(), assembled.data());
            }
            ASSERT_EQ(assembled, whole)
                << wi::to_string(init) << " " << wi::to_string(t) << " " << wi::to_string(dims)
                << " dim " << dim << " world " << world;
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 300);
}

TEST(Shard, ArbitraryBoxesHoldTheGlobalValuesAtTheirCoordinates) {
  const wi::shape dims{9, 13, 11};
  const wi::key k{5, 6};
  const wi::shard_box boxes[] = {{{0, 0, 0}, {9, 13, 11}}, {{2, 3, 4}, {5, 7, 3}},
                                 {{8, 12, 10}, {1, 1, 1}}, {{0, 5, 0}, {9, 1, 11}},
                                 {{4, 0, 0}, {2, 13, 11}}, {{1, 2, 3}, {0, 4, 4}},
                                 {{0, 0, 1}, {9, 13, 9}}};
  for (wi::dtype t : kTypes) {
    for (const wi::initializer& init : schemes()) {
      const std::vector<unsigned char> whole = whole_fill(dims, t, init, k);
      for (const wi::shard_box& b : boxes) {
        for (unsigned threads : {1u, 2u, 3u}) {
          EXPECT_EQ(box_fill(dims, b, t, init, k, threads),
                    gather_box(dims, b, wi::size_of(t), whole.data()))
              << wi::to_string(b) << " " << wi::to_string(init) << " " << wi::to_string(t);
        }
      }
    }
  }
}

TEST(Shard, StructuredSchemesAndPackedPartsShardLikeTheWholeTensor) {
  const wi::key k{11, 12};
  struct item {
    wi::shape dims;
    wi::initializer init;
    wi::fill_options o;
  };
  wi::fan_layout qkv;
  qkv.parts = {16, 8, 8};  // GQA-like: unequal parts resolve differently
  std::vector<item> items = {
      {{24, 18}, wi::eye(2.5), {}},
      {{8, 4, 3, 3}, wi::dirac(2), {}},
      {{20, 12}, wi::sparse(0.3, 0.5), {}},
      {{12, 20}, wi::orthogonal(1.5), {}},
      {{32, 10}, wi::xavier_uniform(), wi::fill_options().with_layout(qkv)},
      {{10, 7}, wi::bias_uniform(), wi::fill_options().with_fan_override(wi::fans{49, 10, 1})},
  };
  for (const item& it : items) {
    for (wi::dtype t : {wi::dtype::f32, wi::dtype::f64, wi::dtype::bf16}) {
      const std::vector<unsigned char> whole = whole_fill(it.dims, t, it.init, k, it.o);
      for (int dim : {0, -1}) {
        for (int world : {2, 3}) {
          std::vector<unsigned char> assembled(whole.size(), 0x5C);
          for (int r = 0; r < world; ++r) {
            const wi::shard_box b = wi::shard(it.dims, dim, r, world);
            const auto part = box_fill(it.dims, b, t, it.init, k, 2, it.o);
            scatter_box(it.dims, b, wi::size_of(t), part.data(), assembled.data());
          }
          if (it.init.kind() == wi::scheme::orthogonal) {
            // The same double-precision Q is rounded once: bit for bit as well.
            ASSERT_EQ(assembled, whole) << "orthogonal " << wi::to_string(t) << " dim " << dim;
          } else {
            ASSERT_EQ(assembled, whole)
                << wi::to_string(it.init) << " " << wi::to_string(t) << " dim " << dim;
          }
        }
      }
    }
  }
}

TEST(Shard, FansComeFromTheGlobalShape) {
  // A column shard of a (256, 512) Xavier weight has the bound of the whole weight, not of its box.
  const wi::shape dims{256, 512};
  const wi::shard_box b = wi::column_parallel(dims, 1, 4);
  std::vector<float> part(static_cast<std::size_t>(wi::element_count(b)));
  wi::tensor_view v{part.data(), wi::dtype::f32, dims};
  v.box = b;
  wi::fill_host(v, wi::xavier_uniform(), {1, 2});
  const double bound = std::sqrt(6.0 / (256 + 512));
  float hi = 0;
  for (float x : part) hi = std::max(hi, std::fabs(x));
  EXPECT_LE(hi, bound);
  EXPECT_GT(hi, 0.99 * bound) << "the values look resolved against the box (256, 128)";
}

TEST(Shard, MegatronQkvShardsAreWholeHeads) {
  const std::int64_t heads = 12, head_dim = 4, hidden = 48;
  const wi::shape dims{3 * heads * head_dim, hidden};
  std::int64_t next = 0;
  for (int r = 0; r < 4; ++r) {
    const wi::shard_box b = wi::megatron_qkv_shard(dims, heads, r, 4);
    EXPECT_EQ(b.offset[0], next);
    EXPECT_EQ(b.extent[0], 3 * head_dim * heads / 4);
    next += b.extent[0];
  }
  EXPECT_EQ(next, dims[0]);
  EXPECT_THROW(wi::megatron_qkv_shard(dims, heads, 0, 5), std::invalid_argument);
  const auto parts = wi::fused_parts_shards({96, 32}, {32, 32, 32}, 0, 1, 2);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].offset[0], 16);
  EXPECT_EQ(parts[1].offset[0], 48);
  EXPECT_EQ(parts[2].offset[0], 80);
}

TEST(Shard, ParseBoxReadsOffsetExtentPairsStrictly) {
  const wi::shard_box b = wi::parse_box("0:1024,512:512");
  EXPECT_EQ(b.offset, (std::vector<std::int64_t>{0, 512}));
  EXPECT_EQ(b.extent, (std::vector<std::int64_t>{1024, 512}));
  for (const char* bad :
       {"", "1", "1:", ":2", "1:2,", "-1:2", "1:2:3", "99999999999999999999:1", "a:b", "1 :2"})
    EXPECT_THROW(wi::parse_box(bad), std::invalid_argument) << bad;
}

// DESIGN.md §1, element by element: element i's Philox block is i / 4 (f32 math), its value the
// block's lane i mod 4 through the shared transforms, rounded to bf16.
TEST(Shard, Bf16BoxPastTwoToTheThirtyTwoEqualsTheContractElementByElement) {
  const wi::shape dims{std::int64_t{1} << 19,
                       std::int64_t{1} << 14};  // 2^33 elements, not allocated
  wi::shard_box b;
  b.offset = {(std::int64_t{1} << 18) + 3, 1000};
  b.extent = {5, 777};
  const std::int64_t first = b.offset[0] * dims[1] + b.offset[1];
  ASSERT_GT(first, std::int64_t{1} << 32);
  const wi::key k{0xDEADBEEFCAFEull, 42};
  for (const wi::distribution& d :
       {wi::distribution::uniform(-2, 3), wi::distribution::normal(0, 0.02),
        wi::distribution::truncated_normal(0, 1, -2, 2)}) {
    std::vector<std::uint16_t> got(static_cast<std::size_t>(wi::element_count(b)));
    wi::tensor_view v{got.data(), wi::dtype::bf16, dims};
    v.box = b;
    wi::fill_host(v, d, k, wi::fill_options().with_threads(2));
    const wi::prepared<float> p = wi::detail::prepare_f32(d, wi::dtype::bf16, "test");
    std::size_t i = 0;
    for (std::int64_t r = 0; r < b.extent[0]; ++r) {
      for (std::int64_t c = 0; c < b.extent[1]; ++c, ++i) {
        const std::int64_t g = (b.offset[0] + r) * dims[1] + b.offset[1] + c;
        float vals[4];
        wi::block_values(p, wi::philox_block(k.seed, k.stream, static_cast<std::uint64_t>(g) / 4),
                         vals);
        wi::bf16_bits want;
        wi::store_value(&want, vals[g % 4]);
        ASSERT_EQ(got[i], want.bits) << wi::to_string(d) << " global element " << g;
      }
    }
  }
}
