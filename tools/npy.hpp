// tools/npy.hpp: writes NumPy .npy files (format version 1.0; 2.0 when the header outgrows 64 KiB),
// which numpy.load and torch read.
#pragma once

#include <cstdint>
#include <string>

#include "output.hpp"
#include "weightinit/types.hpp"

namespace weightinit_cli {

/// The .npy type string for a dtype: '<f4', '<f8', '<f2'; bf16 has no NumPy type and is written
/// as its raw bits, '<u2' (torch: torch.from_numpy(a).view(torch.bfloat16)).
const char* npy_descr(weightinit::dtype t);

/// The magic, version, length and padded header dict that precede the data.
std::string npy_header(weightinit::dtype t, const weightinit::shape& dims);

/// Writes `bytes` bytes of row-major data of shape `dims`, whole or not at all: throws
/// std::runtime_error naming the path and the reason on I/O failure, leaving the target as it was.
/// To refuse an unwritable target before a long fill, construct an atomic_file first and use the
/// overload below.
void write_npy(const std::string& path, weightinit::dtype t, const weightinit::shape& dims,
               const void* data, std::size_t bytes);
void write_npy(atomic_file& file, weightinit::dtype t, const weightinit::shape& dims,
               const void* data, std::size_t bytes);

}  // namespace weightinit_cli
