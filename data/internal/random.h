#ifndef NABLA_DATA_INTERNAL_RANDOM_H_
#define NABLA_DATA_INTERNAL_RANDOM_H_

// The seeded generator of //data. std::mt19937_64's raw output is fixed by
// the C++ standard, but std::uniform_real_distribution and friends are not,
// so the transforms to uniform, normal and bounded integers are our own:
// the same seed gives the same numbers with every standard library.

#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace nabla::data::internal {

// SplitMix64 finaliser: derives independent seeds for (seed, stream) pairs,
// e.g. one per epoch or per batch, so that streams never overlap.
inline std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double low, double high) { return low + (high - low) * uniform(); }

  // Standard normal by Box-Muller; 1 - uniform() is in (0, 1], so log is finite.
  double normal() {
    const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
    return radius * std::cos(6.283185307179586 * uniform());
  }
  double normal(double mean, double stddev) { return mean + stddev * normal(); }

  // Uniform in [0, n) for n > 0, by rejection so that no value is favoured.
  std::int64_t below(std::int64_t n) {
    const std::uint64_t range = static_cast<std::uint64_t>(n);
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % range;
    std::uint64_t value = engine_();
    while (value >= limit) value = engine_();
    return static_cast<std::int64_t>(value % range);
  }

  // Fisher-Yates.
  template <typename T>
  void shuffle(std::vector<T>& values) {
    for (std::size_t i = values.size(); i > 1; --i) {
      std::swap(values[i - 1], values[below(static_cast<std::int64_t>(i))]);
    }
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace nabla::data::internal

#endif  // NABLA_DATA_INTERNAL_RANDOM_H_
