#ifndef NABLA_DATA_INTERNAL_RANDOM_H_
#define NABLA_DATA_INTERNAL_RANDOM_H_

// Seed derivation and shuffling on top of nabla::Generator, whose numbers
// are the same on every machine.

#include <cstdint>
#include <utility>
#include <vector>

#include "tensor/random.h"

namespace nabla::data::internal {

// SplitMix64's finaliser: a seed for each (seed, stream) pair, e.g. one per
// epoch or per batch, so that neighbouring streams are unrelated.
inline std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Fisher-Yates, as nabla::randperm.
template <typename T>
void shuffle(std::vector<T>& values, Generator& generator) {
  for (std::size_t i = values.size(); i > 1; --i) {
    std::swap(values[i - 1], values[generator.below(static_cast<std::int64_t>(i))]);
  }
}

}  // namespace nabla::data::internal

#endif  // NABLA_DATA_INTERNAL_RANDOM_H_
