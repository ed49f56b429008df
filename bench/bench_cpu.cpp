// bench/bench_cpu.cpp: CPU cases of weightinit_bench: our fill_host (1 thread, 2 threads, all
// threads) beside std::mt19937 + <random> distributions and cuRAND's host generator (Philox on the
// CPU), f32 normal and uniform at 2^16 .. 2^26 elements, plus every distribution x dtype of ours at
// 2^22. Wall-clock time; items/s and bytes/s counters. Each case validates its output once, outside
// the timed loop.
#include <benchmark/benchmark.h>
#include <curand.h>
#include <weightinit/fill.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_common.hpp"

namespace wib {
namespace {

namespace wi = weightinit;

void set_counters(benchmark::State& st, std::int64_t n, std::size_t bytes_per_element) {
  st.SetItemsProcessed(st.iterations() * n);
  st.SetBytesProcessed(st.iterations() * n * static_cast<std::int64_t>(bytes_per_element));
}

// The first and last 4096 elements of a fill equal the same windows filled on their own by one
// thread (the contract: values never depend on threads, chunking or the window), and the values
// look like the distribution. bench/ sees only the public API, so the library's scalar reference
// is out of reach here; tests/cpu compares every SIMD path with it bit for bit.
bool valid_fill(const unsigned char* data, wi::dtype t, const wi::distribution& d, wi::key k,
                std::int64_t n, std::string* why) {
  const std::int64_t w = std::min<std::int64_t>(n, 4096);
  const std::size_t es = wi::size_of(t);
  std::vector<unsigned char> ref(static_cast<std::size_t>(w) * es);
  for (std::int64_t first : {std::int64_t{0}, n - w}) {
    host_fill({ref.data(), t, {n}, first, w}, d, k, 1);
    if (std::memcmp(ref.data(), data + first * es, ref.size()) != 0) {
      *why = "elements [" + std::to_string(first) + ", " + std::to_string(first + w) +
             ") differ from the same window filled alone on one thread";
      return false;
    }
  }
  return plausible(data, t, n, d, why);
}

// Sample mean and variance of a baseline's output within 6 sigma of the distribution's.
bool plausible_floats(const std::vector<float>& v, double mean, double var) {
  double s = 0, s2 = 0;
  for (float x : v) {
    s += x;
    s2 += static_cast<double>(x) * x;
  }
  const double n = static_cast<double>(v.size());
  const double m = s / n, v2 = s2 / n - m * m;
  return std::fabs(m - mean) < 6 * std::sqrt(var / n) &&
         std::fabs(v2 - var) < 6 * var * std::sqrt(3 / n);
}

void BM_CPU_Fill(benchmark::State& st, wi::distribution d, wi::dtype t, unsigned threads) {
  const std::int64_t n = st.range(0);
  std::vector<unsigned char> buf(static_cast<std::size_t>(n) * wi::size_of(t));
  const wi::tensor_view v{buf.data(), t, {n}};
  const wi::key k{42, 0};
  host_fill(v, d, k, threads);  // warm-up; also faults the pages in
  std::string why;
  if (!valid_fill(buf.data(), t, d, k, n, &why)) {
    st.SkipWithError(("invalid output: " + why).c_str());
    return;
  }
  for (auto _ : st) {
    host_fill(v, d, k, threads);
    benchmark::ClobberMemory();
  }
  set_counters(st, n, wi::size_of(t));
}

template <class Dist>
void BM_CPU_Mt19937(benchmark::State& st, Dist dist, double mean, double var) {
  const std::int64_t n = st.range(0);
  std::vector<float> v(static_cast<std::size_t>(n));
  std::mt19937 gen(42);
  for (auto& x : v) x = dist(gen);  // warm-up
  if (!plausible_floats(v, mean, var)) {
    st.SkipWithError("implausible mean or variance");
    return;
  }
  for (auto _ : st) {
    for (auto& x : v) x = dist(gen);
    benchmark::DoNotOptimize(v.data());
    benchmark::ClobberMemory();
  }
  set_counters(st, n, sizeof(float));
}

void BM_CPU_CurandHost(benchmark::State& st, bool normal) {
  const std::int64_t n = st.range(0);
  std::vector<float> v(static_cast<std::size_t>(n));
  curandGenerator_t gen;
  if (curandCreateGeneratorHost(&gen, CURAND_RNG_PSEUDO_PHILOX4_32_10) != CURAND_STATUS_SUCCESS) {
    st.SkipWithError("curandCreateGeneratorHost failed");
    return;
  }
  curandSetPseudoRandomGeneratorSeed(gen, 42);
  auto run = [&] {
    return normal ? curandGenerateNormal(gen, v.data(), v.size(), 0.0f, 1.0f)
                  : curandGenerateUniform(gen, v.data(), v.size());
  };
  if (run() != CURAND_STATUS_SUCCESS ||
      !plausible_floats(v, normal ? 0.0 : 0.5, normal ? 1.0 : 1.0 / 12)) {
    st.SkipWithError("curandGenerate failed or gave an implausible mean or variance");
    curandDestroyGenerator(gen);
    return;
  }
  for (auto _ : st) {
    run();
    benchmark::ClobberMemory();
  }
  curandDestroyGenerator(gen);
  set_counters(st, n, sizeof(float));
}

template <class B>
void with_sizes(B* b, const std::vector<std::int64_t>& sizes) {
  b->ArgName("n")->UseRealTime()->Unit(benchmark::kMicrosecond);
  for (std::int64_t n : sizes) b->Arg(n);
}

}  // namespace

void register_cpu_benchmarks() {
  const std::vector<std::int64_t> sizes = pow2_sizes(16, 26, 2);
  const unsigned all = std::max(1u, std::thread::hardware_concurrency());
  // 1 thread, 2 threads (the scaling target of docs/PERFORMANCE.md) and all of them.
  std::vector<unsigned> thread_counts = {1};
  if (all > 1) thread_counts.push_back(2);
  if (all > 2) thread_counts.push_back(all);
  for (const char* name : {"normal", "uniform"}) {
    const bool normal = std::strcmp(name, "normal") == 0;
    const wi::distribution d =
        normal ? wi::distribution::normal(0.0, 1.0) : wi::distribution::uniform(0.0, 1.0);
    for (unsigned t : thread_counts)
      with_sizes(benchmark::RegisterBenchmark(
                     bench_name("BM_CPU_Fill", name, wi::dtype::f32, static_cast<int>(t)).c_str(),
                     BM_CPU_Fill, d, wi::dtype::f32, t),
                 sizes);
    if (normal)
      with_sizes(
          benchmark::RegisterBenchmark(bench_name("BM_CPU_Mt19937", name, wi::dtype::f32).c_str(),
                                       BM_CPU_Mt19937<std::normal_distribution<float>>,
                                       std::normal_distribution<float>(0.0f, 1.0f), 0.0, 1.0),
          sizes);
    else
      with_sizes(benchmark::RegisterBenchmark(
                     bench_name("BM_CPU_Mt19937", name, wi::dtype::f32).c_str(),
                     BM_CPU_Mt19937<std::uniform_real_distribution<float>>,
                     std::uniform_real_distribution<float>(0.0f, 1.0f), 0.5, 1.0 / 12),
                 sizes);
    with_sizes(
        benchmark::RegisterBenchmark(bench_name("BM_CPU_CurandHost", name, wi::dtype::f32).c_str(),
                                     BM_CPU_CurandHost, normal),
        sizes);
  }
  // Every distribution x dtype of ours at one size, one thread.
  for (const dist_case& c : all_dists())
    for (wi::dtype t : {wi::dtype::f32, wi::dtype::f64, wi::dtype::f16, wi::dtype::bf16})
      with_sizes(benchmark::RegisterBenchmark(bench_name("BM_CPU_FillAll", c.name, t, 1).c_str(),
                                              BM_CPU_Fill, c.dist, t, 1u),
                 {std::int64_t{1} << 22});
}

}  // namespace wib
