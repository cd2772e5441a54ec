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

}  // namespace optim
}  // namespace nabla

#endif  // NABLA_OPTIM_LR_SCHEDULER_H_
