#include "data/data_loader.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <numeric>
#include <system_error>
#include <thread>

#include "data/internal/random.h"

namespace nabla::data {

// The background thread of one epoch and the queue it fills.
struct DataLoader::Producer {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Batch> ready;
  std::exception_ptr error;
  bool finished = false;  // every batch is queued, or `error` is set
  bool stop = false;
  std::thread thread;
};

DataLoaderOptions::DataLoaderOptions(std::int64_t batch_size) : batch_size_(batch_size) {
  NABLA_CHECK(batch_size >= 1, "DataLoaderOptions: batch_size must be at least 1, got ", batch_size);
}

DataLoaderOptions& DataLoaderOptions::prefetch(std::int64_t value) {
  NABLA_CHECK(value >= 0, "DataLoaderOptions: prefetch must be at least 0, got ", value);
  prefetch_ = value;
  return *this;
}

DataLoaderOptions& DataLoaderOptions::first_epoch(std::int64_t value) {
  NABLA_CHECK(value >= 0, "DataLoaderOptions: first_epoch must be at least 0, got ", value);
  first_epoch_ = value;
  return *this;
}

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(std::move(options)), epoch_(options_.first_epoch()) {
  NABLA_CHECK(dataset_ != nullptr, "DataLoader: the dataset is null");
}

DataLoader::~DataLoader() { stop_producer(); }

std::int64_t DataLoader::num_batches() const {
  const std::int64_t size = dataset_->size();
  const std::int64_t batch = options_.batch_size();
  return options_.drop_last() ? size / batch : size / batch + (size % batch != 0);
}

Batch DataLoader::make_batch(std::int64_t index) const {
  const std::int64_t batch = options_.batch_size();
  const auto begin = order_.begin() + index * batch;
  const auto end = order_.begin() + std::min<std::int64_t>((index + 1) * batch, order_.size());
  Batch result = dataset_->get_batch(std::vector<std::int64_t>(begin, end));
  if (options_.transform()) {
    result = options_.transform()(std::move(result), internal::mix_seed(epoch_seed_, static_cast<std::uint64_t>(index)));
  }
  return result;
}

void DataLoader::stop_producer() {
  if (producer_ == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(producer_->mutex);
    producer_->stop = true;
  }
  producer_->changed.notify_all();
  producer_->thread.join();
  producer_.reset();
}

void DataLoader::start_epoch() {
  stop_producer();
  epoch_seed_ = internal::mix_seed(options_.seed(), static_cast<std::uint64_t>(epoch_));
  ++epoch_;
  order_.resize(static_cast<std::size_t>(dataset_->size()));
  std::iota(order_.begin(), order_.end(), std::int64_t{0});
  if (options_.shuffle()) {
    Generator generator(epoch_seed_);
    internal::shuffle(order_, generator);
  }
  next_batch_ = 0;
  if (options_.prefetch() == 0) return;

  producer_ = std::make_unique<Producer>();
  Producer* producer = producer_.get();
  const auto produce = [this, producer] {
    const std::int64_t count = num_batches();
    const auto depth = static_cast<std::size_t>(options_.prefetch());
    try {
      for (std::int64_t index = 0; index < count; ++index) {
        Batch batch = make_batch(index);
        std::unique_lock<std::mutex> lock(producer->mutex);
        producer->changed.wait(lock, [&] { return producer->stop || producer->ready.size() < depth; });
        if (producer->stop) return;
        producer->ready.push_back(std::move(batch));
        producer->changed.notify_all();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(producer->mutex);
      producer->error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(producer->mutex);
    producer->finished = true;
    producer->changed.notify_all();
  };
  try {
    producer->thread = std::thread(produce);
  } catch (const std::system_error& error) {
    // Without a thread, next() would wait forever and the destructor's join() would throw.
    producer_.reset();
    NABLA_CHECK(false, "DataLoader: cannot start the prefetch thread (", error.what(),
                "); prefetch(0) prepares batches on the calling thread");
  }
}

std::optional<Batch> DataLoader::next() {
  NABLA_CHECK(epochs_started() > 0, "DataLoader::next: no epoch started; call start_epoch() or iterate with a range-for");
  if (producer_ == nullptr) {
    if (next_batch_ >= num_batches()) return std::nullopt;
    try {
      return make_batch(next_batch_++);
    } catch (...) {
      next_batch_ = num_batches();  // the epoch ends at a failed batch, as with the producer
      throw;
    }
  }
  std::unique_lock<std::mutex> lock(producer_->mutex);
  producer_->changed.wait(lock, [&] { return !producer_->ready.empty() || producer_->finished; });
  if (!producer_->ready.empty()) {
    Batch batch = std::move(producer_->ready.front());
    producer_->ready.pop_front();
    producer_->changed.notify_all();
    return batch;
  }
  if (producer_->error != nullptr) {
    // Rethrow once; the epoch ends here.
    std::exception_ptr error = std::exchange(producer_->error, nullptr);
    std::rethrow_exception(error);
  }
  return std::nullopt;
}

DataLoader::Iterator DataLoader::begin() {
  start_epoch();
  return Iterator(this, next());
}

}  // namespace nabla::data
