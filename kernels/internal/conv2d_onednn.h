#ifndef NABLA_KERNELS_INTERNAL_CONV2D_ONEDNN_H_
#define NABLA_KERNELS_INTERNAL_CONV2D_ONEDNN_H_

// The oneDNN convolution backend: forward, backward-data and
// backward-weights primitives computing on nhwc activations (weights in the
// blocked layout oneDNN picks), created once per Conv2dParams and layouts
// and cached. Where it is faster (conv2d_onednn.cc says when), the input
// gradient runs as a forward convolution with flipped weights. Activation operands are dense, row-major or channels-last;
// activation results are channels-last. float32 only; conv2d.cc asks
// conv2d_onednn_supports() before calling. Otherwise the contracts of the
// functions of conv2d_eigen.h.

#include "kernels/internal/conv2d_params.h"
#include "tensor/tensor.h"

namespace nabla::kernels::internal {

bool conv2d_onednn_supports(const Conv2dParams& params);

Tensor conv2d_forward_onednn(const Conv2dParams& params, const Tensor& input, const Tensor& weight,
                             const Tensor& bias);

Tensor conv2d_backward_input_onednn(const Conv2dParams& params, const Tensor& grad_output, const Tensor& weight,
                                    const Tensor& bias);

Tensor conv2d_backward_weight_onednn(const Conv2dParams& params, const Tensor& grad_output, const Tensor& input);

}  // namespace nabla::kernels::internal

#endif  // NABLA_KERNELS_INTERNAL_CONV2D_ONEDNN_H_
