#ifndef NABLA_KERNELS_INTERNAL_BATCH_NORM_ONEDNN_H_
#define NABLA_KERNELS_INTERNAL_BATCH_NORM_ONEDNN_H_

// Batch normalisation on oneDNN's primitives: on nhwc for channels-last x,
// in channel blocks (nChw16c, or nChw8c without AVX-512; reordered from and
// to) for row-major x;
// results are in x's format. float32 [N, C, H, W] with C a multiple of 16,
// where it beats our loops; batch_norm.cc asks batch_norm_onednn_supports()
// first and has checked every argument: all tensors are dense, gamma and
// beta defined (ones and zeros by default).
// oneDNN sums in float32 where the reference loops sum in double.

#include "tensor/tensor.h"

namespace nabla::kernels::internal {

bool batch_norm_onednn_supports(const Tensor& x);

// -> output, mean, biased var (invstd is the caller's).
void batch_norm_training_onednn(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps, Tensor& output,
                                Tensor& mean, Tensor& var);

Tensor batch_norm_inference_onednn(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& mean,
                                   const Tensor& var, double eps);

// The training-mode gradient, given the statistics as mean and invstd.
void batch_norm_backward_onednn(const Tensor& grad_output, const Tensor& x, const Tensor& gamma, const Tensor& mean,
                                const Tensor& invstd, Tensor& grad_input, Tensor& grad_gamma, Tensor& grad_beta);

}  // namespace nabla::kernels::internal

#endif  // NABLA_KERNELS_INTERNAL_BATCH_NORM_ONEDNN_H_
