#ifndef NABLA_DATA_SYNTHETIC_H_
#define NABLA_DATA_SYNTHETIC_H_

/// Small synthetic datasets for the examples and tests.
///
/// Each is seeded and gives the same numbers on every machine (it draws
/// from nabla::Generator, tensor/random.h). Inputs are float32; class
/// labels are int64 [N], regression targets float32 [N, 1].
///
///   Batch spiral = make_spiral(100, 3, 0.2, /*seed=*/1);  // inputs [300, 2], labels [300] in {0, 1, 2}
///   TensorDataset train(spiral);
///
/// Throws nabla::Error naming the function and argument on a count below
/// the minimum or a negative noise level.

#include <cstdint>
#include <functional>

#include "data/dataset.h"

namespace nabla::data {

/// Interleaved spiral arms (CS231n's): arm k's point i (of n) has radius
/// r = i / (n - 1) and angle 4k + 4r + noise * N(0, 1); input
/// (r sin angle, r cos angle), label k. inputs [classes * n, 2], ordered by arm.
Batch make_spiral(std::int64_t points_per_class, std::int64_t classes, double noise, std::uint64_t seed);

/// Points uniform in [-1, 1]^2 labelled 1 when exactly one coordinate is
/// positive, then moved by noise * N(0, 1) per coordinate. inputs [n, 2].
Batch make_xor(std::int64_t n, double noise, std::uint64_t seed);

/// Gaussian blobs: `classes` centres uniform in [-10, 10]^features; example i
/// belongs to class i % classes and is its centre plus stddev * N(0, 1) per
/// feature. inputs [n, features].
Batch make_blobs(std::int64_t n, std::int64_t classes, std::int64_t features, double stddev, std::uint64_t seed);

/// Regression on a curve: x uniform in [x_low, x_high], target f(x) + noise * N(0, 1).
/// inputs [n, 1], labels float32 [n, 1].
Batch make_curve(std::int64_t n, const std::function<double(double)>& f, double x_low, double x_high, double noise,
                 std::uint64_t seed);

/// The adding problem (Hochreiter & Schmidhuber), a memory task for an LSTM:
/// each sequence has `length` steps of (value uniform in [0, 1], marker);
/// the marker is 1 at one step of the first half and one of the second, 0
/// elsewhere, and the target is the sum of the two marked values.
/// inputs [n, length, 2], labels float32 [n, 1]. length >= 2.
Batch make_adding_problem(std::int64_t n, std::int64_t length, std::uint64_t seed);

}  // namespace nabla::data

#endif  // NABLA_DATA_SYNTHETIC_H_
