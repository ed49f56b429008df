// examples/demo/blas.hpp: the CPU engine's matrix product: one row-major SGEMM on the calling
// thread only (the engine splits the work over its own threads), on BLIS when the build found it
// (kernels chosen at run time by BLIS's CPU detection), else on a CBLAS (OpenBLAS, or any other);
// and a line that says which library and which kernels run. Plain C++17: no BLAS header leaks out
// of blas.cpp.
#pragma once

#include <cstdint>
#include <string>

namespace weightinit_demo {
namespace detail {

/// C (m x n, row stride ldc) = op(A) · op(B), row-major, on the calling thread only; op(A) is
/// m x k (A is k x m when trans_a), op(B) is k x n (B is n x k when trans_b). Safe to call from
/// several threads at once on disjoint C. Sizes are < 2^31 (study_config's validate()).
void sgemm_serial(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
                  const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float* c,
                  std::int64_t ldc);

/// The library and the kernels in use, for the demo's header: "BLIS 0.9.0, zen3 kernels",
/// "OpenBLAS 0.3.21, Zen kernels", "OpenBLAS 0.3.21, Prescott kernels (slow: the CPU has AVX2;
/// ...)", "CBLAS (library and kernels unknown)".
std::string blas_description();

/// The rule behind blas_kernel_override(): a BLIS configuration `chosen` (bli_arch_string's name)
/// whose kernels are older than the CPU, which has AVX2 and FMA: 'generic' (BLIS 0.9.0's choice on
/// CPU families newer than its table, e.g. AMD family 1Ah), 'penryn', 'sandybridge', 'bulldozer'...
bool blis_kernels_below_cpu(const std::string& chosen, bool cpu_has_avx2_fma);

}  // namespace detail
}  // namespace weightinit_demo
