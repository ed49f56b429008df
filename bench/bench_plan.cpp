// bench/bench_plan.cpp: whole-model cases of weightinit_bench, side by side in one run: GPT-2 small
// (148 tensors, 124,439,808 f32 parameters, the gpt2 rule set) through one model plan, beside one
// tensor of the same total size and a loop of per-tensor fills; CPU at 1 and 2 threads, GPU (one
// launch of the plan kernel vs. one fill vs. 148 launches) only when a device is present. Items/s
// and bytes/s; each case checks its output once outside the timed loop.
#include <benchmark/benchmark.h>
#include <cuda_runtime_api.h>
#include <weightinit/weightinit.hpp>

#include <cstring>
#include <string>
#include <vector>

namespace {

namespace wi = weightinit;

wi::model_plan gpt2_small_plan() {
  const wi::rule_set rules = wi::gpt2_rules(12);
  wi::model_plan plan(1);
  const std::int64_t E = 768;
  auto add = [&](const std::string& name, wi::shape dims) {
    plan.add(wi::entry_from_rules(rules, name, std::move(dims), wi::dtype::f32));
  };
  add("wte.weight", {50257, E});
  add("wpe.weight", {1024, E});
  for (int i = 0; i < 12; ++i) {
    const std::string h = "h." + std::to_string(i) + ".";
    add(h + "ln_1.weight", {E});
    add(h + "ln_1.bias", {E});
    add(h + "attn.c_attn.weight", {E, 3 * E});
    add(h + "attn.c_attn.bias", {3 * E});
    add(h + "attn.c_proj.weight", {E, E});
    add(h + "attn.c_proj.bias", {E});
    add(h + "ln_2.weight", {E});
    add(h + "ln_2.bias", {E});
    add(h + "mlp.c_fc.weight", {E, 4 * E});
    add(h + "mlp.c_fc.bias", {4 * E});
    add(h + "mlp.c_proj.weight", {4 * E, E});
    add(h + "mlp.c_proj.bias", {E});
  }
  add("ln_f.weight", {E});
  add("ln_f.bias", {E});
  return plan;
}

const wi::model_plan& gpt2() {
  static const wi::model_plan plan = gpt2_small_plan();
  return plan;
}

void counters(benchmark::State& st, std::int64_t n) {
  st.SetItemsProcessed(st.iterations() * n);
  st.SetBytesProcessed(st.iterations() * n * 4);
  st.counters["tensors"] = static_cast<double>(gpt2().size());
}

// Entry i of the plan, checked against its own fill_host (the first 4096 elements).
bool entry_ok(const wi::model_plan& plan, std::size_t i, const unsigned char* data) {
  const std::int64_t n = std::min<std::int64_t>(plan.stored_elements(i), 4096);
  std::vector<float> want(static_cast<std::size_t>(n));
  const wi::plan_entry& e = plan.entry(i);
  wi::fill_host({want.data(), e.type, e.dims, 0, n}, e.init, plan.key_of(i));
  return std::memcmp(want.data(), data, want.size() * 4) == 0;
}

void BM_CPU_PlanGpt2Small(benchmark::State& st) {
  const wi::model_plan& plan = gpt2();
  std::vector<unsigned char> arena(plan.arena_bytes());
  const auto threads = static_cast<unsigned>(st.range(0));
  const wi::fill_options o = wi::fill_options().with_threads(threads);
  wi::fill_host(plan, wi::plan_buffers::arena(arena.data()), o);
  for (std::size_t i : {std::size_t{0}, std::size_t{4}, plan.size() - 1})
    if (!entry_ok(plan, i, arena.data() + plan.arena_offset(i))) {
      st.SkipWithError("plan fill differs from fill_host");
      return;
    }
  for (auto _ : st) {
    wi::fill_host(plan, wi::plan_buffers::arena(arena.data()), o);
    benchmark::ClobberMemory();
  }
  counters(st, plan.total_elements());
}

void BM_CPU_OneTensorSameSize(benchmark::State& st) {
  const std::int64_t n = gpt2().total_elements();
  std::vector<float> buf(static_cast<std::size_t>(n));
  const auto threads = static_cast<unsigned>(st.range(0));
  const wi::tensor_view v{buf.data(), wi::dtype::f32, {n}};
  wi::fill_host(v, wi::normal(0, 0.02), {1, 2}, wi::fill_options().with_threads(threads));
  for (auto _ : st) {
    wi::fill_host(v, wi::normal(0, 0.02), {1, 2}, wi::fill_options().with_threads(threads));
    benchmark::ClobberMemory();
  }
  counters(st, n);
}

void BM_CPU_PerTensorLoopGpt2Small(benchmark::State& st) {
  const wi::model_plan& plan = gpt2();
  std::vector<unsigned char> arena(plan.arena_bytes());
  const auto threads = static_cast<unsigned>(st.range(0));
  for (auto _ : st) {
    for (std::size_t i = 0; i < plan.size(); ++i) {
      const wi::plan_entry& e = plan.entry(i);
      wi::fill_host(plan.view(i, arena.data() + plan.arena_offset(i)), e.init, plan.key_of(i),
                    wi::fill_options().with_threads(threads));
    }
    benchmark::ClobberMemory();
  }
  counters(st, plan.total_elements());
}

// ---- GPU (registered only with a device) ------------------------------------------------------

struct gpu_state {
  void* arena = nullptr;
  cudaStream_t stream = nullptr;
  cudaEvent_t start = nullptr, stop = nullptr;
  bool ok = false;
  gpu_state() {
    ok = cudaMalloc(&arena, gpt2().arena_bytes()) == cudaSuccess &&
         cudaStreamCreate(&stream) == cudaSuccess && cudaEventCreate(&start) == cudaSuccess &&
         cudaEventCreate(&stop) == cudaSuccess;
  }
  ~gpu_state() {
    if (arena) cudaFree(arena);
    if (stream) cudaStreamDestroy(stream);
    if (start) cudaEventDestroy(start);
    if (stop) cudaEventDestroy(stop);
  }
  template <class F>
  bool time(benchmark::State& st, F&& launch) {
    for (auto _ : st) {
      cudaEventRecord(start, stream);
      launch();
      cudaEventRecord(stop, stream);
      if (cudaEventSynchronize(stop) != cudaSuccess) return false;
      float ms = 0;
      cudaEventElapsedTime(&ms, start, stop);
      st.SetIterationTime(ms / 1e3);
    }
    return true;
  }
  bool check(std::size_t i) {
    const wi::model_plan& plan = gpt2();
    std::vector<unsigned char> got(4096 * 4);
    const std::size_t bytes = std::min(got.size(), plan.stored_bytes(i));
    cudaMemcpy(got.data(), static_cast<unsigned char*>(arena) + plan.arena_offset(i), bytes,
               cudaMemcpyDeviceToHost);
    return entry_ok(plan, i, got.data());
  }
};

void BM_GPU_PlanGpt2Small(benchmark::State& st) {
  gpu_state g;
  if (!g.ok) return st.SkipWithError("CUDA setup failed");
  const wi::device_plan dp(gpt2(), wi::plan_buffers::arena(g.arena));
  wi::fill(dp, g.stream);
  cudaStreamSynchronize(g.stream);
  for (std::size_t i : {std::size_t{0}, std::size_t{4}, gpt2().size() - 1})
    if (!g.check(i)) return st.SkipWithError("plan kernel differs from fill_host");
  if (!g.time(st, [&] { wi::fill(dp, g.stream); })) return st.SkipWithError("a fill failed");
  counters(st, gpt2().total_elements());
  st.counters["launches"] = static_cast<double>(dp.launches());
}

void BM_GPU_OneTensorSameSize(benchmark::State& st) {
  gpu_state g;
  if (!g.ok) return st.SkipWithError("CUDA setup failed");
  const std::int64_t n = gpt2().total_elements();
  const wi::tensor_view v{g.arena, wi::dtype::f32, {n}};
  if (!g.time(st, [&] { wi::fill(v, wi::normal(0, 0.02), {1, 2}, g.stream); }))
    return st.SkipWithError("a fill failed");
  counters(st, n);
}

void BM_GPU_PerTensorLoopGpt2Small(benchmark::State& st) {
  gpu_state g;
  if (!g.ok) return st.SkipWithError("CUDA setup failed");
  const wi::model_plan& plan = gpt2();
  if (!g.time(st, [&] {
        for (std::size_t i = 0; i < plan.size(); ++i) {
          const wi::plan_entry& e = plan.entry(i);
          wi::fill(plan.view(i, static_cast<unsigned char*>(g.arena) + plan.arena_offset(i)),
                   e.init, plan.key_of(i), g.stream);
        }
      }))
    return st.SkipWithError("a fill failed");
  counters(st, plan.total_elements());
}

// Registered at static initialization: the CPU cases always, the GPU cases only with a device.
const bool registered = [] {
  for (int threads : {1, 2}) {
    const std::string t = "/threads:" + std::to_string(threads);
    benchmark::RegisterBenchmark(("BM_CPU_PlanGpt2Small" + t).c_str(), BM_CPU_PlanGpt2Small)
        ->Arg(threads)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->MinTime(1.0);
    benchmark::RegisterBenchmark(("BM_CPU_OneTensorSameSize" + t).c_str(), BM_CPU_OneTensorSameSize)
        ->Arg(threads)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->MinTime(1.0);
  }
  benchmark::RegisterBenchmark("BM_CPU_PerTensorLoopGpt2Small/threads:2",
                               BM_CPU_PerTensorLoopGpt2Small)
      ->Arg(2)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->MinTime(1.0);
  int devices = 0;
  if (cudaGetDeviceCount(&devices) == cudaSuccess && devices > 0) {
    benchmark::RegisterBenchmark("BM_GPU_PlanGpt2Small", BM_GPU_PlanGpt2Small)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("BM_GPU_OneTensorSameSize", BM_GPU_OneTensorSameSize)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("BM_GPU_PerTensorLoopGpt2Small", BM_GPU_PerTensorLoopGpt2Small)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  } else {
    cudaGetLastError();
  }
  return true;
}();

}  // namespace
