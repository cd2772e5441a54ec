#ifndef NABLA_OPTIM_ADAGRAD_H_
#define NABLA_OPTIM_ADAGRAD_H_

/// Adagrad: torch.optim.Adagrad's update. For each parameter p with gradient
/// g, at its t-th update (η lr decay, λ weight decay; s starts at the
/// initial accumulator value):
///
///   g ← g + λ p                        (λ ≠ 0)
///   lr_t = lr / (1 + (t − 1) η)
///   s ← s + g²
///   p ← p − lr_t g / (√s + ε)
///
///   Adagrad adagrad(params, AdagradOptions(0.1).lr_decay(0.01).initial_accumulator_value(0.1));
///
/// Throws nabla::Error naming "Adagrad" and the value for lr < 0,
/// lr_decay < 0, initial_accumulator_value < 0, eps <= 0, weight_decay < 0,
/// and for bad parameters (optimizer.h). state(): "groupG.paramP.step",
/// "groupG.paramP.sum".

#include <vector>

#include "optim/optimizer.h"

namespace nabla {
namespace optim {

/// Options of Adagrad, with PyTorch's defaults: lr 1e-2, lr_decay 0,
/// weight_decay 0, initial_accumulator_value 0, eps 1e-10.
class AdagradOptions {
 public:
  explicit AdagradOptions(double lr = 1e-2) : lr_(lr) {}

  /// Learning rate, >= 0.
  AdagradOptions& lr(double value) {
    lr_ = value;
    return *this;
  }
  /// η >= 0: lr_t = lr / (1 + (t − 1) η).
  AdagradOptions& lr_decay(double value) {
    lr_decay_ = value;
    return *this;
  }
  /// λ >= 0: L2 penalty, added to the gradient.
  AdagradOptions& weight_decay(double value) {
    weight_decay_ = value;
    return *this;
  }
  /// >= 0: the starting value of the sum of squares s.
  AdagradOptions& initial_accumulator_value(double value) {
    initial_accumulator_value_ = value;
    return *this;
  }
  /// ε > 0, added to the denominator.
  AdagradOptions& eps(double value) {
    eps_ = value;
    return *this;
  }

  double lr() const { return lr_; }
  double lr_decay() const { return lr_decay_; }
  double weight_decay() const { return weight_decay_; }
  double initial_accumulator_value() const { return initial_accumulator_value_; }
  double eps() const { return eps_; }

 private:
  double lr_;
  double lr_decay_ = 0;
  double weight_decay_ = 0;
  double initial_accumulator_value_ = 0;
  double eps_ = 1e-10;
};

class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<Variable> params, AdagradOptions options = AdagradOptions());
  Adagrad(std::vector<ParamGroup> groups, AdagradOptions options = AdagradOptions());

  void step() override;
  const AdagradOptions& options() const { return options_; }

 private:
  AdagradOptions options_;
};

}  // namespace optim
}  // namespace nabla

#endif  // NABLA_OPTIM_ADAGRAD_H_
