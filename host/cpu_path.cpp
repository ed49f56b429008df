// host/cpu_path.cpp: the public name of the CPU fill's code path on this machine.
#include "fill_host.hpp"

namespace weightinit {

const char* cpu_simd_path() noexcept { return detail::to_string(detail::best_simd_level()); }

}  // namespace weightinit
