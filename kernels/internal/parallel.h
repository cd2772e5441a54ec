#ifndef NABLA_KERNELS_INTERNAL_PARALLEL_H_
#define NABLA_KERNELS_INTERNAL_PARALLEL_H_

// Splitting a loop between OpenMP threads, for the kernels' element-wise
// passes.

#include <omp.h>

#include <atomic>
#include <cstdint>

#include "tensor/internal/strided_loop.h"

namespace nabla::kernels::internal {

// Below this many elements touched a pass runs on the calling thread: the
// tensor library's threshold, shared by every kernel.
using ::nabla::internal::kParallelGrain;

// fn(begin, end) over [0, count), a contiguous range per OpenMP thread when
// the pass touches `elements` >= kParallelGrain; otherwise fn(0, count)
// once, outside any OpenMP region. Starting a region costs ~0.2 us in
// libgomp even when its if() clause is false (and wakes docked threads
// with a futex call), more than a small pass: the batch-1 MLP made one per
// layer.
template <typename Fn>
void for_ranges(std::int64_t count, std::int64_t elements, Fn&& fn) {
  if (elements < kParallelGrain) {
    fn(std::int64_t{0}, count);
    return;
  }
#pragma omp parallel
  {
    const std::int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
    fn(count * thread / threads, count * (thread + 1) / threads);
  }
}

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
