#ifndef NABLA_TENSOR_INDEXING_H_
#define NABLA_TENSOR_INDEXING_H_

/// Joining, selecting by index, and masks.

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "tensor/tensor.h"

namespace nabla {

/// Joins tensors along an existing axis; all other sizes and the dtypes
/// must agree. concat({[2, 3], [4, 3]}, 0) -> [6, 3].
Tensor concat(const std::vector<Tensor>& tensors, std::int64_t axis = 0);

/// Joins equal-shaped tensors along a new axis. stack({[3], [3]}, 0) -> [2, 3].
Tensor stack(const std::vector<Tensor>& tensors, std::int64_t axis = 0);

/// The braced forms concat({a, b}) and stack({a, b}): without them the call
/// is ambiguous wherever autodiff's Variable overloads are also visible.
inline Tensor concat(std::initializer_list<Tensor> tensors, std::int64_t axis = 0) {
  return concat(std::vector<Tensor>(tensors), axis);
}
inline Tensor stack(std::initializer_list<Tensor> tensors, std::int64_t axis = 0) {
  return stack(std::vector<Tensor>(tensors), axis);
}

/// NumPy's take along an axis: the entries of x at `indices` (int64, any
/// shape, each in [0, size)) along `axis`. The result's shape is x's with
/// that axis replaced by indices' shape, so an embedding lookup is
/// index_select(table[V, D], 0, ids[B, T]) -> [B, T, D].
Tensor index_select(const Tensor& x, std::int64_t axis, const Tensor& indices);

/// The adjoint of index_select: a copy of x with each slice of `source`
/// added at its index along `axis`; repeated indices add up. `source` has
/// index_select(x, axis, indices)'s shape.
Tensor index_add(const Tensor& x, std::int64_t axis, const Tensor& indices, const Tensor& source);

/// PyTorch's gather: out[i][j][k] = x[i][index[i][j][k]][k] for axis 1.
/// `index` (int64) has x's rank and no larger size on any other axis; the
/// result has index's shape.
Tensor gather(const Tensor& x, std::int64_t axis, const Tensor& index);

/// The adjoint of gather: a copy of x with source[i][j][k] added at
/// [i][index[i][j][k]][k] for axis 1; `source` has index's shape.
Tensor scatter_add(const Tensor& x, std::int64_t axis, const Tensor& index, const Tensor& source);

/// Element-wise choice with broadcasting: a where `condition` is non-zero,
/// else b. `condition` may have any dtype; a and b share one.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);

/// labels (int64, any shape, each in [0, num_classes)) as one-hot vectors:
/// shape labels.shape() + [num_classes].
Tensor one_hot(const Tensor& labels, std::int64_t num_classes, DType dtype = kFloat32);

}  // namespace nabla

#endif  // NABLA_TENSOR_INDEXING_H_
