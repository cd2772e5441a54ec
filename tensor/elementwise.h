#ifndef NABLA_TENSOR_ELEMENTWISE_H_
#define NABLA_TENSOR_ELEMENTWISE_H_

/// Element-wise operations with NumPy broadcasting.
///
/// Unary ops return a new dense tensor of the input's shape and dtype.
/// Binary ops broadcast their operands (shapes aligned from the right, each
/// pair of sizes equal or 1) and need equal dtypes; a scalar operand takes
/// the tensor's dtype. Comparisons return 1 or 0 in the operands' dtype, so a
/// mask multiplies directly. Ops marked "float" throw for int64 tensors.
///
///   Tensor y = relu(x * 2.0 - 1.0);
///   Tensor rows_plus_bias = matrix + bias;   // [N, K] + [K] -> [N, K]
///
/// Throws nabla::Error naming the op and both shapes when shapes do not
/// broadcast, and the dtypes when they differ.

#include "tensor/tensor.h"

namespace nabla {

Tensor neg(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);  ///< -1, 0 or 1
Tensor square(const Tensor& x);
Tensor relu(const Tensor& x);  ///< max(x, 0)
Tensor clip(const Tensor& x, double low, double high);
Tensor exp(const Tensor& x);      ///< float
Tensor log(const Tensor& x);      ///< float; -inf at 0, NaN below
Tensor log1p(const Tensor& x);    ///< float; log(1 + x), accurate near 0
Tensor sqrt(const Tensor& x);     ///< float
Tensor tanh(const Tensor& x);     ///< float
Tensor sigmoid(const Tensor& x);  ///< float; 1 / (1 + exp(-x))
Tensor sin(const Tensor& x);      ///< float
Tensor cos(const Tensor& x);      ///< float
Tensor pow(const Tensor& x, double exponent);  ///< float

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
/// Throws for int64 division by zero; int64 division truncates toward 0.
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);  ///< float
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);

Tensor operator-(const Tensor& x);
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);

/// Scalar operands take the tensor's dtype. An int64 tensor takes only
/// whole-number scalars: i * 0.5 throws rather than multiplying by 0.
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);
Tensor operator==(const Tensor& a, double b);
Tensor operator!=(const Tensor& a, double b);
Tensor operator<(const Tensor& a, double b);
Tensor operator<=(const Tensor& a, double b);
Tensor operator>(const Tensor& a, double b);
Tensor operator>=(const Tensor& a, double b);

/// In place: a = a op b, with b broadcast to a's shape (a keeps its shape).
Tensor& operator+=(Tensor& a, const Tensor& b);
Tensor& operator-=(Tensor& a, const Tensor& b);
Tensor& operator*=(Tensor& a, const Tensor& b);
Tensor& operator/=(Tensor& a, const Tensor& b);
Tensor& operator+=(Tensor& a, double b);
Tensor& operator-=(Tensor& a, double b);
Tensor& operator*=(Tensor& a, double b);
Tensor& operator/=(Tensor& a, double b);

}  // namespace nabla

#endif  // NABLA_TENSOR_ELEMENTWISE_H_
