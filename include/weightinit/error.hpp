// weightinit/error.hpp: the exceptions of the library. Bad arguments throw std::invalid_argument
// (naming the function and the values) before anything is launched or written; CUDA failures
// throw cuda_error.
#pragma once

#include <stdexcept>
#include <string>

namespace weightinit {

/// A CUDA runtime, cuRAND or cuSOLVER call failed. `code()` is the library's status value (a
/// cudaError_t for the runtime); what() names the call, the file and the line.
class cuda_error : public std::runtime_error {
 public:
  cuda_error(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const noexcept { return code_; }

 private:
  int code_;
};

}  // namespace weightinit
