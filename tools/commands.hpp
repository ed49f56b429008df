// tools/commands.hpp: each subcommand of the weightinit tool lives in its own cmd_<name>.cpp and
// registers itself here. A command's callback throws std::invalid_argument for bad input (exit 2).
#pragma once

#include <CLI/CLI.hpp>

namespace weightinit_cli {

void add_bits_command(CLI::App& app);
void add_sample_command(CLI::App& app);
void add_fans_command(CLI::App& app);
void add_gain_command(CLI::App& app);
void add_demo_command(CLI::App& app);

}  // namespace weightinit_cli
