#ifndef NABLA_OPTIM_RMSPROP_H_
#define NABLA_OPTIM_RMSPROP_H_

/// RMSProp: torch.optim.RMSprop's update. For each parameter p with gradient
/// g (α smoothing constant, λ weight decay, μ momentum; v, ḡ, b start at 0):
///
///   g ← g + λ p                     (λ ≠ 0)
///   v ← α v + (1 − α) g²
///   ḡ ← α ḡ + (1 − α) g             (centered)
///   d ← √(v − ḡ²) + ε  (centered),  d ← √v + ε  (otherwise)
///   b ← μ b + g / d,  p ← p − lr b  (μ > 0)
///   p ← p − lr g / d                (μ = 0)
///
///   RMSProp rmsprop(params, RMSPropOptions(1e-2).alpha(0.9).momentum(0.5).centered(true));
///
/// Throws nabla::Error naming "RMSProp" and the value for lr < 0, alpha
/// outside [0, 1], eps <= 0, momentum outside [0, 1), weight_decay < 0, and
/// for bad parameters (optimizer.h). state(): "groupG.paramP.square_avg" and,
/// with momentum, ".momentum_buffer", when centered, ".grad_avg".

#include <vector>

#include "optim/optimizer.h"

namespace nabla {
namespace optim {

/// Options of RMSProp, with PyTorch's defaults: lr 1e-2, alpha 0.99, eps 1e-8,
/// weight_decay 0, momentum 0, centered false.
class RMSPropOptions {
 public:
  explicit RMSPropOptions(double lr = 1e-2) : lr_(lr) {}

  /// Learning rate, >= 0.
  RMSPropOptions& lr(double value) {
    lr_ = value;
    return *this;
  }
  /// α in [0, 1]: decay rate of the running averages.
  RMSPropOptions& alpha(double value) {
    alpha_ = value;
    return *this;
  }
  /// ε > 0, added to the denominator.
  RMSPropOptions& eps(double value) {
    eps_ = value;
    return *this;
  }
  /// λ >= 0: L2 penalty, added to the gradient.
  RMSPropOptions& weight_decay(double value) {
    weight_decay_ = value;
    return *this;
  }
  /// μ in [0, 1); 0 turns momentum off.
  RMSPropOptions& momentum(double value) {
    momentum_ = value;
    return *this;
  }
  /// Normalise by the gradient's estimated variance rather than its second moment.
  RMSPropOptions& centered(bool value) {
    centered_ = value;
    return *this;
  }

  double lr() const { return lr_; }
  double alpha() const { return alpha_; }
  double eps() const { return eps_; }
  double weight_decay() const { return weight_decay_; }
  double momentum() const { return momentum_; }
  bool centered() const { return centered_; }

 private:
  double lr_;
  double alpha_ = 0.99;
  double eps_ = 1e-8;
  double weight_decay_ = 0;
  double momentum_ = 0;
  bool centered_ = false;
};

class RMSProp : public Optimizer {
 public:
  RMSProp(std::vector<Variable> params, RMSPropOptions options = RMSPropOptions());
  RMSProp(std::vector<ParamGroup> groups, RMSPropOptions options = RMSPropOptions());

  void step() override;
  const RMSPropOptions& options() const { return options_; }

 private:
  RMSPropOptions options_;
};

}  // namespace optim
}  // namespace nabla

#endif  // NABLA_OPTIM_RMSPROP_H_
