// bench/bench_gpu.cpp: GPU cases of weightinit_bench (BM_GPU_*), registered only when a device
// exists: weightinit::fill for every distribution x dtype; the roofline (a store-only kernel
// writing the same bytes, and cudaMemsetAsync); cuRAND's curandGenerateNormal/Uniform(Double) with
// device output; "CPU fill + cudaMemcpy to the device"; the launch floor (an empty kernel) and the
// host cost of one fill call.
//
// Timing is GPU-only: a blocking kernel (bench/gpu_timer.hpp) holds the case's stream while the
// host enqueues the start event, a batch of launches and the stop event, so no host-side work of
// the calls (argument checks, cudaPointerGetAttributes, the launches themselves) is counted. Small
// sizes run many launches per batch (up to 128, about 512 MiB of writes), so the time per launch at
// 2^16 elements is the device's launch-to-launch floor plus the work, reported beside the floor
// itself. Successive launches write successive slots of a 256 MiB region (4 x the H200's L2), so
// small fills are not timed in the L2 alone. One untimed warm-up; output validated once outside
// the timed loop; iteration time = the batch's event time, items = batch x n.
#include <benchmark/benchmark.h>
#include <cuda_runtime_api.h>
#include <curand.h>
#include <weightinit/error.hpp>
#include <weightinit/fill.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "gpu_timer.hpp"
#include "store_only.hpp"

namespace wib {
namespace {

namespace wi = weightinit;

// Element counts of the GPU cases: 2^16 .. 2^30 (4 GiB of f32, 8 GiB of f64).
const std::vector<std::int64_t> kSizes = {std::int64_t{1} << 16, std::int64_t{1} << 20,
                                          std::int64_t{1} << 24, std::int64_t{1} << 27,
                                          std::int64_t{1} << 30};
constexpr std::size_t kBatchBytes = std::size_t{512} << 20;   // writes per timed batch, at least
constexpr int kMaxBatch = 128;                                // launches per batch, at most
constexpr std::size_t kRotateBytes = std::size_t{256} << 20;  // region the slots rotate over

// A failed CUDA call ends the case with the call and the error in the report.
bool ok(benchmark::State& st, cudaError_t e, const char* what) {
  if (e == cudaSuccess) return true;
  st.SkipWithError((std::string(what) + ": " + cudaGetErrorString(e)).c_str());
  return false;
}

// Launches per timed batch for launches that write `bytes` each.
int batch_for(std::size_t bytes) {
  const std::size_t k = (kBatchBytes + bytes - 1) / std::max<std::size_t>(bytes, 1);
  return static_cast<int>(std::min<std::size_t>(std::max<std::size_t>(k, 1), kMaxBatch));
}

// Device memory (slots of `bytes`, 256-byte aligned, rotating over kRotateBytes), a non-blocking
// stream, two events and the stream blocker, released on every path out of a case.
struct gpu_case {
  unsigned char* data = nullptr;
  std::size_t stride = 0, slots = 1, next = 0;
  cudaStream_t stream = nullptr;
  cudaEvent_t start = nullptr, stop = nullptr;
  stream_blocker blocker;
  bool gpu_only = true;  // false when the blocker cannot be used (see run_timed)

  bool init(benchmark::State& st, std::size_t bytes) {
    stride = (bytes + 255) / 256 * 256;
    slots = std::max<std::size_t>(1, kRotateBytes / std::max<std::size_t>(stride, 1));
    void* p = nullptr;
    const bool good =
        ok(st, cudaMalloc(&p, stride * slots), "cudaMalloc") &&
        ok(st, cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate") &&
        ok(st, cudaEventCreate(&start), "cudaEventCreate") &&
        ok(st, cudaEventCreate(&stop), "cudaEventCreate") &&
        ok(st, blocker.init(), "cudaHostAlloc (stream blocker)");
    data = static_cast<unsigned char*>(p);
    return good;
  }
  void* slot(std::size_t j) const { return data + (j % slots) * stride; }

  // One batch of `k` launches of work(slot) between two events; `seconds` is their GPU time.
  // With gpu_only the blocking kernel holds the stream until everything is enqueued.
  template <class F>
  cudaError_t batch(F&& work, int k, double* seconds, bool* blocker_timed_out) {
    *blocker_timed_out = false;
    cudaError_t e = gpu_only ? blocker.block(stream) : cudaSuccess;
    if (e == cudaSuccess) e = cudaEventRecord(start, stream);
    for (int j = 0; j < k && e == cudaSuccess; ++j) e = work(slot(next++));
    if (e == cudaSuccess) e = cudaEventRecord(stop, stream);
    if (gpu_only) blocker.release();  // on every path: a held stream would stall the next call
    const cudaError_t s = cudaStreamSynchronize(stream);
    if (e != cudaSuccess) return e;
    if (s != cudaSuccess) return s;
    if (gpu_only && blocker.timed_out()) *blocker_timed_out = true;
    float ms = 0;
    e = cudaEventElapsedTime(&ms, start, stop);
    *seconds = ms * 1e-3;
    return e;
  }
  ~gpu_case() {
    if (stream) cudaStreamSynchronize(stream);
    if (stop) cudaEventDestroy(stop);
    if (start) cudaEventDestroy(start);
    if (stream) cudaStreamDestroy(stream);
    if (data) cudaFree(data);
  }
};

void set_counters(benchmark::State& st, std::int64_t n, std::size_t bytes_per_element, int k) {
  st.SetItemsProcessed(st.iterations() * k * n);
  st.SetBytesProcessed(st.iterations() * k * n * static_cast<std::int64_t>(bytes_per_element));
  st.counters["launches_per_iteration"] = k;  // bench/report: time per launch = time / this
}

// Runs `work` once untimed on slot 0, checks that slot with `valid`, probes the blocker with a
// one-launch batch (a call that waits for the GPU inside would deadlock against it until its 2 s
// timeout: such a case falls back to plain events and says so in its label), then times one batch
// of k launches per iteration. work(void* slot) -> cudaError_t; valid(const void*, std::string*).
template <class Work, class Valid>
void run_timed(benchmark::State& st, gpu_case& g, Work&& work, Valid&& valid, std::int64_t n,
               std::size_t bytes_per_element) {
  if (!ok(st, work(g.slot(0)), "warm-up") ||
      !ok(st, cudaStreamSynchronize(g.stream), "warm-up sync"))
    return;
  std::string why;
  if (!valid(g.slot(0), &why)) {
    st.SkipWithError(("invalid output: " + why).c_str());
    return;
  }
  g.next = 1;
  double s = 0;
  bool stalled = false;
  if (!ok(st, g.batch(work, 1, &s, &stalled), "probe batch")) return;
  if (stalled) {
    g.gpu_only = false;
    st.SetLabel("not GPU-only: the call waits for the GPU, so host time is counted");
  }
  const int k = batch_for(static_cast<std::size_t>(n) * bytes_per_element);
  for (auto _ : st) {
    if (!ok(st, g.batch(work, k, &s, &stalled), "timed batch")) break;
    if (stalled) {
      st.SkipWithError("the blocking kernel timed out: enqueueing the batch took over 2 s");
      break;
    }
    st.SetIterationTime(s);
  }
  set_counters(st, n, bytes_per_element, k);
}

// Catches what a fill throws and turns it into a status the timing loop stops on.
template <class F>
cudaError_t call_fill(F&& f) {
  try {
    f();
    return cudaSuccess;
  } catch (const wi::cuda_error& e) {
    return static_cast<cudaError_t>(e.code());
  } catch (const std::exception&) {
    return cudaErrorInvalidValue;
  }
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
    host_fill({want.data(), t, {n}, first, w}, d, k, 0);
    if (got != want) {
      *why = "differs from fill_host in elements [" + std::to_string(first) + ", " +
             std::to_string(first + w) + ")";
      return false;
    }
  }
  return true;
}

// The first 2^16 values of the device tensor look like `d` (bench_common.hpp: plausible).
bool plausible_on_device(const void* device, wi::dtype t, std::int64_t n, const wi::distribution& d,
                         std::string* why) {
  const std::size_t m = static_cast<std::size_t>(std::min<std::int64_t>(n, 1 << 16));
  std::vector<unsigned char> h(m * wi::size_of(t));
  if (cudaMemcpy(h.data(), device, h.size(), cudaMemcpyDeviceToHost) != cudaSuccess) {
    *why = "cudaMemcpy";
    return false;
  }
  return plausible(h.data(), t, static_cast<std::int64_t>(m), d, why);
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
  const wi::key k{42, 7};
  auto work = [&](void* p) { return call_fill([&] { device_fill({p, t, {n}}, d, k, g.stream); }); };
  run_timed(
      st, g, work,
      [&](const void* p, std::string* why) { return matches_fill_host(p, t, d, k, n, why); }, n,
      wi::size_of(t));
}

void BM_GPU_StoreOnly(benchmark::State& st, wi::dtype t) {
  const std::int64_t n = st.range(0);
  const std::size_t bytes = static_cast<std::size_t>(n) * wi::size_of(t);
  gpu_case g;
  if (!g.init(st, bytes)) return;
  const int blocks = store_only_blocks();
  auto work = [&](void* p) { return launch_store_only(p, bytes, 0x5a, blocks, g.stream); };
  run_timed(
      st, g, work,
      [&](const void* p, std::string* why) { return all_bytes_are(p, bytes, 0x5a, why); }, n,
      wi::size_of(t));
}

void BM_GPU_Memset(benchmark::State& st, wi::dtype t) {
  const std::int64_t n = st.range(0);
  const std::size_t bytes = static_cast<std::size_t>(n) * wi::size_of(t);
  gpu_case g;
  if (!g.init(st, bytes)) return;
  auto work = [&](void* p) { return cudaMemsetAsync(p, 0x3c, bytes, g.stream); };
  run_timed(
      st, g, work,
      [&](const void* p, std::string* why) { return all_bytes_are(p, bytes, 0x3c, why); }, n,
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
  auto work = [&](void* p) -> cudaError_t {
    curandStatus_t s;
    const std::size_t count = static_cast<std::size_t>(n);
    if (f64)
      s = normal ? curandGenerateNormalDouble(gen, static_cast<double*>(p), count, 0.0, 1.0)
                 : curandGenerateUniformDouble(gen, static_cast<double*>(p), count);
    else
      s = normal ? curandGenerateNormal(gen, static_cast<float*>(p), count, 0.0f, 1.0f)
                 : curandGenerateUniform(gen, static_cast<float*>(p), count);
    return s == CURAND_STATUS_SUCCESS ? cudaSuccess : cudaErrorUnknown;
  };
  const wi::distribution d =
      normal ? wi::distribution::normal(0.0, 1.0) : wi::distribution::uniform(0.0, 1.0);
  run_timed(
      st, g, work,
      [&](const void* p, std::string* why) { return plausible_on_device(p, t, n, d, why); }, n,
      wi::size_of(t));
  curandDestroyGenerator(gen);
}

// The device-side floor of one launch: an empty kernel, timed like the fills (many per batch).
// Reported as BM_GPU_LaunchFloor/empty/none/n:1; bench/report divides by launches_per_iteration.
void BM_GPU_LaunchFloor(benchmark::State& st) {
  gpu_case g;
  if (!g.init(st, 256)) return;
  auto work = [&](void*) { return launch_empty(g.stream); };
  run_timed(
      st, g, work, [](const void*, std::string*) { return true; }, 1, 0);
}

// What one weightinit::fill call costs the calling thread (checks, the pointer query, the launch),
// by the host clock around kMaxBatch calls; the GPU work is synchronized outside the timed part.
void BM_GPU_FillHostCall(benchmark::State& st, wi::distribution d, wi::dtype t) {
  const std::int64_t n = st.range(0);
  gpu_case g;
  if (!g.init(st, static_cast<std::size_t>(n) * wi::size_of(t))) return;
  const wi::key k{42, 7};
  auto work = [&](void* p) { return call_fill([&] { device_fill({p, t, {n}}, d, k, g.stream); }); };
  if (!ok(st, work(g.slot(0)), "warm-up") || !ok(st, cudaStreamSynchronize(g.stream), "sync"))
    return;
  std::size_t next = 0;
  for (auto _ : st) {
    cudaError_t e = cudaSuccess;
    const auto t0 = std::chrono::steady_clock::now();
    for (int j = 0; j < kMaxBatch && e == cudaSuccess; ++j) e = work(g.slot(next++));
    const auto t1 = std::chrono::steady_clock::now();
    if (!ok(st, e, "fill") || !ok(st, cudaStreamSynchronize(g.stream), "sync")) break;
    st.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
  }
  set_counters(st, n, wi::size_of(t), kMaxBatch);
}

// What many trainers do today: initialize in host memory (our threaded fill_host, all cores, into
// ordinary pageable memory) and copy to the device. Wall-clock time of both steps, one per
// iteration (host work: no blocker).
void BM_GPU_CpuFillMemcpy(benchmark::State& st, wi::distribution d, wi::dtype t) {
  const std::int64_t n = st.range(0);
  const std::size_t bytes = static_cast<std::size_t>(n) * wi::size_of(t);
  gpu_case g;
  if (!g.init(st, bytes)) return;
  std::vector<unsigned char> host(bytes);
  const wi::key k{42, 7};
  auto once = [&] {
    host_fill({host.data(), t, {n}}, d, k, 0);
    return cudaMemcpy(g.slot(0), host.data(), bytes, cudaMemcpyHostToDevice);
  };
  if (!ok(st, once(), "warm-up")) return;
  std::string why;
  if (!matches_fill_host(g.slot(0), t, d, k, n, &why)) {
    st.SkipWithError(("invalid output: " + why).c_str());
    return;
  }
  for (auto _ : st) {
    const auto t0 = std::chrono::steady_clock::now();
    if (!ok(st, once(), "fill + cudaMemcpy")) break;
    st.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  set_counters(st, n, wi::size_of(t), 1);
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
    with_sizes(benchmark::RegisterBenchmark(
        bench_name("BM_GPU_CpuFillMemcpy", name, wi::dtype::f32).c_str(), BM_GPU_CpuFillMemcpy, d,
        wi::dtype::f32));
  }
  benchmark::RegisterBenchmark("BM_GPU_LaunchFloor/empty/none", BM_GPU_LaunchFloor)
      ->ArgName("n")
      ->Arg(1)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  for (wi::dtype t : {wi::dtype::f32, wi::dtype::bf16})
    benchmark::RegisterBenchmark(bench_name("BM_GPU_FillHostCall", "normal", t).c_str(),
                                 BM_GPU_FillHostCall, wi::distribution::normal(0.0, 1.0), t)
        ->ArgName("n")
        ->Arg(std::int64_t{1} << 16)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
}

}  // namespace wib
