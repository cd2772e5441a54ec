#ifndef NABLA_AUTODIFF_OPS_H_
#define NABLA_AUTODIFF_OPS_H_

/// Differentiable ops on Variables. Each is defined once in ops.cc (or
/// nn_ops.cc) with its forward and backward side by side, and serves both
/// define-by-run and build-once graphs. Shapes, broadcasting and errors are
/// those of the Tensor op of the same name (tensor/*.h).

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "autodiff/variable.h"

namespace nabla {

// ---- Element-wise, with NumPy broadcasting. ----
Variable add(const Variable& a, const Variable& b);
Variable sub(const Variable& a, const Variable& b);
Variable mul(const Variable& a, const Variable& b);
Variable div(const Variable& a, const Variable& b);
Variable pow(const Variable& a, const Variable& b);
/// Where a == b, each side gets half the gradient.
Variable maximum(const Variable& a, const Variable& b);
Variable minimum(const Variable& a, const Variable& b);
Variable neg(const Variable& x);
Variable pow(const Variable& x, double exponent);
Variable square(const Variable& x);
Variable exp(const Variable& x);
Variable log(const Variable& x);
Variable sqrt(const Variable& x);
Variable abs(const Variable& x);  ///< gradient 0 at 0
Variable sin(const Variable& x);
Variable cos(const Variable& x);
Variable tanh(const Variable& x);
Variable sigmoid(const Variable& x);
Variable softplus(const Variable& x);  ///< log(1 + exp(x)), stable for large |x|
Variable relu(const Variable& x);      ///< gradient 0 at 0
Variable leaky_relu(const Variable& x, double negative_slope = 0.01);
Variable elu(const Variable& x, double alpha = 1.0);
/// Gradient passes where low <= x <= high.
Variable clip(const Variable& x, double low, double high);

Variable operator-(const Variable& x);
Variable operator+(const Variable& a, const Variable& b);
Variable operator-(const Variable& a, const Variable& b);
Variable operator*(const Variable& a, const Variable& b);
Variable operator/(const Variable& a, const Variable& b);
Variable operator+(const Variable& a, double b);
Variable operator-(const Variable& a, double b);
Variable operator*(const Variable& a, double b);
Variable operator/(const Variable& a, double b);
Variable operator+(double a, const Variable& b);
Variable operator-(double a, const Variable& b);
Variable operator*(double a, const Variable& b);
Variable operator/(double a, const Variable& b);

// ---- Linear algebra. ----
/// NumPy matmul, batched with broadcast batch dimensions.
Variable matmul(const Variable& a, const Variable& b);

// ---- Reductions (empty axes: all). ----
Variable sum(const Variable& x, const Axes& axes = {}, bool keepdims = false);
Variable mean(const Variable& x, const Axes& axes = {}, bool keepdims = false);
/// Ties share the gradient equally.
Variable max(const Variable& x, const Axes& axes = {}, bool keepdims = false);
Variable min(const Variable& x, const Axes& axes = {}, bool keepdims = false);
/// log(sum(exp(x))), computed without overflow.
Variable logsumexp(const Variable& x, const Axes& axes = {}, bool keepdims = false);
Variable softmax(const Variable& x, std::int64_t axis = -1);
Variable log_softmax(const Variable& x, std::int64_t axis = -1);

// ---- Shape. ----
Variable broadcast_to(const Variable& x, const Shape& shape);
Variable reshape(const Variable& x, const Shape& shape);
Variable flatten(const Variable& x, std::int64_t start_axis = 0, std::int64_t end_axis = -1);
Variable transpose(const Variable& x, std::int64_t axis0, std::int64_t axis1);
Variable permute(const Variable& x, const std::vector<std::int64_t>& dims);
Variable concat(const std::vector<Variable>& xs, std::int64_t axis = 0);
Variable stack(const std::vector<Variable>& xs, std::int64_t axis = 0);
/// concat({a, b}) of Variables (tensor/indexing.h has the Tensor twins).
inline Variable concat(std::initializer_list<Variable> xs, std::int64_t axis = 0) {
  return concat(std::vector<Variable>(xs), axis);
}
inline Variable stack(std::initializer_list<Variable> xs, std::int64_t axis = 0) {
  return stack(std::vector<Variable>(xs), axis);
}
Variable slice(const Variable& x, std::int64_t axis, std::int64_t start, std::int64_t stop, std::int64_t step = 1);
/// Pads each axis by (before, after) elements of `value`; `padding` lists
/// pairs for the last axes: {{1, 1}, {2, 2}} pads H by 1 and W by 2.
Variable pad(const Variable& x, const std::vector<std::pair<std::int64_t, std::int64_t>>& padding,
             double value = 0);

// ---- Indexing: indices are int64 and not differentiated. ----
/// index_select(table[V, D], 0, ids[B, T]) -> [B, T, D]: an embedding lookup.
Variable index_select(const Variable& x, std::int64_t axis, const Variable& indices);
Variable gather(const Variable& x, std::int64_t axis, const Variable& index);
Variable where(const Variable& condition, const Variable& a, const Variable& b);

}  // namespace nabla

#endif  // NABLA_AUTODIFF_OPS_H_
