#include "data/dataset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

namespace nabla::data {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// inputs[i] = [10 i, 10 i + 1], labels[i] = i.
std::shared_ptr<TensorDataset> counting(std::int64_t n) {
  std::vector<float> inputs;
  std::vector<std::int64_t> labels;
  for (std::int64_t i = 0; i < n; ++i) {
    inputs.push_back(10.0f * i);
    inputs.push_back(10.0f * i + 1);
    labels.push_back(i);
  }
  Tensor x({n, 2}, kFloat32);
  Tensor y({n}, kInt64);
  std::copy(inputs.begin(), inputs.end(), x.data<float>());
  std::copy(labels.begin(), labels.end(), y.data<std::int64_t>());
  return std::make_shared<TensorDataset>(x, y);
}

// A dataset with only get(), to exercise the default get_batch.
class Squares : public Dataset {
 public:
  std::int64_t size() const override { return 4; }
  Example get(std::int64_t index) const override {
    NABLA_CHECK(index >= 0 && index < 4, "Squares: index ", index);
    return {full({2}, static_cast<double>(index * index)), scalar(static_cast<double>(index), kInt64)};
  }
};

TEST(TensorDatasetTest, GetsViewsAndGathersBatches) {
  const auto data = counting(5);
  EXPECT_EQ(data->size(), 5);
  const Example third = data->get(3);
  EXPECT_EQ(third.input.to_vector<float>(), (std::vector<float>{30, 31}));
  EXPECT_EQ(third.label.item(), 3);
  const Batch batch = data->get_batch({4, 0, 4});
  EXPECT_EQ(batch.inputs.shape(), (Shape{3, 2}));
  EXPECT_EQ(batch.inputs.to_vector<float>(), (std::vector<float>{40, 41, 0, 1, 40, 41}));
  EXPECT_EQ(batch.labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{4, 0, 4}));
}

TEST(TensorDatasetTest, RejectsBadArgumentsAndIndices) {
  EXPECT_THAT([] { TensorDataset(zeros({3, 2}), zeros({4}, kInt64)); },
              ThrowsMessage<Error>(HasSubstr("inputs [3, 2] and labels [4] hold different numbers of examples")));
  EXPECT_THAT([] { TensorDataset(scalar(1), scalar(1)); }, ThrowsMessage<Error>(HasSubstr("need a first axis")));
  EXPECT_THAT([] { TensorDataset(Tensor(), zeros({1})); }, ThrowsMessage<Error>(HasSubstr("must both be defined")));
  const auto data = counting(5);
  EXPECT_THAT([&] { data->get(5); }, ThrowsMessage<Error>(HasSubstr("index 5 is out of range for 5 examples")));
  EXPECT_THAT([&] { data->get_batch({0, -1}); }, ThrowsMessage<Error>(HasSubstr("index -1 is out of range")));
}

TEST(DatasetTest, DefaultGetBatchStacksExamples) {
  const Batch batch = Squares().get_batch({3, 1});
  EXPECT_EQ(batch.inputs.shape(), (Shape{2, 2}));
  EXPECT_EQ(batch.inputs.to_vector<float>(), (std::vector<float>{9, 9, 1, 1}));
  EXPECT_EQ(batch.labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{3, 1}));
}

TEST(DatasetTest, StackRejectsMismatchedExamples) {
  EXPECT_THAT([] { stack_examples({}); }, ThrowsMessage<Error>(HasSubstr("no examples")));
  EXPECT_THAT([] { stack_examples({{zeros({2}), scalar(0, kInt64)}, {zeros({3}), scalar(0, kInt64)}}); },
              ThrowsMessage<Error>(HasSubstr("input of example 1 is float32 [3], but example 0's is float32 [2]")));
}

TEST(SubsetTest, MapsIndices) {
  const Subset subset(counting(5), {4, 2});
  EXPECT_EQ(subset.size(), 2);
  EXPECT_EQ(subset.get(0).label.item(), 4);
  EXPECT_EQ(subset.get_batch({1, 0}).labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{2, 4}));
  EXPECT_THAT([&] { subset.get(2); }, ThrowsMessage<Error>(HasSubstr("index 2 is out of range for 2 examples")));
  EXPECT_THAT([] { Subset(counting(5), {5}); }, ThrowsMessage<Error>(HasSubstr("Subset: index 5 is out of range")));
  EXPECT_THAT([] { Subset(nullptr, {}); }, ThrowsMessage<Error>(HasSubstr("the dataset is null")));
}

TEST(SplitTest, PartitionsDeterministically) {
  const auto data = counting(10);
  const Split split = train_validation_split(data, 0.3, 42);
  EXPECT_EQ(split.train->size(), 7);
  EXPECT_EQ(split.validation->size(), 3);
  std::vector<std::int64_t> all = split.train->indices();
  all.insert(all.end(), split.validation->indices().begin(), split.validation->indices().end());
  std::sort(all.begin(), all.end());
  std::vector<std::int64_t> expected(10);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(all, expected);
  EXPECT_EQ(train_validation_split(data, 0.3, 42).validation->indices(), split.validation->indices());
  EXPECT_NE(train_validation_split(data, 0.3, 43).train->indices(), split.train->indices());
  EXPECT_EQ(train_validation_split(data, 0.0, 1).validation->size(), 0);
  EXPECT_THAT([&] { train_validation_split(data, 1.5, 1); },
              ThrowsMessage<Error>(HasSubstr("validation_fraction must be in [0, 1], got 1.5")));
}

}  // namespace
}  // namespace nabla::data
