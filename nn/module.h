#ifndef NABLA_NN_MODULE_H_
#define NABLA_NN_MODULE_H_

/// Module: a layer or a model. It owns named parameters (Variables that
/// require grad), named buffers (Tensors such as BatchNorm's running
/// statistics) and named child modules; names compose with dots
/// ("0.weight", "encoder.bias") and are what checkpoints store.
///
///   class Mlp : public Module {
///    public:
///     Mlp() : hidden_(register_module("hidden", std::make_shared<Dense>(DenseOptions(784, 256)))),
///             out_(register_module("out", std::make_shared<Dense>(DenseOptions(256, 10)))) {}
///     Variable forward(const Variable& x) override { return out_->forward(relu(hidden_->forward(x))); }
///    private:
///     std::shared_ptr<Dense> hidden_, out_;
///   };
///
/// train()/eval() reach every child; Dropout and BatchNorm read is_training().

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "autodiff/variable.h"

namespace nabla::nn {

class Module {
 public:
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  /// The forward pass on one input.
  virtual Variable forward(const Variable& input) = 0;
  Variable operator()(const Variable& input) { return forward(input); }

  /// The type's name for summaries: "Dense", "Conv2D", ...
  virtual std::string type_name() const = 0;
  /// A one-line description of the options, e.g. "784 -> 256".
  virtual std::string describe() const { return ""; }

  /// Whether forward ends in a ReLU that can run apart from the rest (a ReLU
  /// layer, or a Dense's or Conv2D's fused one), and forward without it:
  /// Sequential moves such a ReLU into a MaxPool2D that follows.
  virtual bool ends_in_relu() const { return false; }
  virtual Variable forward_without_relu(const Variable& input);

  /// Whether this is a ReLU layer (ReLU()).
  virtual bool is_relu() const { return false; }
  /// Whether forward can take a ReLU into its own passes (a Dense, Conv2D
  /// or BatchNorm without an activation), and relu(forward(input)) so:
  /// Sequential runs a layer followed by ReLU() as one.
  virtual bool absorbs_relu() const { return false; }
  virtual Variable forward_with_relu(const Variable& input);

  /// Every parameter of this module and its children, in registration
  /// order. A child shared by several paths (tied weights) counts once,
  /// under the first path's name, as in PyTorch; likewise buffers.
  std::vector<std::pair<std::string, Variable>> named_parameters() const;
  std::vector<Variable> parameters() const;
  std::vector<std::pair<std::string, Tensor>> named_buffers() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const { return children_; }
  /// Number of parameter elements.
  std::int64_t parameter_count() const;

  /// Training mode (the default) or evaluation mode, for this module and
  /// every child.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  /// Forgets the gradients of every parameter.
  void zero_grad();

  friend class EvaluationMode;

 protected:
  Module() = default;
  Variable register_parameter(std::string name, Tensor value);
  /// The buffer is shared, not copied: updates in place reach the module.
  Tensor register_buffer(std::string name, Tensor value);
  template <typename M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    check_child(name, module.get());
    children_.emplace_back(std::move(name), module);
    return module;
  }

 private:
  void check_name(const std::string& name) const;
  void check_child(const std::string& name, const Module* child) const;
  // Appends this module's `entries`, then its children's, each module once.
  template <typename Value>
  void collect(std::vector<std::pair<std::string, Value>> Module::*entries, const std::string& prefix,
               std::unordered_set<const Module*>& seen, std::vector<std::pair<std::string, Value>>& out) const;

  std::vector<std::pair<std::string, Variable>> parameters_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

/// Evaluation mode for a scope: the module and its children in eval(), and
/// each one's own mode back when the scope ends, also on an exception.
class EvaluationMode {
 public:
  explicit EvaluationMode(Module& module);
  ~EvaluationMode();
  EvaluationMode(const EvaluationMode&) = delete;
  EvaluationMode& operator=(const EvaluationMode&) = delete;

 private:
  std::vector<std::pair<Module*, bool>> modes_;
};

}  // namespace nabla::nn

#endif  // NABLA_NN_MODULE_H_
