// model_io/safetensors_header.hpp: the header of a .safetensors file (8-byte little-endian length,
// then that many bytes of JSON: {"__metadata__": {str: str}, name: {"dtype", "shape",
// "data_offsets": [begin, end]}}) read and checked, and written. Plain C++17 with nlohmann-json, no
// CUDA, so a fuzz target builds it with a host compiler alone.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace weightinit_io {

struct safetensors_tensor {
  std::string name;
  std::string dtype;  ///< the file's code: "F32", "F64", "F16", "BF16", ...
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0, end = 0;  ///< byte offsets in the data section
};

struct safetensors_header {
  std::vector<safetensors_tensor> tensors;  ///< in data order (by begin)
  std::map<std::string, std::string> metadata;
  std::uint64_t header_bytes = 0;  ///< the JSON's length (the data section starts at 8 + this)
};

/// Bytes per element of a safetensors dtype code, 0 for codes we do not know. F32 4, F64 8, F16 2,
/// BF16 2, and the integer/bool/fp8 codes safetensors defines (so --like can name them in errors).
std::size_t safetensors_dtype_size(const std::string& code);

/// The header limit safetensors itself enforces (100 MB).
constexpr std::uint64_t max_safetensors_header = 100'000'000;

/// Parses a header from the first bytes of a file (`prefix`, at least 8 + header length of them)
/// of total size `file_size`. Throws std::invalid_argument starting "safetensors header: " and
/// naming the problem: too short, header length beyond the file or the limit, bad JSON, a tensor
/// without dtype/shape/data_offsets, negative or non-integer extents, offsets that do not match
/// the shape and dtype, overlap, gaps, or data beyond the end of the file.
safetensors_header parse_safetensors_header(const unsigned char* prefix, std::size_t size,
                                            std::uint64_t file_size);

/// Reads and parses the header of the file at `path` (reading only the header). Throws
/// std::invalid_argument for a malformed header, std::runtime_error when the file cannot be read.
safetensors_header read_safetensors_header(const std::string& path);

/// The header bytes of a file holding `tensors` (in data order, contiguous from 0) and `metadata`:
/// the 8-byte length, then the JSON ("__metadata__" first, then the tensors in the given order),
/// padded with spaces to a multiple of 8 so the data section is aligned.
std::string safetensors_header_bytes(const std::vector<safetensors_tensor>& tensors,
                                     const std::map<std::string, std::string>& metadata);

}  // namespace weightinit_io
