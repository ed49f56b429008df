// kernels/structured.hpp: the per-element rules of the structured schemes (eye, dirac, sparse's
// selection key), shared by the CPU fill (host/scheme_fill_host.cpp) and the GPU kernels
// (kernels/structured.cu) so both write the same bits, and the launchers of those kernels and of
// the GPU orthogonal (kernels/orthogonal.cu). Plain C++: any host compiler can include it.
#pragma once

#include <cstdint>

#include "weightinit/config.hpp"
#include "weightinit/philox.hpp"
#include "weightinit/types.hpp"

typedef struct CUstream_st* cudaStream_t;  // the same declaration as cuda_runtime_api.h

namespace weightinit {
namespace structured {

/// Threads per block of the structured and orthogonal kernels, and their grid for `work` elements
/// (grid-stride loops: at most 8192 blocks, at least 1).
constexpr unsigned k_threads = 256;
inline unsigned blocks_for(std::int64_t work) {
  const std::int64_t b = (work + k_threads - 1) / k_threads;
  return static_cast<unsigned>(b < 1 ? 1 : b > 8192 ? 8192 : b);
}

/// Element g of a rows × cols eye lies on the diagonal.
WEIGHTINIT_HOST_DEVICE inline bool eye_on_diagonal(std::int64_t g, std::int64_t cols) {
  return g / cols == g % cols;
}

/// PyTorch's dirac_ geometry for (out, in, *k), rank 3..5: element [o, i, k...] is 1 iff k is the
/// centre (k_j = dims[2+j] / 2), and o = grp·out_per_group + d, i = d with d < min_dim.
struct dirac_geometry {
  std::int64_t in = 0;             ///< dims[1]
  std::int64_t inner = 1;          ///< product of the kernel dims
  std::int64_t centre = 0;         ///< row-major offset of the centre inside the kernel
  std::int64_t out_per_group = 0;  ///< dims[0] / groups
  std::int64_t min_dim = 0;        ///< min(out_per_group, dims[1])
};

WEIGHTINIT_HOST_DEVICE inline bool dirac_is_one(const dirac_geometry& d, std::int64_t g) {
  if (g % d.inner != d.centre) return false;
  const std::int64_t rest = g / d.inner;
  const std::int64_t i = rest % d.in, o = rest / d.in;
  const std::int64_t within = o % d.out_per_group;
  return within < d.min_dim && i == within;
}

/// First block of the counter range reserved for sparse's selection words: fills never reach a
/// block >= 2^62 (element indices are < 2^63 and the widest use is two elements per block).
constexpr std::uint64_t selection_block_base = std::uint64_t{1} << 63;

/// Global index of element (r, c) of a rows × cols tensor.
WEIGHTINIT_HOST_DEVICE inline std::uint64_t sparse_index(std::int64_t r, std::int64_t cols,
                                                         std::int64_t c) {
  return static_cast<std::uint64_t>(r) * static_cast<std::uint64_t>(cols) +
         static_cast<std::uint64_t>(c);
}

/// The Philox block that holds the selection word of element i: 2^63 + i/4 (lane i mod 4).
WEIGHTINIT_HOST_DEVICE inline std::uint64_t sparse_block(std::uint64_t i) {
  return selection_block_base + i / 4;
}

/// Sparse's selection key of element i = (r, c) from its block `w` (sparse_block(i) of the tensor's
/// stream): the selection word in the high half and the row in the low half, so keys are distinct
/// within a column and compare as (word, row). Needs r < 2^32.
WEIGHTINIT_HOST_DEVICE inline std::uint64_t sparse_key_of(const words4& w, std::uint64_t i,
                                                          std::int64_t r) {
  return (static_cast<std::uint64_t>(lane(w, static_cast<unsigned>(i % 4))) << 32) |
         static_cast<std::uint64_t>(r);
}

/// The same, drawing the block with our host Philox (the GPU draws it with cuRAND's, same bits).
inline std::uint64_t sparse_key(std::uint64_t seed, std::uint64_t stream, std::int64_t r,
                                std::int64_t cols, std::int64_t c) {
  const std::uint64_t i = sparse_index(r, cols, c);
  return sparse_key_of(philox_block(seed, stream, sparse_block(i)), i, r);
}

}  // namespace structured

namespace detail {

// Launchers (kernels/structured.cu, kernels/orthogonal.cu). Host code has validated everything and
// `data` is a device address; they check nothing and return the first CUDA error (after a launch,
// cudaGetLastError()). Global element indices [first, first + count) are written.

/// eye: gain (rounded to the type) on the diagonal, +0 elsewhere.
int launch_eye(void* data, dtype type, std::int64_t first, std::int64_t count, std::int64_t cols,
               double gain, cudaStream_t stream);
/// dirac: 1 at dirac_is_one, +0 elsewhere.
int launch_dirac(void* data, dtype type, std::int64_t first, std::int64_t count,
                 const structured::dirac_geometry& geometry, cudaStream_t stream);
/// sparse: sets to +0 the elements of the window whose selection key is among the `zeros`
/// smallest of their column (one thread block per column, radix select on the keys).
int launch_sparse_mask(void* data, dtype type, std::int64_t first, std::int64_t count,
                       std::int64_t rows, std::int64_t cols, std::int64_t zeros, key k,
                       cudaStream_t stream);

/// What went wrong in the GPU orthogonal, for the host to format: the failing call and its status.
struct orthogonal_status {
  int code = 0;                ///< 0: success
  const char* call = nullptr;  ///< the failing call, e.g. "cusolverDnSgeqrf"
  bool cusolver = false;       ///< code is a cusolverStatus_t (else a cudaError_t)
};

struct cusolver_api;

/// Orthogonal block (rows × cols at global offset `offset`) on the device: draws nothing itself;
/// `gaussian` holds the block's rows·cols standard normals (row-major, type float for
/// f32/f16/bf16 and double for f64), which it overwrites. Writes gain·Q (sign-corrected) to the
/// global elements of the window [first, first + count) that lie in the block. Allocates its
/// workspace stream-ordered; `handle` (a cusolverDnHandle_t of the current device, from the host's
/// cache) is set to `stream` and otherwise left as it was.
orthogonal_status launch_orthogonal(const cusolver_api& api, void* handle, void* gaussian,
                                    void* data, dtype type, std::int64_t offset, std::int64_t rows,
                                    std::int64_t cols, std::int64_t first, std::int64_t count,
                                    double gain, cudaStream_t stream);

}  // namespace detail
}  // namespace weightinit
