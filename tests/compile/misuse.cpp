// tests/compile/misuse.cpp: calls that must not compile (tests/compile/check.cmake compiles this
// file once per WEIGHTINIT_MISUSE value and expects each to fail), and beside them, compiled with
// no WEIGHTINIT_MISUSE, the correct spelling of each (which must compile, so a failure above is
// the misuse and not a broken file).
#include <weightinit/weightinit.hpp>

#include <cstddef>

namespace wi = weightinit;

void uses(void* p, cudaStream_t stream) {
  const wi::tensor_view v{p, wi::dtype::f32, {256, 128}};
  const wi::key k{1, 2};
  // Shapes from std::size_t extents compile, as people write them.
  const std::size_t E = 64;
  const wi::tensor_view qkv{p, wi::dtype::bf16, {3 * E, E}};
  (void)qkv;
#if !defined(WEIGHTINIT_MISUSE)
  wi::fill_host(v, wi::he_uniform(), k, wi::fill_options().with_threads(1));
  wi::fill_host(v, wi::he_uniform(), k, {});
  wi::fill_host(v, wi::xavier_uniform(), k, wi::fill_options().with_layout(wi::layout::in_out));
  wi::fill_host(v, wi::bias_uniform(), k,
                wi::fill_options().with_fan_override(wi::fans{128, 256, 1}));
  wi::fill(v, wi::xavier_uniform(), k, wi::fill_options().with_layout(wi::layout::in_out), stream);
  wi::fill(v, wi::distribution::normal(0, 0.02), k, stream);
  wi::params::xavier_uniform x;
  x.gain = 2;
  wi::fill_host(v, x, k);
#elif WEIGHTINIT_MISUSE == 1
  // "one thread" as a braced list: once bound to fans{fan_in = 1}.
  wi::fill_host(v, wi::he_uniform(), k, {1});
#elif WEIGHTINIT_MISUSE == 2
  // A layout where the options go: it must be named (options.layout).
  wi::fill_host(v, wi::xavier_uniform(), k, wi::layout::in_out);
#elif WEIGHTINIT_MISUSE == 3
  // Fans where the options go: they must be named (options.fan_override).
  wi::fill_host(v, wi::bias_uniform(), k, wi::fans{128, 256, 1});
#elif WEIGHTINIT_MISUSE == 4
  // A thread count where the device fill's options go.
  wi::fill(v, wi::normal(), k, 2, stream);
#elif WEIGHTINIT_MISUSE == 5
  // A field that Xavier does not read does not exist.
  wi::params::xavier_uniform x;
  x.stddev = 0.02;
#elif WEIGHTINIT_MISUSE == 6
  // The CPU thread knob of old is not public.
  wi::fill_host(v, wi::normal(), k, wi::host_policy{1});
#elif WEIGHTINIT_MISUSE == 7
  // The options are not an aggregate: no positional field binding.
  wi::fill_options o{wi::layout::in_out};
  (void)o;
#elif WEIGHTINIT_MISUSE == 8
  // The device fill needs its stream: no default.
  wi::fill(v, wi::normal(), k, wi::fill_options());
#endif
}
