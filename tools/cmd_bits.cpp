// tools/cmd_bits.cpp: `weightinit bits`: the raw words of a Philox stream, little-endian uint32, to
// stdout. `--count inf` streams until the reader closes the pipe (or the last word index, 2^64 -
// 1), for dieharder -g 200 and PractRand's `RNG_test stdin32`. `--streams K` interleaves K
// consecutive streams word by word (word j of stream N, N+1, ..., N+K-1, then word j+1 ...), the
// way the tensors of a model, one stream each, draw their words, for testing those streams
// together.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.hpp"
#include "output.hpp"
#include "parse.hpp"
#include "weightinit/philox.hpp"

namespace weightinit_cli {
namespace {

struct bits_args {
  std::string seed = "0", stream = "0", offset = "0", count = "1024", streams = "1";
};

void run_bits(const bits_args& a) {
  const std::uint64_t seed = parse_uint(a.seed, "bits: --seed");
  const std::uint64_t stream = parse_uint(a.stream, "bits: --stream");
  const std::uint64_t offset = parse_uint(a.offset, "bits: --offset");
  const std::uint64_t streams = parse_uint(a.streams, "bits: --streams", 1, 1u << 20);
  if (streams - 1 > UINT64_MAX - stream)
    throw std::invalid_argument("bits: --stream " + a.stream + " with --streams " + a.streams +
                                " runs past the last stream id 2^64 - 1");
  // The words offset .. last (inclusive) of each stream; --count inf ends at the last index.
  std::uint64_t last = UINT64_MAX;
  if (a.count != "inf") {
    std::uint64_t count = 0;
    try {
      count = parse_uint(a.count, "bits: --count");
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string(e.what()) + "; or 'inf'");
    }
    if (count == 0) return;
    if (count - 1 > UINT64_MAX - offset)
      throw std::invalid_argument("bits: --offset " + a.offset + " with --count " + a.count +
                                  " runs past the last word index 2^64 - 1 (" +
                                  std::to_string(UINT64_MAX) + ")");
    last = offset + (count - 1);
  }
  // About 2^16 words per write, whatever the number of streams (at least one word of each).
  const std::uint64_t kChunk = streams >= (1u << 16) ? 1 : (1u << 16) / streams;
  std::vector<unsigned char> buf;
  buf.reserve(kChunk * streams * 4);
  std::vector<weightinit::words4> blocks(streams);
  for (std::uint64_t j = offset;;) {
    const std::uint64_t end = last - j < kChunk - 1 ? last : j + (kChunk - 1);
    buf.clear();
    for (std::uint64_t i = j;; ++i) {
      if (i == j || i % 4 == 0)
        for (std::uint64_t s = 0; s < streams; ++s)
          blocks[s] = weightinit::philox_block(seed, stream + s, i / 4);
      for (std::uint64_t s = 0; s < streams; ++s) {
        const std::uint32_t w = weightinit::lane(blocks[s], static_cast<unsigned>(i % 4));
        buf.push_back(static_cast<unsigned char>(w));
        buf.push_back(static_cast<unsigned char>(w >> 8));
        buf.push_back(static_cast<unsigned char>(w >> 16));
        buf.push_back(static_cast<unsigned char>(w >> 24));
      }
      if (i == end) break;
    }
    write_stdout(buf.data(), buf.size());
    if (end == last) break;
    j = end + 1;
  }
}

}  // namespace

void add_bits_command(CLI::App& app) {
  auto args = std::make_shared<bits_args>();
  CLI::App* cmd = app.add_subcommand(
      "bits", "raw little-endian uint32 words of a Philox4x32-10 stream to stdout");
  cmd->add_option("--seed", args->seed, "64-bit seed, 0 .. 2^64 - 1")->capture_default_str();
  cmd->add_option("--stream", args->stream, "64-bit stream id")->capture_default_str();
  cmd->add_option("--offset", args->offset, "index of the first word")->capture_default_str();
  cmd->add_option("--count", args->count, "words per stream, or 'inf'")->capture_default_str();
  cmd->add_option("--streams", args->streams,
                  "interleave this many consecutive streams word by word (1 .. 2^20)")
      ->capture_default_str();
  cmd->callback([args] { run_bits(*args); });
}

}  // namespace weightinit_cli
