// host/cuda_check.cpp: formats CUDA runtime and cuSOLVER failures and throws cuda_error /
// cusolver_error. The only place such failures become messages.
#include "cuda_check.hpp"

#include <string>

#include "weightinit/error.hpp"

namespace weightinit {
namespace detail {
namespace {

// The call's name: "cudaMallocAsync(&p, n, s)" -> "cudaMallocAsync".
std::string call_name(const char* call) {
  const std::string s = call ? call : "?";
  return s.substr(0, s.find('('));
}

// What the status means to someone who called a fill.
std::string describe(cudaError_t status) {
  switch (status) {
    case cudaErrorNoDevice: return "no CUDA device is present";
    case cudaErrorInsufficientDriver:
      return "no usable CUDA device: the installed NVIDIA driver is older than the CUDA runtime";
    case cudaErrorMemoryAllocation: return "out of GPU memory";
    case cudaErrorInvalidDevice: return "the current CUDA device is not a valid device";
    case cudaErrorDevicesUnavailable: return "the CUDA device is busy or unavailable";
    case cudaErrorNoKernelImageForDevice:
      return "this build has no kernels for the GPU in use (configure CMAKE_CUDA_ARCHITECTURES "
             "for it)";
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchFailure:
    case cudaErrorHardwareStackError:
    case cudaErrorIllegalInstruction:
    case cudaErrorMisalignedAddress:
      return std::string("the CUDA context is unusable after a kernel fault: ") +
             cudaGetErrorString(status);
    default: return cudaGetErrorString(status);
  }
}

}  // namespace

void throw_cuda_error(cudaError_t status, const char* function, const char* call) {
  throw cuda_error(static_cast<int>(status),
                   std::string("weightinit::") + function + ": " + describe(status) + " (" +
                       cudaGetErrorName(status) + " from " + call_name(call) + ")");
}

void throw_cusolver_error(int status, const char* function, const char* call) {
  // cusolverStatus_t values (cusolver_common.h), named here so host code needs no cuSOLVER header.
  const char* what = "failed";
  switch (status) {
    case 1: what = "cuSOLVER is not initialized (CUSOLVER_STATUS_NOT_INITIALIZED)"; break;
    case 2: what = "cuSOLVER could not allocate memory (CUSOLVER_STATUS_ALLOC_FAILED)"; break;
    case 3: what = "cuSOLVER rejected a value (CUSOLVER_STATUS_INVALID_VALUE)"; break;
    case 4:
      what = "the GPU does not support this cuSOLVER routine (CUSOLVER_STATUS_ARCH_MISMATCH)";
      break;
    case 6: what = "a cuSOLVER kernel failed to launch (CUSOLVER_STATUS_EXECUTION_FAILED)"; break;
    case 7: what = "cuSOLVER hit an internal error (CUSOLVER_STATUS_INTERNAL_ERROR)"; break;
    default: break;
  }
  throw cusolver_error(status, std::string("weightinit::") + function + " (orthogonal): " + what +
                                   " (cusolverStatus_t " + std::to_string(status) + " from " +
                                   call_name(call) + ")");
}

void throw_launch_error(cudaError_t launch, cudaError_t before, const char* function,
                        const char* kernel) {
  std::string what = std::string("weightinit::") + function + ": ";
  if (before != cudaSuccess && before == launch)
    what += std::string(
                "the CUDA context already held an error from earlier work when this "
                "call started, and the launch failed with it: ") +
            describe(launch);
  else
    what += "launching " + std::string(kernel) + " failed: " + describe(launch);
  throw cuda_error(static_cast<int>(launch),
                   what + " (" + cudaGetErrorName(launch) + " from the launch of " + kernel + ")");
}

}  // namespace detail
}  // namespace weightinit
