#include "tensor/shape.h"

#include <algorithm>

#include "tensor/error.h"

namespace nabla {

namespace internal {

namespace {

template <typename Values>
void print_list(std::ostream& out, const Values& values) {
  out << '[';
  for (std::size_t i = 0; i < values.size(); ++i) out << (i ? ", " : "") << values[i];
  out << ']';
}

}  // namespace

void append_part(std::ostream& out, const std::vector<std::int64_t>& values) { print_list(out, values); }

void append_part(std::ostream& out, const Shape& shape) { print_list(out, shape); }

}  // namespace internal

std::ostream& operator<<(std::ostream& out, const Shape& shape) {
  internal::append_part(out, shape);
  return out;
}

namespace {

// Out of line: numel and contiguous_strides run several times per op.
[[noreturn, gnu::cold, gnu::noinline]] void throw_too_large(const Shape& shape) {
  throw Error(internal::concat_message("tensor: shape ", shape,
                                       " is too large: its sizes (0 counted as 1) multiply past 64 bits"));
}

}  // namespace

std::optional<std::int64_t> checked_product(const Shape& sizes) {
  std::int64_t product = 1;
  bool overflow = false;
  for (std::int64_t size : sizes) overflow |= __builtin_mul_overflow(product, size, &product);
  if (__builtin_expect(overflow, false)) return std::nullopt;
  return product;
}

std::int64_t numel(const Shape& shape) {
  const std::optional<std::int64_t> count = checked_product(shape);
  if (__builtin_expect(count.has_value(), true)) return *count;
  // A 0 anywhere makes the count 0 even when the other sizes' product overflows.
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return 0;
  throw_too_large(shape);
}

Strides contiguous_strides(const Shape& shape) {
  Strides strides(shape.size());
  std::int64_t stride = 1;
  bool overflow = false;
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    // Checked even for an empty tensor: its strides count its 0s as 1.
    overflow |= __builtin_mul_overflow(stride, std::max<std::int64_t>(shape[i], 1), &stride);
  }
  if (__builtin_expect(overflow, false)) throw_too_large(shape);
  return strides;
}

int normalize_axis(const char* op, std::int64_t axis, const Shape& shape) {
  const auto rank = static_cast<std::int64_t>(shape.size());
  NABLA_CHECK(axis >= -rank && axis < rank, op, ": axis ", axis, " is out of range for shape ", shape, " (rank ", rank,
              ")");
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  for (std::size_t i = 1; i <= from.size(); ++i) {
    const std::int64_t size = from[from.size() - i];
    if (size != 1 && size != to[to.size() - i]) return false;
  }
  return true;
}

Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t size_a = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::int64_t size_b = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    NABLA_CHECK(size_a == size_b || size_a == 1 || size_b == 1, op, ": shapes ", a, " and ", b,
                " cannot be broadcast together (dimension ", i, ": ", size_a, " vs ", size_b, ")");
    out[i] = size_a == 1 ? size_b : size_a;
  }
  return out;
}

}  // namespace nabla
