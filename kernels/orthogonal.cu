// kernels/orthogonal.cu: the GPU orthogonal of one block: cuSOLVER's QR (geqrf + orgqr, f32 math
// for f32/f16/bf16 tensors, f64 for f64) of the Gaussian input the host drew with our normal fill,
// then one kernel that multiplies Q's columns by sign(R_jj), scales by gain and rounds once to the
// tensor's type. Column-major for cuSOLVER: the row-major rows × cols input read column-major is
// Aᵀ, which is exactly the tall matrix to factor when rows < cols; when rows >= cols it is
// transposed first.
#include <cuda_runtime.h>
#include <cusolverDn.h>

#include <climits>
#include <cstdint>

#include "cusolver_api.hpp"
#include "element.hpp"
#include "launch_kernel.cuh"
#include "structured.hpp"

namespace weightinit {
namespace detail {
namespace {

using structured::blocks_for;
using structured::k_threads;

// w[c·rows + r] = g[r·cols + c]: row-major rows × cols into column-major storage.
template <class T>
__global__ void transpose_kernel(const T* g, T* w, std::int64_t rows, std::int64_t cols) {
  const std::int64_t n = rows * cols, stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    const std::int64_t r = i / cols, c = i % cols;
    w[c * rows + r] = g[i];
  }
}

// out[g - first] = gain · sign(R_jj) · Q, for the global elements g in [lo, hi) of the block at
// `offset`. Q is column-major m × n with m = max(rows, cols); element (r, c) of the result is
// Q(c, r) when rows < cols (the transposed problem) and Q(r, c) otherwise.
template <class Storage, class T>
__global__ void finish_kernel(const T* q, const T* diag, Storage* out, std::int64_t offset,
                              std::int64_t rows, std::int64_t cols, std::int64_t first,
                              std::int64_t lo, std::int64_t hi, T gain) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t g = lo + static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       g < hi; g += stride) {
    const std::int64_t local = g - offset, r = local / cols, c = local % cols;
    T v;
    if (rows < cols) {
      v = q[r * cols + c] * (diag[r] < T(0) ? T(-1) : T(1));
    } else {
      v = q[c * rows + r] * (diag[c] < T(0) ? T(-1) : T(1));
    }
    store_value(out + (g - first), gain * v);
  }
}

// diag[j] = R_jj = w[j·m + j], j < n: R's diagonal, read before orgqr overwrites it with Q. (A
// kernel, not a pitched 2-D copy, whose pitch (m + 1)·size exceeds the copy engine's limit for tall
// matrices.)
template <class T>
__global__ void diagonal_kernel(const T* w, T* diag, std::int64_t m, std::int64_t n) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t j = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < n;
       j += stride)
    diag[j] = w[j * m + j];
}

// cuSOLVER's legacy API, by type.
cusolverStatus_t geqrf_size(const cusolver_api& api, cusolverDnHandle_t h, int m, int n, float* a,
                            int* lwork) {
  return api.sgeqrf_size(h, m, n, a, m, lwork);
}
cusolverStatus_t geqrf_size(const cusolver_api& api, cusolverDnHandle_t h, int m, int n, double* a,
                            int* lwork) {
  return api.dgeqrf_size(h, m, n, a, m, lwork);
}
cusolverStatus_t orgqr_size(const cusolver_api& api, cusolverDnHandle_t h, int m, int n,
                            const float* a, const float* tau, int* lwork) {
  return api.sorgqr_size(h, m, n, n, a, m, tau, lwork);
}
cusolverStatus_t orgqr_size(const cusolver_api& api, cusolverDnHandle_t h, int m, int n,
                            const double* a, const double* tau, int* lwork) {
  return api.dorgqr_size(h, m, n, n, a, m, tau, lwork);
}
cusolverStatus_t geqrf(const cusolver_api& api, cusolverDnHandle_t h, int m, int n, float* a,
                       float* tau, float* work, int lwork, int* info) {
  return api.sgeqrf(h, m, n, a, m, tau, work, lwork, info);
}
cusolverStatus_t geqrf(const cusolver_api& api, cusolverDnHandle_t h, int m, int n, double* a,
                       double* tau, double* work, int lwork, int* info) {
  return api.dgeqrf(h, m, n, a, m, tau, work, lwork, info);
}
cusolverStatus_t orgqr(const cusolver_api& api, cusolverDnHandle_t h, int m, int n, float* a,
                       const float* tau, float* work, int lwork, int* info) {
  return api.sorgqr(h, m, n, n, a, m, tau, work, lwork, info);
}
cusolverStatus_t orgqr(const cusolver_api& api, cusolverDnHandle_t h, int m, int n, double* a,
                       const double* tau, double* work, int lwork, int* info) {
  return api.dorgqr(h, m, n, n, a, m, tau, work, lwork, info);
}

// Stream-ordered buffers, released in every exit path. The handle is the caller's (cached per
// device and thread by the host), so nothing here creates or destroys one.
struct resources {
  cudaStream_t stream;
  void* ptrs[5] = {nullptr, nullptr, nullptr, nullptr, nullptr};
  int used = 0;
  explicit resources(cudaStream_t s) : stream(s) {}
  cudaError_t alloc(void** p, std::size_t bytes) {
    const cudaError_t e = cudaMallocAsync(p, bytes, stream);
    if (e == cudaSuccess) ptrs[used++] = *p;
    return e;
  }
  ~resources() {
    for (int i = 0; i < used; ++i) cudaFreeAsync(ptrs[i], stream);
  }
};

#define WEIGHTINIT_ORTHO_CUDA(call)                                                      \
  do {                                                                                   \
    const cudaError_t e_ = (call);                                                       \
    if (e_ != cudaSuccess) return orthogonal_status{static_cast<int>(e_), #call, false}; \
  } while (0)
#define WEIGHTINIT_ORTHO_SOLVER(call)                              \
  do {                                                             \
    const cusolverStatus_t s_ = (call);                            \
    if (s_ != CUSOLVER_STATUS_SUCCESS)                             \
      return orthogonal_status{static_cast<int>(s_), #call, true}; \
  } while (0)

template <class T, class Storage>
orthogonal_status run(const cusolver_api& api, cusolverDnHandle_t handle, T* gaussian, Storage* out,
                      std::int64_t offset, std::int64_t rows, std::int64_t cols, std::int64_t first,
                      std::int64_t count, double gain, cudaStream_t stream) {
  const std::int64_t m = rows < cols ? cols : rows, n = rows < cols ? rows : cols;
  if (m > INT_MAX)
    return orthogonal_status{static_cast<int>(cudaErrorInvalidValue),
                             "orthogonal: matrix larger than cuSOLVER's int dimensions", false};
  resources res(stream);
  T* w = gaussian;
  if (rows >= cols) {
    void* p = nullptr;
    WEIGHTINIT_ORTHO_CUDA(res.alloc(&p, static_cast<std::size_t>(m * n) * sizeof(T)));
    w = static_cast<T*>(p);
    WEIGHTINIT_ORTHO_CUDA(launch_kernel(transpose_kernel<T>, blocks_for(m * n), k_threads, 0,
                                        stream, static_cast<const T*>(gaussian), w, rows, cols));
  }
  void *tau = nullptr, *diag = nullptr, *info = nullptr, *work = nullptr;
  WEIGHTINIT_ORTHO_CUDA(res.alloc(&tau, static_cast<std::size_t>(n) * sizeof(T)));
  WEIGHTINIT_ORTHO_CUDA(res.alloc(&diag, static_cast<std::size_t>(n) * sizeof(T)));
  WEIGHTINIT_ORTHO_CUDA(res.alloc(&info, sizeof(int)));
  WEIGHTINIT_ORTHO_SOLVER(api.set_stream(handle, stream));
  int lw_qr = 0, lw_q = 0;
  const int mi = static_cast<int>(m), ni = static_cast<int>(n);
  WEIGHTINIT_ORTHO_SOLVER(geqrf_size(api, handle, mi, ni, w, &lw_qr));
  WEIGHTINIT_ORTHO_SOLVER(orgqr_size(api, handle, mi, ni, w, static_cast<T*>(tau), &lw_q));
  const int lwork = lw_qr > lw_q ? lw_qr : lw_q;
  WEIGHTINIT_ORTHO_CUDA(
      res.alloc(&work, static_cast<std::size_t>(lwork > 0 ? lwork : 1) * sizeof(T)));
  WEIGHTINIT_ORTHO_SOLVER(geqrf(api, handle, mi, ni, w, static_cast<T*>(tau), static_cast<T*>(work),
                                lwork, static_cast<int*>(info)));
  // R's diagonal (the upper triangle of the factored matrix) before orgqr overwrites it with Q.
  WEIGHTINIT_ORTHO_CUDA(launch_kernel(diagonal_kernel<T>, blocks_for(n), k_threads, 0, stream,
                                      static_cast<const T*>(w), static_cast<T*>(diag), m, n));
  WEIGHTINIT_ORTHO_SOLVER(orgqr(api, handle, mi, ni, w, static_cast<T*>(tau), static_cast<T*>(work),
                                lwork, static_cast<int*>(info)));
  // geqrf/orgqr set *info (on the device) only to report an invalid argument (info < 0), which the
  // sizes above rule out; QR itself cannot fail. Reading it would synchronize the stream, so it is
  // not read.
  const std::int64_t lo = first > offset ? first : offset;
  const std::int64_t end = offset + rows * cols, last = first + count;
  const std::int64_t hi = end < last ? end : last;
  if (lo < hi) {
    WEIGHTINIT_ORTHO_CUDA(launch_kernel(finish_kernel<Storage, T>, blocks_for(hi - lo), k_threads,
                                        0, stream, static_cast<const T*>(w),
                                        static_cast<const T*>(diag), out, offset, rows, cols, first,
                                        lo, hi, static_cast<T>(gain)));
  }
  return orthogonal_status{};
}

}  // namespace

orthogonal_status launch_orthogonal(const cusolver_api& api, void* handle, void* gaussian,
                                    void* data, dtype type, std::int64_t offset, std::int64_t rows,
                                    std::int64_t cols, std::int64_t first, std::int64_t count,
                                    double gain, cudaStream_t stream) {
  switch (type) {
    case dtype::f32:
      return run(api, static_cast<cusolverDnHandle_t>(handle), static_cast<float*>(gaussian),
                 static_cast<float*>(data), offset, rows, cols, first, count, gain, stream);
    case dtype::f64:
      return run(api, static_cast<cusolverDnHandle_t>(handle), static_cast<double*>(gaussian),
                 static_cast<double*>(data), offset, rows, cols, first, count, gain, stream);
    case dtype::f16:
      return run(api, static_cast<cusolverDnHandle_t>(handle), static_cast<float*>(gaussian),
                 static_cast<f16_bits*>(data), offset, rows, cols, first, count, gain, stream);
    case dtype::bf16:
      return run(api, static_cast<cusolverDnHandle_t>(handle), static_cast<float*>(gaussian),
                 static_cast<bf16_bits*>(data), offset, rows, cols, first, count, gain, stream);
  }
  return orthogonal_status{static_cast<int>(cudaErrorInvalidValue), "launch_orthogonal", false};
}

}  // namespace detail
}  // namespace weightinit
