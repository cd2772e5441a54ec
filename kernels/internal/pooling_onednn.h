#ifndef NABLA_KERNELS_INTERNAL_POOLING_ONEDNN_H_
#define NABLA_KERNELS_INTERNAL_POOLING_ONEDNN_H_

// Max and average pooling on oneDNN's pooling primitives, on our plain NCHW
// layout (pooling is bound by memory traffic, so a reorder to a blocked
// layout would cost more than it saves). Max pooling records its maxima in
// oneDNN's opaque workspace rather than as indices. float32 only; pooling.cc
// asks pool2d_onednn_supports() first. Arguments are checked by pooling.cc,
// except that a workspace fits the backward primitive, checked here.

#include "kernels/internal/pool2d_params.h"
#include "tensor/tensor.h"

namespace nabla::kernels::internal {

bool pool2d_onednn_supports(const Pool2dParams& params, DType dtype, bool max);

struct OneDnnMaxPool {
  Tensor output;     // [planes, out_height, out_width] as laid out in NCHW
  Tensor workspace;  // what max_pool2d_backward_onednn needs
};

// input and the results are dense NCHW; output_shape is [N, C, OH, OW].
OneDnnMaxPool max_pool2d_onednn(const Pool2dParams& params, const Tensor& input, const Shape& output_shape);
Tensor max_pool2d_backward_onednn(const Pool2dParams& params, const Tensor& grad_output, const Tensor& workspace,
                                  const Shape& input_shape);
Tensor avg_pool2d_onednn(const Pool2dParams& params, const Tensor& input, const Shape& output_shape);
Tensor avg_pool2d_backward_onednn(const Pool2dParams& params, const Tensor& grad_output, const Shape& input_shape);

}  // namespace nabla::kernels::internal

#endif  // NABLA_KERNELS_INTERNAL_POOLING_ONEDNN_H_
