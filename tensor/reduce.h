#ifndef NABLA_TENSOR_REDUCE_H_
#define NABLA_TENSOR_REDUCE_H_

/// Reductions over any set of axes, and sum_to, the inverse of broadcasting.
///
/// `axes` lists the axes to reduce (negative counts from the end); an empty
/// list reduces every axis. With `keepdims` the reduced axes stay as size 1,
/// so the result broadcasts against the input:
///
///   Tensor x = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
///   sum(x, {1});             // [6, 15]
///   mean(x, {0}, true);      // [[2.5, 3.5, 4.5]], shape [1, 3]
///   argmax(x, 1);            // [2, 2] (int64)
///
/// Sums run in a fixed order of fixed-size pieces, so results do not depend
/// on the thread count. Throws nabla::Error for axes out of range or
/// repeated, and for max/min/argmax over an axis of size 0.

#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace nabla {

using Axes = std::vector<std::int64_t>;

Tensor sum(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
/// Float tensors only; the mean over zero elements is NaN (as NumPy).
Tensor mean(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor max(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
Tensor min(const Tensor& x, const Axes& axes = {}, bool keepdims = false);
/// Index (int64) of the first largest element along `axis`.
Tensor argmax(const Tensor& x, std::int64_t axis, bool keepdims = false);
/// Index (int64) of the first smallest element along `axis`.
Tensor argmin(const Tensor& x, std::int64_t axis, bool keepdims = false);

/// Sums `x` down to `shape`, which must broadcast to x's shape: the gradient
/// of broadcast_to. sum_to(ones({4, 3}), {3}) is [4, 4, 4].
Tensor sum_to(const Tensor& x, const Shape& shape);

}  // namespace nabla

#endif  // NABLA_TENSOR_REDUCE_H_
