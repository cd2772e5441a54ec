#ifndef NABLA_TENSOR_DTYPE_H_
#define NABLA_TENSOR_DTYPE_H_

/// Element types of a Tensor and the dispatch from a runtime DType to C++ code.

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <type_traits>

#include "tensor/error.h"

namespace nabla {

enum class DType { kFloat32, kFloat64, kInt64 };

constexpr DType kFloat32 = DType::kFloat32;
constexpr DType kFloat64 = DType::kFloat64;
constexpr DType kInt64 = DType::kInt64;

const char* dtype_name(DType dtype);  // "float32", "float64", "int64"
std::size_t dtype_size(DType dtype);
inline bool is_floating(DType dtype) { return dtype != DType::kInt64; }
std::ostream& operator<<(std::ostream& out, DType dtype);

/// The DType of a C++ element type: dtype_of<float>() == kFloat32.
template <typename T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, float>) {
    return DType::kFloat32;
  } else if constexpr (std::is_same_v<T, double>) {
    return DType::kFloat64;
  } else {
    static_assert(std::is_same_v<T, std::int64_t>, "nabla tensors hold float, double or int64_t");
    return DType::kInt64;
  }
}

/// Calls `fn(T{})` with T the element type of `dtype`:
///   dispatch(t.dtype(), [&](auto tag) { using T = decltype(tag); ... });
template <typename Fn>
decltype(auto) dispatch(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::kFloat32:
      return fn(float{});
    case DType::kFloat64:
      return fn(double{});
    case DType::kInt64:
      return fn(std::int64_t{});
  }
  throw Error("dispatch: invalid dtype");
}

/// As dispatch, for operations defined only on float32 and float64.
template <typename Fn>
decltype(auto) dispatch_floating(const char* op, DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::kFloat32:
      return fn(float{});
    case DType::kFloat64:
      return fn(double{});
    case DType::kInt64:
      break;
  }
  throw Error(internal::concat_message(op, ": needs a float32 or float64 tensor, got ", dtype));
}

}  // namespace nabla

#endif  // NABLA_TENSOR_DTYPE_H_
