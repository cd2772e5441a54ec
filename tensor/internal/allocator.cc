#include "tensor/internal/allocator.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "tensor/error.h"

namespace nabla::internal {
namespace {

constexpr std::size_t kAlignment = 64;
constexpr std::size_t kPooledFrom = std::size_t{1} << 10;
constexpr std::size_t kLargeFrom = std::size_t{1} << 20;
constexpr std::size_t kLargeGranule = std::size_t{1} << 16;
constexpr std::size_t kMaxPooledBytes = std::size_t{1} << 30;

class BlockPool {
 public:
  void* take(std::size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = free_.find(bytes);
    if (found == free_.end() || found->second.empty()) return nullptr;
    void* block = found->second.back();
    found->second.pop_back();
    pooled_bytes_ -= bytes;
    return block;
  }

  // Keeps the block for reuse, or frees it when the pool is full.
  void give(void* block, std::size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (pooled_bytes_ + bytes <= kMaxPooledBytes) {
        free_[bytes].push_back(block);
        pooled_bytes_ += bytes;
        return;
      }
    }
    std::free(block);
  }

 private:
  std::mutex mutex_;
  // Free blocks by size. The lists keep their capacity, so that a training
  // step's takes and gives allocate nothing (a multimap's node each did).
  std::unordered_map<std::size_t, std::vector<void*>> free_;
  std::size_t pooled_bytes_ = 0;
};

// Never destroyed: tensors in static storage may be released after main.
BlockPool& pool() {
  static BlockPool* instance = new BlockPool;
  return *instance;
}

}  // namespace

std::shared_ptr<void> allocate_storage(std::size_t bytes) {
  const std::size_t granule = bytes >= kLargeFrom ? kLargeGranule : kAlignment;
  // aligned_alloc needs a multiple of the alignment; never allocate 0 bytes.
  const std::size_t rounded = std::max(granule, (bytes + granule - 1) / granule * granule);
  if (rounded < kPooledFrom) {
    // malloc's per-thread cache serves small sizes in a few nanoseconds, but
    // aligned_alloc bypasses it (a fifth of a 1-element op): align by hand.
    void* base = std::malloc(rounded + kAlignment - alignof(std::max_align_t));
    NABLA_CHECK(base != nullptr, "tensor: cannot allocate ", bytes, " bytes");
    const auto address = (reinterpret_cast<std::uintptr_t>(base) + kAlignment - 1) & ~(kAlignment - 1);
    return std::shared_ptr<void>(reinterpret_cast<void*>(address), [base](void*) { std::free(base); });
  }
  void* block = pool().take(rounded);
  if (block == nullptr) block = std::aligned_alloc(kAlignment, rounded);
  NABLA_CHECK(block != nullptr, "tensor: cannot allocate ", bytes, " bytes");
  return std::shared_ptr<void>(block, [rounded](void* released) { pool().give(released, rounded); });
}

}  // namespace nabla::internal
