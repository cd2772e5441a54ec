#ifndef NABLA_KERNELS_INTERNAL_POOLING_ONEDNN_H_
#define NABLA_KERNELS_INTERNAL_POOLING_ONEDNN_H_

// Average pooling on oneDNN's pooling primitives, in the memory format each
// call names: row-major NCHW or channels-last (NHWC). Inputs may come in
// either format and are reordered to it. float32 only; pooling.cc asks
// pool2d_onednn_supports() first and checks the arguments. (Max pooling is
// pooling.cc's own: oneDNN 2.6's drops NaN.)

#include "kernels/internal/pool2d_params.h"
#include "tensor/tensor.h"

namespace nabla::kernels::internal {

bool pool2d_onednn_supports(const Pool2dParams& params, DType dtype);

Tensor avg_pool2d_onednn(const Pool2dParams& params, const Tensor& input, MemoryFormat format,
                         const Shape& output_shape);
Tensor avg_pool2d_backward_onednn(const Pool2dParams& params, const Tensor& grad_output, MemoryFormat format,
                                  const Shape& input_shape);

}  // namespace nabla::kernels::internal

#endif  // NABLA_KERNELS_INTERNAL_POOLING_ONEDNN_H_
