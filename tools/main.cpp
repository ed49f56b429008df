// tools/main.cpp: the `weightinit` command-line tool. Usage errors and bad arguments print a clear
// message and exit with status 2; runtime failures (CUDA, I/O, memory) exit with status 1; a reader
// that closes stdout early ends the tool quietly with status 0.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <new>
#include <stdexcept>
#include <string>

#include "cmd_models.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "weightinit/config.hpp"
#include "weightinit/error.hpp"

namespace {

#define WEIGHTINIT_STR2(x) #x
#define WEIGHTINIT_STR(x) WEIGHTINIT_STR2(x)

std::string version_text() {
  return "weightinit " WEIGHTINIT_STR(WEIGHTINIT_VERSION_MAJOR) "." WEIGHTINIT_STR(
             WEIGHTINIT_VERSION_MINOR) "." WEIGHTINIT_STR(WEIGHTINIT_VERSION_PATCH) " (value contract v" +
         std::to_string(weightinit::contract_version) + ")";
}

// Status for a failure to write stdout: a closed pipe is a clean end, anything else an error.
int stdout_failure(const weightinit_cli::stdout_error& e) {
  if (e.closed_pipe()) return 0;
  std::cerr << "weightinit: error: " << e.what() << '\n';
  return 1;
}

int run(CLI::App& app, int argc, char** argv) {
  // The first word: a command, or one of the tool's own options.
  if (argc > 1) {
    const std::string first = argv[1];
    std::string known;
    bool found = false;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      known += (known.empty() ? "" : ", ") + sub->get_name();
      found = found || sub->get_name() == first;
    }
    const bool own_option = first == "-h" || first == "--help" || first == "--version";
    if (!found && !own_option) {
      if (first[0] == '-')
        std::cerr << "weightinit: unknown option '" << first << "' (expected a command: " << known
                  << "; or --help, --version)\n";
      else
        std::cerr << "weightinit: unknown command '" << first << "' (expected one of: " << known
                  << ")\n";
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    app.exit(e);
  } catch (const CLI::ExtrasError& e) {
    std::string where = "weightinit";
    for (const CLI::App* sub : app.get_subcommands()) where += " " + sub->get_name();
    std::cerr << where << ": unknown option or extra argument (" << e.what() << ")\n(run '" << where
              << " --help' for usage)\n";
    return 2;
  } catch (const CLI::ParseError& e) {
    std::cerr << "weightinit: " << e.what() << "\n(run 'weightinit --help' for usage)\n";
    return 2;
  }
  weightinit_cli::flush_stdout();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Failed writes are reported by the writes themselves: a closed reader (EPIPE) and a file-size
  // limit (EFBIG) become errors to handle, not signals that kill the tool.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{
      "weightinit: initialize neural-network weight tensors on the GPU or the CPU, "
      "bit-identical on both"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_text(),
                       "print the library version and the value "
                       "contract version");
  weightinit_cli::add_bits_command(app);
  weightinit_cli::add_sample_command(app);
  weightinit_cli::add_fans_command(app);
  weightinit_cli::add_gain_command(app);
  weightinit_cli::add_demo_command(app);
  weightinit_cli::add_init_model_command(app);
  try {
    try {
      return run(app, argc, argv);
    } catch (const weightinit_cli::stdout_error& e) {
      return stdout_failure(e);
    }
  } catch (const std::invalid_argument& e) {
    std::cerr << "weightinit: " << e.what() << '\n';
    return 2;
  } catch (const std::bad_alloc&) {
    std::cerr << "weightinit: error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "weightinit: error: " << e.what() << '\n';
    return 1;
  }
}
