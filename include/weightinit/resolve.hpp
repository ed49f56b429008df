// weightinit/resolve.hpp: resolving an elementwise scheme against a shape (its fans) to the plain
// distribution a fill draws, with the formulas of the papers computed in the operation order
// PyTorch and Keras use, so the resolved parameters equal theirs in double.
#pragma once

#include "weightinit/fans.hpp"
#include "weightinit/initializers.hpp"
#include "weightinit/types.hpp"

namespace weightinit {

/// The elementwise distribution of `init` for a weight of shape `dims` under `lay` (fans computed
/// with compute_fans). Throws std::invalid_argument naming the scheme and the values for bad
/// parameters, rank < 2 for a fan-based scheme ("xavier_uniform: needs rank >= 2, got shape
/// [128]"), a zero fan, a structured scheme (orthogonal, eye, dirac, sparse), or a packed weight
/// whose parts resolve differently (the fills handle those part by part).
distribution resolve(const initializer& init, const shape& dims,
                     const fan_layout& lay = layout::out_in);

/// The same with fans given directly (e.g. the weight's fans for a bias_uniform bias). Fan-based
/// schemes need finite fans > 0 (the ones their mode reads). (A separate name, so that
/// resolve(init, {256, 128}) is unambiguously a shape.)
distribution resolve_with_fans(const initializer& init, const fans& f);

}  // namespace weightinit
