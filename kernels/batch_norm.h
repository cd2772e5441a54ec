#ifndef NABLA_KERNELS_BATCH_NORM_H_
#define NABLA_KERNELS_BATCH_NORM_H_

/// Batch normalisation over axis 1 of x [N, C] or [N, C, H, W] (any rank
/// >= 2: statistics per channel over every other axis), forward and
/// backward. float32 and float64; statistics are accumulated in double.
///
///   y = (x - mean) · invstd · gamma + beta,  invstd = 1 / sqrt(var + eps)
///
/// gamma and beta are [C] in x's dtype, or undefined Tensors for 1 and 0.
/// Every function throws nabla::Error naming the op and the shapes for an
/// undefined x, rank below 2, int64 data, a parameter or statistic that is
/// not [C] of x's dtype, a negative eps, or (training) no values per channel.
///
/// Running statistics are the caller's: with M = numel(x) / C values per
/// channel, PyTorch updates
///   running_mean = (1 - momentum) · running_mean + momentum · mean
///   running_var  = (1 - momentum) · running_var  + momentum · var · M / (M - 1)

#include "tensor/tensor.h"

namespace nabla::kernels {

struct BatchNormForward {
  Tensor output;  ///< x's shape and dtype
  Tensor mean;    ///< [C]: the batch mean
  Tensor var;     ///< [C]: the biased batch variance (divided by M)
  Tensor invstd;  ///< [C]: 1 / sqrt(var + eps), what backward needs
};

/// Normalises with the batch's own statistics (training mode).
BatchNormForward batch_norm_training(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps);

/// Normalises with running statistics (inference mode): running_mean and
/// running_var are [C] and required.
Tensor batch_norm_inference(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                            const Tensor& running_var, double eps);

struct BatchNormGrads {
  Tensor input;  ///< x's shape
  Tensor gamma;  ///< [C]: sum of grad_output · x̂ (computed even without gamma)
  Tensor beta;   ///< [C]: sum of grad_output
};

/// Gradient of batch_norm_training, with mean and invstd from its result:
///   dx = gamma · invstd / M · (M · g - sum(g) - x̂ · sum(g · x̂)),  x̂ = (x - mean) · invstd
BatchNormGrads batch_norm_backward(const Tensor& grad_output, const Tensor& x, const Tensor& gamma,
                                   const Tensor& mean, const Tensor& invstd);

/// Gradient of batch_norm_inference (the statistics are constants):
///   dx = g · gamma · invstd with invstd = 1 / sqrt(running_var + eps).
BatchNormGrads batch_norm_inference_backward(const Tensor& grad_output, const Tensor& x, const Tensor& gamma,
                                             const Tensor& running_mean, const Tensor& running_var, double eps);

}  // namespace nabla::kernels

#endif  // NABLA_KERNELS_BATCH_NORM_H_
