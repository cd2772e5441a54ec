#ifndef NABLA_KERNELS_INTERNAL_ACTIVATION_ONEDNN_H_
#define NABLA_KERNELS_INTERNAL_ACTIVATION_ONEDNN_H_

// Tanh and sigmoid on oneDNN's eltwise primitives, over dense float32 data seen
// as one flat vector: results keep the memory format (row-major or
// channels-last) of x, and backward's operands share saved's. activation.cc
// has checked the arguments.

#include "kernels/activation.h"

namespace nabla::kernels::internal {

// Below this many elements our loops beat a primitive's fixed cost.
constexpr std::int64_t kOneDnnActivationMinElements = 1 << 14;

Tensor activation_onednn(Activation kind, const Tensor& x);
Tensor activation_backward_onednn(Activation kind, const Tensor& grad_output, const Tensor& saved);

}  // namespace nabla::kernels::internal

#endif  // NABLA_KERNELS_INTERNAL_ACTIVATION_ONEDNN_H_
