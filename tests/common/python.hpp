// tests/common/python.hpp: the Python that tests of the checkpoint writer use (the safetensors and
// numpy packages): $WEIGHTINIT_PYTHON, else the build folder's venv (build/py, as .ci/run makes
// it), else python3. Without the packages the tests skip, unless WEIGHTINIT_REQUIRE_PYTHON is set
// (.ci/run sets it), when they fail.
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>

#include "tests/common/run_tool.hpp"

namespace weightinit_test {

inline std::string python() {
  if (const char* p = std::getenv("WEIGHTINIT_PYTHON")) return p;
  const std::string venv = std::string(WEIGHTINIT_BINARY_DIR) + "/py/bin/python";
  if (std::ifstream(venv).good()) return venv;
  return "python3";
}

inline bool python_required() { return std::getenv("WEIGHTINIT_REQUIRE_PYTHON") != nullptr; }

/// Whether `python()` imports safetensors and numpy.
inline bool python_has_safetensors() {
  const std::string cmd = python() + " -c 'import safetensors, numpy' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

}  // namespace weightinit_test
