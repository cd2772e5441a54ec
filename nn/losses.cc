#include "nn/losses.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "autodiff/ops.h"
#include "tensor/ops.h"

namespace nabla::nn {
namespace {

// Checks run inside the recorded forward functions below, so that in a
// build-once graph they see the fed shapes when Graph::run computes them.

void check_same_shape(const char* loss, const Tensor& input, const Tensor& target) {
  NABLA_CHECK(input.shape() == target.shape(), loss, ": input ", input.shape(), " and target ", target.shape(),
              " differ in shape");
  NABLA_CHECK(input.dtype() == target.dtype(), loss, ": input is ", input.dtype(), " ", input.shape(), ", target is ",
              target.dtype(), " ", target.shape());
}

// input [N, C] (float) with int64 labels [N], each in [0, C).
void check_labels(const char* loss, const Tensor& input, const Tensor& labels) {
  NABLA_CHECK(input.rank() == 2, loss, ": input must be [N, C], got ", input.shape());
  NABLA_CHECK(is_floating(input.dtype()), loss, ": input must be float, got ", input.dtype());
  NABLA_CHECK(labels.dtype() == kInt64, loss, ": labels must be int64, got ", labels.dtype(), " ", labels.shape());
  NABLA_CHECK(labels.rank() == 1 && labels.dim(0) == input.dim(0), loss, ": labels ", labels.shape(),
              " do not match input ", input.shape(), "; expected [", input.dim(0), "]");
  const std::int64_t classes = input.dim(1);
  const Tensor dense = labels.contiguous();
  const std::int64_t* values = dense.data<std::int64_t>();
  for (std::int64_t i = 0; i < dense.numel(); ++i) {
    NABLA_CHECK(values[i] >= 0 && values[i] < classes, loss, ": label ", values[i], " at index ", i,
                " is out of range for C = ", classes, " classes [0, ", classes, ")");
  }
}

// `input` itself, after checking that `target` has its shape and dtype: the
// element-wise losses would otherwise broadcast [N] against [N, 1] into
// [N, N] without a word.
Variable same_shape(const char* loss, const Variable& input, const Variable& target) {
  return checked_identity(loss, {input, target}, [loss](const Tensors& in) { check_same_shape(loss, in[0], in[1]); });
}

// pos_weight itself, after checking that it broadcasts to the input's shape
// without growing it (PyTorch adds the weighted term in place) and has its dtype.
Variable pos_weight_for(const char* loss, const Variable& pos_weight, const Variable& input) {
  return checked_identity(loss, {pos_weight, input}, [loss](const Tensors& in) {
    const Tensor& weight = in[0];
    const Tensor& x = in[1];
    NABLA_CHECK(broadcasts_to(weight.shape(), x.shape()), loss, ": pos_weight ", weight.shape(),
                " does not broadcast to the input's shape ", x.shape());
    NABLA_CHECK(weight.dtype() == x.dtype(), loss, ": pos_weight is ", weight.dtype(), ", input is ", x.dtype());
  });
}

// input[i, labels[i]] for each sample i -> [N], with the labels validated.
// Backward: g[i] goes to column labels[i] of a zero [N, C].
Variable pick(const char* loss, const Variable& input, const Variable& labels) {
  return record(
      loss, {input, labels},
      [loss](const Tensors& in, Context& c) {
        check_labels(loss, in[0], in[1]);
        const std::int64_t n = in[0].dim(0);
        Tensor index = in[1].reshape({n, 1});
        c.saved = {index};
        return gather(in[0], 1, index).reshape({n});
      },
      [](const Tensor& g, const Context& c) {
        const Tensor& index = c.saved[0];  // [N, 1]
        const Tensor column = g.reshape(index.shape());
        return Tensors{scatter_add(zeros(c.input_shapes[0], g.dtype()), 1, index, column), Tensor()};
      });
}

// Reductions of per-sample losses [N] inside the fused ops, and the
// gradient of the reduced value with respect to each sample's loss:
// [N, 1] for kNone (broadcast over classes), a scalar otherwise.
Tensor reduce_samples(const Tensor& per_sample, Reduction reduction) {
  switch (reduction) {
    case Reduction::kNone:
      return per_sample;
    case Reduction::kSum:
      return sum(per_sample);
    case Reduction::kMean:
    case Reduction::kBatchMean:
      return mean(per_sample);
  }
  throw Error("reduce_loss: invalid reduction");
}

Tensor sample_gradient(const Tensor& g, Reduction reduction, std::int64_t n) {
  switch (reduction) {
    case Reduction::kNone:
      return g.reshape({n, 1});
    case Reduction::kSum:
      return g;
    case Reduction::kMean:
    case Reduction::kBatchMean:
      return g / static_cast<double>(n);
  }
  throw Error("reduce_loss: invalid reduction");
}

}  // namespace

Variable reduce_loss(const Variable& losses, Reduction reduction) {
  switch (reduction) {
    case Reduction::kNone:
      return losses;
    case Reduction::kSum:
      return sum(losses);
    case Reduction::kMean:
      return mean(losses);
    case Reduction::kBatchMean:
      return sum(mean(losses, {0}));  // Σ / N without knowing the rank
  }
  throw Error("reduce_loss: invalid reduction");
}

// ---- Regression. ----

Variable mse_loss(const Variable& input, const Variable& target, Reduction reduction) {
  return reduce_loss(square(same_shape("mse_loss", input, target) - target), reduction);
}

Variable l1_loss(const Variable& input, const Variable& target, Reduction reduction) {
  return reduce_loss(abs(same_shape("l1_loss", input, target) - target), reduction);
}

Variable huber_loss(const Variable& input, const Variable& target, const HuberOptions& options) {
  const double delta = options.delta;
  NABLA_CHECK(delta > 0, "huber_loss: delta must be positive, got ", delta);
  const Variable distance = abs(same_shape("huber_loss", input, target) - target);
  // With q = min(|d|, delta): q·(|d| - 0.5·q) is 0.5·d² inside and
  // delta·(|d| - 0.5·delta) outside, with no branch to differentiate and,
  // for delta = inf, no inf·0.
  const Variable q = clip(distance, 0, delta);
  return reduce_loss(q * (distance - 0.5 * q), options.reduction);
}

Variable log_cosh_loss(const Variable& input, const Variable& target, Reduction reduction) {
  // cosh(d) = e^|d| (1 + e^-2|d|) / 2, so log cosh d = |d| + softplus(-2|d|) - log 2:
  // no exp of a large argument.
  const Variable distance = abs(same_shape("log_cosh_loss", input, target) - target);
  return reduce_loss(distance + softplus(-2.0 * distance) - std::log(2.0), reduction);
}

Variable poisson_nll_loss(const Variable& input, const Variable& target, const PoissonNllOptions& options) {
  const Variable x = same_shape("poisson_nll_loss", input, target);
  const Variable losses = options.log_input ? exp(x) - target * x : x - target * log(x + options.eps);
  return reduce_loss(losses, options.reduction);
}

// ---- Classification. ----

// The hot path of classification training, so one fused op: forward is
// log_softmax (shifted by the row maximum: finite for any logits) and a
// gather; backward is (softmax - target) scaled by the reduction, without
// the [N, C] intermediates a composition would keep.
Variable cross_entropy(const Variable& logits, const Variable& target, const CrossEntropyOptions& options) {
  const double smoothing = options.label_smoothing;
  const Reduction reduction = options.reduction;
  NABLA_CHECK(smoothing >= 0 && smoothing <= 1, "cross_entropy: label_smoothing must be in [0, 1], got ", smoothing);
  return record(
      "cross_entropy", {logits, target},
      [smoothing, reduction](const Tensors& in, Context& c) {
        const Tensor& x = in[0];  // [N, C]
        const Tensor& t = in[1];  // labels [N] or probabilities [N, C]
        NABLA_CHECK(x.rank() == 2, "cross_entropy: logits must be [N, C], got ", x.shape());
        NABLA_CHECK(is_floating(x.dtype()), "cross_entropy: logits must be float, got ", x.dtype());
        const std::int64_t n = x.dim(0);
        NABLA_CHECK(x.dim(1) > 0, "cross_entropy: logits ", x.shape(), " have no classes");
        const double classes = static_cast<double>(x.dim(1));
        const Tensor shifted = x - max(x, {1}, true);
        Tensor log_probs = shifted - log(sum(exp(shifted), {1}, true));  // [N, C]
        Tensor per_sample;                                               // [N]
        if (t.dtype() == kInt64) {
          check_labels("cross_entropy", x, t);
          Tensor index = t.reshape({n, 1});
          per_sample = -gather(log_probs, 1, index).reshape({n});
          // q = (1 - s)·onehot + s/C: -Σ q·logp = (1 - s)·(-logp_y) - s/C·Σ logp
          if (smoothing > 0) per_sample = (1 - smoothing) * per_sample - (smoothing / classes) * sum(log_probs, {1});
          c.saved = {log_probs, index};
        } else {
          NABLA_CHECK(t.shape() == x.shape(), "cross_entropy: probability target ", t.shape(),
                      " does not match logits ", x.shape(), " (class labels must be int64 [N])");
          NABLA_CHECK(t.dtype() == x.dtype(), "cross_entropy: target is ", t.dtype(), ", logits are ", x.dtype());
          Tensor q = smoothing > 0 ? (1 - smoothing) * t + smoothing / classes : t;
          per_sample = -sum(q * log_probs, {1});
          c.saved = {log_probs, q};
        }
        return reduce_samples(per_sample, reduction);
      },
      [smoothing, reduction](const Tensor& g, const Context& c) {
        const Tensor& log_probs = c.saved[0];  // [N, C]
        const std::int64_t n = log_probs.dim(0);
        const double classes = static_cast<double>(log_probs.dim(1));
        const Tensor scale = sample_gradient(g, reduction, n);  // [N, 1] or []
        const Tensor probs = exp(log_probs);
        Tensors grads(2);
        if (c.saved[1].dtype() == kInt64) {
          // d/dx = softmax - q = softmax - s/C - (1 - s)·onehot(y)
          const Tensor& index = c.saved[1];  // [N, 1]
          const Tensor spread = smoothing > 0 ? probs - smoothing / classes : probs;
          grads[0] = scatter_add(spread, 1, index, full({n, 1}, -(1 - smoothing), probs.dtype())) * scale;
          return grads;
        }
        const Tensor& q = c.saved[1];
        // d/dx of -Σ q·logp = softmax·Σq - q (Σq = 1 for a distribution).
        if (c.needs_grad[0]) grads[0] = (probs * sum(q, {1}, true) - q) * scale;
        // d/dt = -(1 - s)·logp
        if (c.needs_grad[1]) grads[1] = (-(1 - smoothing) * log_probs) * scale;
        return grads;
      });
}

Variable nll_loss(const Variable& log_probs, const Variable& labels, Reduction reduction) {
  return reduce_loss(-pick("nll_loss", log_probs, labels), reduction);
}

Variable binary_cross_entropy_with_logits(const Variable& logits, const Variable& target,
                                          const BceWithLogitsOptions& options) {
  const Variable x = same_shape("binary_cross_entropy_with_logits", logits, target);
  const Variable& y = target;
  if (!options.pos_weight.defined()) {
    // -[y·log σ(x) + (1 - y)·log σ(-x)] = softplus(x) - x·y
    return reduce_loss(softplus(x) - x * y, options.reduction);
  }
  // -log σ(x) = softplus(-x) and -log σ(-x) = x + softplus(-x), so
  // pw·y·softplus(-x) + (1 - y)·(x + softplus(-x)) = (1 - y)·x + (1 + (pw - 1)·y)·softplus(-x).
  const Variable pw = pos_weight_for("binary_cross_entropy_with_logits", options.pos_weight, x);
  return reduce_loss((1.0 - y) * x + (1.0 + (pw - 1.0) * y) * softplus(-x), options.reduction);
}

// A dedicated op: excluding j = y needs C, which a build-once graph only
// knows at run time, and the labels must be checked then too.
Variable multi_margin_loss(const Variable& input, const Variable& labels, const MultiMarginOptions& options) {
  const int p = options.p;
  const double margin = options.margin;
  const Reduction reduction = options.reduction;
  NABLA_CHECK(p == 1 || p == 2, "multi_margin_loss: p must be 1 or 2, got ", p);
  return record(
      "multi_margin_loss", {input, labels},
      [p, margin, reduction](const Tensors& in, Context& c) {
        const Tensor& x = in[0];  // [N, C]
        check_labels("multi_margin_loss", x, in[1]);
        const std::int64_t n = x.dim(0);
        const double classes = static_cast<double>(x.dim(1));
        Tensor index = in[1].reshape({n, 1});
        // margin - (x_y - x_j): exactly margin at j = y, whatever x's size,
        // so subtracting relu(margin) there leaves an exact 0.
        Tensor hinge = relu(margin - (gather(x, 1, index) - x));  // [N, C]
        hinge = scatter_add(hinge, 1, index, full({n, 1}, -std::max(margin, 0.0), x.dtype()));
        // w = d(hinge^p / C)/d(hinge) where hinge > 0 (0 at j = y).
        Tensor weight = p == 1 ? (hinge > 0.0) / classes : hinge * (2.0 / classes);
        c.saved = {weight, index};
        const Tensor per_sample = sum(p == 1 ? hinge : square(hinge), {1}) / classes;  // [N]
        return reduce_samples(per_sample, reduction);
      },
      [reduction](const Tensor& g, const Context& c) {
        const Tensor& weight = c.saved[0];  // [N, C]
        const Tensor& index = c.saved[1];   // [N, 1]
        const std::int64_t n = weight.dim(0);
        // x_j (j != y) gets w_j; x_y gets -Σ_j w_j.
        const Tensor grad = scatter_add(weight, 1, index, -sum(weight, {1}, true));
        return Tensors{grad * sample_gradient(g, reduction, n), Tensor()};
      });
}

// ---- Distributions. ----

Variable kl_div(const Variable& input, const Variable& target, const KlDivOptions& options) {
  const Variable x = same_shape("kl_div", input, target);
  if (options.log_target) return reduce_loss(exp(target) * (target - x), options.reduction);
  // t·log t is taken as 0 at t = 0; clipping t inside the log keeps
  // 0·log(0) = NaN out of the value and the gradients.
  constexpr double kTiny = std::numeric_limits<float>::min();
  const Variable log_target = log(clip(target, kTiny, std::numeric_limits<double>::infinity()));
  return reduce_loss(target * (log_target - x), options.reduction);
}

}  // namespace nabla::nn
