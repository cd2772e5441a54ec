#ifndef NABLA_KERNELS_ACTIVATION_H_
#define NABLA_KERNELS_ACTIVATION_H_

/// Element-wise activations with a one-pass backward: what the autodiff
/// activation ops call.
///
///   relu        y = max(x, 0), NaN kept         dy/dx = [not y <= 0]
///   leaky_relu  y = x > 0 ? x : slope·x         dy/dx = x > 0 ? 1 : slope
///   tanh        y = tanh(x)                     dy/dx = 1 - y²
///   sigmoid     y = 1 / (1 + e^-x)              dy/dx = y·(1 - y)
///
/// The backward pass reads what activation_backward_reads() names: the
/// forward's output y, or for leaky_relu (whose slope may be negative) its
/// input x. On the oneDNN backend large float32 tensors run oneDNN's eltwise
/// primitives; small ones, where a primitive's fixed cost dominates, float64
/// and the reference backend run fused loops. relu runs one loop on every
/// backend, as PyTorch's: a NaN x stays NaN (oneDNN's relu gives 0), and the
/// backward is a select, so where y = 0 the gradient is 0 even when
/// grad_output is infinite (a product with the derivative would be NaN), and
/// a NaN y passes grad_output.
///
/// Throws nabla::Error naming the activation for an undefined or int64
/// tensor and for a backward whose operands differ in shape or dtype.

#include "tensor/tensor.h"

namespace nabla::kernels {

enum class Activation { kRelu, kLeakyRelu, kTanh, kSigmoid };

/// `slope` is leaky_relu's negative slope; the others ignore it.
Tensor activation(Activation kind, const Tensor& x, double slope = 0.0);

enum class BackwardReads { kOutput, kInput };
BackwardReads activation_backward_reads(Activation kind);

/// grad_output · dy/dx, from `saved` (y or x, see above) of the same shape.
Tensor activation_backward(Activation kind, const Tensor& grad_output, const Tensor& saved, double slope = 0.0);

}  // namespace nabla::kernels

#endif  // NABLA_KERNELS_ACTIVATION_H_
