#ifndef NABLA_NN_REGULARIZERS_H_
#define NABLA_NN_REGULARIZERS_H_

/// Weight penalties to add to a loss, with Keras's conventions (no ½ factor):
///
///   l1(params, λ)        = λ·Σ_p Σ |p|
///   l2(params, λ)        = λ·Σ_p Σ p²      (its gradient is 2λ·p)
///   l1_l2(params, a, b)  = l1(params, a) + l2(params, b)
///
///   Variable loss = cross_entropy(model(x), y) + l2(model.parameters(), 1e-4);
///
/// Each returns a differentiable scalar Variable in the parameters' dtype; for
/// an empty list, a float32 constant 0. Throws nabla::Error for a negative or
/// non-finite lambda and for an undefined parameter. Note that an l2 penalty
/// of λ equals SGD weight decay of 2λ.

#include <vector>

#include "autodiff/variable.h"

namespace nabla::nn {

Variable l1(const std::vector<Variable>& params, double lambda);
Variable l2(const std::vector<Variable>& params, double lambda);
Variable l1_l2(const std::vector<Variable>& params, double l1_lambda, double l2_lambda);

}  // namespace nabla::nn

#endif  // NABLA_NN_REGULARIZERS_H_
