// tools/npy.cpp: the .npy writer: magic, version 1.0 (2.0 when the header outgrows 16 bits), a
// header dict padded to a multiple of 64 bytes, raw data; written whole or not at all
// (atomic_file).
#include "npy.hpp"

#include <cstdint>
#include <stdexcept>

#include "output.hpp"

namespace weightinit_cli {

const char* npy_descr(weightinit::dtype t) {
  switch (t) {
    case weightinit::dtype::f32: return "<f4";
    case weightinit::dtype::f64: return "<f8";
    case weightinit::dtype::f16: return "<f2";
    case weightinit::dtype::bf16: return "<u2";
  }
  return "?";
}

std::string npy_header(weightinit::dtype t, const weightinit::shape& dims) {
  std::string shape = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) shape += std::to_string(dims[i]) + ", ";
  if (dims.size() > 1) shape.erase(shape.size() - 2);
  if (dims.size() == 1) shape.erase(shape.size() - 1);  // "(5,)"
  shape += ")";
  std::string dict = std::string("{'descr': '") + npy_descr(t) +
                     "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Version 1.0 has a 2-byte header length, 2.0 a 4-byte one; the preamble is magic(6) +
  // version(2) + length, the header ends with '\n', and data starts at a multiple of 64.
  const bool v2 = 10 + dict.size() + 1 + 63 > 0xffff;
  const std::size_t preamble = v2 ? 12 : 10;
  dict.append((64 - (preamble + dict.size() + 1) % 64) % 64, ' ');
  dict += '\n';
  std::string out = std::string("\x93NUMPY", 6) + (v2 ? '\x02' : '\x01') + '\0';
  const std::uint64_t len = dict.size();
  for (std::size_t b = 0; b < (v2 ? 4u : 2u); ++b)
    out += static_cast<char>((len >> (8 * b)) & 0xff);
  return out + dict;
}

void write_npy(const std::string& path, weightinit::dtype t, const weightinit::shape& dims,
               const void* data, std::size_t bytes) {
  atomic_file f(path);
  write_npy(f, t, dims, data, bytes);
}

void write_npy(atomic_file& f, weightinit::dtype t, const weightinit::shape& dims, const void* data,
               std::size_t bytes) {
  const std::string header = npy_header(t, dims);
  f.write(header.data(), header.size());
  f.write(data, bytes);
  f.commit();
}

}  // namespace weightinit_cli
