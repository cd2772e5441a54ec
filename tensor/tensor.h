#ifndef NABLA_TENSOR_TENSOR_H_
#define NABLA_TENSOR_TENSOR_H_

/// nabla::Tensor: an N-d array of float32, float64 or int64 elements.
///
/// A Tensor is a view: a shape, strides and an offset into shared, 64-byte
/// aligned storage. Copying a Tensor shares the storage (as in PyTorch);
/// `clone()` copies the elements. Views (reshape of a dense tensor,
/// transpose, permute, slice, select, broadcast_to, squeeze, unsqueeze) never
/// copy; `contiguous()` copies only when the view is not already dense.
///
///   Tensor x = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
///   Tensor y = x.transpose(0, 1);          // [3, 2], shares x's storage
///   Tensor z = x + tensor({10, 20, 30});   // broadcast: [2, 3]
///
/// Operations live beside this header: elementwise.h, reduce.h, linalg.h,
/// indexing.h and random.h; "tensor/ops.h" includes them all.
///
/// Every check on arguments throws nabla::Error naming the op and the shapes.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <vector>

#include "tensor/dtype.h"
#include "tensor/error.h"
#include "tensor/shape.h"

namespace nabla {

/// The order in which a dense 4-D [N, C, H, W] tensor keeps its elements:
/// row-major (kContiguous), or with the channels innermost (kChannelsLast,
/// NHWC in memory), PyTorch's torch.channels_last. Values and indexing do not
/// depend on it; oneDNN's convolutions and pooling run fastest on
/// channels-last activations, so on that backend they return them.
enum class MemoryFormat { kContiguous, kChannelsLast };

class Tensor {
 public:
  /// An undefined tensor: holds no storage; most operations on it throw.
  Tensor() = default;

  /// A new dense tensor of this shape with uninitialised elements.
  Tensor(Shape shape, DType dtype);

  bool defined() const { return storage_ != nullptr; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  const Strides& strides() const { return strides_; }
  /// Offset of the first element in the storage, in elements.
  std::int64_t offset() const { return offset_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  /// Size of one dimension; negative axes count from the end.
  std::int64_t dim(std::int64_t axis) const;
  std::int64_t numel() const { return nabla::numel(shape_); }
  /// True when the elements are dense and in row-major order.
  bool is_contiguous() const;
  /// True when the elements are dense in `format`'s order; a channels-last
  /// tensor is 4-D. Sizes of 1 make a tensor dense in both orders.
  bool is_contiguous(MemoryFormat format) const;
  /// kChannelsLast for a channels-last tensor that is not also row-major,
  /// otherwise kContiguous: the format an op's result should keep.
  MemoryFormat suggest_memory_format() const;
  /// True when both tensors view the same storage.
  bool shares_storage_with(const Tensor& other) const { return storage_ == other.storage_; }

  /// Pointer to the first element; T must match dtype() exactly.
  template <typename T>
  T* data();
  template <typename T>
  const T* data() const;

  /// The single element of a one-element tensor, converted to double.
  double item() const;
  /// The element at `index` (one entry per dimension), converted to double.
  double at(std::initializer_list<std::int64_t> index) const;
  /// All elements in row-major order, converted to T.
  template <typename T>
  std::vector<T> to_vector() const;

  // ---- Views: share storage, never copy. ----

  /// Same elements in a new shape; one size may be -1 (inferred). A view when
  /// the tensor is contiguous, otherwise a copy (as torch.reshape).
  Tensor reshape(Shape shape) const;
  /// Merges dimensions [start_axis, end_axis] into one.
  Tensor flatten(std::int64_t start_axis = 0, std::int64_t end_axis = -1) const;
  Tensor transpose(std::int64_t axis0, std::int64_t axis1) const;
  /// Reorders dimensions: result dimension i is this tensor's dims[i].
  Tensor permute(const std::vector<std::int64_t>& dims) const;
  /// Elements start, start+step, ... before stop along `axis`, with Python
  /// slice rules: negative start/stop count from the end, both are clamped.
  Tensor slice(std::int64_t axis, std::int64_t start, std::int64_t stop, std::int64_t step = 1) const;
  /// The sub-tensor at `index` along `axis`, which is removed.
  Tensor select(std::int64_t axis, std::int64_t index) const;
  /// A broadcast view (stride 0 on repeated dimensions); NumPy rules.
  Tensor broadcast_to(const Shape& shape) const;
  /// Removes `axis`, which must have size 1.
  Tensor squeeze(std::int64_t axis) const;
  /// Inserts a dimension of size 1 at `axis` (in [-rank-1, rank]).
  Tensor unsqueeze(std::int64_t axis) const;

  // ---- Copies. ----

  /// This tensor itself when dense, otherwise a dense copy.
  Tensor contiguous() const;
  /// This tensor itself when dense in `format`, otherwise a copy that is.
  /// kChannelsLast needs a 4-D tensor.
  Tensor contiguous(MemoryFormat format) const;
  /// A dense copy that shares nothing with this tensor.
  Tensor clone() const;
  /// A dense copy converted to `dtype` (float to int64 truncates toward 0).
  Tensor astype(DType dtype) const;

  // ---- In place: write through this view into its storage. ----

  /// Sets every element to `value`. Throws for a broadcast view (several
  /// elements share memory) and for a value an int64 tensor cannot hold.
  Tensor& fill_(double value);
  /// Copies `source` (broadcast to this shape, converted to this dtype) in;
  /// `source` may overlap this view. Throws as fill_, and when source's
  /// shape does not broadcast to this one.
  Tensor& copy_(const Tensor& source);

 private:
  Tensor view(Shape shape, Strides strides, std::int64_t offset) const;
  void check_defined(const char* op) const;
  // copy_ and fill_: checks named after `op`, then the (converting) copy.
  void assign(const char* op, const Tensor& source);

  std::shared_ptr<void> storage_;
  DType dtype_ = DType::kFloat32;
  Shape shape_;
  Strides strides_;
  std::int64_t offset_ = 0;
};

/// Prints like NumPy: "tensor([[1, 2], [3, 4]], dtype=float32)"; large
/// tensors are summarised with "...".
std::ostream& operator<<(std::ostream& out, const Tensor& tensor);

// ---- Creation. ----

Tensor empty(const Shape& shape, DType dtype = kFloat32);
/// An uninitialised tensor dense in `format`; kChannelsLast needs a 4-D shape.
Tensor empty(const Shape& shape, DType dtype, MemoryFormat format);
Tensor zeros(const Shape& shape, DType dtype = kFloat32);
Tensor ones(const Shape& shape, DType dtype = kFloat32);
Tensor full(const Shape& shape, double value, DType dtype = kFloat32);
Tensor zeros_like(const Tensor& like);
Tensor ones_like(const Tensor& like);
/// A 0-d tensor holding `value`.
Tensor scalar(double value, DType dtype = kFloat32);
/// start, start+step, ... up to but excluding stop (NumPy's arange).
Tensor arange(double start, double stop, double step = 1, DType dtype = kFloat32);
/// A tensor from values in row-major order; the shape defaults to 1-D.
///   tensor({1, 2, 3, 4}, {2, 2});  tensor({0, 2, 1}, {3}, kInt64);
Tensor tensor(std::initializer_list<double> values, Shape shape = {-1}, DType dtype = kFloat32);
/// As tensor(), from a vector; the dtype follows T.
template <typename T>
Tensor from_vector(const std::vector<T>& values, Shape shape = {-1});

}  // namespace nabla

#endif  // NABLA_TENSOR_TENSOR_H_
