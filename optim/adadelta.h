#ifndef NABLA_OPTIM_ADADELTA_H_
#define NABLA_OPTIM_ADADELTA_H_

/// Adadelta: torch.optim.Adadelta's update. For each parameter p with
/// gradient g (ρ decay, λ weight decay; v and u start at 0):
///
///   g ← g + λ p                          (λ ≠ 0)
///   v ← ρ v + (1 − ρ) g²
///   Δ = √(u + ε) / √(v + ε) · g
///   u ← ρ u + (1 − ρ) Δ²
///   p ← p − lr Δ
///
///   Adadelta adadelta(params, AdadeltaOptions(1.0).rho(0.95).eps(1e-6));
///
/// Throws nabla::Error naming "Adadelta" and the value for lr < 0, rho
/// outside [0, 1], eps <= 0, weight_decay < 0, and for bad parameters
/// (optimizer.h). state(): "groupG.paramP.square_avg", ".acc_delta".

#include <vector>

#include "optim/optimizer.h"

namespace nabla {
namespace optim {

/// Options of Adadelta, with PyTorch's defaults: lr 1, rho 0.9, eps 1e-6,
/// weight_decay 0.
class AdadeltaOptions {
 public:
  explicit AdadeltaOptions(double lr = 1.0) : lr_(lr) {}

  /// Scales Δ before it is applied, >= 0 (1 in the original method).
  AdadeltaOptions& lr(double value) {
    lr_ = value;
    return *this;
  }
  /// ρ in [0, 1]: decay rate of the running averages.
  AdadeltaOptions& rho(double value) {
    rho_ = value;
    return *this;
  }
  /// ε > 0, added inside both square roots.
  AdadeltaOptions& eps(double value) {
    eps_ = value;
    return *this;
  }
  /// λ >= 0: L2 penalty, added to the gradient.
  AdadeltaOptions& weight_decay(double value) {
    weight_decay_ = value;
    return *this;
  }

  double lr() const { return lr_; }
  double rho() const { return rho_; }
  double eps() const { return eps_; }
  double weight_decay() const { return weight_decay_; }

 private:
  double lr_;
  double rho_ = 0.9;
  double eps_ = 1e-6;
  double weight_decay_ = 0;
};

class Adadelta : public Optimizer {
 public:
  Adadelta(std::vector<Variable> params, AdadeltaOptions options = AdadeltaOptions());
  Adadelta(std::vector<ParamGroup> groups, AdadeltaOptions options = AdadeltaOptions());

  void step() override;
  const AdadeltaOptions& options() const { return options_; }

 private:
  AdadeltaOptions options_;
};

}  // namespace optim
}  // namespace nabla

#endif  // NABLA_OPTIM_ADADELTA_H_
