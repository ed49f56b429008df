// python/src/core_util.hpp: what the extension's source files share: DLPack dtypes and devices as
// the library's, the contiguity check, and a guard that makes an array's CUDA device current.
#pragma once

#include <cuda_runtime_api.h>
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "weightinit/weightinit.hpp"

namespace weightinit_python {

namespace nb = nanobind;
namespace wi = weightinit;

// The DLPack element type as our dtype; TypeError for anything else.
inline wi::dtype dtype_of(nb::dlpack::dtype t, const char* function) {
  const auto code = static_cast<nb::dlpack::dtype_code>(t.code);
  if (t.lanes == 1) {
    if (code == nb::dlpack::dtype_code::Float && t.bits == 32) return wi::dtype::f32;
    if (code == nb::dlpack::dtype_code::Float && t.bits == 64) return wi::dtype::f64;
    if (code == nb::dlpack::dtype_code::Float && t.bits == 16) return wi::dtype::f16;
    if (code == nb::dlpack::dtype_code::Bfloat && t.bits == 16) return wi::dtype::bf16;
  }
  static const char* names[] = {"int",    "uint",    "float", "opaque handle",
                                "bfloat", "complex", "bool"};
  const std::string kind = t.code < 7 ? names[t.code] : "code " + std::to_string(t.code);
  throw nb::type_error((std::string(function) + ": dtype must be float32, float64, float16 or " +
                        "bfloat16, got " + kind + std::to_string(t.bits) +
                        (t.lanes != 1 ? "x" + std::to_string(t.lanes) : std::string()))
                           .c_str());
}

inline wi::dtype parse_dtype_name(const std::string& name) {
  try {
    return wi::parse_dtype(name);
  } catch (const std::invalid_argument&) {
    throw nb::type_error(
        ("weightinit: dtype must be float32, float64, float16 or bfloat16, got '" + name + "'")
            .c_str());
  }
}

// Makes `device` current for the lifetime of the guard (the library fills on the current device
// and refuses a pointer of another), and restores the caller's device afterwards.
class device_guard {
 public:
  device_guard(int device, const char* function) {
    if (cudaGetDevice(&previous_) != cudaSuccess) {
      cudaGetLastError();
      throw std::runtime_error(std::string(function) + ": no usable CUDA device for a CUDA array");
    }
    if (previous_ != device && cudaSetDevice(device) != cudaSuccess) {
      cudaGetLastError();
      throw std::runtime_error(std::string(function) + ": cannot make CUDA device " +
                               std::to_string(device) + " current");
    }
  }
  ~device_guard() {
    int now = previous_;
    if (cudaGetDevice(&now) == cudaSuccess && now != previous_) cudaSetDevice(previous_);
  }
  device_guard(const device_guard&) = delete;
  device_guard& operator=(const device_guard&) = delete;

 private:
  int previous_ = 0;
};

enum device_kind : int { cpu = 1, cuda = 2 };  // DLPack's kDLCPU, kDLCUDA

// The array's shape, with a ValueError unless it is dense row-major (C-contiguous). Extents of 1
// and empty arrays may have any stride, as NumPy and PyTorch agree.
inline wi::shape checked_shape(const nb::ndarray<>& arr, const char* function) {
  wi::shape dims;
  std::int64_t expected = 1;
  bool empty = false;
  for (std::size_t i = 0; i < arr.ndim(); ++i) {
    dims.push_back(static_cast<std::int64_t>(arr.shape(i)));
    if (arr.shape(i) == 0) empty = true;
  }
  if (empty || arr.stride_ptr() == nullptr) return dims;
  for (std::size_t j = arr.ndim(); j-- > 0;) {
    if (arr.shape(j) != 1 && arr.stride(j) != expected) {
      std::string strides;
      for (std::size_t i = 0; i < arr.ndim(); ++i)
        strides += (i ? ", " : "") + std::to_string(arr.stride(i));
      throw std::invalid_argument(std::string(function) +
                                  ": the array must be C-contiguous "
                                  "(dense row-major) to be filled in place; got shape " +
                                  wi::to_string(dims) + " with strides (in elements) [" + strides +
                                  "] (weightinit never fills a copy silently: pass a contiguous "
                                  "array, or fill one and copy it yourself)");
    }
    expected *= static_cast<std::int64_t>(arr.shape(j));
  }
  return dims;
}

/// Adds ModelPlan and the whole-model functions (models.cpp) to the module.
void bind_models(nb::module_& m);

}  // namespace weightinit_python
