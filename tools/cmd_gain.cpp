// tools/cmd_gain.cpp: `weightinit gain NAME [--param SLOPE]`: the recommended gain of a
// nonlinearity or activation, exactly as the library's gain(name, param) gives it (PyTorch's
// calculate_gain table and the activations recommended_init knows), printed as the shortest decimal
// that reads back as the same double.
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "output.hpp"
#include "parse.hpp"
#include "weightinit/weightinit.hpp"

namespace weightinit_cli {
namespace {

struct gain_args {
  std::string name;
  std::optional<std::string> param;
};

void run_gain(const gain_args& a) {
  std::optional<double> param;
  if (a.param) param = parse_double(*a.param, "gain: --param");
  // The library decides: param is leaky_relu's negative slope, ignored by the others (as in
  // PyTorch), and must be finite whenever given.
  write_stdout(shortest(weightinit::gain(a.name, param)) + "\n");
}

}  // namespace

void add_gain_command(CLI::App& app) {
  auto args = std::make_shared<gain_args>();
  CLI::App* cmd = app.add_subcommand(
      "gain",
      "recommended gain of a nonlinearity or activation (PyTorch's calculate_gain table "
      "and the activations recommended_init knows; an unknown name lists them)");
  cmd->add_option("nonlinearity", args->name, "e.g. tanh, relu, leaky_relu, gelu")->required();
  cmd->add_option("--param", args->param,
                  "leaky_relu's negative slope (default 0.01); the others ignore it");
  cmd->callback([args] { run_gain(*args); });
}

}  // namespace weightinit_cli
