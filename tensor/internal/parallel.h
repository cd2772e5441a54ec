#ifndef NABLA_TENSOR_INTERNAL_PARALLEL_H_
#define NABLA_TENSOR_INTERNAL_PARALLEL_H_

// Splitting a loop between OpenMP threads, for the tensor ops and the
// kernels alike. Small loops run on the calling thread outside any OpenMP
// region: starting one costs ~0.2 us in libgomp even when its if() clause
// is false (and wakes docked threads with a futex call), more than a small
// op takes (the batch-1 MLP made one per layer).

#include <omp.h>

#include <cstdint>

namespace nabla::internal {

// Below this many elements touched a loop runs on one thread: OpenMP's
// fork/join costs more than it saves.
constexpr std::int64_t kParallelGrain = 1 << 15;

// fn(begin, end) over [0, count), a contiguous range per OpenMP thread when
// the loop touches `elements` >= grain; otherwise fn(0, count) once.
template <typename Fn>
void for_ranges(std::int64_t count, std::int64_t elements, Fn&& fn, std::int64_t grain = kParallelGrain) {
  if (elements < grain) {
    fn(std::int64_t{0}, count);
    return;
  }
#pragma omp parallel
  {
    const std::int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
    fn(count * thread / threads, count * (thread + 1) / threads);
  }
}

// fn(i) for each i in [0, count), split as for_ranges splits it (OpenMP's
// static schedule).
template <typename Fn>
void parallel_for(std::int64_t count, std::int64_t elements, Fn&& fn) {
  for_ranges(count, elements, [&fn](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) fn(i);
  });
}

}  // namespace nabla::internal

#endif  // NABLA_TENSOR_INTERNAL_PARALLEL_H_
