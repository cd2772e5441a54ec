#ifndef NABLA_KERNELS_INTERNAL_POOLING_ONEDNN_H_
#define NABLA_KERNELS_INTERNAL_POOLING_ONEDNN_H_

// Max and average pooling on oneDNN's pooling primitives, in the memory
// format each call names: row-major NCHW or channels-last (NHWC, 3-4x faster
// on the CNN benchmark's activations). Inputs may come in either format and
// are reordered to it. Max pooling records its maxima in oneDNN's opaque
// workspace rather than as indices; the workspace is laid out like the
// output, so its backward must be run in the same format. float32 only;
// pooling.cc asks pool2d_onednn_supports() first. Arguments are checked by
// pooling.cc, except that a workspace fits the backward primitive, checked
// here.

#include "kernels/internal/pool2d_params.h"
#include "tensor/tensor.h"

namespace nabla::kernels::internal {

bool pool2d_onednn_supports(const Pool2dParams& params, DType dtype, bool max);

struct OneDnnMaxPool {
  Tensor output;     // [N, C, out_height, out_width] in the format asked for
  Tensor workspace;  // what max_pool2d_backward_onednn needs
};

// Tensors are dense in either format; results are dense in `format`.
OneDnnMaxPool max_pool2d_onednn(const Pool2dParams& params, const Tensor& input, MemoryFormat format,
                                const Shape& output_shape);
Tensor max_pool2d_backward_onednn(const Pool2dParams& params, const Tensor& grad_output, MemoryFormat format,
                                  const Tensor& workspace, const Shape& input_shape);
Tensor avg_pool2d_onednn(const Pool2dParams& params, const Tensor& input, MemoryFormat format,
                         const Shape& output_shape);
Tensor avg_pool2d_backward_onednn(const Pool2dParams& params, const Tensor& grad_output, MemoryFormat format,
                                  const Shape& input_shape);

}  // namespace nabla::kernels::internal

#endif  // NABLA_KERNELS_INTERNAL_POOLING_ONEDNN_H_
