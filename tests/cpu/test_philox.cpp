// tests/cpu/test_philox.cpp: our Philox4x32 against the known-answer file, the 10000th-word check,
// cuRAND's host generator, and the 64-bit block/counter mapping far past 2^32 words.
#include <curand.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "weightinit/philox.hpp"

namespace wi = weightinit;

TEST(Philox, MatchesEveryKnownAnswerLine) {
  std::ifstream in(std::string(WEIGHTINIT_TEST_DATA) + "/philox4x32_kat.txt");
  ASSERT_TRUE(in) << "missing tests/data/philox4x32_kat.txt";
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    std::string name;
    int rounds;
    std::uint32_t v[10];
    s >> name >> std::dec >> rounds >> std::hex;
    for (auto& x : v) s >> x;
    ASSERT_TRUE(s) << "unparsable line: " << line;
    ASSERT_EQ(name, "philox4x32");
    const wi::words4 out = wi::philox4x32({v[0], v[1], v[2], v[3]}, v[4], v[5], rounds);
    EXPECT_EQ(out.x, v[6]) << line;
    EXPECT_EQ(out.y, v[7]) << line;
    EXPECT_EQ(out.z, v[8]) << line;
    EXPECT_EQ(out.w, v[9]) << line;
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

TEST(Philox, TenThousandthWordOfTheStdPhiloxStreamIsKnown) {
  // C++26 std::philox4x32: key (20111115, 0), counter 0, 1, 2, ...; word 10000 (1-based).
  EXPECT_EQ(wi::philox_word(20111115u, 0, 9999), 1955073260u);
  // The same word reached block by block.
  std::uint32_t last = 0;
  for (std::uint64_t b = 0; b < 2500; ++b) last = wi::philox_block(20111115u, 0, b).w;
  EXPECT_EQ(last, 1955073260u);
}

TEST(Philox, MatchesCurandHostGeneratorBlocksForSeveralSeeds) {
  // cuRAND's host Philox generator, seeded with S, emits block 0 of stream 0 as words 0..3 and
  // block 0 of stream 1 as words 4..7 (DESIGN.md §1). It runs without a GPU.
  for (std::uint64_t seed : {0ull, 1ull, 42ull, 0x123456789abcdefull, ~0ull}) {
    curandGenerator_t gen;
    ASSERT_EQ(curandCreateGeneratorHost(&gen, CURAND_RNG_PSEUDO_PHILOX4_32_10),
              CURAND_STATUS_SUCCESS);
    ASSERT_EQ(curandSetPseudoRandomGeneratorSeed(gen, seed), CURAND_STATUS_SUCCESS);
    std::vector<unsigned int> words(8);
    ASSERT_EQ(curandGenerate(gen, words.data(), words.size()), CURAND_STATUS_SUCCESS);
    curandDestroyGenerator(gen);
    for (unsigned stream = 0; stream < 2; ++stream) {
      const wi::words4 b = wi::philox_block(seed, stream, 0);
      EXPECT_EQ(words[4 * stream + 0], b.x) << "seed " << seed << " stream " << stream;
      EXPECT_EQ(words[4 * stream + 1], b.y) << "seed " << seed << " stream " << stream;
      EXPECT_EQ(words[4 * stream + 2], b.z) << "seed " << seed << " stream " << stream;
      EXPECT_EQ(words[4 * stream + 3], b.w) << "seed " << seed << " stream " << stream;
    }
  }
}

TEST(Philox, WordIndexMathIsExactPastTwoToThe31_32_And33) {
  const std::uint64_t seed = 0xdeadbeefcafef00dull, stream = 0x0123456789abcdefull;
  const std::uint64_t js[] = {(1ull << 31) - 1, 1ull << 31,       (1ull << 31) + 1,
                              (1ull << 32) - 1, 1ull << 32,       (1ull << 32) + 1,
                              (1ull << 33) + 3, (1ull << 34) + 2, (1ull << 62) + 5};
  for (std::uint64_t j : js) {
    const std::uint64_t b = j / 4;
    // The counter built by hand from DESIGN.md §1, without philox_block.
    const wi::words4 ctr{
        static_cast<std::uint32_t>(b & 0xffffffffu), static_cast<std::uint32_t>(b >> 32),
        static_cast<std::uint32_t>(stream & 0xffffffffu), static_cast<std::uint32_t>(stream >> 32)};
    const wi::words4 out = wi::philox4x32(ctr, static_cast<std::uint32_t>(seed & 0xffffffffu),
                                          static_cast<std::uint32_t>(seed >> 32));
    EXPECT_EQ(wi::philox_word(seed, stream, j), wi::lane(out, j % 4)) << "j = " << j;
  }
  // 2^32 words in, the high counter word must be 0 and the low one 2^30: block 2^30 (not 0).
  EXPECT_NE(wi::philox_word(seed, stream, 1ull << 32), wi::philox_word(seed, stream, 0));
  EXPECT_NE(wi::philox_block(seed, stream, 1ull << 32).x, wi::philox_block(seed, stream, 0).x);
}

TEST(Philox, StreamsAndSeedsAreIndependentInputs) {
  EXPECT_NE(wi::philox_block(1, 0, 0).x, wi::philox_block(1, 1, 0).x);
  EXPECT_NE(wi::philox_block(1, 0, 0).x, wi::philox_block(2, 0, 0).x);
  EXPECT_NE(wi::philox_block(1ull << 32, 0, 0).x, wi::philox_block(0, 0, 0).x);
  EXPECT_NE(wi::philox_block(0, 1ull << 32, 0).x, wi::philox_block(0, 0, 0).x);
}
