// tools/cmd_init_model.cpp: `weightinit init-model`: a whole initialized .safetensors checkpoint
// from a JSON model description (--model) or from the names, shapes and dtypes of an existing
// checkpoint (--like), with rules or a preset (the description's, and --rules); tensors filled and
// written one at a time (memory: the largest tensor), to a temporary file renamed on success.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "checkpoint.hpp"
#include "cmd_models.hpp"
#include "model_description.hpp"
#include "safetensors_header.hpp"
#include "weightinit/weightinit.hpp"

namespace weightinit_cli {
namespace {

struct init_model_args {
  std::string model, like, rules, out, device = "cpu";
  std::string seed;  // parsed strictly: out of range is an error, never a wrap
  unsigned threads = 0;
  bool progress = true;
};

std::string read_text(const std::string& path, const char* what) {
  std::ifstream f(path, std::ios::binary);
  if (!f)
    throw std::invalid_argument(std::string("init-model: cannot read ") + what + " '" + path + "'");
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  if (size < 0 || static_cast<std::uint64_t>(size) > weightinit_io::max_description_bytes)
    throw std::invalid_argument(std::string("init-model: ") + what + " '" + path +
                                "' is larger than 64 MiB");
  f.seekg(0);
  std::string s(static_cast<std::size_t>(size), '\0');
  f.read(&s[0], size);
  return s;
}

// A progress bar on stderr when it is a terminal and the work has taken more than a second.
class progress_bar {
 public:
  progress_bar(std::size_t tensors, std::uint64_t bytes, bool enabled)
      : tensors_(tensors),
        bytes_(bytes),
        enabled_(enabled && ::isatty(2)),
        start_(std::chrono::steady_clock::now()) {}
  void update(std::size_t done, std::uint64_t bytes_done) {
    if (!enabled_) return;
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (s < 1.0 && done < tensors_) return;
    if (s < 1.0 && !shown_) return;
    shown_ = true;
    const int width = 30;
    const int filled =
        bytes_ ? static_cast<int>(width * static_cast<double>(bytes_done) / bytes_) : width;
    std::fprintf(stderr, "\r[%s%s] %3d%%  %zu/%zu tensors  %.0f MB  %.1f s",
                 std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(),
                 bytes_ ? static_cast<int>(100.0 * bytes_done / bytes_) : 100, done, tensors_,
                 bytes_done / 1e6, s);
    if (done == tensors_) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }

 private:
  std::size_t tensors_;
  std::uint64_t bytes_;
  bool enabled_, shown_ = false;
  std::chrono::steady_clock::time_point start_;
};

void run_init_model(const init_model_args& a) {
  namespace io = weightinit_io;
  if (a.model.empty() == a.like.empty())
    throw std::invalid_argument(
        "init-model: give exactly one of --model M.json and --like ckpt.safetensors");
  if (a.seed.empty())
    throw std::invalid_argument("init-model: --seed is required (the values are a function of it)");
  std::uint64_t seed = 0;
  bool digits = a.seed.size() <= 20;
  for (char c : a.seed) digits = digits && c >= '0' && c <= '9';
  if (digits) {
    for (char c : a.seed) {
      const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
      if (seed > (UINT64_MAX - d) / 10) digits = false;
      seed = seed * 10 + d;
    }
  }
  if (!digits)
    throw std::invalid_argument("init-model: --seed wants an integer in [0, 2^64 - 1], got '" +
                                a.seed + "'");
  if (a.out.empty()) throw std::invalid_argument("init-model: --out is required");
  if (a.device != "cpu" && a.device != "gpu")
    throw std::invalid_argument("init-model: --device must be cpu or gpu, got '" + a.device + "'");
  io::model_description d;
  if (!a.model.empty()) {
    d = io::parse_model_json(read_text(a.model, "model description"));
  } else {
    const io::safetensors_header h = io::read_safetensors_header(a.like);
    d = io::description_of(h);
  }
  weightinit::rule_set rules;
  if (!a.rules.empty()) {
    const io::model_description r = io::parse_rules_json(read_text(a.rules, "rules file"));
    rules = io::rules_of(r);
  }
  rules.append(io::rules_of(d));
  const weightinit::model_plan plan = io::plan_of(d, rules, seed);
  io::write_options o;
  o.gpu = a.device == "gpu";
  o.threads = a.threads;
  o.metadata = io::checkpoint_metadata(plan, rules, d.name);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < plan.size(); ++i) total += plan.stored_bytes(i);
  progress_bar bar(plan.size(), total, a.progress);
  o.progress = [&](std::size_t done, std::uint64_t bytes) { bar.update(done, bytes); };
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t size = io::write_checkpoint(plan, a.out, o);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "wrote  %s\ntensors %zu (%lld parameters), %llu bytes, seed %llu, contract v%d, %.2f s\n",
      a.out.c_str(), plan.size(), static_cast<long long>(plan.total_elements()),
      static_cast<unsigned long long>(size), static_cast<unsigned long long>(seed),
      weightinit::contract_version, s);
}

}  // namespace

void add_init_model_command(CLI::App& app) {
  auto args = std::make_shared<init_model_args>();
  CLI::App* cmd = app.add_subcommand(
      "init-model", "write an initialized .safetensors checkpoint of a whole model");
  cmd->add_option("--model", args->model, "JSON model description (tensors, rules or a preset)");
  cmd->add_option("--like", args->like,
                  "take names, shapes and dtypes from this .safetensors file");
  cmd->add_option("--rules", args->rules, "JSON rules file (rules and/or a preset), tried first");
  cmd->add_option("--seed", args->seed, "64-bit seed (required)");
  cmd->add_option("--out", args->out, "output .safetensors path (required)");
  cmd->add_option("--device", args->device, "cpu | gpu")->capture_default_str();
  cmd->add_option("--threads", args->threads, "CPU threads (0 = all)")->capture_default_str();
  cmd->add_flag("!--no-progress", args->progress, "no progress bar");
  cmd->callback([args] { run_init_model(*args); });
}

}  // namespace weightinit_cli
