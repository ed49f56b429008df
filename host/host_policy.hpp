// host/host_policy.hpp: the CPU fill of one resolved distribution (host/fill_host.cpp), the engine
// under every public fill_host, and its thread knob.
#pragma once

#include "weightinit/types.hpp"

namespace weightinit {
namespace detail {
/// How the CPU fill runs; the values never depend on it. threads 0: default_thread_count().
struct host_policy {
  unsigned threads = 0;
};
}  // namespace detail
using detail::host_policy;

/// Fills host memory with one distribution (no scheme, no fans): checks the distribution, the
/// window and the pointer, then writes. Internal: the public fill_host takes an initializer.
void fill_host(const tensor_view& tensor, const distribution& dist, key k, host_policy policy);

}  // namespace weightinit
