// tests/readme_prelude.hpp: the names the README's C++ examples use for buffers, shapes and the
// stream (tests/readme_snippets.cmake compiles every example after this prelude).
#pragma once

#include <weightinit/weightinit.hpp>

#include <cstddef>
#include <cstdint>

namespace wi = weightinit;

extern void *d_weight, *h_weight, *h_shard, *d_conv, *d_dense, *d_qkv, *d_w, *d_b, *d_arena;
extern cudaStream_t stream;
extern std::size_t E, F, in, out;
extern const weightinit::rule_set
    rules;  // the "Whole models" shard example reuses the plan example's
