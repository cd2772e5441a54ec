#ifndef NABLA_TENSOR_RANDOM_H_
#define NABLA_TENSOR_RANDOM_H_

/// Seeded random numbers that are the same on every machine.
///
/// The standard library's distributions are implementation-defined, so
/// nabla draws from std::mt19937_64 (whose output the standard fixes) and
/// transforms the raw bits itself.
///
///   Generator gen(42);
///   Tensor w = normal({784, 256}, 0.0, 0.05, gen);

#include <cstdint>
#include <random>

#include "tensor/tensor.h"

namespace nabla {

class Generator {
 public:
  explicit Generator(std::uint64_t seed = 0) : engine_(seed) {}

  /// Uniform in [0, 1), 53 random bits.
  double uniform();
  /// Standard normal (Box-Muller).
  double normal();
  /// Uniform integer in [0, bound), without modulo bias; bound > 0.
  std::int64_t below(std::int64_t bound);

 private:
  std::mt19937_64 engine_;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0;
};

/// The process-wide generator that layers and initialisers use when none is
/// given; manual_seed resets it. Not synchronised: seed and draw from one
/// thread (as when building a model).
Generator& default_generator();
void manual_seed(std::uint64_t seed);

/// Elements uniform in [low, high).
Tensor uniform(const Shape& shape, double low, double high, Generator& generator, DType dtype = kFloat32);
/// Elements normal with this mean and standard deviation.
Tensor normal(const Shape& shape, double mean, double stddev, Generator& generator, DType dtype = kFloat32);
/// A random permutation of 0 .. n-1 (int64), Fisher-Yates.
Tensor randperm(std::int64_t n, Generator& generator);

}  // namespace nabla

#endif  // NABLA_TENSOR_RANDOM_H_
