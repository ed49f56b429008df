// tools/npy.cpp: the .npy writer: magic, version 1.0, a header dict padded to 64 bytes, raw data.
#include "npy.hpp"

#include <cstdio>
#include <memory>
#include <stdexcept>

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

void write_npy(const std::string& path, weightinit::dtype t, const weightinit::shape& dims,
               const void* data, std::size_t bytes) {
  std::string shape = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) shape += std::to_string(dims[i]) + ", ";
  if (dims.size() > 1) shape.erase(shape.size() - 2);
  if (dims.size() == 1) shape.erase(shape.size() - 1);  // "(5,)"
  shape += ")";
  std::string header = std::string("{'descr': '") + npy_descr(t) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  const std::size_t unpadded = 10 + header.size() + 1;  // magic(6)+version(2)+len(2), '\n'
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!f) throw std::runtime_error("cannot open '" + path + "' for writing");
  const unsigned char magic[8] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  const unsigned char len[2] = {static_cast<unsigned char>(header.size() & 0xff),
                                static_cast<unsigned char>(header.size() >> 8)};
  bool ok = std::fwrite(magic, 1, 8, f.get()) == 8 && std::fwrite(len, 1, 2, f.get()) == 2 &&
            std::fwrite(header.data(), 1, header.size(), f.get()) == header.size() &&
            std::fwrite(data, 1, bytes, f.get()) == bytes;
  if (!ok || std::fflush(f.get()) != 0) throw std::runtime_error("writing '" + path + "' failed");
}

}  // namespace weightinit_cli
