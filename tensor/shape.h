#ifndef NABLA_TENSOR_SHAPE_H_
#define NABLA_TENSOR_SHAPE_H_

/// Shapes, strides and the NumPy broadcasting rules.

#include <cstdint>
#include <optional>
#include <ostream>

#include "absl/container/inlined_vector.h"

namespace nabla {

/// Sizes of each dimension, outermost first. A scalar has the empty shape.
/// Up to six dimensions live inside the object: every op builds and copies
/// several shapes, and a heap allocation each was most of a small op's cost.
using Shape = absl::InlinedVector<std::int64_t, 6>;
/// Distance in elements between neighbours along each dimension.
using Strides = absl::InlinedVector<std::int64_t, 6>;

/// Prints a shape as "[2, 3]".
std::ostream& operator<<(std::ostream& out, const Shape& shape);

/// Number of elements: the product of the sizes (1 for a scalar).
std::int64_t numel(const Shape& shape);

/// The product of `sizes` (1 for none), or nothing when it overflows int64,
/// for callers that report an overflow in their op's words.
std::optional<std::int64_t> checked_product(const Shape& sizes);

/// Row-major strides of a dense tensor of this shape.
Strides contiguous_strides(const Shape& shape);

/// Maps a possibly negative axis (-1 is the last) into [0, rank); throws an
/// Error naming `op`, the axis and the shape when it is out of range.
int normalize_axis(const char* op, std::int64_t axis, const Shape& shape);

/// Whether `from` broadcasts to `to` unchanged (NumPy's broadcast_to):
/// aligned from the right, each size of `from` 1 or equal to `to`'s.
bool broadcasts_to(const Shape& from, const Shape& to);

/// The NumPy broadcast of two shapes: aligned from the right, each pair of
/// sizes equal or one of them 1. Throws an Error naming `op` and both shapes.
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);

}  // namespace nabla

#endif  // NABLA_TENSOR_SHAPE_H_
