#ifndef NABLA_KERNELS_INTERNAL_PARALLEL_H_
#define NABLA_KERNELS_INTERNAL_PARALLEL_H_

// The tensor library's loop splitting (tensor/internal/parallel.h), and a
// parallel scan, for the kernels.

#include <atomic>
#include <cstdint>

#include "tensor/internal/parallel.h"

namespace nabla::kernels::internal {

using ::nabla::internal::for_ranges;
using ::nabla::internal::kParallelGrain;
using ::nabla::internal::parallel_for;

// Whether pred(value) holds for some value of `count` floats, scanned in
// ranges per thread as for_ranges splits them.
template <typename Pred>
bool any_of(const float* values, std::int64_t count, Pred pred) {
  std::atomic<bool> found{false};
  for_ranges(count, count, [&](std::int64_t begin, std::int64_t end) {
    int hit = 0;  // an int: GCC does not vectorise a bool reduction
#pragma omp simd reduction(| : hit)
    for (std::int64_t i = begin; i < end; ++i) hit |= pred(values[i]);
    if (hit != 0) found = true;
  });
  return found;
}

}  // namespace nabla::kernels::internal

#endif  // NABLA_KERNELS_INTERNAL_PARALLEL_H_
