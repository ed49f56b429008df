// examples/demo/blas.cpp: the CPU engine's SGEMM on BLIS (WEIGHTINIT_DEMO_BLIS: its typed API with
// a one-thread runtime object per call) or on a CBLAS (OpenBLAS set to one thread, or any other),
// and the header line naming the library and the kernels it chose for this CPU.
#include "blas.hpp"

#include <cctype>
#include <cstdlib>
#include <mutex>
#include <string>

#include "demo.hpp"

#if defined(WEIGHTINIT_DEMO_BLIS)
#include <blis.h>
#else
#include <cblas.h>
#endif

namespace weightinit_demo {
namespace detail {

#if defined(WEIGHTINIT_DEMO_BLIS)

void sgemm_serial(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
                  const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float* c,
                  std::int64_t ldc) {
  // One thread per call: BLIS would otherwise start its own (OpenMP) team on every product, and
  // its idle workers spin against the engine's threads.
  rntm_t rntm = BLIS_RNTM_INITIALIZER;
  bli_rntm_set_num_threads(1, &rntm);
  float one = 1.0f, zero = 0.0f;
  // BLIS takes a row and a column stride per matrix: row-major is (ld, 1).
  bli_sgemm_ex(trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
               trans_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, m, n, k, &one, const_cast<float*>(a),
               lda, 1, const_cast<float*>(b), ldb, 1, &zero, c, ldc, 1, nullptr, &rntm);
}

static bool cpu_has_avx2_fma() {
#if defined(__x86_64__)
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

// BLIS_ARCH_TYPE set, bli_arch_query_id() aborts unless BLIS was initialized first.
static arch_t blis_arch() {
  bli_init();
  return bli_arch_query_id();
}

std::string blas_description() {
  const std::string arch = bli_arch_string(blis_arch());
  std::string out = std::string("BLIS ") + bli_info_get_version_str() + ", " + arch + " kernels";
  if (blis_kernels_below_cpu(arch, cpu_has_avx2_fma()))
    out += std::string(" (slow: this CPU has AVX2 and FMA; ") +
           (std::getenv("BLIS_ARCH_TYPE") ? "BLIS_ARCH_TYPE chose the kernels)"
                                          : "BLIS does not know this CPU model)");
  return out;
}

std::string blas_kernel_override() {
  if (std::getenv("BLIS_ARCH_TYPE")) return "";  // the user's choice stands
  if (!blis_kernels_below_cpu(bli_arch_string(blis_arch()), cpu_has_avx2_fma())) return "";
  return "BLIS_ARCH_TYPE=" + std::to_string(static_cast<int>(BLIS_ARCH_HASWELL));
}

#else  // a CBLAS

#if defined(WEIGHTINIT_DEMO_OPENBLAS)
extern "C" {
// Declared by OpenBLAS's cblas.h; repeated here so that any CBLAS header will do.
void openblas_set_num_threads(int);
char* openblas_get_config(void);
char* openblas_get_corename(void);
}
#endif

void sgemm_serial(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
                  const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float* c,
                  std::int64_t ldc) {
#if defined(WEIGHTINIT_DEMO_OPENBLAS)
  // OpenBLAS's thread count is global: one, once, before the engine's threads call it together.
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
#endif
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), 1.0f, a, static_cast<int>(lda), b, static_cast<int>(ldb), 0.0f,
              c, static_cast<int>(ldc));
}

std::string blas_description() {
#if defined(WEIGHTINIT_DEMO_OPENBLAS)
  // openblas_get_config(): "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ..."; keep name and version.
  std::string config = openblas_get_config();
  const std::size_t second_space = config.find(' ', config.find(' ') + 1);
  if (second_space != std::string::npos) config.resize(second_space);
  const std::string core = openblas_get_corename();
  std::string out = config + ", " + core + " kernels";
  // OpenBLAS picks its kernels from a table of CPU models: a model it does not know (or
  // OPENBLAS_CORETYPE) gets old SSE3 kernels, 4-5x slower than the CPU allows.
  std::string lower;
  for (char ch : core) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const bool modern = lower == "haswell" || lower == "zen" || lower == "skylakex" ||
                      lower == "cooperlake" || lower == "sapphirerapids" || lower == "excavator";
#if defined(__x86_64__)
  if (!modern && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    out += std::string(" (slow: this CPU has AVX2 and FMA; ") +
           (std::getenv("OPENBLAS_CORETYPE") ? "OPENBLAS_CORETYPE chose the kernels"
                                             : "OpenBLAS does not know this CPU model") +
           "; build with BLIS, Debian: libblis-dev)";
#endif
  return out;
#else
  return "CBLAS (library and kernels unknown)";
#endif
}

std::string blas_kernel_override() { return ""; }

#endif

bool blis_kernels_below_cpu(const std::string& chosen, bool cpu_has_avx2_fma) {
  // BLIS's x86-64 configurations with AVX2 + FMA kernels (or better), through BLIS 1.x.
  static const char* const modern[] = {"haswell", "skx",  "knl",  "zen",      "zen2",
                                       "zen3",    "zen4", "zen5", "excavator"};
  for (const char* m : modern)
    if (chosen == m) return false;
  return cpu_has_avx2_fma;
}

}  // namespace detail

std::string blas_description() { return detail::blas_description(); }
std::string blas_kernel_override() { return detail::blas_kernel_override(); }

}  // namespace weightinit_demo
