#ifndef NABLA_TENSOR_INTERNAL_ALLOCATOR_H_
#define NABLA_TENSOR_INTERNAL_ALLOCATOR_H_

#include <cstddef>
#include <memory>

namespace nabla::internal {

// 64-byte aligned storage for tensors. Blocks of 1 KiB and more are kept
// for reuse when released (up to a bounded total): glibc returns blocks of
// 1 MiB and more to the kernel at once, and faulting fresh pages back in
// made a 16M-element add five times slower than the add itself; for
// 1 KiB .. 1 MiB, aligned_alloc's splitting set off malloc_consolidate on
// most calls (a fifth of a batch-1 MLP inference). Training loops allocate
// the same sizes every step, so reuse is by exact (rounded) size. Smaller
// blocks come from malloc's per-thread cache.
std::shared_ptr<void> allocate_storage(std::size_t bytes);

}  // namespace nabla::internal

#endif  // NABLA_TENSOR_INTERNAL_ALLOCATOR_H_
