// model_io/safetensors_header.cpp: reading and writing safetensors headers, with the checks the
// Python safetensors package makes (no holes, no overlap, sizes that match shapes and dtypes).
#include "safetensors_header.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "model_description.hpp"

namespace weightinit_io {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

[[noreturn]] void fail(const std::string& what) {
  throw std::invalid_argument("safetensors header: " + what);
}

std::uint64_t read_u64le(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

std::size_t safetensors_dtype_size(const std::string& c) {
  if (c == "F64" || c == "I64" || c == "U64") return 8;
  if (c == "F32" || c == "I32" || c == "U32") return 4;
  if (c == "F16" || c == "BF16" || c == "I16" || c == "U16") return 2;
  if (c == "I8" || c == "U8" || c == "BOOL" || c == "F8_E4M3" || c == "F8_E5M2") return 1;
  return 0;
}

safetensors_header parse_safetensors_header(const unsigned char* prefix, std::size_t size,
                                            std::uint64_t file_size) {
  if (size < 8 || file_size < 8) fail("file shorter than the 8-byte header length");
  safetensors_header h;
  h.header_bytes = read_u64le(prefix);
  if (h.header_bytes > max_safetensors_header)
    fail("header length " + std::to_string(h.header_bytes) + " exceeds the 100 MB limit");
  if (h.header_bytes > file_size - 8)
    fail("header length " + std::to_string(h.header_bytes) + " runs past the end of the " +
         std::to_string(file_size) + "-byte file");
  if (h.header_bytes > size - 8) fail("header truncated");
  const std::string_view text(reinterpret_cast<const char*>(prefix) + 8,
                              static_cast<std::size_t>(h.header_bytes));
  check_nesting(text, 8, "safetensors header");
  const json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) fail("header is not valid JSON");
  if (!j.is_object()) fail("header must be a JSON object");
  const std::uint64_t data_bytes = file_size - 8 - h.header_bytes;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const json& v = it.value();
    if (it.key() == "__metadata__") {
      if (!v.is_object()) fail("__metadata__ must be an object of strings");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m->is_string()) fail("__metadata__ value '" + m.key() + "' is not a string");
        h.metadata[m.key()] = m->get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor '" + it.key() + "'";
    if (it.key().empty()) fail("a tensor has an empty name");
    if (!v.is_object()) fail(where + " must be an object");
    safetensors_tensor t;
    t.name = it.key();
    const auto dt = v.find("dtype"), sh = v.find("shape"), off = v.find("data_offsets");
    if (dt == v.end() || !dt->is_string()) fail(where + ": missing or non-string \"dtype\"");
    t.dtype = dt->get<std::string>();
    const std::size_t esize = safetensors_dtype_size(t.dtype);
    if (esize == 0) fail(where + ": unknown dtype '" + t.dtype + "'");
    if (sh == v.end() || !sh->is_array()) fail(where + ": missing \"shape\" array");
    if (sh->size() > max_rank)
      fail(where + ": more than " + std::to_string(max_rank) + " dimensions");
    std::uint64_t count = 1;
    bool overflow = false;
    for (const json& e : *sh) {
      if (!e.is_number_unsigned() && !(e.is_number_integer() && e.get<std::int64_t>() >= 0))
        fail(where + ": extents must be non-negative integers, got " + e.dump());
      const std::uint64_t x = e.get<std::uint64_t>();
      if (x > static_cast<std::uint64_t>(INT64_MAX)) fail(where + ": extent does not fit in int64");
      t.shape.push_back(static_cast<std::int64_t>(x));
      if (x != 0 && count > UINT64_MAX / x)
        overflow = true;
      else
        count *= x;
    }
    if (overflow || count > UINT64_MAX / esize) fail(where + ": shape overflows 64 bits");
    if (off == v.end() || !off->is_array() || off->size() != 2 || !(*off)[0].is_number_unsigned() ||
        !(*off)[1].is_number_unsigned())
      fail(where + ": \"data_offsets\" must be [begin, end], two non-negative integers");
    t.begin = (*off)[0].get<std::uint64_t>();
    t.end = (*off)[1].get<std::uint64_t>();
    if (t.begin > t.end) fail(where + ": data_offsets begin > end");
    if (t.end - t.begin != count * esize)
      fail(where + ": data_offsets span " + std::to_string(t.end - t.begin) +
           " bytes, but shape and " + t.dtype + " need " + std::to_string(count * esize));
    if (t.end > data_bytes)
      fail(where + ": data ends at byte " + std::to_string(t.end) + " of a " +
           std::to_string(data_bytes) + "-byte data section");
    h.tensors.push_back(std::move(t));
  }
  std::sort(h.tensors.begin(), h.tensors.end(),
            [](const safetensors_tensor& a, const safetensors_tensor& b) {
              return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
            });
  std::uint64_t at = 0;
  for (const safetensors_tensor& t : h.tensors) {
    if (t.begin != at)
      fail(t.begin < at ? "tensor '" + t.name + "' overlaps the one before it"
                        : "a hole in the data before tensor '" + t.name + "'");
    at = t.end;
  }
  if (at != data_bytes)
    fail("the data section has " + std::to_string(data_bytes) + " bytes but the tensors cover " +
         std::to_string(at));
  return h;
}

safetensors_header read_safetensors_header(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open '" + path + "' for reading");
  f.seekg(0, std::ios::end);
  const std::uint64_t file_size = static_cast<std::uint64_t>(f.tellg());
  f.seekg(0);
  unsigned char len[8] = {0};
  f.read(reinterpret_cast<char*>(len), 8);
  if (!f) {
    try {
      return parse_safetensors_header(len, 0, file_size);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string(e.what()) + " ('" + path + "')");
    }
  }
  std::uint64_t n = read_u64le(len);
  if (n > max_safetensors_header || n > file_size - 8) n = 0;  // parse reports it
  std::vector<unsigned char> prefix(8 + static_cast<std::size_t>(n));
  std::memcpy(prefix.data(), len, 8);
  f.read(reinterpret_cast<char*>(prefix.data() + 8), static_cast<std::streamsize>(n));
  if (!f) throw std::runtime_error("cannot read the header of '" + path + "'");
  try {
    return parse_safetensors_header(prefix.data(), prefix.size(), file_size);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(e.what()) + " ('" + path + "')");
  }
}

std::string safetensors_header_bytes(const std::vector<safetensors_tensor>& tensors,
                                     const std::map<std::string, std::string>& metadata) {
  ordered_json j = ordered_json::object();
  if (!metadata.empty()) {
    ordered_json m = ordered_json::object();
    for (const auto& kv : metadata) m[kv.first] = kv.second;
    j["__metadata__"] = m;
  }
  for (const safetensors_tensor& t : tensors) {
    ordered_json e = ordered_json::object();
    e["dtype"] = t.dtype;
    e["shape"] = t.shape;
    e["data_offsets"] = {t.begin, t.end};
    j[t.name] = e;
  }
  std::string text = j.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  std::uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + text;
}

}  // namespace weightinit_io
