// tools/cmd_models.hpp: the whole-model subcommand (cmd_init_model.cpp).
#pragma once

#include <CLI/CLI.hpp>

namespace weightinit_cli {

void add_init_model_command(CLI::App& app);

}  // namespace weightinit_cli
