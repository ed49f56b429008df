// tools/cmd_fans.cpp: `weightinit fans`: fan_in, fan_out and receptive field of a weight shape under
// a layout convention (out_in = PyTorch, in_out = Keras/TF/JAX), optionally grouped or packed.
// `--json` prints one JSON object for scripts.
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.hpp"
#include "weightinit/weightinit.hpp"

namespace weightinit_cli {
namespace {

struct fans_args {
  std::string shape;
  std::string layout = "out_in";
  std::int64_t groups = 1;
  std::string parts;
  bool json = false;
};

std::vector<std::int64_t> parse_list(const std::string& text, const char* option) {
  std::vector<std::int64_t> v;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) {
    std::size_t used = 0;
    long long x = -1;
    try {
      x = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || x < 0)
      throw std::invalid_argument(std::string("fans: ") + option +
                                  " wants non-negative integers separated by commas, got '" + text + "'");
    v.push_back(x);
  }
  if (v.empty()) throw std::invalid_argument(std::string("fans: ") + option + " is empty");
  return v;
}

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

void run_fans(const fans_args& a) {
  const weightinit::shape dims = parse_list(a.shape, "--shape");
  weightinit::fan_layout lay = weightinit::parse_layout(a.layout);
  lay.groups = a.groups;
  if (!a.parts.empty()) lay.parts = parse_list(a.parts, "--parts");
  const std::vector<weightinit::fans> parts = weightinit::compute_part_fans(dims, lay);
  const std::string shape_json = [&] {
    std::string s = "[";
    for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + "]";
  }();
  if (a.json) {
    std::printf("{\"shape\": %s, \"layout\": \"%s\", \"groups\": %lld", shape_json.c_str(),
                weightinit::to_string(lay.convention), static_cast<long long>(lay.groups));
    if (lay.parts.empty()) {
      std::printf(", \"fan_in\": %s, \"fan_out\": %s, \"receptive_field\": %s}\n",
                  number(parts[0].fan_in).c_str(), number(parts[0].fan_out).c_str(),
                  number(parts[0].receptive_field).c_str());
      return;
    }
    std::printf(", \"parts\": [");
    for (std::size_t p = 0; p < parts.size(); ++p)
      std::printf("%s{\"size\": %lld, \"fan_in\": %s, \"fan_out\": %s, \"receptive_field\": %s}",
                  p ? ", " : "", static_cast<long long>(lay.parts[p]), number(parts[p].fan_in).c_str(),
                  number(parts[p].fan_out).c_str(), number(parts[p].receptive_field).c_str());
    std::printf("]}\n");
    return;
  }
  std::printf("shape            %s\nlayout           %s\n", weightinit::to_string(dims).c_str(),
              weightinit::to_string(lay.convention));
  if (lay.groups != 1) std::printf("groups           %lld\n", static_cast<long long>(lay.groups));
  for (std::size_t p = 0; p < parts.size(); ++p) {
    if (!lay.parts.empty())
      std::printf("part %zu (%lld)\n", p, static_cast<long long>(lay.parts[p]));
    std::printf("fan_in           %s\nfan_out          %s\nreceptive_field  %s\n",
                number(parts[p].fan_in).c_str(), number(parts[p].fan_out).c_str(),
                number(parts[p].receptive_field).c_str());
  }
}

}  // namespace

void add_fans_command(CLI::App& app) {
  auto args = std::make_shared<fans_args>();
  CLI::App* cmd = app.add_subcommand("fans", "fan_in, fan_out and receptive field of a weight shape");
  cmd->add_option("--shape", args->shape, "comma-separated extents, e.g. 64,3,7,7")->required();
  cmd->add_option("--layout", args->layout,
                  "out_in (PyTorch (out, in, *k)) or in_out (Keras/TF/JAX (*k, in, out))")
      ->capture_default_str();
  cmd->add_option("--groups", args->groups,
                  "grouped convolution: fan_out = (out / groups) * receptive field")
      ->capture_default_str();
  cmd->add_option("--parts", args->parts,
                  "packed weight: sizes of the parts along the output dimension, e.g. 768,768,768");
  cmd->add_flag("--json", args->json, "print one JSON object");
  cmd->callback([args] { run_fans(*args); });
}

}  // namespace weightinit_cli
