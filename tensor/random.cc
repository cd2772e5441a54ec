#include "tensor/random.h"

#include <cmath>
#include <limits>

namespace nabla {

double Generator::uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

double Generator::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  const double u1 = 1.0 - uniform();  // in (0, 1]: log stays finite
  const double u2 = uniform();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  spare_normal_ = radius * std::sin(kTwoPi * u2);
  has_spare_normal_ = true;
  return radius * std::cos(kTwoPi * u2);
}

std::int64_t Generator::below(std::int64_t bound) {
  NABLA_CHECK(bound > 0, "Generator::below: bound must be positive, got ", bound);
  const auto range = static_cast<std::uint64_t>(bound);
  // Reject the top partial block of 2^64 so every value is equally likely.
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % range;
  std::uint64_t draw;
  do {
    draw = engine_();
  } while (draw >= limit);
  return static_cast<std::int64_t>(draw % range);
}

namespace {

template <typename Draw>
Tensor fill_with(const char* op, const Shape& shape, DType dtype, Draw&& draw) {
  NABLA_CHECK(is_floating(dtype), op, ": needs float32 or float64, got ", dtype);
  Tensor result(shape, dtype);
  dispatch_floating(op, dtype, [&](auto tag) {
    using T = decltype(tag);
    T* out = result.data<T>();
    for (std::int64_t i = 0; i < result.numel(); ++i) out[i] = static_cast<T>(draw());
  });
  return result;
}

}  // namespace

Tensor uniform(const Shape& shape, double low, double high, Generator& generator, DType dtype) {
  NABLA_CHECK(low <= high, "uniform: low ", low, " is above high ", high);
  return fill_with("uniform", shape, dtype, [&] { return low + (high - low) * generator.uniform(); });
}

Tensor normal(const Shape& shape, double mean, double stddev, Generator& generator, DType dtype) {
  NABLA_CHECK(stddev >= 0, "normal: stddev must not be negative, got ", stddev);
  return fill_with("normal", shape, dtype, [&] { return mean + stddev * generator.normal(); });
}

Tensor randperm(std::int64_t n, Generator& generator) {
  NABLA_CHECK(n >= 0, "randperm: n must not be negative, got ", n);
  Tensor result = arange(0, static_cast<double>(n), 1, kInt64);
  std::int64_t* values = result.data<std::int64_t>();
  for (std::int64_t i = n - 1; i > 0; --i) std::swap(values[i], values[generator.below(i + 1)]);
  return result;
}

}  // namespace nabla
