// weightinit/error.hpp: the exceptions of the library. Bad arguments throw std::invalid_argument
// (naming the function and the values) before anything is launched or written; a failing CUDA
// runtime call throws cuda_error, a failing cuSOLVER call cusolver_error. Both messages name the
// public function that was called and say what went wrong, e.g.
//   "weightinit::fill: no usable CUDA device: the installed driver is older than the CUDA runtime
//    (cudaErrorInsufficientDriver from cudaPointerGetAttributes)".
#pragma once

#include <stdexcept>
#include <string>

namespace weightinit {

/// A CUDA runtime call failed. `code()` is the cudaError_t (as int).
class cuda_error : public std::runtime_error {
 public:
  cuda_error(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const noexcept { return code_; }

 private:
  int code_;
};

/// A cuSOLVER call failed (the GPU orthogonal). `status()` is the cusolverStatus_t (as int).
class cusolver_error : public std::runtime_error {
 public:
  cusolver_error(int status, const std::string& what) : std::runtime_error(what), status_(status) {}
  int status() const noexcept { return status_; }

 private:
  int status_;
};

}  // namespace weightinit
