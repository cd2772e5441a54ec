#ifndef NABLA_DATA_DATASET_H_
#define NABLA_DATA_DATASET_H_

/// Datasets: indexed collections of (input, label) examples.
///
/// A Dataset gives `size()` examples by index; `get_batch` stacks several of
/// them, which the DataLoader calls from its background thread (so `get` and
/// `get_batch` must be safe to call from another thread than the creator's).
///
///   auto train = std::make_shared<TensorDataset>(images, labels);  // [N, 1, 28, 28], [N]
///   Example first = train->get(0);          // input [1, 28, 28], label []
///   Split parts = train_validation_split(train, 0.1, /*seed=*/7);
///
/// Every check throws nabla::Error naming the dataset, the index and sizes.

#include <cstdint>
#include <memory>
#include <vector>

#include "tensor/tensor.h"

namespace nabla::data {

/// One example: an input of any shape and its label, a 0-d int64 class
/// index or, for regression, a target tensor.
struct Example {
  Tensor input;
  Tensor label;
};

/// Examples stacked along a new first axis: inputs [B, ...] and labels [B]
/// (int64 class indices) or [B, ...] (regression targets).
struct Batch {
  Tensor inputs;
  Tensor labels;
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual std::int64_t size() const = 0;
  /// Throws when `index` is outside [0, size()).
  virtual Example get(std::int64_t index) const = 0;
  /// The examples at `indices`, stacked in that order. This default calls
  /// get() for each; datasets held in tensors override it with a gather.
  /// Throws when an index is out of range or examples differ in shape.
  virtual Batch get_batch(const std::vector<std::int64_t>& indices) const;
};

/// Stacks examples along a new first axis; all inputs must share a shape
/// and dtype, and so must all labels. Throws naming the first that differs.
Batch stack_examples(const std::vector<Example>& examples);

/// A dataset over two tensors whose first axes are the examples:
/// inputs [N, ...] and labels [N] or [N, ...].
class TensorDataset : public Dataset {
 public:
  /// Throws when either tensor is undefined or 0-d, or their first sizes differ.
  TensorDataset(Tensor inputs, Tensor labels);
  explicit TensorDataset(Batch batch) : TensorDataset(std::move(batch.inputs), std::move(batch.labels)) {}

  std::int64_t size() const override { return inputs_.dim(0); }
  /// Views into the tensors, not copies.
  Example get(std::int64_t index) const override;
  Batch get_batch(const std::vector<std::int64_t>& indices) const override;

  const Tensor& inputs() const { return inputs_; }
  const Tensor& labels() const { return labels_; }

 private:
  Tensor inputs_;
  Tensor labels_;
};

/// The examples of `dataset` at `indices` (which may repeat), in that order.
class Subset : public Dataset {
 public:
  /// Throws when `dataset` is null or an index is out of its range.
  Subset(std::shared_ptr<const Dataset> dataset, std::vector<std::int64_t> indices);

  std::int64_t size() const override { return static_cast<std::int64_t>(indices_.size()); }
  Example get(std::int64_t index) const override;
  Batch get_batch(const std::vector<std::int64_t>& indices) const override;

  const std::vector<std::int64_t>& indices() const { return indices_; }

 private:
  std::shared_ptr<const Dataset> dataset_;
  std::vector<std::int64_t> indices_;
};

struct Split {
  std::shared_ptr<Subset> train;
  std::shared_ptr<Subset> validation;
};

/// Shuffles the examples with `seed` and puts round(size * validation_fraction)
/// of them in `validation`, the rest in `train`. The same seed gives the same
/// split on every machine. Throws unless 0 <= validation_fraction <= 1.
Split train_validation_split(std::shared_ptr<const Dataset> dataset, double validation_fraction, std::uint64_t seed);

}  // namespace nabla::data

#endif  // NABLA_DATA_DATASET_H_
