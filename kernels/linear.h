#ifndef NABLA_KERNELS_LINEAR_H_
#define NABLA_KERNELS_LINEAR_H_

/// A fully connected layer's op: y = x·W + b over the last axis of x
/// [..., in], with W [in, out] and b [out] (an undefined Tensor for none),
/// then max(0, ·) with relu (Keras' Dense(activation="relu")). The bias and
/// the ReLU are one pass over y after the GEMM, where x·W + b and a relu op
/// would take two, each with a fresh tensor, and two more backward.
///
///   linear(x [64, 784], W [784, 256], b [256], true) -> [64, 256]
///
/// float32 and float64; the GEMM is tensor's matmul (oneDNN's sgemm on its
/// backend). Throws nabla::Error naming the op and the shapes for an
/// undefined or int64 operand, mismatched dtypes or features, a weight that
/// is not 2-D or a bias that is not [out].

#include "tensor/tensor.h"

namespace nabla::kernels {

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias, bool relu);

struct LinearGrads {
  Tensor input;   ///< x's shape, if asked
  Tensor weight;  ///< [in, out], if asked
  Tensor bias;    ///< [out], if asked
};

/// The gradients of linear that are asked for. With relu, `output` is
/// linear's result: grad_output passes where it is not <= 0 (0 at 0 and
/// grad_output at NaN, as relu()'s).
LinearGrads linear_backward(const Tensor& grad_output, const Tensor& x, const Tensor& weight, const Tensor& output,
                            bool relu, bool need_input, bool need_weight, bool need_bias);

}  // namespace nabla::kernels

#endif  // NABLA_KERNELS_LINEAR_H_
