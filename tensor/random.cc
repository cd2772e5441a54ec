#include "tensor/random.h"

#include <algorithm>
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

Generator& default_generator() {
  static Generator generator(0);
  return generator;
}

void manual_seed(std::uint64_t seed) { default_generator() = Generator(seed); }

namespace {

template <typename Draw>
Tensor fill_with(const char* op, const Shape& shape, DType dtype, Draw&& draw) {
  NABLA_CHECK(is_floating(dtype), op, ": needs float32 or float64, got ", dtype, " for shape ", shape);
  Tensor result(shape, dtype);
  dispatch_floating(op, dtype, [&](auto tag) {
    using T = decltype(tag);
    T* out = result.data<T>();
    const std::int64_t count = result.numel();
    for (std::int64_t i = 0; i < count; ++i) out[i] = draw(tag);
  });
  return result;
}

}  // namespace

Tensor uniform(const Shape& shape, double low, double high, Generator& generator, DType dtype) {
  NABLA_CHECK(low <= high, "uniform: low ", low, " is above high ", high, " (shape ", shape, ")");
  // As PyTorch's uniform_: beyond these, low + (high - low)·u is infinite or NaN.
  const double largest = dtype == kFloat64 ? std::numeric_limits<double>::max() : std::numeric_limits<float>::max();
  NABLA_CHECK(low >= -largest && high <= largest && high - low <= largest, "uniform: low ", low, " and high ", high,
              " must be finite ", dtype, " values at most ", largest, " apart (shape ", shape, ")");
  return fill_with("uniform", shape, dtype, [&](auto tag) {
    using T = decltype(tag);
    const T value = static_cast<T>(low + (high - low) * generator.uniform());
    // Rounding (to float32 above all) can carry a draw up to `high` itself;
    // the interval is half-open, so such a draw becomes the largest T below.
    if (static_cast<double>(value) < high || low == high) return value;
    T below = static_cast<T>(high);
    while (static_cast<double>(below) >= high) below = std::nextafter(below, -std::numeric_limits<T>::infinity());
    return std::max(below, static_cast<T>(low));
  });
}

Tensor normal(const Shape& shape, double mean, double stddev, Generator& generator, DType dtype) {
  NABLA_CHECK(stddev >= 0, "normal: stddev must not be negative, got ", stddev, " (shape ", shape, ")");
  return fill_with("normal", shape, dtype, [&](auto tag) {
    return static_cast<decltype(tag)>(mean + stddev * generator.normal());
  });
}

Tensor randperm(std::int64_t n, Generator& generator) {
  NABLA_CHECK(n >= 0, "randperm: n must not be negative, got ", n);
  Tensor result = arange(0, static_cast<double>(n), 1, kInt64);
  std::int64_t* values = result.data<std::int64_t>();
  for (std::int64_t i = n - 1; i > 0; --i) std::swap(values[i], values[generator.below(i + 1)]);
  return result;
}

}  // namespace nabla
