#ifndef NABLA_AUTODIFF_NN_OPS_H_
#define NABLA_AUTODIFF_NN_OPS_H_

/// Differentiable convolution, pooling, normalisation and dropout. Each op is
/// one `record` call in nn_ops.cc with forward and backward side by side, on
/// the kernels of //kernels. Layout NCHW (NCL for conv1d).

#include <array>
#include <cstdint>
#include <optional>

#include "autodiff/variable.h"
#include "kernels/batch_norm.h"
#include "kernels/linear.h"
#include "kernels/conv2d.h"
#include "kernels/pooling.h"

namespace nabla {

using kernels::Conv2dOptions;
using kernels::ConvTranspose2dOptions;
using kernels::NormActivation;
using kernels::Pool2dOptions;

/// input [N, C_in, H, W] ⋆ weight [C_out, C_in / groups, KH, KW] (+ bias
/// [C_out]; pass Variable() for none) -> [N, C_out, OH, OW]; with
/// options.relu, max(0, ·) of that, fused into the convolution on oneDNN.
Variable conv2d(const Variable& input, const Variable& weight, const Variable& bias = Variable(),
                const Conv2dOptions& options = {});

struct Conv1dOptions {
  std::int64_t stride = 1;
  std::int64_t padding = 0;
  std::int64_t dilation = 1;
  std::int64_t groups = 1;
};

/// input [N, C_in, L] ⋆ weight [C_out, C_in / groups, K] (+ bias) -> [N, C_out, OL].
Variable conv1d(const Variable& input, const Variable& weight, const Variable& bias = Variable(),
                const Conv1dOptions& options = {});

/// input [N, C_in, H, W], weight [C_in, C_out / groups, KH, KW] (+ bias) ->
/// [N, C_out, OH, OW] with OH = (H - 1)·stride - 2·pad + dil·(KH - 1) + output_padding + 1.
Variable conv_transpose2d(const Variable& input, const Variable& weight, const Variable& bias = Variable(),
                          const ConvTranspose2dOptions& options = {});

/// x [..., in] · weight [in, out] + bias [out] (Variable() for none), then a
/// ReLU with relu: one op, "linear" or "linear_relu" (a Dense layer), with
/// the bias and ReLU in one pass (kernels/linear.h).
Variable linear(const Variable& x, const Variable& weight, const Variable& bias = Variable(), bool relu = false);

/// torch.nn.functional.embedding: the rows of weight [num, dim] at int64
/// indices [...] -> [..., dim]. A row picked several times gets the sum of
/// its gradients; the row at padding_idx (in [0, num)) gets none. Throws
/// naming "embedding", the index and weight's shape for an index outside
/// [0, num).
Variable embedding(const Variable& weight, const Variable& indices,
                   std::optional<std::int64_t> padding_idx = std::nullopt);

/// Ties: the gradient goes to the first maximum of each window, as in PyTorch.
/// With options.relu, max_pool2d(relu(input)) as one op, "max_pool2d_relu".
Variable max_pool2d(const Variable& input, const Pool2dOptions& options);
Variable avg_pool2d(const Variable& input, const Pool2dOptions& options);

/// Inverted dropout: in training, each element is zeroed with probability
/// p and the rest scaled by 1 / (1 - p) (p = 1: all zeroed); otherwise x
/// itself. Masks come from
/// `generator`, which must outlive a build-once graph that uses it.
Variable dropout(const Variable& x, double p, Generator& generator, bool training = true);

/// The running statistics of a batch norm layer, updated in place in
/// training: running = (1 - momentum)·running + momentum·batch (the variance
/// unbiased, as in PyTorch).
struct BatchNormState {
  Tensor running_mean;  ///< [C]
  Tensor running_var;   ///< [C]
  double momentum = 0.1;
  double eps = 1e-5;
};

/// Batch normalisation over axis 1 of [N, C] or [N, C, H, W]: in training
/// with the batch's statistics (updating `state`'s running ones), otherwise
/// with the running statistics. gamma and beta are [C] (Variable() for none).
/// With an activation, relu or leaky_relu of the result as one op in
/// training ("batch_norm_relu", "batch_norm_leaky_relu": no pass of its own
/// over memory, forward or backward), as two otherwise.
Variable batch_norm(const Variable& x, const Variable& gamma, const Variable& beta, BatchNormState& state,
                    bool training, const NormActivation& activation = {});

}  // namespace nabla

#endif  // NABLA_AUTODIFF_NN_OPS_H_
