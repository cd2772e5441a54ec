#ifndef NABLA_KERNELS_INTERNAL_BATCH_NORM_ONEDNN_H_
#define NABLA_KERNELS_INTERNAL_BATCH_NORM_ONEDNN_H_

// Batch normalisation in inference on oneDNN's primitive: on nhwc for
// channels-last x, in channel blocks (nChw16c, or nChw8c without AVX-512;
// reordered from and to) for row-major x; the result is in x's format.
// float32 [N, C, H, W] with C a multiple of 16; batch_norm.cc asks
// batch_norm_onednn_supports() first and has checked every argument: all
// tensors are dense, gamma and beta defined (ones and zeros by default).
// Training runs our loops (batch_norm.cc says why).

#include "tensor/tensor.h"

namespace nabla::kernels::internal {

bool batch_norm_onednn_supports(const Tensor& x);

Tensor batch_norm_inference_onednn(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& mean,
                                   const Tensor& var, double eps);

}  // namespace nabla::kernels::internal

#endif  // NABLA_KERNELS_INTERNAL_BATCH_NORM_ONEDNN_H_
