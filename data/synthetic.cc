#include "data/synthetic.h"

#include <cmath>
#include <vector>

#include "tensor/random.h"

namespace nabla::data {
namespace {

void check_count(const char* op, const char* name, std::int64_t value, std::int64_t minimum) {
  NABLA_CHECK(value >= minimum, op, ": ", name, " must be at least ", minimum, ", got ", value);
}

void check_noise(const char* op, double noise) {
  NABLA_CHECK(noise >= 0 && std::isfinite(noise), op, ": noise must be finite and >= 0, got ", noise);
}

// Checks that a tensor of this shape has an element count that fits int64.
void check_size(const char* op, const Shape& shape) {
  NABLA_CHECK(checked_product(shape).has_value(), op, ": shape ", shape, " is too large");
}

double uniform(Generator& random, double low, double high) { return low + (high - low) * random.uniform(); }

}  // namespace

Batch make_spiral(std::int64_t points_per_class, std::int64_t classes, double noise, std::uint64_t seed) {
  check_count("make_spiral", "points_per_class", points_per_class, 1);
  check_count("make_spiral", "classes", classes, 1);
  check_noise("make_spiral", noise);
  check_size("make_spiral", {points_per_class, classes, 2});
  Generator random(seed);
  Batch batch{Tensor({points_per_class * classes, 2}, kFloat32), Tensor({points_per_class * classes}, kInt64)};
  float* inputs = batch.inputs.data<float>();
  std::int64_t* labels = batch.labels.data<std::int64_t>();
  for (std::int64_t k = 0; k < classes; ++k) {
    for (std::int64_t i = 0; i < points_per_class; ++i) {
      const double radius =
          points_per_class > 1 ? static_cast<double>(i) / static_cast<double>(points_per_class - 1) : 0.0;
      const double angle = 4.0 * static_cast<double>(k) + 4.0 * radius + noise * random.normal();
      const std::int64_t row = k * points_per_class + i;
      inputs[2 * row] = static_cast<float>(radius * std::sin(angle));
      inputs[2 * row + 1] = static_cast<float>(radius * std::cos(angle));
      labels[row] = k;
    }
  }
  return batch;
}

Batch make_xor(std::int64_t n, double noise, std::uint64_t seed) {
  check_count("make_xor", "n", n, 1);
  check_noise("make_xor", noise);
  check_size("make_xor", {n, 2});
  Generator random(seed);
  Batch batch{Tensor({n, 2}, kFloat32), Tensor({n}, kInt64)};
  float* inputs = batch.inputs.data<float>();
  std::int64_t* labels = batch.labels.data<std::int64_t>();
  for (std::int64_t i = 0; i < n; ++i) {
    const double x = uniform(random, -1, 1);
    const double y = uniform(random, -1, 1);
    labels[i] = (x > 0) != (y > 0);
    inputs[2 * i] = static_cast<float>(x + noise * random.normal());
    inputs[2 * i + 1] = static_cast<float>(y + noise * random.normal());
  }
  return batch;
}

Batch make_blobs(std::int64_t n, std::int64_t classes, std::int64_t features, double stddev, std::uint64_t seed) {
  check_count("make_blobs", "n", n, 1);
  check_count("make_blobs", "classes", classes, 1);
  check_count("make_blobs", "features", features, 1);
  check_noise("make_blobs", stddev);
  check_size("make_blobs", {n, features});
  check_size("make_blobs", {classes, features});
  Generator random(seed);
  std::vector<double> centres(static_cast<std::size_t>(classes * features));
  for (double& centre : centres) centre = uniform(random, -10, 10);
  Batch batch{Tensor({n, features}, kFloat32), Tensor({n}, kInt64)};
  float* inputs = batch.inputs.data<float>();
  std::int64_t* labels = batch.labels.data<std::int64_t>();
  for (std::int64_t i = 0; i < n; ++i) {
    labels[i] = i % classes;
    for (std::int64_t f = 0; f < features; ++f) {
      inputs[i * features + f] = static_cast<float>(centres[labels[i] * features + f] + stddev * random.normal());
    }
  }
  return batch;
}

Batch make_curve(std::int64_t n, const std::function<double(double)>& f, double x_low, double x_high, double noise,
                 std::uint64_t seed) {
  check_count("make_curve", "n", n, 1);
  check_noise("make_curve", noise);
  NABLA_CHECK(f != nullptr, "make_curve: f is empty");
  NABLA_CHECK(std::isfinite(x_low) && std::isfinite(x_high) && x_low <= x_high, "make_curve: the x range [", x_low,
              ", ", x_high, "] must be finite and ordered");
  Generator random(seed);
  Batch batch{Tensor({n, 1}, kFloat32), Tensor({n, 1}, kFloat32)};
  float* inputs = batch.inputs.data<float>();
  float* targets = batch.labels.data<float>();
  for (std::int64_t i = 0; i < n; ++i) {
    const double x = uniform(random, x_low, x_high);
    inputs[i] = static_cast<float>(x);
    targets[i] = static_cast<float>(f(x) + noise * random.normal());
  }
  return batch;
}

Batch make_adding_problem(std::int64_t n, std::int64_t length, std::uint64_t seed) {
  check_count("make_adding_problem", "n", n, 1);
  check_count("make_adding_problem", "length", length, 2);
  check_size("make_adding_problem", {n, length, 2});
  Generator random(seed);
  Batch batch{zeros({n, length, 2}, kFloat32), Tensor({n, 1}, kFloat32)};
  float* inputs = batch.inputs.data<float>();
  float* targets = batch.labels.data<float>();
  const std::int64_t half = length / 2;
  for (std::int64_t i = 0; i < n; ++i) {
    float* sequence = inputs + i * length * 2;
    for (std::int64_t t = 0; t < length; ++t) sequence[2 * t] = static_cast<float>(random.uniform());
    const std::int64_t first = random.below(half);
    const std::int64_t second = half + random.below(length - half);
    sequence[2 * first + 1] = 1.0f;
    sequence[2 * second + 1] = 1.0f;
    targets[i] = sequence[2 * first] + sequence[2 * second];
  }
  return batch;
}

}  // namespace nabla::data
