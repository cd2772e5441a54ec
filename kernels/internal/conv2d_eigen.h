#ifndef NABLA_KERNELS_INTERNAL_CONV2D_EIGEN_H_
#define NABLA_KERNELS_INTERNAL_CONV2D_EIGEN_H_

// The portable convolution backend: im2col + GEMM per image and group. It
// implements every convolution, so it is the fallback of any faster backend
// and the reference that backend is tested against.
//
// Arguments are already checked (conv2d.cc): dense tensors of params.dtype
// with exactly the shapes params describes. Each function returns a new
// dense tensor.

#include "kernels/internal/conv2d_params.h"
#include "tensor/tensor.h"

namespace nabla::kernels::internal {

// input [N, C_in, H, W], weight [C_out, C_in / g, KH, KW] (+ bias [C_out]
// unless undefined) -> [N, C_out, OH, OW].
Tensor conv2d_forward_eigen(const Conv2dParams& params, const Tensor& input, const Tensor& weight,
                            const Tensor& bias);

// grad_output [N, C_out, OH, OW], weight (+ bias [C_in] unless undefined:
// the bias of a transposed convolution) -> [N, C_in, H, W].
Tensor conv2d_backward_input_eigen(const Conv2dParams& params, const Tensor& grad_output, const Tensor& weight,
                                   const Tensor& bias);

// grad_output [N, C_out, OH, OW], input [N, C_in, H, W] -> [C_out, C_in / g, KH, KW].
Tensor conv2d_backward_weight_eigen(const Conv2dParams& params, const Tensor& grad_output, const Tensor& input);

}  // namespace nabla::kernels::internal

#endif  // NABLA_KERNELS_INTERNAL_CONV2D_EIGEN_H_
