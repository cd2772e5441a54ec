#ifndef NABLA_TENSOR_INTERNAL_INT64_H_
#define NABLA_TENSOR_INTERNAL_INT64_H_

// int64 arithmetic and conversions without undefined behaviour.

#include <cstdint>

namespace nabla::internal {

// True when static_cast<std::int64_t>(value) is defined: not NaN, not
// infinite, and within [-2^63, 2^63).
inline bool fits_int64(double value) { return value >= -0x1p63 && value < 0x1p63; }

// int64 arithmetic wraps around on overflow, as NumPy's and PyTorch's does.
// In int64 an overflow is undefined behaviour; in uint64 wrapping is defined
// and leaves the same bits, and the two may alias. Floating types compute as
// themselves.
template <typename T>
struct Wrapping {
  using type = T;
};
template <>
struct Wrapping<std::int64_t> {
  using type = std::uint64_t;
};
// The type in which T's additions and multiplications run.
template <typename T>
using WrappingType = typename Wrapping<T>::type;

template <typename T>
T wrapping_add(T a, T b) {
  return static_cast<T>(static_cast<WrappingType<T>>(a) + static_cast<WrappingType<T>>(b));
}

}  // namespace nabla::internal

#endif  // NABLA_TENSOR_INTERNAL_INT64_H_
