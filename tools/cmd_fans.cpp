// tools/cmd_fans.cpp: `weightinit fans`: fan_in, fan_out and receptive field of a weight shape
// under a layout convention (out_in = PyTorch, in_out = Keras/TF/JAX), optionally grouped or
// packed.
// `--json` prints one JSON object for scripts. Numbers print as the shortest decimal that reads
// back as the same double.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.hpp"
#include "output.hpp"
#include "parse.hpp"
#include "weightinit/weightinit.hpp"

namespace weightinit_cli {
namespace {

struct fans_args {
  std::string shape;
  std::string layout = "out_in";
  std::string groups = "1";
  std::optional<std::string> parts;
  bool json = false;
};

std::string pad(const std::string& key) { return key + std::string(17 - key.size(), ' '); }

void run_fans(const fans_args& a) {
  const weightinit::shape dims = parse_shape(a.shape, "fans: --shape");
  weightinit::fan_layout lay = weightinit::parse_layout(a.layout);
  lay.groups = parse_int(a.groups, "fans: --groups", 1, INT64_MAX);
  if (a.parts) lay.parts = parse_int_list(*a.parts, "fans: --parts size", 1, INT64_MAX);
  const std::vector<weightinit::fans> parts = weightinit::compute_part_fans(dims, lay);
  std::string out;
  if (a.json) {
    std::string shape_json = "[";
    for (std::size_t i = 0; i < dims.size(); ++i)
      shape_json += (i ? ", " : "") + std::to_string(dims[i]);
    shape_json += "]";
    auto fan_fields = [](const weightinit::fans& f) {
      return "\"fan_in\": " + shortest(f.fan_in) + ", \"fan_out\": " + shortest(f.fan_out) +
             ", \"receptive_field\": " + shortest(f.receptive_field);
    };
    out = "{\"shape\": " + shape_json + ", \"layout\": \"" + weightinit::to_string(lay.convention) +
          "\", \"groups\": " + std::to_string(lay.groups);
    if (lay.parts.empty()) {
      out += ", " + fan_fields(parts[0]) + "}\n";
    } else {
      out += ", \"parts\": [";
      for (std::size_t p = 0; p < parts.size(); ++p)
        out += std::string(p ? ", " : "") + "{\"size\": " + std::to_string(lay.parts[p]) + ", " +
               fan_fields(parts[p]) + "}";
      out += "]}\n";
    }
  } else {
    out = pad("shape") + weightinit::to_string(dims) + "\n" + pad("layout") +
          weightinit::to_string(lay.convention) + "\n";
    if (lay.groups != 1) out += pad("groups") + std::to_string(lay.groups) + "\n";
    for (std::size_t p = 0; p < parts.size(); ++p) {
      if (!lay.parts.empty())
        out += "part " + std::to_string(p) + " (" + std::to_string(lay.parts[p]) + ")\n";
      out += pad("fan_in") + shortest(parts[p].fan_in) + "\n" + pad("fan_out") +
             shortest(parts[p].fan_out) + "\n" + pad("receptive_field") +
             shortest(parts[p].receptive_field) + "\n";
    }
  }
  write_stdout(out);
}

}  // namespace

void add_fans_command(CLI::App& app) {
  auto args = std::make_shared<fans_args>();
  CLI::App* cmd =
      app.add_subcommand("fans", "fan_in, fan_out and receptive field of a weight shape");
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
