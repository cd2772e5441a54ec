#ifndef NABLA_NN_LOSSES_H_
#define NABLA_NN_LOSSES_H_

/// Loss functions on Variables, with PyTorch's semantics (torch.nn.functional).
///
/// Each loss returns a Variable: a scalar for Reduction::kMean, kSum and
/// kBatchMean, the per-element (or per-sample) losses for kNone. All are
/// differentiable, work define-by-run and in build-once graphs (checks then
/// run in Graph::run), and stay finite for logits of ±1000.
///
///   Variable loss = cross_entropy(matmul(x, w) + b, labels);   // labels: int64 [N]
///   Variable total = mse_loss(prediction, target, Reduction::kSum);
///
/// Shapes: element-wise losses need input and target of the same shape;
/// classification losses take input [N, C] and int64 labels [N], each in
/// [0, C). Throws nabla::Error naming the loss and both shapes on a shape
/// mismatch, and the loss, the bad label and C on a label out of range.

#include "autodiff/variable.h"

namespace nabla::nn {

/// How per-element losses are combined.
enum class Reduction {
  kMean,       ///< the mean over every element (over samples for per-sample losses)
  kSum,        ///< the sum
  kNone,       ///< no reduction: one loss per element / sample
  kBatchMean,  ///< the sum divided by the first dimension, the batch size (kl_div's true mean)
};

// ---- Regression. ----

/// Mean squared error ("quadratic cost"): (input - target)².
Variable mse_loss(const Variable& input, const Variable& target, Reduction reduction = Reduction::kMean);

/// Mean absolute error: |input - target|; gradient 0 where they are equal.
Variable l1_loss(const Variable& input, const Variable& target, Reduction reduction = Reduction::kMean);

struct HuberOptions {
  Reduction reduction = Reduction::kMean;
  /// Where the loss turns from quadratic to linear; must be positive.
  double delta = 1.0;
};

/// Huber loss, with d = input - target: 0.5·d² where |d| <= delta, else
/// delta·(|d| - 0.5·delta).
Variable huber_loss(const Variable& input, const Variable& target, const HuberOptions& options = {});

/// log(cosh(input - target)), computed as |d| + softplus(-2|d|) - log 2 so
/// that it does not overflow for large |d|. Gradient: tanh(d).
Variable log_cosh_loss(const Variable& input, const Variable& target, Reduction reduction = Reduction::kMean);

/// Poisson negative log likelihood without the constant log(target!) term.
struct PoissonNllOptions {
  Reduction reduction = Reduction::kMean;
  /// true: input is log(rate), loss exp(input) - target·input.
  /// false: input is the rate, loss input - target·log(input + eps).
  bool log_input = true;
  double eps = 1e-8;
};

Variable poisson_nll_loss(const Variable& input, const Variable& target, const PoissonNllOptions& options = {});

// ---- Classification. ----

struct CrossEntropyOptions {
  Reduction reduction = Reduction::kMean;
  /// In [0, 1]: the target becomes (1 - s)·target + s / C (PyTorch's label_smoothing).
  double label_smoothing = 0.0;
};

/// Softmax cross-entropy of logits [N, C] against either
///   - class labels: int64 [N], each in [0, C), or
///   - class probabilities (one-hot or soft): float [N, C], same dtype as logits;
/// the target's dtype chooses. Per sample: -Σ_c target_c · log_softmax(logits)_c.
/// kMean averages over the N samples. One fused op (log_softmax + gather
/// forward, (softmax - target) backward), stable for any logit magnitude.
///
///   Variable loss = cross_entropy(logits, labels);
///   CrossEntropyOptions smooth;
///   smooth.label_smoothing = 0.1;
///   Variable smoothed = cross_entropy(logits, labels, smooth);
Variable cross_entropy(const Variable& logits, const Variable& target, const CrossEntropyOptions& options = {});

/// Negative log likelihood: -log_probs[i, labels[i]] for log_probs [N, C]
/// (e.g. from log_softmax) and int64 labels [N] in [0, C).
Variable nll_loss(const Variable& log_probs, const Variable& labels, Reduction reduction = Reduction::kMean);

struct BceWithLogitsOptions {
  Reduction reduction = Reduction::kMean;
  /// Weight of the positive term, broadcast to the input's shape, which it
  /// may not grow (one per class: shape [C]); of the input's dtype;
  /// undefined for none (weight 1).
  Variable pos_weight = Variable();
};

/// Binary cross-entropy on logits x against targets y in [0, 1] (same
/// shape): -[pw·y·log σ(x) + (1 - y)·log(1 - σ(x))], computed as
/// (1 - y)·x + (1 + (pw - 1)·y)·softplus(-x), which never overflows; without
/// pos_weight that is max(x, 0) - x·y + log1p(exp(-|x|)).
Variable binary_cross_entropy_with_logits(const Variable& logits, const Variable& target,
                                          const BceWithLogitsOptions& options = {});

struct MultiMarginOptions {
  Reduction reduction = Reduction::kMean;
  /// 1: the multiclass hinge (SVM) loss; 2: the squared hinge.
  int p = 1;
  double margin = 1.0;
};

/// PyTorch's MultiMarginLoss on scores [N, C] and int64 labels [N]: per
/// sample, Σ_{j != y} max(0, margin - x_y + x_j)^p / C.
Variable multi_margin_loss(const Variable& input, const Variable& labels, const MultiMarginOptions& options = {});

// ---- Distributions. ----

struct KlDivOptions {
  /// PyTorch's default is kMean (over every element); kBatchMean gives the
  /// KL divergence per sample.
  Reduction reduction = Reduction::kMean;
  /// true: target holds log-probabilities too.
  bool log_target = false;
};

/// Kullback-Leibler divergence with PyTorch's argument order: `input` holds
/// log-probabilities, `target` probabilities (same shape). Element-wise
/// target·(log target - input), 0 where target is 0.
///
///   Variable kl = kl_div(log_softmax(student), softmax(teacher), {Reduction::kBatchMean});
Variable kl_div(const Variable& input, const Variable& target, const KlDivOptions& options = {});

/// Applies `reduction` to a tensor of per-element losses.
Variable reduce_loss(const Variable& losses, Reduction reduction);

}  // namespace nabla::nn

#endif  // NABLA_NN_LOSSES_H_
