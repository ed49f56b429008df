// tools/cmd_bits.cpp: `weightinit bits`: the raw words of a Philox stream, little-endian uint32, to
// stdout. `--count inf` streams until the reader closes the pipe, for dieharder -g 200 and
// PractRand's `RNG_test stdin32`.
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.hpp"
#include "weightinit/philox.hpp"

namespace weightinit_cli {
namespace {

struct bits_args {
  std::uint64_t seed = 0, stream = 0, offset = 0;
  std::string count = "1024";
};

void run_bits(const bits_args& a) {
  const bool infinite = a.count == "inf";
  std::uint64_t remaining = 0;
  if (!infinite) {
    std::size_t used = 0;
    try {
      if (!a.count.empty() && a.count[0] == '-') throw std::invalid_argument("negative");
      remaining = std::stoull(a.count, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != a.count.size())
      throw std::invalid_argument("bits: --count must be a non-negative integer or 'inf', got '" +
                                  a.count + "'");
  }
  std::signal(SIGPIPE, SIG_IGN);  // a closed reader ends the stream quietly
  std::vector<unsigned char> buf;
  buf.reserve(1 << 18);
  std::uint64_t j = a.offset;
  while (infinite || remaining > 0) {
    buf.clear();
    const std::uint64_t chunk = infinite ? (1 << 16) : std::min<std::uint64_t>(remaining, 1 << 16);
    std::uint64_t done = 0;
    while (done < chunk) {
      const weightinit::words4 b = weightinit::philox_block(a.seed, a.stream, j / 4);
      for (unsigned l = static_cast<unsigned>(j % 4); l < 4 && done < chunk; ++l, ++j, ++done) {
        const std::uint32_t w = weightinit::lane(b, l);
        buf.push_back(static_cast<unsigned char>(w));
        buf.push_back(static_cast<unsigned char>(w >> 8));
        buf.push_back(static_cast<unsigned char>(w >> 16));
        buf.push_back(static_cast<unsigned char>(w >> 24));
      }
    }
    if (std::fwrite(buf.data(), 1, buf.size(), stdout) != buf.size()) return;  // reader closed
    if (!infinite) remaining -= chunk;
  }
  std::fflush(stdout);
}

}  // namespace

void add_bits_command(CLI::App& app) {
  auto args = std::make_shared<bits_args>();
  CLI::App* cmd = app.add_subcommand(
      "bits", "raw little-endian uint32 words of a Philox4x32-10 stream to stdout");
  cmd->add_option("--seed", args->seed, "64-bit seed")->capture_default_str();
  cmd->add_option("--stream", args->stream, "64-bit stream id")->capture_default_str();
  cmd->add_option("--offset", args->offset, "index of the first word")->capture_default_str();
  cmd->add_option("--count", args->count, "number of words, or 'inf'")->capture_default_str();
  cmd->callback([args] { run_bits(*args); });
}

}  // namespace weightinit_cli
