// tools/cmd_gain.cpp: `weightinit gain NAME [--param SLOPE]`: the recommended gain of a
// nonlinearity (PyTorch's calculate_gain table), printed with 17 significant digits.
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>

#include "commands.hpp"
#include "weightinit/weightinit.hpp"

namespace weightinit_cli {
namespace {

struct gain_args {
  std::string name;
  std::optional<double> param;
};

void run_gain(const gain_args& a) {
  const weightinit::nonlinearity nl = weightinit::parse_nonlinearity(a.name);
  // The library ignores param for other nonlinearities (as PyTorch does); a person who passes it
  // most likely meant leaky_relu, so the tool says so.
  if (a.param && nl != weightinit::nonlinearity::leaky_relu)
    throw std::invalid_argument("gain: --param (the negative slope) applies only to leaky_relu, not " +
                                a.name);
  std::printf("%.17g\n", weightinit::gain(nl, a.param));
}

}  // namespace

void add_gain_command(CLI::App& app) {
  auto args = std::make_shared<gain_args>();
  CLI::App* cmd = app.add_subcommand(
      "gain", "recommended gain of a nonlinearity: linear, conv1d..3d, conv_transpose1d..3d, "
              "sigmoid, tanh, relu, leaky_relu, selu");
  cmd->add_option("nonlinearity", args->name, "e.g. tanh, relu, leaky_relu")->required();
  cmd->add_option("--param", args->param, "leaky_relu's negative slope (default 0.01)");
  cmd->callback([args] { run_gain(*args); });
}

}  // namespace weightinit_cli
