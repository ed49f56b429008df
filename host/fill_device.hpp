// host/fill_device.hpp: the device fill with a chosen grid. weightinit::fill is fill_device with
// the default launch_config; tests force other grids to prove the values never depend on them.
#pragma once

#include "../kernels/launch.hpp"
#include "weightinit/fill.hpp"

namespace weightinit {
namespace detail {

/// weightinit::fill (same checks, same values, same asynchrony) launched with `config`: blocks == 0
/// picks as many blocks as stay resident on the current device; threads must be a multiple of 32 in
/// [32, 1024] (std::invalid_argument otherwise). `function` names the caller in error messages.
void fill_device(const tensor_view& tensor, const distribution& dist, key k,
                 launch::launch_config config, cudaStream_t stream, const char* function = "fill");

/// The device-free part of the pointer check: null, or not aligned to its element. Throws
/// std::invalid_argument naming `function`.
void check_pointer_alignment(const tensor_view& tensor, std::int64_t n, const char* function);

/// The address a kernel writes `tensor` (n elements) through: device or managed memory as is,
/// mapped pinned host memory through its device alias. Throws std::invalid_argument naming
/// `function` for a null pointer, one not aligned to its element, pageable host memory, or pinned
/// memory that is not mapped.
void* writable_device_address(const tensor_view& tensor, std::int64_t n, const char* function);

}  // namespace detail
}  // namespace weightinit
