#ifndef NABLA_KERNELS_SOFTMAX_H_
#define NABLA_KERNELS_SOFTMAX_H_

/// softmax and log_softmax along one axis, forward and backward: what the
/// autodiff ops call.
///
///   softmax:     y = e^(x - max) / Σ e^(x - max)        dx = y·(g - Σ g·y)
///   log_softmax: y = x - max - log Σ e^(x - max)        dx = g - e^y·Σ g
///
/// Both backward passes read the forward's output y. On the oneDNN backend
/// float32 tensors of at least 16K elements run oneDNN's softmax primitives
/// (one pass each way); the rest runs reductions and element-wise ops of
/// //tensor. Throws nabla::Error naming the op for an undefined or int64
/// tensor, an axis out of range, or backward operands that differ.

#include <cstdint>

#include "tensor/tensor.h"

namespace nabla::kernels {

/// `axis` may be negative (counted from the end).
Tensor softmax(const Tensor& x, std::int64_t axis, bool log);

Tensor softmax_backward(const Tensor& grad_output, const Tensor& y, std::int64_t axis, bool log);

}  // namespace nabla::kernels

#endif  // NABLA_KERNELS_SOFTMAX_H_
