#include "data/data_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pthread.h>

#include <algorithm>
#include <numeric>

#include "tensor/elementwise.h"

namespace nabla::data {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// inputs[i] = [i], labels[i] = i: a batch's labels are the indices it visits.
std::shared_ptr<TensorDataset> identity(std::int64_t n) {
  Tensor x({n, 1}, kFloat32);
  Tensor y({n}, kInt64);
  for (std::int64_t i = 0; i < n; ++i) {
    x.data<float>()[i] = static_cast<float>(i);
    y.data<std::int64_t>()[i] = i;
  }
  return std::make_shared<TensorDataset>(x, y);
}

// The labels of each batch of one epoch.
std::vector<std::vector<std::int64_t>> epoch(DataLoader& loader) {
  std::vector<std::vector<std::int64_t>> batches;
  for (const Batch& batch : loader) batches.push_back(batch.labels.to_vector<std::int64_t>());
  return batches;
}

// Fails for batches that contain example `bad`.
class FailsAt : public Dataset {
 public:
  explicit FailsAt(std::int64_t bad) : bad_(bad) {}
  std::int64_t size() const override { return 10; }
  Example get(std::int64_t index) const override {
    NABLA_CHECK(index != bad_, "FailsAt: example ", index, " is unreadable");
    return {scalar(static_cast<double>(index)), scalar(static_cast<double>(index), kInt64)};
  }

 private:
  std::int64_t bad_;
};

TEST(DataLoaderTest, InOrderWithoutShuffle) {
  DataLoader loader(identity(10), DataLoaderOptions(4).shuffle(false));
  EXPECT_EQ(loader.num_batches(), 3);
  using Batches = std::vector<std::vector<std::int64_t>>;
  EXPECT_EQ(epoch(loader), (Batches{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}}));
  DataLoader dropping(identity(10), DataLoaderOptions(4).shuffle(false).drop_last(true));
  EXPECT_EQ(dropping.num_batches(), 2);
  EXPECT_EQ(epoch(dropping), (Batches{{0, 1, 2, 3}, {4, 5, 6, 7}}));
}

TEST(DataLoaderTest, ShufflesEachEpochAsAPermutation) {
  DataLoader loader(identity(50), DataLoaderOptions(8).seed(3));
  std::vector<std::vector<std::int64_t>> orders;
  for (int e = 0; e < 3; ++e) {
    std::vector<std::int64_t> order;
    for (const auto& batch : epoch(loader)) order.insert(order.end(), batch.begin(), batch.end());
    orders.push_back(order);
    std::sort(order.begin(), order.end());
    std::vector<std::int64_t> all(50);
    std::iota(all.begin(), all.end(), 0);
    EXPECT_EQ(order, all) << "epoch " << e;
  }
  EXPECT_NE(orders[0], orders[1]);
  EXPECT_NE(orders[1], orders[2]);
  EXPECT_EQ(loader.epochs_started(), 3);
}

TEST(DataLoaderTest, SameSeedSameBatchesWithOrWithoutPrefetch) {
  const auto data = identity(37);
  DataLoader synchronous(data, DataLoaderOptions(5).seed(9).prefetch(0));
  DataLoader prefetching(data, DataLoaderOptions(5).seed(9).prefetch(3));
  DataLoader other_seed(data, DataLoaderOptions(5).seed(10));
  for (int e = 0; e < 2; ++e) {
    const auto expected = epoch(synchronous);
    EXPECT_EQ(epoch(prefetching), expected);
    EXPECT_NE(epoch(other_seed), expected);
  }
}

TEST(DataLoaderTest, TransformGetsDeterministicPerBatchSeeds) {
  std::vector<std::uint64_t> seen;
  const auto options = DataLoaderOptions(4).seed(5).transform([&seen](Batch batch, std::uint64_t seed) {
    seen.push_back(seed);
    batch.inputs = batch.inputs * 2.0;
    return batch;
  });
  DataLoader loader(identity(8), options);
  for (const Batch& batch : loader) {
    const auto labels = batch.labels.to_vector<std::int64_t>();
    const auto inputs = batch.inputs.to_vector<float>();
    for (std::size_t i = 0; i < labels.size(); ++i) EXPECT_EQ(inputs[i], 2.0f * labels[i]);
  }
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_NE(seen[0], seen[1]);
  const std::vector<std::uint64_t> first_epoch = seen;
  seen.clear();
  DataLoader again(identity(8), options);
  epoch(again);
  EXPECT_EQ(seen, first_epoch);
}

TEST(DataLoaderTest, ProducerErrorsReachTheConsumer) {
  for (std::int64_t prefetch : {0, 2}) {
    DataLoader loader(std::make_shared<FailsAt>(6), DataLoaderOptions(3).shuffle(false).prefetch(prefetch));
    loader.start_epoch();
    EXPECT_EQ(loader.next()->labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1, 2}));
    EXPECT_EQ(loader.next()->labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{3, 4, 5}));
    EXPECT_THAT([&] { loader.next(); }, ThrowsMessage<Error>(HasSubstr("FailsAt: example 6 is unreadable")));
    // The error ends the epoch, whatever the prefetch depth.
    EXPECT_FALSE(loader.next().has_value()) << "prefetch " << prefetch;
    // A new epoch starts cleanly after a failed one.
    loader.start_epoch();
    EXPECT_TRUE(loader.next().has_value());
  }
}

TEST(DataLoaderTest, AbandonedEpochsStopTheProducer) {
  DataLoader loader(identity(1000), DataLoaderOptions(1).prefetch(4));
  for (int e = 0; e < 5; ++e) {
    loader.start_epoch();
    EXPECT_TRUE(loader.next().has_value());
  }
  // The destructor joins the producer, which is blocked on a full queue.
}

TEST(DataLoaderTest, FailedThreadStartLeavesTheLoaderUsable) {
  DataLoader loader(identity(6), DataLoaderOptions(4).shuffle(false));
  // A default thread stack larger than the address space makes creating the
  // prefetch thread fail, as when a process runs out of threads.
  pthread_attr_t saved;
  pthread_attr_t huge;
  ASSERT_EQ(pthread_getattr_default_np(&saved), 0);
  ASSERT_EQ(pthread_attr_init(&huge), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&huge, std::size_t{1} << 62), 0);
  ASSERT_EQ(pthread_setattr_default_np(&huge), 0);
  EXPECT_THAT([&] { loader.start_epoch(); },
              ThrowsMessage<Error>(HasSubstr("DataLoader: cannot start the prefetch thread")));
  ASSERT_EQ(pthread_setattr_default_np(&saved), 0);
  pthread_attr_destroy(&huge);
  pthread_attr_destroy(&saved);
  // The next epoch prefetches again, and the destructor does not throw.
  using Batches = std::vector<std::vector<std::int64_t>>;
  EXPECT_EQ(epoch(loader), (Batches{{0, 1, 2, 3}, {4, 5}}));
}

// A loader whose first epoch is 2 visits the data as a fresh loader's third epoch.
TEST(DataLoaderTest, FirstEpochResumesTheSequence) {
  DataLoader fresh(identity(10), DataLoaderOptions(4).seed(3));
  epoch(fresh);
  epoch(fresh);
  DataLoader resumed(identity(10), DataLoaderOptions(4).seed(3).first_epoch(2));
  EXPECT_EQ(epoch(resumed), epoch(fresh));
  EXPECT_EQ(resumed.epochs_started(), 1);
  EXPECT_THAT([] { DataLoaderOptions(4).first_epoch(-1); },
              ThrowsMessage<Error>(HasSubstr("DataLoaderOptions: first_epoch must be at least 0, got -1")));
}

TEST(DataLoaderTest, EmptyDatasetHasNoBatches) {
  DataLoader loader(identity(0), DataLoaderOptions(4));
  EXPECT_EQ(loader.num_batches(), 0);
  EXPECT_TRUE(epoch(loader).empty());
}

TEST(DataLoaderTest, RejectsBadOptions) {
  EXPECT_THAT([] { DataLoaderOptions(0); }, ThrowsMessage<Error>(HasSubstr("batch_size must be at least 1, got 0")));
  EXPECT_THAT([] { DataLoaderOptions(1).prefetch(-1); },
              ThrowsMessage<Error>(HasSubstr("prefetch must be at least 0, got -1")));
  EXPECT_THAT([] { DataLoader(nullptr, DataLoaderOptions(1)); }, ThrowsMessage<Error>(HasSubstr("dataset is null")));
  DataLoader loader(identity(3), DataLoaderOptions(1));
  EXPECT_THAT([&] { loader.next(); }, ThrowsMessage<Error>(HasSubstr("no epoch started")));
}

}  // namespace
}  // namespace nabla::data
