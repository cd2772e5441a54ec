#include "optim/clip_grad.h"

#include <cmath>
#include <unordered_set>

#include "tensor/elementwise.h"
#include "tensor/reduce.h"

namespace nabla {
namespace optim {
namespace {

// The distinct parameters that have a gradient.
std::vector<Variable> with_gradients(const char* op, const std::vector<Variable>& params) {
  std::vector<Variable> result;
  std::unordered_set<const internal::Node*> seen;
  for (std::size_t i = 0; i < params.size(); ++i) {
    NABLA_CHECK(params[i].defined(), op, ": parameter ", i, " is undefined (default-constructed)");
    if (params[i].grad().defined() && seen.insert(params[i].node().get()).second) result.push_back(params[i]);
  }
  return result;
}

// Installs a new gradient tensor on a leaf: there is no Variable::set_grad,
// and writing through grad() could reach tensors shared with other leaves.
void replace_grad(const Variable& param, Tensor grad) { param.node()->grad = std::move(grad); }

// The norm_type-norm of one gradient, in float64.
double gradient_norm(const Tensor& grad, double norm_type) {
  const Tensor g = grad.astype(kFloat64);
  if (g.numel() == 0) return 0;
  if (std::isinf(norm_type)) return max(abs(g)).item();
  if (norm_type == 2) return std::sqrt(sum(square(g)).item());
  if (norm_type == 1) return sum(abs(g)).item();
  return std::pow(sum(pow(abs(g), norm_type)).item(), 1 / norm_type);
}

}  // namespace

double clip_grad_norm(const std::vector<Variable>& params, double max_norm, double norm_type, bool error_if_nonfinite) {
  NABLA_CHECK(max_norm >= 0, "clip_grad_norm: max_norm must be >= 0, got ", max_norm);
  NABLA_CHECK(norm_type > 0, "clip_grad_norm: norm_type must be > 0 (or infinity), got ", norm_type);
  const std::vector<Variable> clipped = with_gradients("clip_grad_norm", params);
  if (clipped.empty()) return 0;

  // The norm of the per-gradient norms is the norm of all elements together.
  double total = 0;
  for (const Variable& param : clipped) {
    const double norm = gradient_norm(param.grad(), norm_type);
    if (!std::isinf(norm_type)) {
      total += std::pow(norm, norm_type);
    } else if (norm > total || std::isnan(norm)) {
      total = norm;  // a NaN norm makes the total NaN, as PyTorch's max; std::max would drop it
    }
  }
  if (!std::isinf(norm_type)) total = std::pow(total, 1 / norm_type);
  NABLA_CHECK(!error_if_nonfinite || std::isfinite(total), "clip_grad_norm: the total norm of order ", norm_type,
              " of the gradients is ", total, "; it cannot be clipped");

  const double coefficient = max_norm / (total + 1e-6);
  // NaN compares false: a non-finite total scales the gradients, as PyTorch.
  if (coefficient >= 1) return total;
  NoGradGuard no_grad;
  for (const Variable& param : clipped) replace_grad(param, param.grad() * coefficient);
  return total;
}

void clip_grad_value(const std::vector<Variable>& params, double clip_value) {
  NABLA_CHECK(clip_value >= 0, "clip_grad_value: clip_value must be >= 0, got ", clip_value);
  NoGradGuard no_grad;
  for (const Variable& param : with_gradients("clip_grad_value", params)) {
    replace_grad(param, clip(param.grad(), -clip_value, clip_value));
  }
}

}  // namespace optim
}  // namespace nabla
