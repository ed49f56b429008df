// weightinit/config.hpp: the one macro for code shared by host and device, and the version.
#pragma once

#if defined(__CUDACC__)
#define WEIGHTINIT_HOST_DEVICE __host__ __device__
#else
#define WEIGHTINIT_HOST_DEVICE
#endif

#define WEIGHTINIT_VERSION_MAJOR 0
#define WEIGHTINIT_VERSION_MINOR 1
#define WEIGHTINIT_VERSION_PATCH 0
namespace weightinit { inline constexpr int contract_version = 2; }  // the value contract (DESIGN.md §1)
