#ifndef NABLA_OPTIM_SGD_H_
#define NABLA_OPTIM_SGD_H_

/// Stochastic gradient descent with momentum, dampening, Nesterov momentum
/// and L2 weight decay: torch.optim.SGD's update. For each parameter p with
/// gradient g, at its t-th update (λ weight decay, μ momentum, τ dampening):
///
///   g ← g + λ p                          (λ ≠ 0)
///   b ← g                                (μ ≠ 0, t = 1)
///   b ← μ b + (1 − τ) g                  (μ ≠ 0, t > 1)
///   g ← g + μ b  (nesterov),  g ← b  (otherwise)     (μ ≠ 0)
///   p ← p − lr g
///
///   SGD sgd(model_params, SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(1e-4));
///
/// Throws nabla::Error naming "SGD" and the value for lr < 0, momentum
/// outside [0, 1), dampening outside [0, 1], weight_decay < 0, nesterov with
/// momentum 0 or dampening ≠ 0, and for bad parameters (optimizer.h).
/// state(), with momentum: "groupG.paramP.step", "groupG.paramP.momentum_buffer".

#include <vector>

#include "optim/optimizer.h"

namespace nabla {
namespace optim {

/// Options of SGD. The lr has no default; the others default to 0 / false.
class SGDOptions {
 public:
  explicit SGDOptions(double lr) : lr_(lr) {}

  /// Learning rate, >= 0.
  SGDOptions& lr(double value) {
    lr_ = value;
    return *this;
  }
  /// μ in [0, 1); 0 turns momentum off.
  SGDOptions& momentum(double value) {
    momentum_ = value;
    return *this;
  }
  /// τ in [0, 1]: how much of each later gradient is held back from the buffer.
  SGDOptions& dampening(double value) {
    dampening_ = value;
    return *this;
  }
  /// λ >= 0: L2 penalty, added to the gradient.
  SGDOptions& weight_decay(double value) {
    weight_decay_ = value;
    return *this;
  }
  /// Nesterov momentum; needs momentum > 0 and dampening 0.
  SGDOptions& nesterov(bool value) {
    nesterov_ = value;
    return *this;
  }

  double lr() const { return lr_; }
  double momentum() const { return momentum_; }
  double dampening() const { return dampening_; }
  double weight_decay() const { return weight_decay_; }
  bool nesterov() const { return nesterov_; }

 private:
  double lr_;
  double momentum_ = 0;
  double dampening_ = 0;
  double weight_decay_ = 0;
  bool nesterov_ = false;
};

class SGD : public Optimizer {
 public:
  /// One group holding `params`.
  SGD(std::vector<Variable> params, SGDOptions options);
  SGD(std::vector<ParamGroup> groups, SGDOptions options);

  void step() override;
  const SGDOptions& options() const { return options_; }

 private:
  SGDOptions options_;
};

}  // namespace optim
}  // namespace nabla

#endif  // NABLA_OPTIM_SGD_H_
