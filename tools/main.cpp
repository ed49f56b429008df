// tools/main.cpp: the `weightinit` command-line tool. Usage errors and bad arguments print a clear
// message and exit with status 2; runtime failures (CUDA, I/O) exit with status 1.
#include <cstdio>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>

#include "cmd_models.hpp"
#include "commands.hpp"
#include "weightinit/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"weightinit: initialize neural-network weight tensors on the GPU or the CPU, "
               "bit-identical on both"};
  app.require_subcommand(1);
  weightinit_cli::add_bits_command(app);
  weightinit_cli::add_sample_command(app);
  weightinit_cli::add_fans_command(app);
  weightinit_cli::add_gain_command(app);
  weightinit_cli::add_demo_command(app);
  weightinit_cli::add_init_model_command(app);
  // A first word that is no subcommand gets a message naming it and the commands there are.
  if (argc > 1 && argv[1][0] != '-') {
    std::string known;
    bool found = false;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      known += (known.empty() ? "" : ", ") + sub->get_name();
      found = found || sub->get_name() == argv[1];
    }
    if (!found) {
      std::cerr << "weightinit: unknown command '" << argv[1] << "' (expected one of: " << known
                << ")\n";
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "weightinit: " << e.what() << "\n(run 'weightinit --help' for usage)\n";
    return 2;
  } catch (const std::invalid_argument& e) {
    std::cerr << "weightinit: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "weightinit: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
