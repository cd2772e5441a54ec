#include "nn/regularizers.h"

#include <cmath>

#include "autodiff/ops.h"

namespace nabla::nn {
namespace {

// λ·Σ_p Σ penalty(p), summed per parameter first so that parameters of
// different shapes need no broadcasting.
template <typename Penalty>
Variable penalize(const char* op, const std::vector<Variable>& params, double lambda, Penalty penalty) {
  NABLA_CHECK(std::isfinite(lambda) && lambda >= 0, op, ": lambda must be finite and non-negative, got ", lambda);
  Variable total;
  for (std::size_t i = 0; i < params.size(); ++i) {
    NABLA_CHECK(params[i].defined(), op, ": parameter ", i, " is undefined (default-constructed)");
    const Variable term = sum(penalty(params[i]));
    total = total.defined() ? total + term : term;
  }
  if (!total.defined()) return Variable(scalar(0.0));
  return total * lambda;
}

}  // namespace

Variable l1(const std::vector<Variable>& params, double lambda) {
  return penalize("l1", params, lambda, [](const Variable& p) { return abs(p); });
}

Variable l2(const std::vector<Variable>& params, double lambda) {
  return penalize("l2", params, lambda, [](const Variable& p) { return square(p); });
}

Variable l1_l2(const std::vector<Variable>& params, double l1_lambda, double l2_lambda) {
  NABLA_CHECK(std::isfinite(l1_lambda) && l1_lambda >= 0, "l1_l2: l1 lambda must be finite and non-negative, got ",
              l1_lambda);
  NABLA_CHECK(std::isfinite(l2_lambda) && l2_lambda >= 0, "l1_l2: l2 lambda must be finite and non-negative, got ",
              l2_lambda);
  return l1(params, l1_lambda) + l2(params, l2_lambda);
}

}  // namespace nabla::nn
