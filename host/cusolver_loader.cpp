// host/cusolver_loader.cpp: loads cuSOLVER on the first GPU orthogonal and caches its handles. A
// handle owns cuSOLVER's (and its cuBLAS's) workspace, whose creation and destruction can
// synchronize the device; one handle per device and thread, reused, keeps that off every call.
#include "cusolver_loader.hpp"

#include <cuda_runtime_api.h>
#include <dlfcn.h>

#include <map>
#include <mutex>
#include <string>

#include "cuda_check.hpp"
#include "weightinit/error.hpp"

#define WEIGHTINIT_STR2(x) #x
#define WEIGHTINIT_STR(x) WEIGHTINIT_STR2(x)

namespace weightinit {
namespace detail {
namespace {

struct loaded {
  cusolver_api api;
  std::string error;  // empty on success
};

template <class F>
bool bind(void* lib, const char* name, F& slot, std::string& error) {
  slot = reinterpret_cast<F>(dlsym(lib, name));
  if (!slot && error.empty()) error = std::string("libcusolver has no symbol ") + name;
  return slot != nullptr;
}

loaded load() {
  loaded l;
  // The soname of the toolkit the library was built with, then the unversioned development link.
  const char* names[] = {"libcusolver.so." WEIGHTINIT_STR(CUSOLVER_VER_MAJOR), "libcusolver.so"};
  void* lib = nullptr;
  std::string tried;
  for (const char* n : names) {
    lib = dlopen(n, RTLD_NOW | RTLD_LOCAL);
    if (lib) break;
    const char* e = dlerror();
    tried += std::string(tried.empty() ? "" : "; ") + (e ? e : n);
  }
  if (!lib) {
    l.error = "cannot load cuSOLVER, which the GPU orthogonal needs (" + tried + ")";
    return l;
  }
  cusolver_api& a = l.api;
  bind(lib, "cusolverDnCreate", a.create, l.error);
  bind(lib, "cusolverDnDestroy", a.destroy, l.error);
  bind(lib, "cusolverDnSetStream", a.set_stream, l.error);
  bind(lib, "cusolverDnSgeqrf_bufferSize", a.sgeqrf_size, l.error);
  bind(lib, "cusolverDnDgeqrf_bufferSize", a.dgeqrf_size, l.error);
  bind(lib, "cusolverDnSorgqr_bufferSize", a.sorgqr_size, l.error);
  bind(lib, "cusolverDnDorgqr_bufferSize", a.dorgqr_size, l.error);
  bind(lib, "cusolverDnSgeqrf", a.sgeqrf, l.error);
  bind(lib, "cusolverDnDgeqrf", a.dgeqrf, l.error);
  bind(lib, "cusolverDnSorgqr", a.sorgqr, l.error);
  bind(lib, "cusolverDnDorgqr", a.dorgqr, l.error);
  return l;  // the library stays loaded for the life of the process
}

// The calling thread's handles, one per device; destroyed when the thread exits.
struct thread_handles {
  std::map<int, cusolverDnHandle_t> by_device;
  ~thread_handles() {
    for (auto& d : by_device) {
      int current = -1;
      if (cudaGetDevice(&current) != cudaSuccess) break;  // the runtime is gone: leave them
      if (cudaSetDevice(d.first) == cudaSuccess) cusolver("fill").destroy(d.second);
      cudaSetDevice(current);
    }
  }
};

}  // namespace

const cusolver_api& cusolver(const char* function) {
  static const loaded l = load();
  if (!l.error.empty())
    throw cuda_error(static_cast<int>(cudaErrorSharedObjectInitFailed),
                     std::string("weightinit::") + function + " (orthogonal): " + l.error);
  return l.api;
}

cusolverDnHandle_t cusolver_handle(const char* function) {
  const cusolver_api& api = cusolver(function);
  int device = 0;
  WEIGHTINIT_CUDA_TRY(cudaGetDevice(&device), function);
  thread_local thread_handles handles;
  const auto it = handles.by_device.find(device);
  if (it != handles.by_device.end()) return it->second;
  cusolverDnHandle_t h = nullptr;
  const cusolverStatus_t s = api.create(&h);
  if (s != CUSOLVER_STATUS_SUCCESS)
    throw_cusolver_error(static_cast<int>(s), function, "cusolverDnCreate");
  handles.by_device.emplace(device, h);
  return h;
}

}  // namespace detail
}  // namespace weightinit
