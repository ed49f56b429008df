// tests/common/options.hpp: short spellings of the fill options the tests use over and over.
#pragma once

#include "weightinit/fill.hpp"

namespace weightinit_test {

/// fill_options with `layout` set.
inline weightinit::fill_options with_layout(const weightinit::fan_layout& layout) {
  return weightinit::fill_options().with_layout(layout);
}
/// fill_options with the fans given.
inline weightinit::fill_options with_fans(const weightinit::fans& f) {
  return weightinit::fill_options().with_fan_override(f);
}

}  // namespace weightinit_test
