#ifndef NABLA_DATA_DATA_LOADER_H_
#define NABLA_DATA_DATA_LOADER_H_

/// DataLoader: a Dataset in batches, shuffled per epoch, prepared ahead.
///
/// Each range-for over a loader is one epoch. With shuffling, epoch e visits
/// the examples in an order drawn from (seed, e), so a run repeats exactly
/// for a seed, whatever the prefetch depth. Batches are gathered (and
/// transformed) on one background thread while the caller trains; an
/// exception thrown there is rethrown to the caller by the iteration that
/// would have received the batch, and ends the epoch.
///
///   DataLoader loader(train, DataLoaderOptions(64).seed(1).drop_last(true));
///   for (int epoch = 0; epoch < 10; ++epoch) {
///     for (const Batch& batch : loader) {  // inputs [64, ...], labels [64]
///       step(batch.inputs, batch.labels);
///     }
///   }
///
/// With a transform, each batch passes through it with its own seed derived
/// from (seed, epoch, batch index), so augmentation is deterministic too:
///
///   options.transform([](Batch b, std::uint64_t seed) {
///     b.inputs = horizontal_flip(random_crop(b.inputs, 4, seed), 0.5, seed ^ 1);
///     return b;
///   });

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "data/dataset.h"

namespace nabla::data {

class DataLoaderOptions {
 public:
  /// Throws when batch_size < 1.
  explicit DataLoaderOptions(std::int64_t batch_size);

  /// Visit the examples in a new seeded order each epoch (default true).
  DataLoaderOptions& shuffle(bool value) { shuffle_ = value; return *this; }
  /// Skip the last batch when it would be smaller than batch_size (default false).
  DataLoaderOptions& drop_last(bool value) { drop_last_ = value; return *this; }
  /// Seeds shuffling and the transform (default 0).
  DataLoaderOptions& seed(std::uint64_t value) { seed_ = value; return *this; }
  /// Batches prepared ahead on the background thread (default 2); 0 prepares
  /// each batch on the calling thread when it is asked for. Throws when < 0.
  DataLoaderOptions& prefetch(std::int64_t value);
  /// The index of the first epoch (default 0; >= 0): a run resumed at epoch e
  /// visits and transforms the examples as the original run did from e on.
  DataLoaderOptions& first_epoch(std::int64_t value);
  /// Applied to every batch after gathering, with a per-batch seed.
  DataLoaderOptions& transform(std::function<Batch(Batch, std::uint64_t)> value) {
    transform_ = std::move(value);
    return *this;
  }

  std::int64_t batch_size() const { return batch_size_; }
  bool shuffle() const { return shuffle_; }
  bool drop_last() const { return drop_last_; }
  std::uint64_t seed() const { return seed_; }
  std::int64_t prefetch() const { return prefetch_; }
  std::int64_t first_epoch() const { return first_epoch_; }
  const std::function<Batch(Batch, std::uint64_t)>& transform() const { return transform_; }

 private:
  std::int64_t batch_size_;
  bool shuffle_ = true;
  bool drop_last_ = false;
  std::uint64_t seed_ = 0;
  std::int64_t prefetch_ = 2;
  std::int64_t first_epoch_ = 0;
  std::function<Batch(Batch, std::uint64_t)> transform_;
};

class DataLoader {
 public:
  /// Throws when `dataset` is null.
  DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options);
  /// Stops the background thread, waiting for the batch it is preparing.
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  /// Batches per epoch.
  std::int64_t num_batches() const;
  /// Epochs started so far.
  std::int64_t epochs_started() const { return epoch_ - options_.first_epoch(); }

  /// Starts the next epoch, abandoning the rest of any epoch in progress.
  /// Throws when the prefetch thread cannot be started.
  void start_epoch();
  /// The next batch of the current epoch, or nothing once it is over.
  /// Rethrows an exception raised while preparing that batch.
  std::optional<Batch> next();

  class Iterator {
   public:
    const Batch& operator*() const { return *batch_; }
    const Batch* operator->() const { return &*batch_; }
    Iterator& operator++() {
      batch_ = loader_->next();
      return *this;
    }
    bool operator!=(const Iterator& other) const { return batch_.has_value() != other.batch_.has_value(); }

   private:
    friend class DataLoader;
    Iterator(DataLoader* loader, std::optional<Batch> batch) : loader_(loader), batch_(std::move(batch)) {}
    DataLoader* loader_;
    std::optional<Batch> batch_;
  };

  /// Starts the next epoch and returns its first batch.
  Iterator begin();
  Iterator end() { return Iterator(this, std::nullopt); }

 private:
  struct Producer;
  Batch make_batch(std::int64_t index) const;
  void stop_producer();

  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
  std::int64_t epoch_ = 0;
  std::uint64_t epoch_seed_ = 0;
  std::vector<std::int64_t> order_;
  std::int64_t next_batch_ = 0;  // used without prefetch
  std::unique_ptr<Producer> producer_;
};

}  // namespace nabla::data

#endif  // NABLA_DATA_DATA_LOADER_H_
