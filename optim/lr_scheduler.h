#ifndef NABLA_OPTIM_LR_SCHEDULER_H_
#define NABLA_OPTIM_LR_SCHEDULER_H_

/// Learning-rate schedules: closed-form functions of the epoch (or of the
/// batch, for warm-up) that set an optimiser's learning rate.
///
/// A schedule starts at epoch 0 and sets the learning rates at once; each
/// step() advances one epoch. Each parameter group follows the schedule's
/// closed form from its own base learning rate (the lr it was constructed
/// with), as PyTorch's base_lrs: PyTorch's closed forms of StepLR,
/// MultiStepLR, ExponentialLR, CosineAnnealingLR and LinearLR.
///
///   SGD sgd(params, SGDOptions(0.1).momentum(0.9));
///   CosineAnnealingLR cosine(sgd, /*t_max=*/100);
///   for (int epoch = 0; epoch < 100; ++epoch) {
///     train_one_epoch(sgd);
///     cosine.step();
///   }
///
/// A schedule keeps a reference to its optimiser, which must outlive it.
/// Constructors throw nabla::Error naming the schedule and the value for bad
/// arguments.

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "optim/optimizer.h"

namespace nabla {
namespace optim {

class LRScheduler {
 public:
  /// Does not change the optimiser (derived constructors call set_epoch(0),
  /// as their rate at epoch 0 may differ).
  /// `name` ("StepLR", ...) is what errors say.
  LRScheduler(Optimizer& optimizer, const char* name);
  virtual ~LRScheduler();
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  /// The lr of group 0 at `epoch` (>= 0).
  double learning_rate_at(std::int64_t epoch) const { return learning_rate_at(epoch, base_learning_rate()); }
  /// The lr at `epoch` (>= 0) of a group whose base lr is `base`.
  virtual double learning_rate_at(std::int64_t epoch, double base) const = 0;

  /// Advances one epoch and sets the optimiser's lrs: call once per epoch
  /// (once per batch for a warm-up counted in batches).
  void step();
  /// Jumps to `epoch` (>= 0) and sets the lrs, e.g. when resuming training.
  /// Throws, changing nothing, when a rate is not finite.
  void set_epoch(std::int64_t epoch);
  std::int64_t epoch() const { return epoch_; }

  /// Group 0's base lr.
  double base_learning_rate() const { return optimizer_.base_learning_rate(0); }
  Optimizer& optimizer() const { return optimizer_; }
  const char* name() const { return name_; }

 private:
  Optimizer& optimizer_;
  const char* name_;
  std::int64_t epoch_ = 0;
};

/// lr = base · γ^⌊epoch / step_size⌋. Throws for step_size <= 0, or γ < 0
/// or not finite (as for every γ below).
class StepLR final : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma = 0.1);
  using LRScheduler::learning_rate_at;
  double learning_rate_at(std::int64_t epoch, double base) const override;

 private:
  std::int64_t step_size_;
  double gamma_;
};

/// lr = base · γ^(number of milestones <= epoch). Throws for milestones that
/// are not positive and strictly increasing, or γ < 0.
class MultiStepLR final : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<std::int64_t> milestones, double gamma = 0.1);
  using LRScheduler::learning_rate_at;
  double learning_rate_at(std::int64_t epoch, double base) const override;

 private:
  std::vector<std::int64_t> milestones_;
  double gamma_;
};

/// lr = base · γ^epoch. Throws for γ < 0.
class ExponentialLR final : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);
  using LRScheduler::learning_rate_at;
  double learning_rate_at(std::int64_t epoch, double base) const override;

 private:
  double gamma_;
};

/// lr = η_min + (base − η_min) · (1 + cos(π · epoch / t_max)) / 2: from base
/// at epoch 0 down to η_min at t_max (and, as PyTorch's closed form, back up
/// after it); η_min is the same for every group. Throws for t_max <= 0, or
/// η_min < 0 or not finite.
class CosineAnnealingLR final : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, std::int64_t t_max, double eta_min = 0.0);
  using LRScheduler::learning_rate_at;
  double learning_rate_at(std::int64_t epoch, double base) const override;

 private:
  std::int64_t t_max_;
  double eta_min_;
};

/// Linear warm-up over `warmup_steps` steps, then `after` (or the base lr):
///   epoch < warmup_steps:  (s + (1 − s) · epoch / warmup_steps) · after(0)
///   epoch >= warmup_steps: after(epoch − warmup_steps)
/// with s = start_factor; `after` then starts at its own epoch 0, as in
/// PyTorch's SequentialLR(LinearLR(s, 1, warmup_steps), after). Usually
/// stepped once per batch:
///
///   LinearWarmup warmup(adam, /*warmup_steps=*/500, /*start_factor=*/0.0,
///                       std::make_unique<CosineAnnealingLR>(adam, 10000));
///
/// Throws for warmup_steps <= 0, start_factor outside [0, 1], or an `after`
/// schedule on another optimiser.
class LinearWarmup final : public LRScheduler {
 public:
  LinearWarmup(Optimizer& optimizer, std::int64_t warmup_steps, double start_factor = 0.0,
               std::unique_ptr<LRScheduler> after = nullptr);
  using LRScheduler::learning_rate_at;
  double learning_rate_at(std::int64_t epoch, double base) const override;

 private:
  std::int64_t warmup_steps_;
  double start_factor_;
  std::unique_ptr<LRScheduler> after_;
};

/// lr = base · factor(epoch), as PyTorch's LambdaLR with one function for
/// every group. Throws for an empty function; step() throws, changing
/// nothing, when factor(epoch) · base is not finite.
class LambdaLR final : public LRScheduler {
 public:
  LambdaLR(Optimizer& optimizer, std::function<double(std::int64_t epoch)> factor);
  using LRScheduler::learning_rate_at;
  double learning_rate_at(std::int64_t epoch, double base) const override;

 private:
  std::function<double(std::int64_t)> factor_;
};

/// Whether the monitored value should fall ("loss") or rise ("accuracy").
enum class PlateauMode { kMin, kMax };
/// An improvement beats the best by a fraction of it or by a fixed amount.
enum class ThresholdMode { kRelative, kAbsolute };

/// PyTorch's ReduceLROnPlateau arguments, with its defaults.
class ReduceLROnPlateauOptions {
 public:
  ReduceLROnPlateauOptions& mode(PlateauMode value) {
    mode_ = value;
    return *this;
  }
  /// New lr = old · factor, in [0, 1).
  ReduceLROnPlateauOptions& factor(double value) {
    factor_ = value;
    return *this;
  }
  /// Epochs without improvement that are tolerated (>= 0): the lr falls at the next one.
  ReduceLROnPlateauOptions& patience(std::int64_t value) {
    patience_ = value;
    return *this;
  }
  /// >= 0; relative: an improvement beats best · (1 ∓ threshold), absolute: best ∓ threshold.
  ReduceLROnPlateauOptions& threshold(double value) {
    threshold_ = value;
    return *this;
  }
  ReduceLROnPlateauOptions& threshold_mode(ThresholdMode value) {
    threshold_mode_ = value;
    return *this;
  }
  /// Epochs after a reduction during which bad epochs are not counted (>= 0).
  ReduceLROnPlateauOptions& cooldown(std::int64_t value) {
    cooldown_ = value;
    return *this;
  }
  /// No group's lr falls below this (>= 0).
  ReduceLROnPlateauOptions& min_lr(double value) {
    min_lr_ = value;
    return *this;
  }
  /// A reduction smaller than this is skipped (>= 0).
  ReduceLROnPlateauOptions& eps(double value) {
    eps_ = value;
    return *this;
  }

  PlateauMode mode() const { return mode_; }
  double factor() const { return factor_; }
  std::int64_t patience() const { return patience_; }
  double threshold() const { return threshold_; }
  ThresholdMode threshold_mode() const { return threshold_mode_; }
  std::int64_t cooldown() const { return cooldown_; }
  double min_lr() const { return min_lr_; }
  double eps() const { return eps_; }

 private:
  PlateauMode mode_ = PlateauMode::kMin;
  double factor_ = 0.1;
  std::int64_t patience_ = 10;
  double threshold_ = 1e-4;
  ThresholdMode threshold_mode_ = ThresholdMode::kRelative;
  std::int64_t cooldown_ = 0;
  double min_lr_ = 0;
  double eps_ = 1e-8;
};

/// PyTorch's ReduceLROnPlateau: lowers every group's lr by `factor` (not
/// below min_lr) once the monitored value (a validation loss, say) has not
/// improved for more than `patience` epochs. Unlike the closed forms above it
/// follows the values it is given, so it works on the current lrs.
///
///   ReduceLROnPlateau plateau(sgd, ReduceLROnPlateauOptions().patience(2));
///   for (...) { train_one_epoch(sgd); plateau.step(validation_loss()); }
///
/// A NaN value is never an improvement. Keeps a reference to the optimiser,
/// which must outlive it. The constructor throws nabla::Error naming
/// ReduceLROnPlateau and the value for an argument outside its range.
class ReduceLROnPlateau {
 public:
  explicit ReduceLROnPlateau(Optimizer& optimizer, const ReduceLROnPlateauOptions& options = {});

  /// Records one epoch's value and lowers the lrs when the plateau has lasted long enough.
  void step(double value);

  /// The best value so far (+inf, or -inf in kMax mode, before any).
  double best() const { return best_; }
  /// Epochs since the best one, or since the end of the cooldown.
  std::int64_t bad_epochs() const { return bad_epochs_; }
  Optimizer& optimizer() const { return optimizer_; }
  const ReduceLROnPlateauOptions& options() const { return options_; }

 private:
  bool improves(double value) const;

  Optimizer& optimizer_;
  ReduceLROnPlateauOptions options_;
  double best_;
  std::int64_t bad_epochs_ = 0;
  std::int64_t cooldown_left_ = 0;
};

}  // namespace optim
}  // namespace nabla

#endif  // NABLA_OPTIM_LR_SCHEDULER_H_
