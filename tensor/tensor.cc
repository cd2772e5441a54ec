#include "tensor/tensor.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>
#include <type_traits>

#include "tensor/internal/allocator.h"
#include "tensor/internal/int64.h"
#include "tensor/internal/strided_loop.h"
#include "tensor/internal/transpose.h"

namespace nabla {
namespace {

// Bytes for a dense tensor of this shape; checks the sizes before anything
// is allocated, so a bad shape never turns into a huge or wrapped request.
std::size_t storage_bytes(const Shape& shape, DType dtype) {
  constexpr auto kMaxBytes = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  std::size_t bytes = dtype_size(dtype);
  for (std::int64_t size : shape) NABLA_CHECK(size >= 0, "tensor: negative size in shape ", shape);
  for (std::int64_t size : shape) {
    if (size == 0) return 0;
    NABLA_CHECK(bytes <= kMaxBytes / static_cast<std::size_t>(size), "tensor: shape ", shape,
                " is too large to allocate");
    bytes *= static_cast<std::size_t>(size);
  }
  return bytes;
}

// The copy between a channels-last and a row-major tensor that every
// boundary between oneDNN's activations and row-major code makes, as one
// transpose per image of [H·W, C] (to row-major) or [C, H·W]; false when the
// operands are not that case. The strided loop would gather with stride C.
bool copy_between_memory_formats(const Tensor& source, Tensor& target) {
  if (source.dtype() != target.dtype() || source.rank() != 4 || source.numel() == 0) return false;
  auto strictly_channels_last = [](const Tensor& t) {
    return !t.is_contiguous() && t.is_contiguous(MemoryFormat::kChannelsLast);
  };
  const bool to_row_major = strictly_channels_last(source) && target.is_contiguous();
  const bool to_channels_last = source.is_contiguous() && strictly_channels_last(target);
  if (!to_row_major && !to_channels_last) return false;
  const std::int64_t pixels = source.dim(2) * source.dim(3);
  const std::int64_t channels = source.dim(1);
  dispatch(source.dtype(), [&](auto tag) {
    using T = decltype(tag);
    internal::transpose_matrices(source.data<T>(), target.data<T>(), source.dim(0), to_row_major ? pixels : channels,
                                 to_row_major ? channels : pixels);
  });
  return true;
}

// Copies (and converts) every element of `source` into `target`, which has
// the same shape; the two may have any strides. `op` names the caller in
// the error for a float that int64 cannot hold.
void strided_copy(const char* op, const Tensor& source, Tensor& target) {
  if (!source.shares_storage_with(target) && copy_between_memory_formats(source, target)) return;
  dispatch(target.dtype(), [&](auto target_tag) {
    using To = decltype(target_tag);
    dispatch(source.dtype(), [&](auto source_tag) {
      using From = decltype(source_tag);
      const From* in = source.data<From>();
      To* out = target.data<To>();
      // A float that int64 cannot hold (NaN, inf, beyond 2^63) has no
      // defined conversion: flag it here, throw outside the parallel loop.
      std::atomic<bool> unrepresentable{false};
      auto convert = [&unrepresentable](From value) {
        if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
          if (!internal::fits_int64(static_cast<double>(value))) {
            unrepresentable.store(true, std::memory_order_relaxed);
            return To{0};
          }
        }
        return static_cast<To>(value);
      };
      internal::StridedLoop<2> loop(target.shape(), {target.strides(), source.strides()}, {0, 0});
      const std::int64_t out_stride = loop.row_stride(0);
      const std::int64_t in_stride = loop.row_stride(1);
      loop.for_each_piece([&](const auto& offsets, std::int64_t n) {
        To* o = out + offsets[0];
        const From* i = in + offsets[1];
        if (out_stride == 1 && in_stride == 1) {
          for (std::int64_t e = 0; e < n; ++e) o[e] = convert(i[e]);
        } else {
          for (std::int64_t e = 0; e < n; ++e) o[e * out_stride] = convert(i[e * in_stride]);
        }
      });
      NABLA_CHECK(!unrepresentable, op, ": a value of the ", source.dtype(), " tensor of shape ", source.shape(),
                  " is NaN, infinite or out of int64 range");
    });
  });
}

void print_elements(std::ostream& out, const Tensor& t, int axis, std::int64_t offset, int indent, bool summarise) {
  constexpr std::int64_t kEdgeItems = 3;
  const std::int64_t size = t.shape()[axis];
  const std::int64_t stride = t.strides()[axis];
  out << '[';
  for (std::int64_t i = 0; i < size; ++i) {
    if (summarise && size > 2 * kEdgeItems && i == kEdgeItems) {
      out << (axis + 1 == t.rank() ? "..., " : "...,\n" + std::string(indent + 1, ' '));
      i = size - kEdgeItems;
    }
    if (axis + 1 == t.rank()) {
      dispatch(t.dtype(), [&](auto tag) {
        using T = decltype(tag);
        out << t.data<T>()[offset + i * stride];
      });
    } else {
      print_elements(out, t, axis + 1, offset + i * stride, indent + 1, summarise);
    }
    if (i + 1 < size) out << (axis + 1 == t.rank() ? ", " : ",\n" + std::string(indent + 1, ' '));
  }
  out << ']';
}

}  // namespace

Tensor::Tensor(Shape shape, DType dtype)
    : storage_(internal::allocate_storage(storage_bytes(shape, dtype))),
      dtype_(dtype),
      shape_(std::move(shape)),
      strides_(contiguous_strides(shape_)) {}

void Tensor::check_defined(const char* op) const {
  NABLA_CHECK(defined(), op, ": the tensor is undefined (default-constructed)");
}

std::int64_t Tensor::dim(std::int64_t axis) const { return shape_[normalize_axis("dim", axis, shape_)]; }

bool Tensor::is_contiguous() const {
  if (numel() == 0) return true;  // no element to be out of place
  std::int64_t expected = 1;
  for (std::size_t i = shape_.size(); i-- > 0;) {
    if (shape_[i] == 1) continue;
    if (strides_[i] != expected) return false;
    expected *= shape_[i];
  }
  return true;
}

namespace {

void check_channels_last_rank(const char* op, const Shape& shape) {
  NABLA_CHECK(shape.size() == 4, op, ": the channels-last format needs a 4-D [N, C, H, W] shape, got ", shape);
}

}  // namespace

bool Tensor::is_contiguous(MemoryFormat format) const {
  if (format == MemoryFormat::kContiguous) return is_contiguous();
  if (rank() != 4) return false;
  if (numel() == 0) return true;
  std::int64_t expected = 1;
  for (int axis : {1, 3, 2, 0}) {  // innermost first: C, W, H, N
    if (shape_[axis] == 1) continue;
    if (strides_[axis] != expected) return false;
    expected *= shape_[axis];
  }
  return true;
}

MemoryFormat Tensor::suggest_memory_format() const {
  return !is_contiguous() && is_contiguous(MemoryFormat::kChannelsLast) ? MemoryFormat::kChannelsLast
                                                                        : MemoryFormat::kContiguous;
}

template <typename T>
T* Tensor::data() {
  return const_cast<T*>(static_cast<const Tensor&>(*this).data<T>());
}

template <typename T>
const T* Tensor::data() const {
  check_defined("data");
  NABLA_CHECK(dtype_ == dtype_of<T>(), "data: tensor of shape ", shape_, " holds ", dtype_, ", not ", dtype_of<T>());
  return static_cast<const T*>(storage_.get()) + offset_;
}

double Tensor::item() const {
  check_defined("item");
  NABLA_CHECK(numel() == 1, "item: needs a tensor of one element, got shape ", shape_);
  return dispatch(dtype_, [&](auto tag) { return static_cast<double>(*data<decltype(tag)>()); });
}

double Tensor::at(std::initializer_list<std::int64_t> index) const {
  check_defined("at");
  NABLA_CHECK(index.size() == shape_.size(), "at: index has ", index.size(), " entries for shape ", shape_);
  std::int64_t offset = 0;
  std::size_t axis = 0;
  for (std::int64_t i : index) {
    NABLA_CHECK(i >= 0 && i < shape_[axis], "at: index ", i, " is out of range for dimension ", axis, " of shape ",
                shape_);
    offset += i * strides_[axis++];
  }
  return dispatch(dtype_, [&](auto tag) { return static_cast<double>(data<decltype(tag)>()[offset]); });
}

template <typename T>
std::vector<T> Tensor::to_vector() const {
  check_defined("to_vector");
  Tensor dense = dtype_ == dtype_of<T>() ? contiguous() : astype(dtype_of<T>());
  const T* values = dense.data<T>();
  return std::vector<T>(values, values + dense.numel());
}

Tensor Tensor::view(Shape shape, Strides strides, std::int64_t offset) const {
  Tensor result;
  result.storage_ = storage_;
  result.dtype_ = dtype_;
  result.shape_ = std::move(shape);
  result.strides_ = std::move(strides);
  result.offset_ = offset;
  return result;
}

Tensor Tensor::reshape(Shape shape) const {
  check_defined("reshape");
  int inferred = -1;
  std::int64_t known = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      NABLA_CHECK(inferred < 0, "reshape: more than one -1 in ", shape);
      inferred = static_cast<int>(i);
    } else {
      NABLA_CHECK(shape[i] >= 0, "reshape: negative size in ", shape);
      NABLA_CHECK(!__builtin_mul_overflow(known, shape[i], &known), "reshape: cannot reshape ", shape_, " (", numel(),
                  " elements) into ", shape);
    }
  }
  if (inferred >= 0) {
    NABLA_CHECK(known != 0 && numel() % known == 0, "reshape: cannot reshape ", shape_, " (", numel(),
                " elements) into ", shape);
    shape[inferred] = numel() / known;
  }
  NABLA_CHECK(nabla::numel(shape) == numel(), "reshape: cannot reshape ", shape_, " (", numel(), " elements) into ",
              shape, " (", nabla::numel(shape), " elements)");
  if (!is_contiguous()) return contiguous().reshape(std::move(shape));
  Strides strides = contiguous_strides(shape);
  return view(std::move(shape), std::move(strides), offset_);
}

Tensor Tensor::flatten(std::int64_t start_axis, std::int64_t end_axis) const {
  if (rank() == 0) {  // flattened as if of shape [1], as in PyTorch
    normalize_axis("flatten", start_axis, Shape{1});
    normalize_axis("flatten", end_axis, Shape{1});
    return reshape({1});
  }
  const int start = normalize_axis("flatten", start_axis, shape_);
  const int end = normalize_axis("flatten", end_axis, shape_);
  NABLA_CHECK(start <= end, "flatten: start axis ", start_axis, " comes after end axis ", end_axis, " for shape ",
              shape_);
  Shape shape(shape_.begin(), shape_.begin() + start);
  const std::optional<std::int64_t> flat = checked_product(Shape(shape_.begin() + start, shape_.begin() + end + 1));
  // Only a tensor with a 0 elsewhere holds such sizes.
  NABLA_CHECK(flat.has_value(), "flatten: the sizes of axes ", start_axis, " to ", end_axis, " of shape ", shape_,
              " multiply past 64 bits");
  shape.push_back(*flat);
  shape.insert(shape.end(), shape_.begin() + end + 1, shape_.end());
  return reshape(std::move(shape));
}

Tensor Tensor::transpose(std::int64_t axis0, std::int64_t axis1) const {
  check_defined("transpose");
  const int a = normalize_axis("transpose", axis0, shape_);
  const int b = normalize_axis("transpose", axis1, shape_);
  Shape shape = shape_;
  Strides strides = strides_;
  std::swap(shape[a], shape[b]);
  std::swap(strides[a], strides[b]);
  return view(std::move(shape), std::move(strides), offset_);
}

Tensor Tensor::permute(const std::vector<std::int64_t>& dims) const {
  check_defined("permute");
  NABLA_CHECK(dims.size() == shape_.size(), "permute: ", dims.size(), " axes given for shape ", shape_);
  std::vector<bool> seen(shape_.size(), false);
  Shape shape(dims.size());
  Strides strides(dims.size());
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const int axis = normalize_axis("permute", dims[i], shape_);
    NABLA_CHECK(!seen[axis], "permute: axis ", dims[i], " repeated for shape ", shape_);
    seen[axis] = true;
    shape[i] = shape_[axis];
    strides[i] = strides_[axis];
  }
  return view(std::move(shape), std::move(strides), offset_);
}

Tensor Tensor::slice(std::int64_t axis, std::int64_t start, std::int64_t stop, std::int64_t step) const {
  check_defined("slice");
  const int a = normalize_axis("slice", axis, shape_);
  NABLA_CHECK(step > 0, "slice: step must be positive, got ", step, " (axis ", axis, " of shape ", shape_, ")");
  const std::int64_t size = shape_[a];
  auto clamp = [size](std::int64_t i) { return std::clamp<std::int64_t>(i < 0 ? i + size : i, 0, size); };
  start = clamp(start);
  stop = std::max(clamp(stop), start);
  Shape shape = shape_;
  Strides strides = strides_;
  shape[a] = stop == start ? 0 : (stop - start - 1) / step + 1;
  // One element needs no stride; a step past the end may not fit one.
  strides[a] = strides_[a];
  NABLA_CHECK(shape[a] <= 1 || !__builtin_mul_overflow(strides_[a], step, &strides[a]), "slice: step ", step,
              " of axis ", axis, " of shape ", shape_, " is too large");
  return view(std::move(shape), std::move(strides), offset_ + start * strides_[a]);
}

Tensor Tensor::select(std::int64_t axis, std::int64_t index) const {
  check_defined("select");
  const int a = normalize_axis("select", axis, shape_);
  NABLA_CHECK(index >= -shape_[a] && index < shape_[a], "select: index ", index, " is out of range for axis ", axis,
              " of shape ", shape_);
  if (index < 0) index += shape_[a];
  Shape shape = shape_;
  Strides strides = strides_;
  shape.erase(shape.begin() + a);
  strides.erase(strides.begin() + a);
  return view(std::move(shape), std::move(strides), offset_ + index * strides_[a]);
}

Tensor Tensor::broadcast_to(const Shape& shape) const {
  check_defined("broadcast_to");
  NABLA_CHECK(shape.size() >= shape_.size(), "broadcast_to: cannot broadcast ", shape_, " to fewer dimensions ", shape);
  for (std::int64_t size : shape) NABLA_CHECK(size >= 0, "broadcast_to: negative size in ", shape);
  NABLA_CHECK(checked_product(shape).has_value() || std::find(shape.begin(), shape.end(), 0) != shape.end(),
              "broadcast_to: shape ", shape, " has more elements than int64 counts");
  const std::size_t lead = shape.size() - shape_.size();
  Strides strides(shape.size(), 0);
  for (std::size_t i = 0; i < shape_.size(); ++i) {
    NABLA_CHECK(shape_[i] == shape[lead + i] || shape_[i] == 1, "broadcast_to: cannot broadcast ", shape_, " to ",
                shape);
    strides[lead + i] = shape_[i] == 1 ? 0 : strides_[i];
  }
  return view(shape, std::move(strides), offset_);
}

Tensor Tensor::squeeze(std::int64_t axis) const {
  check_defined("squeeze");
  const int a = normalize_axis("squeeze", axis, shape_);
  NABLA_CHECK(shape_[a] == 1, "squeeze: axis ", axis, " of shape ", shape_, " has size ", shape_[a], ", not 1");
  return select(a, 0);
}

Tensor Tensor::unsqueeze(std::int64_t axis) const {
  check_defined("unsqueeze");
  const auto rank = static_cast<std::int64_t>(shape_.size());
  NABLA_CHECK(axis >= -rank - 1 && axis <= rank, "unsqueeze: axis ", axis, " is out of range for shape ", shape_);
  if (axis < 0) axis += rank + 1;
  Shape shape = shape_;
  Strides strides = strides_;
  const std::int64_t stride = axis < rank ? strides_[axis] * shape_[axis] : 1;
  shape.insert(shape.begin() + axis, 1);
  strides.insert(strides.begin() + axis, stride);
  return view(std::move(shape), std::move(strides), offset_);
}

Tensor Tensor::contiguous() const {
  check_defined("contiguous");
  return is_contiguous() ? *this : clone();
}

Tensor Tensor::contiguous(MemoryFormat format) const {
  check_defined("contiguous");
  if (format == MemoryFormat::kContiguous) return contiguous();
  check_channels_last_rank("contiguous", shape_);
  if (is_contiguous(format)) return *this;
  Tensor result = empty(shape_, dtype_, format);
  strided_copy("contiguous", *this, result);
  return result;
}

Tensor Tensor::clone() const {
  check_defined("clone");
  return astype(dtype_);
}

Tensor Tensor::astype(DType dtype) const {
  check_defined("astype");
  Tensor result(shape_, dtype);
  strided_copy("astype", *this, result);
  return result;
}

Tensor& Tensor::fill_(double value) {
  check_defined("fill_");
  NABLA_CHECK(is_floating(dtype_) || internal::fits_int64(value), "fill_: ", value, " is NaN, infinite or out of ",
              dtype_, " range for the tensor of shape ", shape_);
  assign("fill_", scalar(value, kFloat64));
  return *this;
}

Tensor& Tensor::copy_(const Tensor& source) {
  check_defined("copy_");
  assign("copy_", source);
  return *this;
}

void Tensor::assign(const char* op, const Tensor& source) {
  source.check_defined(op);
  for (std::size_t i = 0; i < shape_.size(); ++i) {
    NABLA_CHECK(strides_[i] != 0 || shape_[i] <= 1, op, ": the target of shape ", shape_,
                " is a broadcast view; several of its elements share one memory location");
  }
  const Shape& from = source.shape();
  NABLA_CHECK(broadcasts_to(from, shape_), op, ": the source of shape ", from, " does not broadcast to the target's ",
              shape_);
  if (is_floating(source.dtype()) && !is_floating(dtype_)) {
    // Converted before anything is written: a float that int64 cannot hold
    // then leaves the target as it was.
    Tensor converted(shape_, dtype_);
    strided_copy(op, source.broadcast_to(shape_), converted);
    strided_copy(op, converted, *this);
    return;
  }
  Tensor broadcast = source.broadcast_to(shape_);
  // Copy through a temporary when the source overlaps the target.
  strided_copy(op, shares_storage_with(source) ? broadcast.clone() : broadcast, *this);
}

std::ostream& operator<<(std::ostream& out, const Tensor& t) {
  if (!t.defined()) return out << "tensor(undefined)";
  std::ostringstream text;
  text << std::setprecision(t.dtype() == kFloat64 ? 10 : 6);
  constexpr std::int64_t kSummariseAbove = 1000;
  text << "tensor(";
  if (t.rank() == 0) {
    // The element itself: through item()'s double, 1234567 would print as
    // 1.23457e+06 and large int64 values would lose digits.
    dispatch(t.dtype(), [&](auto tag) { text << *t.data<decltype(tag)>(); });
  } else {
    print_elements(text, t, 0, 0, 7, t.numel() > kSummariseAbove);
  }
  text << ", dtype=" << t.dtype() << ")";
  return out << text.str();
}

Tensor empty(const Shape& shape, DType dtype) { return Tensor(shape, dtype); }

Tensor empty(const Shape& shape, DType dtype, MemoryFormat format) {
  if (format == MemoryFormat::kContiguous) return Tensor(shape, dtype);
  check_channels_last_rank("empty", shape);
  // An NHWC tensor, seen through [N, C, H, W] strides.
  const Tensor nhwc(Shape{shape[0], shape[2], shape[3], shape[1]}, dtype);
  return nhwc.permute({0, 3, 1, 2});
}

Tensor full(const Shape& shape, double value, DType dtype) {
  NABLA_CHECK(dtype != kInt64 || internal::fits_int64(value), "full: value ", value,
              " cannot be stored in an int64 tensor (shape ", shape, ")");
  Tensor result(shape, dtype);
  dispatch(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* data = result.data<T>();
    const T fill = static_cast<T>(value);
    const std::int64_t count = result.numel();
    // At -O2 GCC leaves std::fill_n scalar, one element per store: 2.8% of
    // an LSTM training step went to zeroing its sequence gradient.
#pragma omp simd
    for (std::int64_t i = 0; i < count; ++i) data[i] = fill;
  });
  return result;
}

Tensor zeros(const Shape& shape, DType dtype) { return full(shape, 0, dtype); }
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1, dtype); }
Tensor zeros_like(const Tensor& like) {
  NABLA_CHECK(like.defined(), "zeros_like: the tensor is undefined (default-constructed)");
  return zeros(like.shape(), like.dtype());
}

Tensor ones_like(const Tensor& like) {
  NABLA_CHECK(like.defined(), "ones_like: the tensor is undefined (default-constructed)");
  return ones(like.shape(), like.dtype());
}
Tensor scalar(double value, DType dtype) { return full({}, value, dtype); }

Tensor arange(double start, double stop, double step, DType dtype) {
  NABLA_CHECK(step != 0 && std::isfinite(start) && std::isfinite(stop) && std::isfinite(step),
              "arange: needs finite start, stop and a non-zero step, got ", start, ", ", stop, ", ", step);
  NABLA_CHECK(dtype != kInt64 || (internal::fits_int64(start) && internal::fits_int64(stop)), "arange: start ", start,
              " or stop ", stop, " is out of int64 range");
  const double elements = std::max(0.0, std::ceil((stop - start) / step));
  NABLA_CHECK(elements < 0x1p62, "arange: start ", start, ", stop ", stop, " and step ", step, " give ", elements,
              " elements, too many");
  const auto count = static_cast<std::int64_t>(elements);
  Tensor result({count}, dtype);
  dispatch(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* out = result.data<T>();
    for (std::int64_t i = 0; i < count; ++i) out[i] = static_cast<T>(start + static_cast<double>(i) * step);
  });
  return result;
}

template <typename T>
Tensor from_vector(const std::vector<T>& values, Shape shape) {
  Tensor flat({static_cast<std::int64_t>(values.size())}, dtype_of<T>());
  std::copy(values.begin(), values.end(), flat.data<T>());
  return flat.reshape(std::move(shape));
}

Tensor tensor(std::initializer_list<double> values, Shape shape, DType dtype) {
  return from_vector(std::vector<double>(values), std::move(shape)).astype(dtype);
}

#define NABLA_INSTANTIATE(T)                            \
  template T* Tensor::data<T>();                        \
  template const T* Tensor::data<T>() const;            \
  template std::vector<T> Tensor::to_vector<T>() const; \
  template Tensor from_vector<T>(const std::vector<T>&, Shape);
NABLA_INSTANTIATE(float)
NABLA_INSTANTIATE(double)
NABLA_INSTANTIATE(std::int64_t)
#undef NABLA_INSTANTIATE

}  // namespace nabla
