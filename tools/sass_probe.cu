// tools/sass_probe.cu: not part of the build. Straight-line probe kernels for tools/sass-report.sh:
// each computes one unit of a fill (kernels/fill_unit.cuh: its Philox blocks, its values, 16 bytes)
// and stores it, with no loop, head or tail, so the SASS between entry and EXIT is the per-unit
// cost of that fill; store_probe is the floor (index and store only). Compiled to a cubin for
// sm_90.
#include <cstdint>

#include "../kernels/fill_unit.cuh"

namespace probe {

using weightinit::distribution_kind;

template <class Storage, class T, distribution_kind Kind>
__global__ void unit_probe(const weightinit::prepared<T> params, const weightinit::key k,
                           uint4* out) {
  weightinit::prepared<T> p = params;
  p.kind = Kind;
  const std::uint64_t u = weightinit::launch::global_thread(blockIdx.x, blockDim.x, threadIdx.x);
  std::uint32_t b[4];
  weightinit::detail::unit_bits<Kind>(p, k, u, static_cast<Storage*>(nullptr), b);
  out[u] = make_uint4(b[0], b[1], b[2], b[3]);
}

__global__ void store_probe(uint4 v, uint4* out) {
  out[weightinit::launch::global_thread(blockIdx.x, blockDim.x, threadIdx.x)] = v;
}

#define WEIGHTINIT_PROBES(Storage, T)                                                   \
  template __global__ void unit_probe<Storage, T, distribution_kind::constant>(         \
      weightinit::prepared<T>, weightinit::key, uint4*);                                \
  template __global__ void unit_probe<Storage, T, distribution_kind::uniform>(          \
      weightinit::prepared<T>, weightinit::key, uint4*);                                \
  template __global__ void unit_probe<Storage, T, distribution_kind::normal>(           \
      weightinit::prepared<T>, weightinit::key, uint4*);                                \
  template __global__ void unit_probe<Storage, T, distribution_kind::truncated_normal>( \
      weightinit::prepared<T>, weightinit::key, uint4*);

WEIGHTINIT_PROBES(float, float)
WEIGHTINIT_PROBES(double, double)
WEIGHTINIT_PROBES(weightinit::f16_bits, float)
WEIGHTINIT_PROBES(weightinit::bf16_bits, float)

}  // namespace probe
