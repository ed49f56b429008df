// bench/bench_gpu.cpp: GPU cases of weightinit_bench (BM_GPU_*), registered only when a device
// exists: weightinit::fill for every distribution x dtype; the roofline (a store-only kernel writing
// the same bytes, and cudaMemsetAsync); cuRAND's curandGenerateNormal/Uniform(Double) with device
// output; and "CPU fill + cudaMemcpy to the device". CUDA-event time on the case's own stream
// (UseManualTime), one untimed warm-up, output validated once outside the timed loop.
#include <benchmark/benchmark.h>
#include <cuda_runtime_api.h>
#include <curand.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "bench_common.hpp"
#include "store_only.hpp"
#include "weightinit/error.hpp"
#include "weightinit/fill.hpp"

namespace wib {
namespace {

namespace wi = weightinit;

// Element counts of the GPU cases: 2^16 .. 2^30 (4 GiB of f32, 8 GiB of f64).
const std::vector<std::int64_t> kSizes = {std::int64_t{1} << 16, std::int64_t{1} << 20,
                                          std::int64_t{1} << 24, std::int64_t{1} << 27,
                                          std::int64_t{1} << 30};

// A failed CUDA call ends the case with the call and the error in the report.
bool ok(benchmark::State& st, cudaError_t e, const char* what) {
  if (e == cudaSuccess) return true;
  st.SkipWithError((std::string(what) + ": " + cudaGetErrorString(e)).c_str());
  return false;
}

// Device memory, a non-blocking stream and two events, released on every path out of a case.
struct gpu_case {
  void* data = nullptr;
  cudaStream_t stream = nullptr;
  cudaEvent_t start = nullptr, stop = nullptr;

  bool init(benchmark::State& st, std::size_t bytes) {
    return ok(st, cudaMalloc(&data, bytes), "cudaMalloc") &&
           ok(st, cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate") &&
           ok(st, cudaEventCreate(&start), "cudaEventCreate") &&
           ok(st, cudaEventCreate(&stop), "cudaEventCreate");
  }
  // Seconds between two events recorded around `work` on the stream.
  template <class F>
  bool time(benchmark::State& st, F&& work, double* seconds) {
    if (!ok(st, cudaEventRecord(start, stream), "cudaEventRecord")) return false;
    if (!ok(st, work(), "launch")) return false;
    if (!ok(st, cudaEventRecord(stop, stream), "cudaEventRecord") ||
        !ok(st, cudaEventSynchronize(stop), "cudaEventSynchronize"))
      return false;
    float ms = 0;
    if (!ok(st, cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime")) return false;
    *seconds = ms * 1e-3;
    return true;
  }
  ~gpu_case() {
    if (stop) cudaEventDestroy(stop);
    if (start) cudaEventDestroy(start);
    if (stream) cudaStreamDestroy(stream);
    if (data) cudaFree(data);
  }
};

void set_counters(benchmark::State& st, std::int64_t n, std::size_t bytes_per_element) {
  st.SetItemsProcessed(st.iterations() * n);
  st.SetBytesProcessed(st.iterations() * n * static_cast<std::int64_t>(bytes_per_element));
}

// Runs `work` once untimed, checks with `valid`, then times it with events every iteration.
template <class Work, class Valid>
void run_timed(benchmark::State& st, gpu_case& g, Work&& work, Valid&& valid, std::int64_t n,
               std::size_t bytes_per_element) {
  if (!ok(st, work(), "warm-up") || !ok(st, cudaStreamSynchronize(g.stream), "warm-up sync")) return;
  std::string why;
  if (!valid(&why)) {
    st.SkipWithError(("invalid output: " + why).c_str());
    return;
  }
  for (auto _ : st) {
    double s = 0;
    if (!g.time(st, work, &s)) break;
    st.SetIterationTime(s);
  }
  set_counters(st, n, bytes_per_element);
}

// The first and last 2^16 elements of the device tensor against fill_host on the same windows.
bool matches_fill_host(const void* device, wi::dtype t, const wi::distribution& d, wi::key k,
                       std::int64_t n, std::string* why) {
  const std::int64_t w = std::min<std::int64_t>(n, 1 << 16);
  const std::size_t es = wi::size_of(t);
  std::vector<unsigned char> got(static_cast<std::size_t>(w) * es), want(got.size());
  for (std::int64_t first : {std::int64_t{0}, n - w}) {
    if (cudaMemcpy(got.data(), static_cast<const unsigned char*>(device) + first * es, got.size(),
                   cudaMemcpyDeviceToHost) != cudaSuccess) {
      *why = "cudaMemcpy";
      return false;
    }
    wi::fill_host({want.data(), t, {n}, first, w}, d, k);
    if (got != want) {
      *why = "differs from fill_host in elements [" + std::to_string(first) + ", " +
             std::to_string(first + w) + ")";
      return false;
    }
  }
  return true;
}

// Sample mean and variance of the first 2^16 values within 6 sigma of the distribution's.
template <class T>
bool plausible(const void* device, double mean, double var, std::string* why) {
  std::vector<T> v(1 << 16);
  if (cudaMemcpy(v.data(), device, v.size() * sizeof(T), cudaMemcpyDeviceToHost) != cudaSuccess) {
    *why = "cudaMemcpy";
    return false;
  }
  double s = 0, s2 = 0;
  for (T x : v) {
    s += x;
    s2 += static_cast<double>(x) * x;
  }
  const double n = static_cast<double>(v.size()), m = s / n, v2 = s2 / n - m * m;
  if (std::fabs(m - mean) < 6 * std::sqrt(var / n) && std::fabs(v2 - var) < 6 * var * std::sqrt(3 / n))
    return true;
  *why = "sample mean " + std::to_string(m) + ", variance " + std::to_string(v2);
  return false;
}

bool all_bytes_are(const void* device, std::size_t bytes, unsigned char pattern, std::string* why) {
  std::vector<unsigned char> h(std::min<std::size_t>(bytes, 1 << 20));
  for (std::size_t first : {std::size_t{0}, bytes - h.size()}) {
    if (cudaMemcpy(h.data(), static_cast<const unsigned char*>(device) + first, h.size(),
                   cudaMemcpyDeviceToHost) != cudaSuccess) {
      *why = "cudaMemcpy";
      return false;
    }
    if (std::any_of(h.begin(), h.end(), [&](unsigned char b) { return b != pattern; })) {
      *why = "a byte differs from the pattern";
      return false;
    }
  }
  return true;
}

void BM_GPU_Fill(benchmark::State& st, wi::distribution d, wi::dtype t) {
  const std::int64_t n = st.range(0);
  gpu_case g;
  if (!g.init(st, static_cast<std::size_t>(n) * wi::size_of(t))) return;
  const wi::tensor_view v{g.data, t, {n}};
  const wi::key k{42, 7};
  auto work = [&]() -> cudaError_t {
    try {
      wi::fill(v, d, k, g.stream);
      return cudaSuccess;
    } catch (const wi::cuda_error& e) {
      return static_cast<cudaError_t>(e.code());
    } catch (const std::exception&) {
      return cudaErrorInvalidValue;
    }
  };
  run_timed(st, g, work, [&](std::string* why) { return matches_fill_host(g.data, t, d, k, n, why); },
            n, wi::size_of(t));
}

void BM_GPU_StoreOnly(benchmark::State& st, wi::dtype t) {
  const std::int64_t n = st.range(0);
  const std::size_t bytes = static_cast<std::size_t>(n) * wi::size_of(t);
  gpu_case g;
  if (!g.init(st, bytes)) return;
  const int blocks = store_only_blocks();
  auto work = [&] { return launch_store_only(g.data, bytes, 0x5a, blocks, g.stream); };
  run_timed(st, g, work, [&](std::string* why) { return all_bytes_are(g.data, bytes, 0x5a, why); }, n,
            wi::size_of(t));
}

void BM_GPU_Memset(benchmark::State& st, wi::dtype t) {
  const std::int64_t n = st.range(0);
  const std::size_t bytes = static_cast<std::size_t>(n) * wi::size_of(t);
  gpu_case g;
  if (!g.init(st, bytes)) return;
  auto work = [&] { return cudaMemsetAsync(g.data, 0x3c, bytes, g.stream); };
  run_timed(st, g, work, [&](std::string* why) { return all_bytes_are(g.data, bytes, 0x3c, why); }, n,
            wi::size_of(t));
}

// cuRAND's host API with device output: Philox4x32-10, the generator the contract shares.
void BM_GPU_Curand(benchmark::State& st, bool normal, wi::dtype t) {
  const std::int64_t n = st.range(0);
  gpu_case g;
  if (!g.init(st, static_cast<std::size_t>(n) * wi::size_of(t))) return;
  curandGenerator_t gen;
  if (curandCreateGenerator(&gen, CURAND_RNG_PSEUDO_PHILOX4_32_10) != CURAND_STATUS_SUCCESS) {
    st.SkipWithError("curandCreateGenerator failed");
    return;
  }
  curandSetStream(gen, g.stream);
  curandSetPseudoRandomGeneratorSeed(gen, 42);
  const bool f64 = t == wi::dtype::f64;
  auto work = [&]() -> cudaError_t {
    curandStatus_t s;
    const std::size_t count = static_cast<std::size_t>(n);
    if (f64)
      s = normal ? curandGenerateNormalDouble(gen, static_cast<double*>(g.data), count, 0.0, 1.0)
                 : curandGenerateUniformDouble(gen, static_cast<double*>(g.data), count);
    else
      s = normal ? curandGenerateNormal(gen, static_cast<float*>(g.data), count, 0.0f, 1.0f)
                 : curandGenerateUniform(gen, static_cast<float*>(g.data), count);
    return s == CURAND_STATUS_SUCCESS ? cudaSuccess : cudaErrorUnknown;
  };
  const double mean = normal ? 0.0 : 0.5, var = normal ? 1.0 : 1.0 / 12;
  run_timed(st, g, work,
            [&](std::string* why) {
              return f64 ? plausible<double>(g.data, mean, var, why)
                         : plausible<float>(g.data, mean, var, why);
            },
            n, wi::size_of(t));
  curandDestroyGenerator(gen);
}

// What many trainers do today: initialize in host memory (our threaded fill_host, all cores, into
// ordinary pageable memory) and copy to the device. Wall-clock time of both steps.
void BM_GPU_CpuFillMemcpy(benchmark::State& st, wi::distribution d, wi::dtype t) {
  const std::int64_t n = st.range(0);
  const std::size_t bytes = static_cast<std::size_t>(n) * wi::size_of(t);
  gpu_case g;
  if (!g.init(st, bytes)) return;
  std::vector<unsigned char> host(bytes);
  const wi::key k{42, 7};
  auto once = [&] {
    wi::fill_host({host.data(), t, {n}}, d, k);
    return cudaMemcpy(g.data, host.data(), bytes, cudaMemcpyHostToDevice);
  };
  if (!ok(st, once(), "warm-up")) return;
  std::string why;
  if (!matches_fill_host(g.data, t, d, k, n, &why)) {
    st.SkipWithError(("invalid output: " + why).c_str());
    return;
  }
  for (auto _ : st) {
    const auto t0 = std::chrono::steady_clock::now();
    if (!ok(st, once(), "fill + cudaMemcpy")) break;
    st.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  set_counters(st, n, wi::size_of(t));
}

template <class B>
void with_sizes(B* b) {
  b->ArgName("n")->UseManualTime()->Unit(benchmark::kMicrosecond);
  for (std::int64_t n : kSizes) b->Arg(n);
}

}  // namespace

void register_gpu_benchmarks() {
  const wi::dtype types[] = {wi::dtype::f32, wi::dtype::f64, wi::dtype::f16, wi::dtype::bf16};
  for (wi::dtype t : types) {
    for (const dist_case& c : all_dists())
      with_sizes(benchmark::RegisterBenchmark(bench_name("BM_GPU_Fill", c.name, t).c_str(),
                                              BM_GPU_Fill, c.dist, t));
    with_sizes(benchmark::RegisterBenchmark(bench_name("BM_GPU_StoreOnly", "bytes", t).c_str(),
                                            BM_GPU_StoreOnly, t));
    with_sizes(benchmark::RegisterBenchmark(bench_name("BM_GPU_Memset", "bytes", t).c_str(),
                                            BM_GPU_Memset, t));
  }
  for (wi::dtype t : {wi::dtype::f32, wi::dtype::f64})
    for (bool normal : {true, false})
      with_sizes(benchmark::RegisterBenchmark(
          bench_name("BM_GPU_Curand", normal ? "normal" : "uniform", t).c_str(), BM_GPU_Curand,
          normal, t));
  for (const char* name : {"normal", "uniform"}) {
    const wi::distribution d = std::strcmp(name, "normal") == 0
                                   ? wi::distribution::normal(0.0, 1.0)
                                   : wi::distribution::uniform(0.0, 1.0);
    with_sizes(benchmark::RegisterBenchmark(bench_name("BM_GPU_CpuFillMemcpy", name, wi::dtype::f32).c_str(),
                                            BM_GPU_CpuFillMemcpy, d, wi::dtype::f32));
  }
}

}  // namespace wib
