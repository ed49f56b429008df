// host/cuda_check.cpp: the out-of-line half of WEIGHTINIT_CUDA_TRY: formats the failure and throws
// weightinit::cuda_error. The only place CUDA runtime errors become messages.
#include "cuda_check.hpp"

#include <string>

#include "weightinit/error.hpp"

namespace weightinit {
namespace detail {

void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line) {
  std::string what = std::string(file) + ":" + std::to_string(line) + ": " + call + " failed: " +
                     cudaGetErrorName(status) + " (" + std::to_string(static_cast<int>(status)) +
                     "): " + cudaGetErrorString(status);
  throw cuda_error(static_cast<int>(status), what);
}

}  // namespace detail
}  // namespace weightinit
