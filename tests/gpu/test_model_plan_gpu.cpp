// tests/gpu/test_model_plan_gpu.cpp: the model plan and shard boxes on the GPU: one launch of the
// plan kernel (plus the structured entries beside it) writes exactly fill_host's bytes for every
// entry; the assembled GPU shards equal the unsharded CPU fill for many shapes x splits x dtypes x
// distributions; a bound plan captured in a graph replays the same values. Skips without a device.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "tests/common/shard_util.hpp"
#include "tests/gpu/gpu_test.hpp"
#include "tests/common/plan_util.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using weightinit_test::device_bytes;
using weightinit_test::gpu_test;
using weightinit_test::make_entry;
using weightinit_test::reference_fill;

namespace {

class ModelPlanGpu : public gpu_test {};

}  // namespace

TEST_F(ModelPlanGpu, OneLaunchEqualsFillHostForEveryEntry) {
  wi::model_plan plan(31337);
  const wi::dtype types[] = {wi::dtype::f32, wi::dtype::f64, wi::dtype::f16, wi::dtype::bf16};
  for (wi::dtype t : types) {
    const std::string s = wi::to_string(t);
    plan.add(make_entry("w." + s, {300, 77}, t, wi::xavier_uniform()));
    plan.add(make_entry("n." + s, {100003}, t, wi::normal(0, 0.02)));
    plan.add(make_entry("t." + s, {5, 7, 9}, t, wi::truncated_normal(0, 1, -1, 2)));
    plan.add(make_entry("c." + s, {13}, t, wi::ones()));
    wi::plan_entry col = make_entry("col." + s, {64, 90}, t, wi::uniform(-1, 1));
    col.box = wi::column_parallel(col.dims, 1, 3);
    plan.add(col);
  }
  plan.add(make_entry("eye", {40, 30}, wi::dtype::f32, wi::eye(2)));
  plan.add(make_entry("dirac", {8, 4, 3, 3}, wi::dtype::bf16, wi::dirac()));
  plan.add(make_entry("sparse", {64, 16}, wi::dtype::f32, wi::sparse(0.5, 0.1)));
  std::vector<std::unique_ptr<device_bytes>> bufs;
  std::vector<void*> ptrs;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    bufs.push_back(std::make_unique<device_bytes>(plan.stored_bytes(i) + 16));
    ASSERT_TRUE(*bufs.back());
    ptrs.push_back(bufs.back()->get());
  }
  const wi::device_plan dp(plan, wi::plan_buffers::per_entry(ptrs));
  EXPECT_EQ(dp.launches(), 4u) << "one plan launch + eye + dirac + sparse";
  wi::fill(dp, nullptr);
  WEIGHTINIT_TEST_CUDA(cudaDeviceSynchronize());
  for (std::size_t i = 0; i < plan.size(); ++i) {
    std::vector<unsigned char> got(plan.stored_bytes(i));
    WEIGHTINIT_TEST_CUDA(cudaMemcpy(got.data(), ptrs[i], got.size(), cudaMemcpyDeviceToHost));
    EXPECT_EQ(got, reference_fill(plan, i)) << plan.entry(i).name;
  }
}

TEST_F(ModelPlanGpu, AssembledGpuShardsEqualTheUnshardedCpuFill) {
  const wi::shape shapes[] = {{37, 29}, {64, 48}, {6, 5, 7}, {1000}};
  const wi::initializer inits[] = {wi::uniform(-0.5, 0.25), wi::normal(0.1, 0.02),
                                   wi::truncated_normal(0, 1, -1.5, 0.5), wi::he_normal()};
  const wi::key k{20261201, 77};
  for (const wi::shape& dims : shapes)
    for (wi::dtype t : {wi::dtype::f32, wi::dtype::f64, wi::dtype::f16, wi::dtype::bf16})
      for (const wi::initializer& init : inits) {
        if (wi::uses_fans(init.kind()) && dims.size() < 2) continue;
        const std::size_t bytes = wi::size_of(t);
        std::vector<unsigned char> whole(static_cast<std::size_t>(wi::element_count(dims)) * bytes);
        wi::fill_host({whole.data(), t, dims}, init, k);
        for (int dim = 0; dim < static_cast<int>(dims.size()); ++dim)
          for (int world : {2, 3}) {
            std::vector<unsigned char> assembled(whole.size(), 0x5C);
            for (int r = 0; r < world; ++r) {
              const wi::shard_box b = wi::shard(dims, dim, r, world);
              const std::size_t n = static_cast<std::size_t>(wi::element_count(b)) * bytes;
              device_bytes d(n + 16);
              ASSERT_TRUE(d);
              wi::tensor_view v{d.get(), t, dims};
              v.box = b;
              wi::fill(v, init, k, nullptr);
              std::vector<unsigned char> part(n);
              WEIGHTINIT_TEST_CUDA(cudaMemcpy(part.data(), d.get(), n, cudaMemcpyDeviceToHost));
              weightinit_test::scatter_box(dims, b, bytes, part.data(), assembled.data());
            }
            ASSERT_EQ(assembled, whole)
                << wi::to_string(init) << " " << wi::to_string(t) << " " << wi::to_string(dims)
                << " dim " << dim << " world " << world;
          }
      }
}

TEST_F(ModelPlanGpu, ABoundPlanCapturedInAGraphReplaysTheSameValues) {
  wi::model_plan plan(5);
  plan.add(make_entry("a", {1000, 64}, wi::dtype::bf16, wi::normal(0, 0.02)));
  plan.add(make_entry("b", {64}, wi::dtype::f32, wi::zeros()));
  device_bytes arena(plan.arena_bytes());
  ASSERT_TRUE(arena);
  WEIGHTINIT_TEST_CUDA(cudaMemset(arena.get(), 0x7F, plan.arena_bytes()));
  const wi::device_plan dp(plan, wi::plan_buffers::arena(arena.get()));
  weightinit_test::stream_guard s;
  WEIGHTINIT_TEST_CUDA(cudaStreamCreate(&s.s));
  weightinit_test::graph_guard g;
  WEIGHTINIT_TEST_CUDA(cudaStreamBeginCapture(s.s, cudaStreamCaptureModeGlobal));
  wi::fill(dp, s.s);
  WEIGHTINIT_TEST_CUDA(cudaStreamEndCapture(s.s, &g.g));
  WEIGHTINIT_TEST_CUDA(cudaGraphInstantiate(&g.exec, g.g, 0));
  WEIGHTINIT_TEST_CUDA(cudaGraphLaunch(g.exec, s.s));
  WEIGHTINIT_TEST_CUDA(cudaStreamSynchronize(s.s));
  for (std::size_t i = 0; i < plan.size(); ++i) {
    std::vector<unsigned char> got(plan.stored_bytes(i));
    WEIGHTINIT_TEST_CUDA(cudaMemcpy(got.data(), arena.get() + plan.arena_offset(i), got.size(),
                                    cudaMemcpyDeviceToHost));
    EXPECT_EQ(got, reference_fill(plan, i)) << plan.entry(i).name;
  }
}

TEST_F(ModelPlanGpu, HostMemoryIsRefusedWhenThePlanIsBound) {
  wi::model_plan plan(1);
  plan.add(make_entry("a", {16}, wi::dtype::f32, wi::normal()));
  std::vector<float> host(16);
  try {
    wi::device_plan dp(plan, wi::plan_buffers::per_entry({host.data()}));
    FAIL() << "host memory accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("tensor 'a'"), std::string::npos) << e.what();
  }
}
