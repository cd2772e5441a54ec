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
/// not [C] of x's dtype, a negative eps, or (training) no values per channel;
/// and naming the op and the slope for a non-finite leaky_relu slope.
///
/// Running statistics are the caller's: with M = numel(x) / C values per
/// channel, PyTorch updates
///   running_mean = (1 - momentum) · running_mean + momentum · mean
///   running_var  = (1 - momentum) · running_var  + momentum · var · M / (M - 1)
///
/// Training can apply a ReLU or LeakyReLU to y in the same pass over memory
/// (and its gradient inside the backward's), for what PyTorch writes as
/// leaky_relu(batch_norm(x), slope): the activation pass and its backward
/// pass are the cost of a batch norm itself.
///
/// On the oneDNN backend, training results keep a 4-D x's memory format: a
/// channels-last x (a convolution's output) stays so.

#include "tensor/tensor.h"

namespace nabla::kernels {

/// The activation fused into batch_norm_training: none, relu (y < 0 → 0,
/// gradient 0 where y <= 0, else 1) or leaky_relu (y < 0 → slope·y,
/// gradient 1 where y > 0, else slope), with y the normalised value. NaN
/// stays NaN, and its gradient is relu()'s or leaky_relu()'s there.
struct NormActivation {
  enum class Kind { kNone, kRelu, kLeakyRelu };
  static NormActivation relu() { return {Kind::kRelu, 0.0}; }
  static NormActivation leaky_relu(double slope) { return {Kind::kLeakyRelu, slope}; }
  Kind kind = Kind::kNone;
  double slope = 0.0;
};

struct BatchNormForward {
  Tensor output;  ///< x's shape and dtype
  Tensor mean;    ///< [C]: the batch mean
  Tensor var;     ///< [C]: the biased batch variance (divided by M)
  Tensor invstd;  ///< [C]: 1 / sqrt(var + eps), what backward needs
};

/// Throws nabla::Error naming `op` unless eps is 0 or a normal float32,
/// which oneDNN takes it as (a subnormal could be flushed there); every
/// batch-norm kernel checks it.
void check_batch_norm_eps(const char* op, double eps);

/// Normalises with the batch's own statistics (training mode), then
/// applies `activation`.
BatchNormForward batch_norm_training(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps,
                                     const NormActivation& activation = {});

/// Normalises with running statistics (inference mode): running_mean and
/// running_var are [C] and required.
Tensor batch_norm_inference(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                            const Tensor& running_var, double eps);

struct BatchNormGrads {
  Tensor input;  ///< x's shape
  Tensor gamma;  ///< [C]: sum of g · x̂ (computed even without gamma)
  Tensor beta;   ///< [C]: sum of g
  // g: grad_output, past the fused activation's derivative if any.
};

/// Gradient of batch_norm_training, with mean and invstd from its result:
///   dx = gamma · invstd / M · (M · g - sum(g) - x̂ · sum(g · x̂)),  x̂ = (x - mean) · invstd
/// where g is grad_output times the activation's derivative; that needs
/// the forward's beta (where y > 0 is recomputed from x), so with an
/// activation give the same beta as to the forward.
BatchNormGrads batch_norm_backward(const Tensor& grad_output, const Tensor& x, const Tensor& gamma,
                                   const Tensor& mean, const Tensor& invstd, const NormActivation& activation = {},
                                   const Tensor& beta = Tensor());

/// Gradient of batch_norm_inference (the statistics are constants):
///   dx = g · gamma · invstd with invstd = 1 / sqrt(running_var + eps).
BatchNormGrads batch_norm_inference_backward(const Tensor& grad_output, const Tensor& x, const Tensor& gamma,
                                             const Tensor& running_mean, const Tensor& running_var, double eps);

}  // namespace nabla::kernels

#endif  // NABLA_KERNELS_BATCH_NORM_H_
