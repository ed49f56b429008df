// tools/npy.hpp: writes NumPy .npy files (format version 1.0), which numpy.load and torch read.
#pragma once

#include <cstdint>
#include <string>

#include "weightinit/types.hpp"

namespace weightinit_cli {

/// The .npy type string for a dtype: '<f4', '<f8', '<f2'; bf16 has no NumPy type and is written
/// as its raw bits, '<u2' (torch: torch.from_numpy(a).view(torch.bfloat16)).
const char* npy_descr(weightinit::dtype t);

/// Writes `bytes` bytes of row-major data of shape `dims`; throws std::runtime_error on I/O failure.
void write_npy(const std::string& path, weightinit::dtype t, const weightinit::shape& dims,
               const void* data, std::size_t bytes);

}  // namespace weightinit_cli
