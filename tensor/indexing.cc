#include "tensor/indexing.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "tensor/internal/int64.h"
#include "tensor/internal/strided_loop.h"

namespace nabla {
namespace {

// Checks every index is in [0, size) before any is used, so that a bad one
// never reads out of bounds or leaves a partly filled result.
// `context` ends the message, e.g. "for axis 1 of shape [2, 3]".
void check_indices(const char* op, const Tensor& indices, std::int64_t size, const std::string& context) {
  NABLA_CHECK(indices.defined(), op, ": the index tensor is undefined (default-constructed)");
  NABLA_CHECK(indices.dtype() == kInt64, op, ": indices must be int64, got ", indices.dtype(), " of shape ",
              indices.shape());
  const std::vector<std::int64_t> values = indices.to_vector<std::int64_t>();
  for (std::size_t i = 0; i < values.size(); ++i) {
    NABLA_CHECK(values[i] >= 0 && values[i] < size, op, ": index ", values[i], " (at flat position ", i,
                ") of indices ", indices.shape(), " is out of range [0, ", size, ") ", context);
  }
}

}  // namespace

Tensor concat(const std::vector<Tensor>& tensors, std::int64_t axis) {
  NABLA_CHECK(!tensors.empty(), "concat: needs at least one tensor");
  for (const Tensor& t : tensors) NABLA_CHECK(t.defined(), "concat: a tensor is undefined (default-constructed)");
  const Tensor& first = tensors.front();
  NABLA_CHECK(first.rank() > 0, "concat: cannot join 0-d tensors (shape ", first.shape(), "); use stack");
  const int a = normalize_axis("concat", axis, first.shape());
  Shape shape = first.shape();
  shape[a] = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    NABLA_CHECK(t.dtype() == first.dtype(), "concat: tensor ", i, " is ", t.dtype(), " ", t.shape(), ", tensor 0 is ",
                first.dtype(), " ", first.shape());
    bool same = t.rank() == first.rank();
    for (int d = 0; d < first.rank() && same; ++d) same = d == a || t.shape()[d] == first.shape()[d];
    NABLA_CHECK(same, "concat: tensor ", i, " has shape ", t.shape(), ", which differs from tensor 0's ",
                first.shape(), " outside axis ", axis);
    NABLA_CHECK(!__builtin_add_overflow(shape[a], t.shape()[a], &shape[a]), "concat: the sizes along axis ", axis,
                " add up to more than int64 holds (tensor ", i, " is ", t.shape(), ")");
  }
  Tensor result(shape, first.dtype());
  std::int64_t start = 0;
  for (const Tensor& t : tensors) {
    result.slice(a, start, start + t.shape()[a]).copy_(t);
    start += t.shape()[a];
  }
  return result;
}

Tensor stack(const std::vector<Tensor>& tensors, std::int64_t axis) {
  NABLA_CHECK(!tensors.empty(), "stack: needs at least one tensor");
  if (tensors[0].defined()) {
    const auto rank = static_cast<std::int64_t>(tensors[0].rank());
    NABLA_CHECK(axis >= -rank - 1 && axis <= rank, "stack: axis ", axis, " is out of range for tensors of shape ",
                tensors[0].shape());
  }
  std::vector<Tensor> expanded;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    NABLA_CHECK(tensors[i].defined(), "stack: tensor ", i, " is undefined (default-constructed)");
    NABLA_CHECK(tensors[i].shape() == tensors[0].shape(), "stack: tensor ", i, " has shape ", tensors[i].shape(),
                ", tensor 0 has ", tensors[0].shape());
    expanded.push_back(tensors[i].unsqueeze(axis));
  }
  return concat(expanded, axis);
}

Tensor index_select(const Tensor& x, std::int64_t axis, const Tensor& indices) {
  NABLA_CHECK(x.defined(), "index_select: the tensor is undefined (default-constructed)");
  const int a = normalize_axis("index_select", axis, x.shape());
  check_indices("index_select", indices, x.shape()[a],
                internal::concat_message("for axis ", axis, " of shape ", x.shape()));
  const Shape& shape = x.shape();
  Shape out_shape(shape.begin(), shape.begin() + a);
  out_shape.insert(out_shape.end(), indices.shape().begin(), indices.shape().end());
  out_shape.insert(out_shape.end(), shape.begin() + a + 1, shape.end());
  const std::int64_t outer = numel(Shape(shape.begin(), shape.begin() + a));
  const std::int64_t size = shape[a];
  const std::int64_t inner = numel(Shape(shape.begin() + a + 1, shape.end()));
  const std::int64_t count = indices.numel();
  const Tensor dense = x.contiguous();
  const Tensor dense_indices = indices.contiguous();
  const std::int64_t* index = dense_indices.data<std::int64_t>();
  Tensor result(out_shape, x.dtype());
  const std::size_t row_bytes = static_cast<std::size_t>(inner) * dtype_size(x.dtype());
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* source = dense.data<T>();
    T* out = result.data<T>();
    internal::parallel_for(outer * count, outer * count * inner, [&](std::int64_t task) {
      const std::int64_t o = task / count;
      std::memcpy(out + task * inner, source + (o * size + index[task % count]) * inner, row_bytes);
    });
  });
  return result;
}

Tensor gather(const Tensor& x, std::int64_t axis, const Tensor& index) {
  NABLA_CHECK(x.defined(), "gather: the tensor is undefined (default-constructed)");
  const int a = normalize_axis("gather", axis, x.shape());
  NABLA_CHECK(index.defined(), "gather: the index tensor is undefined (default-constructed)");
  NABLA_CHECK(index.rank() == x.rank(), "gather: index of shape ", index.shape(), " needs the rank of x ", x.shape());
  for (int d = 0; d < x.rank(); ++d) {
    NABLA_CHECK(d == a || index.shape()[d] <= x.shape()[d], "gather: index of shape ", index.shape(),
                " is larger than x ", x.shape(), " on axis ", d);
  }
  check_indices("gather", index, x.shape()[a], internal::concat_message("for axis ", axis, " of shape ", x.shape()));
  const Tensor dense_index = index.contiguous();
  const std::int64_t* positions = dense_index.data<std::int64_t>();
  Tensor result(index.shape(), x.dtype());
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* source = x.data<T>();
    T* out = result.data<T>();
    const Shape& shape = index.shape();
    std::vector<std::int64_t> counter(shape.size(), 0);
    for (std::int64_t i = 0; i < result.numel(); ++i) {
      std::int64_t offset = 0;
      for (int d = 0; d < x.rank(); ++d) offset += (d == a ? positions[i] : counter[d]) * x.strides()[d];
      out[i] = source[offset];
      for (int d = x.rank() - 1; d >= 0 && ++counter[d] == shape[d]; --d) counter[d] = 0;
    }
  });
  return result;
}

Tensor index_add(const Tensor& x, std::int64_t axis, const Tensor& indices, const Tensor& source) {
  NABLA_CHECK(x.defined() && source.defined(), "index_add: an operand is undefined (default-constructed)");
  const int a = normalize_axis("index_add", axis, x.shape());
  check_indices("index_add", indices, x.shape()[a], internal::concat_message("for axis ", axis, " of shape ", x.shape()));
  const Shape& shape = x.shape();
  Shape expected(shape.begin(), shape.begin() + a);
  expected.insert(expected.end(), indices.shape().begin(), indices.shape().end());
  expected.insert(expected.end(), shape.begin() + a + 1, shape.end());
  NABLA_CHECK(source.shape() == expected && source.dtype() == x.dtype(), "index_add: source ", source.dtype(), " ",
              source.shape(), " does not match ", x.dtype(), " ", expected, " for x ", shape, " and indices ",
              indices.shape());
  const std::int64_t outer = numel(Shape(shape.begin(), shape.begin() + a));
  const std::int64_t size = shape[a];
  const std::int64_t inner = numel(Shape(shape.begin() + a + 1, shape.end()));
  const std::int64_t count = indices.numel();
  const Tensor dense_indices = indices.contiguous();
  const Tensor dense_source = source.contiguous();
  const std::int64_t* index = dense_indices.data<std::int64_t>();
  Tensor result = x.clone();
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = dense_source.data<T>();
    T* out = result.data<T>();
    // Parallel over the outer blocks only: within one, indices may repeat.
    internal::parallel_for(outer, outer * count * inner, [&](std::int64_t o) {
      for (std::int64_t j = 0; j < count; ++j) {
        T* row = out + (o * size + index[j]) * inner;
        const T* add = in + (o * count + j) * inner;
        for (std::int64_t e = 0; e < inner; ++e) row[e] = internal::wrapping_add(row[e], add[e]);
      }
    });
  });
  return result;
}

Tensor scatter_add(const Tensor& x, std::int64_t axis, const Tensor& index, const Tensor& source) {
  NABLA_CHECK(x.defined() && source.defined(), "scatter_add: an operand is undefined (default-constructed)");
  const int a = normalize_axis("scatter_add", axis, x.shape());
  NABLA_CHECK(index.defined(), "scatter_add: the index tensor is undefined (default-constructed)");
  NABLA_CHECK(index.rank() == x.rank(), "scatter_add: index of shape ", index.shape(), " needs the rank of x ",
              x.shape());
  for (int d = 0; d < x.rank(); ++d) {
    NABLA_CHECK(d == a || index.shape()[d] <= x.shape()[d], "scatter_add: index of shape ", index.shape(),
                " is larger than x ", x.shape(), " on axis ", d);
  }
  NABLA_CHECK(source.shape() == index.shape() && source.dtype() == x.dtype(), "scatter_add: source ", source.dtype(),
              " ", source.shape(), " needs index's shape ", index.shape(), " and x's dtype ", x.dtype());
  check_indices("scatter_add", index, x.shape()[a], internal::concat_message("for axis ", axis, " of shape ", x.shape()));
  const Tensor dense_index = index.contiguous();
  const Tensor dense_source = source.contiguous();
  const std::int64_t* positions = dense_index.data<std::int64_t>();
  Tensor result = x.clone();
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = dense_source.data<T>();
    T* out = result.data<T>();
    const Shape& shape = index.shape();
    std::vector<std::int64_t> counter(shape.size(), 0);
    for (std::int64_t i = 0; i < dense_index.numel(); ++i) {
      std::int64_t offset = 0;
      for (int d = 0; d < x.rank(); ++d) offset += (d == a ? positions[i] : counter[d]) * result.strides()[d];
      out[offset] = internal::wrapping_add(out[offset], in[i]);
      for (int d = x.rank() - 1; d >= 0 && ++counter[d] == shape[d]; --d) counter[d] = 0;
    }
  });
  return result;
}

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  NABLA_CHECK(condition.defined() && a.defined() && b.defined(), "where: an operand is undefined (default-constructed)");
  NABLA_CHECK(a.dtype() == b.dtype(), "where: dtypes differ: ", a.dtype(), " ", a.shape(), " vs ", b.dtype(), " ",
              b.shape());
  const Shape shape = broadcast_shapes("where", condition.shape(), broadcast_shapes("where", a.shape(), b.shape()));
  Tensor result(shape, a.dtype());
  const Tensor c_view = condition.broadcast_to(shape);
  const Tensor a_view = a.broadcast_to(shape);
  const Tensor b_view = b.broadcast_to(shape);
  internal::StridedLoop<4> loop(shape, {result.strides(), c_view.strides(), a_view.strides(), b_view.strides()},
                                {0, 0, 0, 0});
  dispatch(a.dtype(), [&](auto value_tag) {
    using T = decltype(value_tag);
    dispatch(condition.dtype(), [&](auto condition_tag) {
      using C = decltype(condition_tag);
      T* out = result.data<T>();
      const C* c = c_view.data<C>();
      const T* x = a_view.data<T>();
      const T* y = b_view.data<T>();
      const std::int64_t sc = loop.row_stride(1), sx = loop.row_stride(2), sy = loop.row_stride(3);
      loop.for_each_piece([&](const auto& offsets, std::int64_t n) {
        for (std::int64_t e = 0; e < n; ++e) {
          out[offsets[0] + e] = c[offsets[1] + e * sc] != C{0} ? x[offsets[2] + e * sx] : y[offsets[3] + e * sy];
        }
      });
    });
  });
  return result;
}

Tensor one_hot(const Tensor& labels, std::int64_t num_classes, DType dtype) {
  NABLA_CHECK(num_classes > 0, "one_hot: num_classes must be positive, got ", num_classes, " (labels of shape ",
              labels.defined() ? labels.shape() : Shape{}, ")");
  check_indices("one_hot", labels, num_classes, internal::concat_message("for ", num_classes, " classes"));
  const std::vector<std::int64_t> values = labels.to_vector<std::int64_t>();
  Shape shape = labels.shape();
  shape.push_back(num_classes);
  Tensor result = zeros(shape, dtype);
  dispatch(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* out = result.data<T>();
    for (std::size_t i = 0; i < values.size(); ++i) out[static_cast<std::int64_t>(i) * num_classes + values[i]] = T{1};
  });
  return result;
}

}  // namespace nabla
