#ifndef NABLA_KERNELS_INTERNAL_PARALLEL_H_
#define NABLA_KERNELS_INTERNAL_PARALLEL_H_

// Splitting a loop between OpenMP threads, for the kernels' element-wise
// passes.

#include <omp.h>

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

}  // namespace nabla::kernels::internal

#endif  // NABLA_KERNELS_INTERNAL_PARALLEL_H_
