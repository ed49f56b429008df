// tests/common/run_tool.hpp: running the `weightinit` command-line tool of this build as a user
// does, for the tests of the tool (tests/cpu/test_cli.cpp, test_demo.cpp, test_sample_device.cpp,
// tests/gpu/test_sample_gpu.cpp). WEIGHTINIT_BINARY_DIR, the project's build folder where the tool
// is written, is defined for both test executables by tests/CMakeLists.txt.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#ifndef WEIGHTINIT_BINARY_DIR
#error "WEIGHTINIT_BINARY_DIR (the build folder holding the weightinit tool) must be defined"
#endif

namespace weightinit_test {

/// The path of the tool.
inline const std::string kTool = std::string(WEIGHTINIT_BINARY_DIR) + "/weightinit";

/// False where the tool was not built (WEIGHTINIT_BUILD_TOOLS=OFF): its tests then skip.
inline bool tool_exists() { return std::ifstream(kTool).good(); }

struct tool_result {
  int status;       ///< the exit status; -1 when the tool could not be started or did not exit
  std::string out;  ///< what it wrote to stdout, and to stderr as well when asked
};

/// Runs `weightinit <args>` through the shell (so `args` may quote and redirect) and collects its
/// stdout, with its stderr after 2>&1 when `with_stderr`, else with stderr discarded.
inline tool_result run_tool(const std::string& args, bool with_stderr = true) {
  const std::string cmd = kTool + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null");
  std::FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, ""};
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

/// The bytes of a file (none when it cannot be read).
inline std::vector<unsigned char> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

}  // namespace weightinit_test
