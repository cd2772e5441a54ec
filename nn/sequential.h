#ifndef NABLA_NN_SEQUENTIAL_H_
#define NABLA_NN_SEQUENTIAL_H_

/// Sequential: modules applied one after another; children are named "0",
/// "1", ... so parameters are "0.weight", "0.bias", ...
///
///   auto model = std::make_shared<Sequential>();
///   model->add(std::make_shared<Dense>(DenseOptions(784, 256)));
///   model->add(ReLU());
///   model->add(std::make_shared<Dense>(DenseOptions(256, 10)));
///   std::cout << summary(*model, {784});
///
/// ReLU layers cost no pass of their own over memory where a neighbour can
/// take them in:
///   - a ReLU directly before a MaxPool2D (a ReLU layer, or a Dense's or
///     Conv2D's fused one) runs inside the pooling, on its output: ReLU and
///     max commute, in values and gradients;
///   - a ReLU layer after a Dense, Conv2D or BatchNorm without an activation
///     of its own, and not before a MaxPool2D, runs as that layer's fused one.
/// Where before it read and wrote the whole tensor forward and backward.

#include <memory>
#include <string>
#include <vector>

#include "nn/module.h"

namespace nabla::nn {

class Sequential : public Module {
 public:
  Sequential() = default;
  explicit Sequential(const std::vector<std::shared_ptr<Module>>& modules);

  Sequential& add(std::shared_ptr<Module> module);
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "Sequential"; }
  std::size_t size() const { return children().size(); }
};

/// A Keras-like table: each layer (for a Sequential, each child; otherwise
/// the model as one row), its output shape for one sample of
/// `sample_shape` (batch dimension shown as -1) and its parameter count,
/// then the totals. Runs one forward pass in evaluation mode without
/// recording, then restores the training mode.
std::string summary(Module& model, const Shape& sample_shape, DType dtype = kFloat32);

}  // namespace nabla::nn

#endif  // NABLA_NN_SEQUENTIAL_H_
