// tests/fuzz/fuzz_safetensors_header.cpp: libFuzzer target for the safetensors header reader
// (model_io/safetensors_header.cpp), as `init-model --like` uses it: the input is a whole file's
// bytes. It must parse or throw std::invalid_argument; a parsed header must be consistent (tensors
// contiguous from 0, inside the file) and survive a round trip through the writer.
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -I model_io \
//     tests/fuzz/fuzz_safetensors_header.cpp model_io/safetensors_header.cpp
//     model_io/model_description.cpp
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

#include "safetensors_header.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  weightinit_io::safetensors_header h;
  try {
    h = weightinit_io::parse_safetensors_header(data, size, size);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  std::uint64_t at = 0;
  for (const auto& t : h.tensors) {
    if (t.begin != at || t.end < t.begin) std::abort();
    at = t.end;
  }
  if (8 + h.header_bytes + at != size) std::abort();
  // The writer's header for the same tensors parses back to the same layout.
  std::string again;
  try {
    again = weightinit_io::safetensors_header_bytes(h.tensors, h.metadata);
  } catch (const std::exception&) {
    return 0;  // names that are not valid UTF-8 cannot be written as JSON
  }
  again.append(static_cast<std::size_t>(at), '\0');
  const auto back = weightinit_io::parse_safetensors_header(
      reinterpret_cast<const unsigned char*>(again.data()), again.size(), again.size());
  if (back.tensors.size() != h.tensors.size()) std::abort();
  return 0;
}
