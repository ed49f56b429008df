// examples/demo/network.hpp: the study's internal seam between the pair logic (study.cpp) and the
// two engines that run the passes: the CPU network (network_cpu.cpp, BLIS or a CBLAS) and the GPU
// network (network_gpu.cu, cuBLAS). Plain C++17: no CUDA syntax.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "demo.hpp"

namespace weightinit_demo {
namespace detail {

/// Keys of the study's tensors: layer l's weights use stream l (1..depth); the input and the loss
/// readout use streams far above any depth.
constexpr std::uint64_t input_stream = 0x1000000000ull;
constexpr std::uint64_t readout_stream = 0x1000000001ull;

/// Per sample (row) statistics of one layer, accumulated in double: Σa², Σh, Σ(h − row mean)²,
/// min h, max h over the row's `width` units.
struct row_partial {
  double sum_a2 = 0, sum_h = 0, m2_h = 0, min_h = 0, max_h = 0;
};

/// Combines a layer's rows (Chan et al.'s pairwise variance) into its layer_stats (forward part).
layer_stats combine_rows(const row_partial* rows, std::int64_t batch, std::int64_t width);

/// An engine: holds the network's buffers, fills the weights of a scheme, runs one activation.
class network {
 public:
  virtual ~network() = default;
  /// "cpu (BLIS 0.9.0, zen3 kernels, 2 threads)" or "gpu (NVIDIA H200, cuBLAS)".
  virtual std::string name() const = 0;
  /// Fills every layer's weights with `init` (key {seed, layer}) through weightinit's fills.
  virtual void load(const weightinit::initializer& init) = 0;
  /// Forward (and backward when the config asks) with activation `act`; one entry per layer.
  virtual std::vector<layer_stats> run(activation act, const layer_observer& observer) = 0;
};

std::unique_ptr<network> make_cpu_network(const study_config& config, bool stream_weights);
/// Throws std::runtime_error when no CUDA device is present.
std::unique_ptr<network> make_gpu_network(const study_config& config);

}  // namespace detail
}  // namespace weightinit_demo
