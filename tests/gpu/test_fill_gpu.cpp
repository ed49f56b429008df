// tests/gpu/test_fill_gpu.cpp: the device fill against the CPU fill, bit for bit, for every
// distribution x dtype x size x pointer offset x window start, with poisoned buffers and guard
// bytes; grid independence; CUDA graph capture and replay; non-default streams; memory kinds. Skips
// (never passes) without a GPU.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "gpu_test.hpp"
#include "host/fill_device.hpp"
#include "weightinit/weightinit.hpp"

namespace wi = weightinit;
using weightinit_test::device_bytes;
using weightinit_test::expect_captured_kernels_only;
using weightinit_test::gpu_test;
using weightinit_test::graph_guard;
using weightinit_test::hex;
using weightinit_test::stream_guard;

namespace {

struct dist_case {
  const char* name;
  wi::distribution d;
};
const dist_case kDists[] = {
    {"zeros", wi::distribution::constant(0.0)},
    {"ones", wi::distribution::constant(1.0)},
    {"constant", wi::distribution::constant(-0.375)},
    {"uniform", wi::distribution::uniform(-0.3, 0.7)},
    {"normal", wi::distribution::normal(0.5, 2.0)},
    {"truncated_normal", wi::distribution::truncated_normal(0.1, 0.5, -0.4, 1.2)},
};
const wi::dtype kTypes[] = {wi::dtype::f32, wi::dtype::f64, wi::dtype::f16, wi::dtype::bf16};
const wi::key kKey{20261129, 3};

// Bytes of guard before and after every window, and the poison they and the window start with:
// 0xff... is a NaN in every dtype, which no fill produces, so an element left unwritten shows.
constexpr std::size_t kGuard = 256;
constexpr int kPoison = 0xff;

std::vector<std::int64_t> sizes() {
  std::vector<std::int64_t> s = {0,  1,  2,  3,  4,  5,   7,   8,    9,
                                 15, 16, 17, 31, 33, 255, 257, 4095, 4097};
  if (!weightinit_test::small_sizes_only()) s.push_back(1000003);
  return s;
}

// The CPU fill's bytes for the window [first, first + n) of a tensor of first + n elements.
std::vector<unsigned char> host_bytes(wi::dtype t, const wi::distribution& d, wi::key k,
                                      std::int64_t first, std::int64_t n) {
  std::vector<unsigned char> out(static_cast<std::size_t>(n) * wi::size_of(t) + 1);
  wi::tensor_view v{out.data(), t, {first + n}, first, n};
  wi::fill_host(v, d, k);
  out.pop_back();
  return out;
}

// `region` is the guard, the window at byte `at`, and the guard after it. The window must equal
// `want` and every other byte must still be poison.
::testing::AssertionResult window_and_guards_ok(const std::vector<unsigned char>& region,
                                                std::size_t at,
                                                const std::vector<unsigned char>& want,
                                                std::size_t element_bytes) {
  for (std::size_t i = 0; i < region.size(); ++i) {
    if (i >= at && i < at + want.size()) continue;
    if (region[i] != kPoison)
      return ::testing::AssertionFailure()
             << "byte " << static_cast<long long>(i) - static_cast<long long>(at)
             << " relative to the window (of " << want.size() << " bytes) was overwritten with "
             << static_cast<int>(region[i]);
  }
  if (std::memcmp(region.data() + at, want.data(), want.size()) != 0) {
    std::size_t e = 0;
    while (std::memcmp(region.data() + at + e * element_bytes, want.data() + e * element_bytes,
                       element_bytes) == 0)
      ++e;
    std::size_t bad = 0;
    for (std::size_t i = 0; i < want.size(); i += element_bytes)
      bad += std::memcmp(region.data() + at + i, want.data() + i, element_bytes) != 0;
    return ::testing::AssertionFailure()
           << bad << " elements differ from the CPU fill; the first is element " << e << ": GPU "
           << hex(region.data() + at + e * element_bytes, element_bytes) << ", CPU "
           << hex(want.data() + e * element_bytes, element_bytes);
  }
  return ::testing::AssertionSuccess();
}

// Poisons guard + window + guard on the device, runs `fill_window(window pointer)`, and reads the
// region back into `region`.
template <class F>
void poison_fill_read(const device_bytes& buf, std::size_t region_bytes, std::size_t at,
                      std::vector<unsigned char>& region, F&& fill_window) {
  ASSERT_LE(region_bytes, buf.size());
  WEIGHTINIT_TEST_CUDA(cudaMemset(buf.get(), kPoison, region_bytes));
  fill_window(buf.get() + at);
  WEIGHTINIT_TEST_CUDA(cudaGetLastError());
  region.resize(region_bytes);
  WEIGHTINIT_TEST_CUDA(cudaMemcpy(region.data(), buf.get(), region_bytes, cudaMemcpyDeviceToHost));
}

using dist_dtype = std::tuple<int, int>;
std::string case_name(const ::testing::TestParamInfo<dist_dtype>& info) {
  return std::string(kDists[std::get<0>(info.param)].name) + "_" +
         wi::to_string(kTypes[std::get<1>(info.param)]);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The matrix: distribution x dtype (parameters) x size x pointer offset 0..7 elements x window
// start (0; 5, which leaves a partial head unit; 2^32 + 3, a global index past 32 bits).

class DeviceFill : public gpu_test, public ::testing::WithParamInterface<dist_dtype> {};

TEST_P(DeviceFill, MatchesTheHostFillBitForBitAndLeavesGuardBytesAlone) {
  const dist_case& dc = kDists[std::get<0>(GetParam())];
  const wi::dtype t = kTypes[std::get<1>(GetParam())];
  const std::size_t S = wi::size_of(t);
  const std::vector<std::int64_t> ns = sizes();
  device_bytes buf(2 * kGuard + 8 * S + static_cast<std::size_t>(ns.back()) * S);
  ASSERT_TRUE(buf) << "cudaMalloc of " << buf.size() << " bytes failed";
  std::vector<unsigned char> region;
  int fills = 0;
  for (std::int64_t first : {std::int64_t{0}, std::int64_t{5}, (std::int64_t{1} << 32) + 3}) {
    for (std::int64_t n : ns) {
      const std::vector<unsigned char> want = host_bytes(t, dc.d, kKey, first, n);
      for (std::size_t offset = 0; offset < 8; ++offset) {
        const std::size_t at = kGuard + offset * S;
        poison_fill_read(buf, at + want.size() + kGuard, at, region, [&](unsigned char* data) {
          wi::fill({data, t, {first + n}, first, n}, dc.d, kKey, nullptr);
        });
        if (HasFatalFailure()) return;
        ASSERT_TRUE(window_and_guards_ok(region, at, want, S))
            << dc.name << " " << wi::to_string(t) << ": first " << first << ", " << n
            << " elements, pointer offset " << offset << " elements";
        ++fills;
      }
    }
  }
  EXPECT_EQ(fills, 3 * static_cast<int>(ns.size()) * 8);
}

INSTANTIATE_TEST_SUITE_P(EveryDistributionAndDtype, DeviceFill,
                         ::testing::Combine(::testing::Range(0, 6), ::testing::Range(0, 4)),
                         case_name);

// ---------------------------------------------------------------------------------------------
// Grid independence: the same window filled with very different grids gives the same bits.

class DeviceFillGrid : public gpu_test, public ::testing::WithParamInterface<dist_dtype> {};

TEST_P(DeviceFillGrid, DifferentGridShapesGiveIdenticalBits) {
  const dist_case& dc = kDists[std::get<0>(GetParam())];
  const wi::dtype t = kTypes[std::get<1>(GetParam())];
  const std::size_t S = wi::size_of(t);
  const std::int64_t n = weightinit_test::small_sizes_only() ? 4097 : 1000003;
  const std::int64_t first = 3;
  const std::size_t at = kGuard + S;  // one element past alignment
  device_bytes buf(2 * kGuard + S + static_cast<std::size_t>(n) * S);
  ASSERT_TRUE(buf);
  const std::vector<unsigned char> want = host_bytes(t, dc.d, kKey, first, n);
  const wi::launch::launch_config configs[] = {{1, 32}, {7, 96}, {0, 256}, {3000, 1024}, {132, 64}};
  std::vector<unsigned char> region;
  for (const wi::launch::launch_config& c : configs) {
    poison_fill_read(buf, buf.size(), at, region, [&](unsigned char* data) {
      wi::detail::fill_device({data, t, {first + n}, first, n}, dc.d, kKey, c, nullptr);
    });
    if (HasFatalFailure()) return;
    ASSERT_TRUE(window_and_guards_ok(region, at, want, S))
        << "grid " << c.blocks << " x " << c.threads << " (0 blocks: as many as stay resident)";
  }
}

INSTANTIATE_TEST_SUITE_P(EveryDistributionAndDtype, DeviceFillGrid,
                         ::testing::Combine(::testing::Range(0, 6), ::testing::Range(0, 4)),
                         case_name);

// ---------------------------------------------------------------------------------------------
// Streams and graphs.

namespace {
// Three fills of different dtypes and distributions, each with its own window.
struct graph_fill {
  wi::dtype t;
  wi::distribution d;
  std::int64_t first, n;
  wi::key k;
};
const graph_fill kGraphFills[] = {
    {wi::dtype::f32, wi::distribution::normal(0, 0.02), 0, 300001, {1, 0}},
    {wi::dtype::bf16, wi::distribution::truncated_normal(0, 1, -2, 2), 7, 65539, {1, 1}},
    {wi::dtype::f64, wi::distribution::uniform(-1, 1), 1, 4097, {2, 5}},
};
}  // namespace

class DeviceFillStreams : public gpu_test {};

TEST_F(DeviceFillStreams, NonDefaultStreamOrdersTheFillAfterEarlierWorkOnIt) {
  stream_guard st;
  WEIGHTINIT_TEST_CUDA(cudaStreamCreateWithFlags(&st.s, cudaStreamNonBlocking));
  for (const graph_fill& f : kGraphFills) {
    const std::size_t S = wi::size_of(f.t), bytes = static_cast<std::size_t>(f.n) * S;
    device_bytes buf(bytes);
    ASSERT_TRUE(buf);
    std::vector<unsigned char> got(bytes);
    // Poison, fill and copy back, all queued on the one non-blocking stream.
    WEIGHTINIT_TEST_CUDA(cudaMemsetAsync(buf.get(), kPoison, bytes, st.s));
    wi::fill({buf.get(), f.t, {f.first + f.n}, f.first, f.n}, f.d, f.k, st.s);
    WEIGHTINIT_TEST_CUDA(
        cudaMemcpyAsync(got.data(), buf.get(), bytes, cudaMemcpyDeviceToHost, st.s));
    WEIGHTINIT_TEST_CUDA(cudaStreamSynchronize(st.s));
    EXPECT_TRUE(got == host_bytes(f.t, f.d, f.k, f.first, f.n)) << wi::to_string(f.t);
  }
}

TEST_F(DeviceFillStreams, GraphCaptureRecordsOneKernelPerFillAndReplaysTheEagerBits) {
  stream_guard st;
  WEIGHTINIT_TEST_CUDA(cudaStreamCreateWithFlags(&st.s, cudaStreamNonBlocking));
  std::vector<std::unique_ptr<device_bytes>> owners;
  for (const graph_fill& f : kGraphFills) {
    owners.emplace_back(new device_bytes(static_cast<std::size_t>(f.n) * wi::size_of(f.t)));
    ASSERT_TRUE(*owners.back());
    WEIGHTINIT_TEST_CUDA(cudaMemset(owners.back()->get(), kPoison, owners.back()->size()));
  }
  // Global capture mode: a call that allocated, synchronized or used the legacy stream would
  // invalidate the capture.
  graph_guard gr;
  WEIGHTINIT_TEST_CUDA(cudaStreamBeginCapture(st.s, cudaStreamCaptureModeGlobal));
  for (std::size_t i = 0; i < owners.size(); ++i) {
    const graph_fill& f = kGraphFills[i];
    wi::fill({owners[i]->get(), f.t, {f.first + f.n}, f.first, f.n}, f.d, f.k, st.s);
  }
  // An empty window adds nothing to the graph.
  wi::fill({nullptr, wi::dtype::f32, {0}}, wi::distribution::normal(0, 1), {}, st.s);
  WEIGHTINIT_TEST_CUDA(cudaStreamEndCapture(st.s, &gr.g));
  // One kernel node per fill and nothing else; capturing ran nothing: the buffers are still poison.
  ASSERT_NO_FATAL_FAILURE(expect_captured_kernels_only(
      gr.g, owners.size(), "one kernel node per non-empty fill, nothing else", owners, kPoison));
  WEIGHTINIT_TEST_CUDA(cudaGraphInstantiate(&gr.exec, gr.g, 0));
  for (int replay = 0; replay < 2; ++replay) {
    for (const auto& b : owners)
      WEIGHTINIT_TEST_CUDA(cudaMemsetAsync(b->get(), kPoison, b->size(), st.s));
    WEIGHTINIT_TEST_CUDA(cudaGraphLaunch(gr.exec, st.s));
    WEIGHTINIT_TEST_CUDA(cudaStreamSynchronize(st.s));
    for (std::size_t i = 0; i < owners.size(); ++i) {
      const graph_fill& f = kGraphFills[i];
      std::vector<unsigned char> replayed(owners[i]->size()), eager(owners[i]->size());
      WEIGHTINIT_TEST_CUDA(
          cudaMemcpy(replayed.data(), owners[i]->get(), replayed.size(), cudaMemcpyDeviceToHost));
      // The eager call on the same memory.
      WEIGHTINIT_TEST_CUDA(cudaMemset(owners[i]->get(), kPoison, owners[i]->size()));
      wi::fill({owners[i]->get(), f.t, {f.first + f.n}, f.first, f.n}, f.d, f.k, nullptr);
      WEIGHTINIT_TEST_CUDA(
          cudaMemcpy(eager.data(), owners[i]->get(), eager.size(), cudaMemcpyDeviceToHost));
      EXPECT_TRUE(replayed == eager) << "replay " << replay << ", fill " << i;
      EXPECT_TRUE(eager == host_bytes(f.t, f.d, f.k, f.first, f.n)) << "fill " << i;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Kinds of memory: device-writable host memory works, pageable memory is refused.

class DeviceFillMemory : public gpu_test {};

TEST_F(DeviceFillMemory, PinnedManagedAndRegisteredMemoryAreFilledPageableIsRefused) {
  const std::int64_t n = 10007;
  const wi::distribution d = wi::distribution::normal(0, 1);
  const std::vector<unsigned char> want = host_bytes(wi::dtype::bf16, d, kKey, 0, n);
  const std::size_t bytes = want.size();

  void* pinned = nullptr;
  WEIGHTINIT_TEST_CUDA(cudaMallocHost(&pinned, bytes));
  std::memset(pinned, kPoison, bytes);
  wi::fill({pinned, wi::dtype::bf16, {n}}, d, kKey, nullptr);
  WEIGHTINIT_TEST_CUDA(cudaDeviceSynchronize());
  EXPECT_EQ(std::memcmp(pinned, want.data(), bytes), 0) << "cudaMallocHost memory";
  cudaFreeHost(pinned);

  void* managed = nullptr;
  WEIGHTINIT_TEST_CUDA(cudaMallocManaged(&managed, bytes));
  std::memset(managed, kPoison, bytes);
  wi::fill({managed, wi::dtype::bf16, {n}}, d, kKey, nullptr);
  WEIGHTINIT_TEST_CUDA(cudaDeviceSynchronize());
  EXPECT_EQ(std::memcmp(managed, want.data(), bytes), 0) << "cudaMallocManaged memory";
  cudaFree(managed);

  std::vector<unsigned char> registered(bytes, kPoison);
  WEIGHTINIT_TEST_CUDA(cudaHostRegister(registered.data(), bytes, cudaHostRegisterMapped));
  wi::fill({registered.data(), wi::dtype::bf16, {n}}, d, kKey, nullptr);
  WEIGHTINIT_TEST_CUDA(cudaDeviceSynchronize());
  EXPECT_TRUE(registered == want) << "cudaHostRegister'ed memory";
  WEIGHTINIT_TEST_CUDA(cudaHostUnregister(registered.data()));

  std::vector<unsigned char> pageable(bytes, kPoison);
  try {
    wi::fill({pageable.data(), wi::dtype::bf16, {n}}, d, kKey, nullptr);
    ADD_FAILURE() << "pageable memory was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("is host memory (pageable, not registered with CUDA)"),
              std::string::npos)
        << e.what();
  }
  WEIGHTINIT_TEST_CUDA(cudaDeviceSynchronize());
  EXPECT_EQ(pageable, std::vector<unsigned char>(bytes, kPoison)) << "pageable memory was written";
}
