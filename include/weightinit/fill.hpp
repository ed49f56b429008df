// weightinit/fill.hpp: every fill, on the GPU (fill) and the CPU (fill_host). Both write exactly
// the same bits: every value is a pure function of (key, global element index, distribution,
// dtype), DESIGN.md §1. One signature for all of them:
//
//   fill(view, init, key, options, stream)      fill(view, init, key, stream)
//   fill_host(view, init, key, options = {})
//
// where `init` is an initializer or a distribution (which converts to one), and `options` is a
// fill_options with named fields. A layer preset fills a weight and its bias together.
#pragma once

#include <optional>

#include "weightinit/fans.hpp"
#include "weightinit/initializers.hpp"
#include "weightinit/presets.hpp"
#include "weightinit/types.hpp"

typedef struct CUstream_st* cudaStream_t;  // the same declaration as cuda_runtime_api.h

namespace weightinit {

/// The optional knobs of a fill, by name: set the fields (or chain the with_ setters). It has no
/// constructor from a braced list, so `fill_host(v, init, k, {1})` does not compile.
///
///   weightinit::fill_options o;
///   o.layout = weightinit::layout::in_out;            // Keras (in, out) weight
///   fill_host(view, xavier_uniform(), k, o);
///   fill_host(bias, bias_uniform(), k, fill_options().with_fan_override(weight_fans));
struct fill_options {
  fill_options() noexcept {}  // user-provided: not an aggregate, so no braced list binds to a field

  /// How fans are read off the shape: a convention, explicit axes, groups, packed parts. Unset:
  /// layout::out_in (PyTorch). Read by the fan-based schemes and by orthogonal (its flattening and
  /// parts); the others ignore it, as their PyTorch counterparts ignore layouts.
  std::optional<fan_layout> layout;
  /// Fans to use instead of the shape's (a bias with its weight's fans). Fan-based schemes only;
  /// cannot be combined with `layout`.
  std::optional<weightinit::fans> fan_override;
  /// CPU fills: worker threads, the calling thread included; 0 (the default) means
  /// std::thread::hardware_concurrency(). Workers come from one persistent pool (started on the
  /// first threaded fill, grown on demand), so small fills do not pay for starting threads. The
  /// values never depend on it. GPU fills do not read it.
  unsigned threads = 0;

  fill_options& with_layout(fan_layout l) {
    layout = std::move(l);
    return *this;
  }
  fill_options& with_fan_override(const weightinit::fans& f) {
    fan_override = f;
    return *this;
  }
  fill_options& with_threads(unsigned n) {
    threads = n;
    return *this;
  }
};

/// Fills host memory, synchronously. Every precondition (the scheme's parameters, rank, fans, the
/// window, the pointer, the options) is checked before anything is written: std::invalid_argument
/// naming the scheme or function and the values. A zero-element tensor or window is a no-op (after
/// the scheme's own parameters are validated). Windows work for every scheme.
void fill_host(const tensor_view& tensor, const initializer& init, key k,
               const fill_options& options = {});

/// Fills device memory on `stream`. Elementwise, eye, dirac and sparse: asynchronous, one kernel
/// (two for sparse), no allocation, no synchronization, graph-capturable; the values are exactly
/// fill_host's. The pointer must be device, managed or mapped pinned memory of the current device
/// (a pointer of another device, pageable host memory, a null or misaligned pointer are refused
/// with std::invalid_argument before anything is launched). Orthogonal is the exception: it
/// allocates its workspace stream-ordered (cudaMallocAsync/cudaFreeAsync) and uses a cuSOLVER
/// handle cached per device and host thread (created, and cuSOLVER loaded, on first use, which may
/// synchronize); do not capture it in a graph. CUDA failures throw weightinit::cuda_error, cuSOLVER
/// failures weightinit::cusolver_error.
void fill(const tensor_view& tensor, const initializer& init, key k, const fill_options& options,
          cudaStream_t stream);
void fill(const tensor_view& tensor, const initializer& init, key k, cudaStream_t stream);

/// Fills a layer's weight and bias: the preset's schemes and layout, the bias resolved with the
/// *weight's* fans; `bias` may be a zero-element view (no bias). Both are validated before either
/// is written or launched. A bias_uniform bias of a weight with fan_in 0 is zero (PyTorch: bound =
/// 1/√fan_in if fan_in > 0 else 0). `options.layout` and `options.fan_override` must be unset (the
/// preset carries its layout); `options.threads` is honoured on the CPU.
void fill_host(const tensor_view& weight, const tensor_view& bias, const layer_preset& preset,
               key weight_key, key bias_key, const fill_options& options = {});
void fill(const tensor_view& weight, const tensor_view& bias, const layer_preset& preset,
          key weight_key, key bias_key, const fill_options& options, cudaStream_t stream);
void fill(const tensor_view& weight, const tensor_view& bias, const layer_preset& preset,
          key weight_key, key bias_key, cudaStream_t stream);

/// The CPU fill's code path on this machine: "avx512" (x86-64-v4), "avx2" (x86-64-v3) or "scalar".
/// Every path writes the same bits.
const char* cpu_simd_path() noexcept;

}  // namespace weightinit
