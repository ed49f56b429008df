// tests/fuzz/fuzz_model_json.cpp: libFuzzer target for the JSON model description parser
// (model_io/model_description.cpp) and what init-model does with its result: rules, SPECs, the
// plan. Any input must either parse or throw std::invalid_argument; nothing else may escape.
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -I include -I model_io \
//     tests/fuzz/fuzz_model_json.cpp model_io/model_description.cpp <library sources: see report>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "model_description.hpp"

#ifdef WEIGHTINIT_FUZZ_PLAN
#include "checkpoint.hpp"
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const weightinit_io::model_description d = weightinit_io::parse_model_json(text);
#ifdef WEIGHTINIT_FUZZ_PLAN
    // Plans only (no fill): bounded work even for huge shapes.
    const weightinit::rule_set rules = weightinit_io::rules_of(d);
    (void)weightinit_io::plan_of(d, rules, 1);
#else
    (void)d;
#endif
  } catch (const std::invalid_argument&) {
  }
  try {
    (void)weightinit_io::parse_rules_json(text);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
