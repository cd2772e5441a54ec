#include "data/dataset.h"

#include <cmath>
#include <cstring>
#include <numeric>
#include <utility>

#include "data/internal/random.h"

namespace nabla::data {
namespace {

void check_index(const char* op, std::int64_t index, std::int64_t size) {
  NABLA_CHECK(index >= 0 && index < size, op, ": index ", index, " is out of range for ", size, " examples");
}

// Copies rows `indices` of a dense tensor [N, ...] into a new [B, ...] one.
Tensor gather_rows(const Tensor& source, const std::vector<std::int64_t>& indices) {
  Shape shape = source.shape();
  shape[0] = static_cast<std::int64_t>(indices.size());
  Tensor result(shape, source.dtype());
  const std::size_t row_bytes = static_cast<std::size_t>(source.numel() / std::max<std::int64_t>(source.dim(0), 1)) *
                                dtype_size(source.dtype());
  dispatch(source.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const char* from = reinterpret_cast<const char*>(source.data<T>());
    char* to = reinterpret_cast<char*>(result.data<T>());
    for (std::size_t i = 0; i < indices.size(); ++i) {
      std::memcpy(to + i * row_bytes, from + static_cast<std::size_t>(indices[i]) * row_bytes, row_bytes);
    }
  });
  return result;
}

Tensor stack(const std::vector<Tensor>& parts, const char* what) {
  const Tensor& first = parts.front();
  Shape shape = first.shape();
  shape.insert(shape.begin(), static_cast<std::int64_t>(parts.size()));
  Tensor result(shape, first.dtype());
  for (std::size_t i = 0; i < parts.size(); ++i) {
    NABLA_CHECK(parts[i].defined(), "stack_examples: ", what, " of example ", i, " is undefined");
    NABLA_CHECK(parts[i].shape() == first.shape() && parts[i].dtype() == first.dtype(), "stack_examples: ", what,
                " of example ", i, " is ", parts[i].dtype(), " ", parts[i].shape(), ", but example 0's is ",
                first.dtype(), " ", first.shape());
    result.select(0, static_cast<std::int64_t>(i)).copy_(parts[i]);
  }
  return result;
}

}  // namespace

Batch Dataset::get_batch(const std::vector<std::int64_t>& indices) const {
  std::vector<Example> examples;
  examples.reserve(indices.size());
  for (std::int64_t index : indices) examples.push_back(get(index));
  return stack_examples(examples);
}

Batch stack_examples(const std::vector<Example>& examples) {
  NABLA_CHECK(!examples.empty(), "stack_examples: no examples to stack");
  NABLA_CHECK(examples[0].input.defined() && examples[0].label.defined(),
              "stack_examples: example 0 has an undefined input or label");
  std::vector<Tensor> inputs;
  std::vector<Tensor> labels;
  inputs.reserve(examples.size());
  labels.reserve(examples.size());
  for (const Example& example : examples) {
    inputs.push_back(example.input);
    labels.push_back(example.label);
  }
  return {stack(inputs, "input"), stack(labels, "label")};
}

TensorDataset::TensorDataset(Tensor inputs, Tensor labels) {
  NABLA_CHECK(inputs.defined() && labels.defined(), "TensorDataset: inputs and labels must both be defined");
  NABLA_CHECK(inputs.rank() >= 1 && labels.rank() >= 1, "TensorDataset: inputs ", inputs.shape(), " and labels ",
              labels.shape(), " need a first axis of examples");
  NABLA_CHECK(inputs.dim(0) == labels.dim(0), "TensorDataset: inputs ", inputs.shape(), " and labels ",
              labels.shape(), " hold different numbers of examples");
  // Dense storage lets get_batch copy whole rows.
  inputs_ = inputs.contiguous();
  labels_ = labels.contiguous();
}

Example TensorDataset::get(std::int64_t index) const {
  check_index("TensorDataset::get", index, size());
  return {inputs_.select(0, index), labels_.select(0, index)};
}

Batch TensorDataset::get_batch(const std::vector<std::int64_t>& indices) const {
  for (std::int64_t index : indices) check_index("TensorDataset::get_batch", index, size());
  return {gather_rows(inputs_, indices), gather_rows(labels_, indices)};
}

Subset::Subset(std::shared_ptr<const Dataset> dataset, std::vector<std::int64_t> indices)
    : dataset_(std::move(dataset)), indices_(std::move(indices)) {
  NABLA_CHECK(dataset_ != nullptr, "Subset: the dataset is null");
  const std::int64_t size = dataset_->size();
  for (std::int64_t index : indices_) check_index("Subset", index, size);
}

Example Subset::get(std::int64_t index) const {
  check_index("Subset::get", index, size());
  return dataset_->get(indices_[index]);
}

Batch Subset::get_batch(const std::vector<std::int64_t>& indices) const {
  std::vector<std::int64_t> mapped;
  mapped.reserve(indices.size());
  for (std::int64_t index : indices) {
    check_index("Subset::get_batch", index, size());
    mapped.push_back(indices_[index]);
  }
  return dataset_->get_batch(mapped);
}

Split train_validation_split(std::shared_ptr<const Dataset> dataset, double validation_fraction,
                             std::uint64_t seed) {
  NABLA_CHECK(dataset != nullptr, "train_validation_split: the dataset is null");
  NABLA_CHECK(validation_fraction >= 0 && validation_fraction <= 1,
              "train_validation_split: validation_fraction must be in [0, 1], got ", validation_fraction);
  std::vector<std::int64_t> order(static_cast<std::size_t>(dataset->size()));
  std::iota(order.begin(), order.end(), std::int64_t{0});
  Generator generator(seed);
  internal::shuffle(order, generator);
  const auto validation_size =
      static_cast<std::ptrdiff_t>(std::llround(static_cast<double>(order.size()) * validation_fraction));
  std::vector<std::int64_t> validation(order.begin(), order.begin() + validation_size);
  std::vector<std::int64_t> train(order.begin() + validation_size, order.end());
  return {std::make_shared<Subset>(dataset, std::move(train)),
          std::make_shared<Subset>(std::move(dataset), std::move(validation))};
}

}  // namespace nabla::data
