// bench/gpu_timer.hpp: GPU-only timing for the GPU benchmarks (bench/gpu_timer.cu). A blocking
// kernel holds the stream while the host enqueues the start event, a batch of launches and the stop
// event, so the events measure the batch's GPU time alone: no host-side work (argument checks,
// pointer queries, launch calls) falls between them, at any size. The idea is nvbench's blocking
// kernel.
#pragma once

#include <cuda_runtime_api.h>

namespace wib {

/// A host-mapped release flag and a blocking kernel that spins on it (bounded by a timeout, so a
/// host that never releases it cannot hang the GPU).
class stream_blocker {
 public:
  stream_blocker() = default;
  ~stream_blocker();
  stream_blocker(const stream_blocker&) = delete;
  stream_blocker& operator=(const stream_blocker&) = delete;

  /// Allocates the flag (pinned, mapped). Returns the CUDA status.
  cudaError_t init();
  /// Enqueues the blocking kernel on `stream`: everything enqueued after it waits until release().
  cudaError_t block(cudaStream_t stream);
  /// Lets the blocking kernel finish.
  void release();
  /// True when the last blocking kernel gave up waiting (its timeout, 2 s, passed before release):
  /// the host took longer than that to enqueue the batch, and the timing is not GPU-only.
  bool timed_out() const;

 private:
  volatile unsigned* host_ = nullptr;  // [0]: release flag, [1]: timed-out flag
  unsigned* device_ = nullptr;
};

/// Launches an empty kernel (one block of 32 threads): the device-side floor of one launch.
cudaError_t launch_empty(cudaStream_t stream);

}  // namespace wib
