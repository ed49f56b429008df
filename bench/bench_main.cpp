// bench/bench_main.cpp: weightinit_bench's entry point. Registers the CPU cases, and the GPU cases
// only when the CUDA runtime reports a device, then runs Google Benchmark with the usual flags
// (--benchmark_filter=BM_GPU, --benchmark_format=json, ...). bench/report turns the JSON into
// tables.
#include <benchmark/benchmark.h>
#include <cuda_runtime_api.h>

#include <cstdio>

#include "bench_common.hpp"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  wib::register_cpu_benchmarks();
  int devices = 0;
  const cudaError_t status = cudaGetDeviceCount(&devices);
  if (status != cudaSuccess) devices = 0;
  benchmark::AddCustomContext("cpu_fill_path", wib::cpu_fill_path());
  if (devices > 0) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess)
      benchmark::AddCustomContext("gpu", prop.name);
    wib::register_gpu_benchmarks();
  } else {
    std::fprintf(stderr, "weightinit_bench: no CUDA device (%s); GPU cases not registered\n",
                 status == cudaSuccess ? "0 devices" : cudaGetErrorString(status));
    benchmark::AddCustomContext("gpu", "none");
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
