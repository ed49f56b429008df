// bench/bench_common.hpp: what the CPU and GPU halves of weightinit_bench share: the distributions
// and sizes they time, and the registration functions main() calls (GPU ones only with a device).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "weightinit/types.hpp"

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
inline std::string bench_name(const std::string& what, const std::string& dist,
                              weightinit::dtype t, int threads = 0) {
  std::string s = what + "/" + dist + "/" + weightinit::to_string(t);
  if (threads > 0) s += "/threads:" + std::to_string(threads);
  return s;
}

void register_cpu_benchmarks();
void register_gpu_benchmarks();

}  // namespace wib
