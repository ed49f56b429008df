// examples/demo/activation.hpp: the study's activations φ and their derivatives φ', one definition
// shared by the CPU network (float), the GPU kernels (float, nvcc) and the mean-field theory
// (double), so that the theory integrates exactly the function the network applies.
#pragma once

#include <math.h>

#include "weightinit/config.hpp"

namespace weightinit_demo {

enum class activation { tanh, sigmoid, relu, leaky_relu, selu, swish };

/// SELU's constants (Klambauer et al. 2017): with them E[selu(z)] = 0 and E[selu(z)²] = 1 for
/// z ~ N(0, 1), the self-normalizing fixed point.
constexpr double selu_lambda = 1.0507009873554804934193349852946;
constexpr double selu_alpha = 1.6732632423543772848170429916717;

namespace math {
WEIGHTINIT_HOST_DEVICE inline float exp_(float x) { return expf(x); }
WEIGHTINIT_HOST_DEVICE inline double exp_(double x) { return exp(x); }
WEIGHTINIT_HOST_DEVICE inline float expm1_(float x) { return expm1f(x); }
WEIGHTINIT_HOST_DEVICE inline double expm1_(double x) { return expm1(x); }
WEIGHTINIT_HOST_DEVICE inline float tanh_(float x) { return tanhf(x); }
WEIGHTINIT_HOST_DEVICE inline double tanh_(double x) { return tanh(x); }
}  // namespace math

/// φ(x) and φ'(x), computed together (one exponential). `slope` is leaky ReLU's negative slope.
/// Accurate for tiny |x| too (expm1, the library tanh): vanishing signals stay measurable down to
/// the float underflow instead of being rounded to zero by cancellation.
template <activation A, class T>
WEIGHTINIT_HOST_DEVICE inline void evaluate(T x, T slope, T& value, T& deriv) {
  if constexpr (A == activation::tanh) {
    const T t = math::tanh_(x);
    value = t;
    deriv = T(1) - t * t;
  } else if constexpr (A == activation::sigmoid) {
    const T s = T(1) / (T(1) + math::exp_(-x));
    value = s;
    deriv = s * (T(1) - s);
  } else if constexpr (A == activation::relu) {
    // `x < 0 ? 0 : x`, not `x > 0 ? x : 0`: a NaN (an overflowed layer: inf − inf) passes through,
    // as in PyTorch, instead of being turned into a 0 that would pass for a vanished signal.
    value = x < T(0) ? T(0) : x;
    deriv = x > T(0) ? T(1) : T(0);
  } else if constexpr (A == activation::leaky_relu) {
    value = x < T(0) ? slope * x : x;  // NaN passes through (see relu)
    deriv = x > T(0) ? T(1) : slope;
  } else if constexpr (A == activation::selu) {
    const T lambda = T(selu_lambda), alpha = T(selu_alpha);
    if (x > T(0)) {
      value = lambda * x;
      deriv = lambda;
    } else {
      value = lambda * alpha * math::expm1_(x);
      deriv = lambda * alpha * math::exp_(x);
    }
  } else {  // swish (SiLU): x·σ(x)
    const T s = T(1) / (T(1) + math::exp_(-x));
    value = x * s;
    deriv = s + x * s * (T(1) - s);
  }
}

/// The same with the activation chosen at run time (the theory's quadrature and the tests).
template <class T>
WEIGHTINIT_HOST_DEVICE inline void evaluate(activation a, T x, T slope, T& value, T& deriv) {
  switch (a) {
    case activation::tanh: evaluate<activation::tanh>(x, slope, value, deriv); break;
    case activation::sigmoid: evaluate<activation::sigmoid>(x, slope, value, deriv); break;
    case activation::relu: evaluate<activation::relu>(x, slope, value, deriv); break;
    case activation::leaky_relu: evaluate<activation::leaky_relu>(x, slope, value, deriv); break;
    case activation::selu: evaluate<activation::selu>(x, slope, value, deriv); break;
    case activation::swish: evaluate<activation::swish>(x, slope, value, deriv); break;
  }
}

}  // namespace weightinit_demo
