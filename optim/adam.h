#ifndef NABLA_OPTIM_ADAM_H_
#define NABLA_OPTIM_ADAM_H_

/// Adam and AdamW: torch.optim.Adam's and torch.optim.AdamW's updates. For
/// each parameter p with gradient g, at its t-th update (β₁, β₂ betas, λ
/// weight decay, m and v start at 0):
///
///   p ← p (1 − lr λ)                          (AdamW: decoupled decay)
///   g ← g + λ p                               (Adam, λ ≠ 0: L2 penalty)
///   m ← β₁ m + (1 − β₁) g
///   v ← β₂ v + (1 − β₂) g²
///   v̂ ← max(v̂, v)                              (amsgrad; v̂ starts at 0)
///   p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)   (√v̂ with amsgrad)
///
///   Adam adam(params, AdamOptions(1e-3).betas(0.9, 0.999).amsgrad(true));
///   AdamW adamw(params, AdamWOptions(1e-3).weight_decay(0.01));
///
/// Throws nabla::Error naming "Adam" or "AdamW" and the value for lr < 0, a
/// beta outside [0, 1), eps <= 0, weight_decay < 0, and for bad parameters
/// (optimizer.h). state(): "groupG.paramP.step", ".exp_avg", ".exp_avg_sq"
/// and, with amsgrad, ".max_exp_avg_sq".

#include <utility>
#include <vector>

#include "optim/optimizer.h"

namespace nabla {
namespace optim {

/// Options of Adam, with PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8,
/// weight_decay 0, amsgrad false. AdamWOptions differs only in weight_decay 1e-2.
class AdamOptions {
 public:
  explicit AdamOptions(double lr = 1e-3) : lr_(lr) {}

  /// Learning rate, >= 0.
  AdamOptions& lr(double value) {
    lr_ = value;
    return *this;
  }
  /// (β₁, β₂), each in [0, 1): decay rates of the first and second moments.
  AdamOptions& betas(double beta1, double beta2) {
    betas_ = {beta1, beta2};
    return *this;
  }
  /// ε > 0, added to the denominator.
  AdamOptions& eps(double value) {
    eps_ = value;
    return *this;
  }
  /// λ >= 0: an L2 penalty for Adam, decoupled decay for AdamW.
  AdamOptions& weight_decay(double value) {
    weight_decay_ = value;
    return *this;
  }
  /// Divide by the running maximum of the second moment.
  AdamOptions& amsgrad(bool value) {
    amsgrad_ = value;
    return *this;
  }

  double lr() const { return lr_; }
  /// (β₁, β₂)
  std::pair<double, double> betas() const { return betas_; }
  double eps() const { return eps_; }
  double weight_decay() const { return weight_decay_; }
  bool amsgrad() const { return amsgrad_; }

 protected:
  double lr_;
  std::pair<double, double> betas_{0.9, 0.999};
  double eps_ = 1e-8;
  double weight_decay_ = 0;
  bool amsgrad_ = false;
};

/// As AdamOptions, with weight_decay 1e-2 by default (as PyTorch).
class AdamWOptions : public AdamOptions {
 public:
  explicit AdamWOptions(double lr = 1e-3) : AdamOptions(lr) { weight_decay_ = 1e-2; }

  AdamWOptions& lr(double value) {
    AdamOptions::lr(value);
    return *this;
  }
  AdamWOptions& betas(double beta1, double beta2) {
    AdamOptions::betas(beta1, beta2);
    return *this;
  }
  AdamWOptions& eps(double value) {
    AdamOptions::eps(value);
    return *this;
  }
  AdamWOptions& weight_decay(double value) {
    AdamOptions::weight_decay(value);
    return *this;
  }
  AdamWOptions& amsgrad(bool value) {
    AdamOptions::amsgrad(value);
    return *this;
  }
  using AdamOptions::amsgrad;
  using AdamOptions::betas;
  using AdamOptions::eps;
  using AdamOptions::lr;
  using AdamOptions::weight_decay;
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Variable> params, AdamOptions options = AdamOptions());
  Adam(std::vector<ParamGroup> groups, AdamOptions options = AdamOptions());

  void step() override;
  const AdamOptions& options() const { return options_; }

 protected:
  Adam(const char* name, std::vector<ParamGroup> groups, AdamOptions options, bool decoupled_weight_decay);

 private:
  AdamOptions options_;
  bool decoupled_weight_decay_;
};

/// Adam with decoupled weight decay (Loshchilov & Hutter).
class AdamW : public Adam {
 public:
  AdamW(std::vector<Variable> params, AdamWOptions options = AdamWOptions());
  AdamW(std::vector<ParamGroup> groups, AdamWOptions options = AdamWOptions());
};

}  // namespace optim
}  // namespace nabla

#endif  // NABLA_OPTIM_ADAM_H_
