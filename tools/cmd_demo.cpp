// tools/cmd_demo.cpp: `weightinit demo`: the signal-propagation study (examples/demo): every scheme
// x activation through a deep network, a table on stdout, a CSV and a gnuplot PNG in --out-dir, a
// progress line on stderr. Built as a stub that explains itself when the examples are off.
#include <cstdio>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.hpp"

#if defined(WEIGHTINIT_HAVE_DEMO)
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

#include <limits>

#include "examples/demo/demo.hpp"
#include "parse.hpp"
#endif

namespace weightinit_cli {

#if defined(WEIGHTINIT_HAVE_DEMO)
namespace {

namespace demo = weightinit_demo;

struct demo_args {
  std::string depth = "50", width = "512", batch = "512", seed = "0", threads = "0", slope = "0.01";
  std::string device = "auto";
  std::string out_dir = "weightinit-demo";
  std::vector<std::string> schemes;      // SPECs; empty: the study's eight
  std::vector<std::string> activations;  // empty: all six
  bool forward_only = false, weight_gradients = false, no_plot = false, quiet = false;
  std::string gnuplot = "gnuplot";
};

void make_dir(const std::string& path) {
  std::string partial;
  std::stringstream s(path);
  std::string part;
  if (!path.empty() && path[0] == '/') partial = "/";
  while (std::getline(s, part, '/')) {
    if (part.empty()) continue;
    partial += part + "/";
    if (mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
      throw std::runtime_error("demo: cannot create " + partial + ": " + std::strerror(errno));
  }
}

// BLIS picks its kernels once per process from a table of CPU models; on a model newer than the
// table (or any CPU it does not know) it runs kernels far below the CPU. The remedy,
// BLIS_ARCH_TYPE, is read only at BLIS's first use, so the demo runs itself again with it set.
// The variable is then set: no second round. On failure the demo goes on (its header says "slow").
void rerun_with_right_kernels(const demo_args& a) {
  if (a.device == "gpu" || (a.device == "auto" && demo::gpu_available())) return;  // no BLAS
  const std::string assignment = demo::blas_kernel_override();
  if (assignment.empty()) return;
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> args;
  for (std::string arg; std::getline(in, arg, '\0');) args.push_back(arg);
  if (args.empty()) return;
  const std::size_t eq = assignment.find('=');
  if (setenv(assignment.substr(0, eq).c_str(), assignment.substr(eq + 1).c_str(), 1) != 0) return;
  if (!a.quiet)
    std::fprintf(stderr,
                 "weightinit demo: BLIS does not know this CPU and chose slow kernels; "
                 "running again with %s (its AVX2 kernels)\n",
                 assignment.c_str());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  execv("/proc/self/exe", argv.data());
  std::fprintf(stderr, "weightinit demo: warning: cannot run again (%s); going on\n",
               std::strerror(errno));
}

void run_demo(const demo_args& a) {
  demo::study_config c;
  // Integers parse strictly over their type's whole range; demo::validate checks the study's own.
  c.depth = static_cast<int>(weightinit_cli::parse_int(
      a.depth, "demo: --depth", std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
  c.width = weightinit_cli::parse_int(a.width, "demo: --width", INT64_MIN, INT64_MAX);
  c.batch = weightinit_cli::parse_int(a.batch, "demo: --batch", INT64_MIN, INT64_MAX);
  c.seed = weightinit_cli::parse_uint(a.seed, "demo: --seed");
  c.threads = static_cast<unsigned>(
      weightinit_cli::parse_uint(a.threads, "demo: --threads", 0, UINT32_MAX));
  c.backward = !a.forward_only;
  c.weight_gradients = a.weight_gradients;
  c.slope = weightinit_cli::parse_double(a.slope, "demo: --slope");
  c.device = a.device == "cpu"   ? demo::device_choice::cpu
             : a.device == "gpu" ? demo::device_choice::gpu
                                 : demo::device_choice::automatic;
  if (!a.schemes.empty()) {
    c.schemes.clear();
    for (const auto& s : a.schemes) c.schemes.push_back(demo::scheme_from_spec(s));
  }
  if (!a.activations.empty()) {
    c.activations.clear();
    for (const auto& s : a.activations) c.activations.push_back(demo::parse_activation(s));
  }
  demo::validate(c);
  // The folder's path goes into the gnuplot script: refuse what no gnuplot literal can hold (a
  // newline would end the command and run the rest of the path as gnuplot code), before any work.
  if (a.out_dir.empty()) throw std::invalid_argument("demo: --out-dir must not be empty");
  demo::check_script_text(a.out_dir, "--out-dir");
  rerun_with_right_kernels(a);
  make_dir(a.out_dir);

  const bool tty = isatty(fileno(stderr)) != 0;
  const auto start = std::chrono::steady_clock::now();
  const std::size_t per_scheme = c.activations.size();
  auto progress = [&](std::size_t done, std::size_t total, const std::string& what) {
    if (a.quiet) return;
    const double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char line[200];
    if (done == total) {
      std::snprintf(line, sizeof line, "demo: %zu/%zu pairs done in %.1f s", done, total, t);
    } else {
      const double left = done ? t / done * (total - done) : 0;
      std::snprintf(
          line, sizeof line, "demo: [%2zu/%zu] %-34s %5.1f s%s", done + 1, total, what.c_str(), t,
          done ? (", ~" + std::to_string(static_cast<int>(left + 0.5)) + " s left").c_str() : "");
    }
    if (tty) {
      std::fprintf(stderr, "\r%s\033[K%s", line, done == total ? "\n" : "");
    } else if (done == total || done % per_scheme == 0) {
      std::fprintf(stderr, "%s\n", line);
    }
    std::fflush(stderr);
  };
  const demo::study_result r = demo::run_study(c, progress);

  std::cout << demo::format_table(r);
  const std::string csv = a.out_dir + "/signal_propagation.csv";
  demo::write_csv(r, csv);
  std::cout << "wrote " << csv << "\n";
  if (!a.no_plot) {
    const demo::plot_outcome p = demo::write_plot(r, a.out_dir + "/signal_propagation.png",
                                                  a.out_dir + "/signal_propagation.gp", a.gnuplot);
    if (p.ok) {
      std::cout << p.message << "\n";
    } else {
      std::cout << "no PNG: " << p.message << "\n";
      std::cerr << "weightinit demo: warning: " << p.message << "\n";
    }
  }
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto a = std::make_shared<demo_args>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "signal-propagation study: each scheme x activation through a deep network");
  cmd->add_option("--depth", a->depth, "layers")->capture_default_str();
  cmd->add_option("--width", a->width, "units per layer (and input features)")
      ->capture_default_str();
  cmd->add_option("--batch", a->batch, "samples in the random input batch")->capture_default_str();
  cmd->add_option("--seed", a->seed, "64-bit seed of weights, input and loss")
      ->capture_default_str();
  cmd->add_option("--device", a->device, "cpu | gpu | auto (gpu when one is present)")
      ->check(CLI::IsMember({"cpu", "gpu", "auto"}))
      ->capture_default_str();
  cmd->add_option("--out-dir", a->out_dir, "where the CSV, PNG and gnuplot script go")
      ->capture_default_str();
  cmd->add_option("--threads", a->threads, "CPU threads for fills and BLAS (0 = all)")
      ->capture_default_str();
  cmd->add_option("--scheme", a->schemes,
                  "a SPEC to study, repeatable (default: zeros, normal(std=0.01), normal(std=1), "
                  "xavier_uniform, xavier_normal, he_uniform, he_normal, lecun_normal)");
  cmd->add_option(
         "--activation", a->activations,
         "tanh | sigmoid | relu | leaky_relu | selu | swish, repeatable or comma-separated "
         "(default: all)")
      ->delimiter(',');
  cmd->add_option("--slope", a->slope, "leaky ReLU's negative slope")->capture_default_str();
  cmd->add_flag("--forward-only", a->forward_only, "skip the backward pass (no gradient norms)");
  cmd->add_flag("--weight-gradients", a->weight_gradients,
                "also compute |dloss/dW_l| for the CSV's grad_norm (a third more work)")
      ->excludes("--forward-only");
  cmd->add_flag("--no-plot", a->no_plot, "write no PNG");
  cmd->add_option("--gnuplot", a->gnuplot, "the gnuplot program")->capture_default_str();
  cmd->add_flag("--quiet", a->quiet, "no progress line");
  cmd->callback([a] { run_demo(*a); });
}

#else  // built without examples/demo

void add_demo_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("demo", "signal-propagation study (not built)");
  cmd->allow_extras();
  cmd->callback([] {
    throw std::runtime_error(
        "demo: this weightinit was built without the demo; reconfigure with "
        "-DWEIGHTINIT_BUILD_EXAMPLES=ON (needs libopenblas-dev)");
  });
}

#endif

}  // namespace weightinit_cli
