// weightinit/config.hpp: the one macro for code shared by host and device, the library version and
// the version of the value contract (DESIGN.md §1).
#pragma once

#if defined(__CUDACC__)
#define WEIGHTINIT_HOST_DEVICE __host__ __device__
#else
#define WEIGHTINIT_HOST_DEVICE
#endif

#define WEIGHTINIT_VERSION_MAJOR 0
#define WEIGHTINIT_VERSION_MINOR 2
#define WEIGHTINIT_VERSION_PATCH 0

namespace weightinit {

/// The version of the value contract: which Philox words each element uses and how they become
/// values. A change of any value for the same (key, index, distribution, dtype) bumps it; it is
/// recorded wherever values are saved.
inline constexpr int contract_version = 2;

/// "0.2.0".
const char* version() noexcept;

}  // namespace weightinit
