// bench/bench_common.hpp: what the CPU and GPU halves of weightinit_bench share: the distributions
// and sizes they time, the one call site of each fill (host_fill, device_fill), a plausibility
// check of a fill's values, and the registration functions main() calls (GPU ones only with a
// device). bench/ uses weightinit's public headers only.
#pragma once

#include <weightinit/fill.hpp>
#include <weightinit/types.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace wib {

struct dist_case {
  const char* name;  // zeros | uniform | normal | truncated_normal
  weightinit::distribution dist;
};

// PyTorch's defaults: uniform_ is U(0, 1), normal_ N(0, 1), trunc_normal_ N(0, 1) on [-2, 2].
inline std::vector<dist_case> all_dists() {
  return {{"zeros", weightinit::distribution::constant(0.0)},
          {"uniform", weightinit::distribution::uniform(0.0, 1.0)},
          {"normal", weightinit::distribution::normal(0.0, 1.0)},
          {"truncated_normal", weightinit::distribution::truncated_normal(0.0, 1.0, -2.0, 2.0)}};
}

// Element counts 2^lo, 2^(lo+step), ..., 2^hi.
inline std::vector<std::int64_t> pow2_sizes(int lo, int hi, int step) {
  std::vector<std::int64_t> out;
  for (int e = lo; e <= hi; e += step) out.push_back(std::int64_t{1} << e);
  return out;
}

// Benchmark names: BM_<where>_<what>/<distribution>/<dtype>[/threads:T]/n:<elements>.
inline std::string bench_name(const std::string& what, const std::string& dist, weightinit::dtype t,
                              int threads = 0) {
  std::string s = what + "/" + dist + "/" + weightinit::to_string(t);
  if (threads > 0) s += "/threads:" + std::to_string(threads);
  return s;
}

// The only calls of weightinit's fills in bench/.
inline void host_fill(const weightinit::tensor_view& v, const weightinit::distribution& d,
                      weightinit::key k, unsigned threads) {
  weightinit::fill_host(v, d, k, weightinit::fill_options().with_threads(threads));
}
inline void device_fill(const weightinit::tensor_view& v, const weightinit::distribution& d,
                        weightinit::key k, cudaStream_t stream) {
  weightinit::fill(v, d, k, stream);
}

/// The CPU fill's code path for the report's header ("scalar", "avx2", "avx512").
const char* cpu_fill_path();

/// Whether the first min(n, 2^16) values at `host` (of dtype t) look like `d`: every value equal
/// for a constant, else sample mean and variance within 6 sigma of the distribution's. `why` says
/// what was off.
bool plausible(const void* host, weightinit::dtype t, std::int64_t n,
               const weightinit::distribution& d, std::string* why);

void register_cpu_benchmarks();
void register_gpu_benchmarks();

}  // namespace wib
