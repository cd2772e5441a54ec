#ifndef NABLA_OPTIM_LR_SCHEDULER_H_
#define NABLA_OPTIM_LR_SCHEDULER_H_

/// Learning-rate schedules: closed-form functions of the epoch (or of the
/// batch, for warm-up) that set an optimiser's learning rate.
///
/// A schedule starts at epoch 0 from the optimiser's base learning rate
/// (group 0's lr at construction) and sets the lr at once; each step()
/// advances one epoch and sets learning_rate_at(epoch) with
/// Optimizer::set_learning_rate, which scales every group by the ratio of
/// its base lr to group 0's. The formulas are PyTorch's closed forms
/// (StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR).
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
  /// Reads the base lr; does not change the optimiser (derived constructors
  /// call set_epoch(0), as their learning_rate_at(0) may differ from it).
  explicit LRScheduler(Optimizer& optimizer);
  virtual ~LRScheduler();
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  /// The lr of group 0 at `epoch` (>= 0).
  virtual double learning_rate_at(std::int64_t epoch) const = 0;

  /// Advances one epoch and sets the optimiser's lr: call once per epoch
  /// (once per batch for a warm-up counted in batches).
  void step();
  /// Jumps to `epoch` (>= 0) and sets the lr, e.g. when resuming training.
  void set_epoch(std::int64_t epoch);
  std::int64_t epoch() const { return epoch_; }

  /// Group 0's lr when the schedule was made: what the schedule scales.
  double base_learning_rate() const { return base_lr_; }
  Optimizer& optimizer() const { return optimizer_; }

 private:
  Optimizer& optimizer_;
  double base_lr_;
  std::int64_t epoch_ = 0;
};

/// lr = base · γ^⌊epoch / step_size⌋. Throws for step_size <= 0 or γ < 0.
class StepLR final : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma = 0.1);
  double learning_rate_at(std::int64_t epoch) const override;

 private:
  std::int64_t step_size_;
  double gamma_;
};

/// lr = base · γ^(number of milestones <= epoch). Throws for milestones that
/// are not positive and strictly increasing, or γ < 0.
class MultiStepLR final : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<std::int64_t> milestones, double gamma = 0.1);
  double learning_rate_at(std::int64_t epoch) const override;

 private:
  std::vector<std::int64_t> milestones_;
  double gamma_;
};

/// lr = base · γ^epoch. Throws for γ < 0.
class ExponentialLR final : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);
  double learning_rate_at(std::int64_t epoch) const override;

 private:
  double gamma_;
};

/// lr = η_min + (base − η_min) · (1 + cos(π · epoch / t_max)) / 2: from base
/// at epoch 0 down to η_min at t_max (and, as PyTorch's closed form, back up
/// after it). With several groups η_min scales with each group too. Throws
/// for t_max <= 0 or η_min < 0.
class CosineAnnealingLR final : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, std::int64_t t_max, double eta_min = 0.0);
  double learning_rate_at(std::int64_t epoch) const override;

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
  double learning_rate_at(std::int64_t epoch) const override;

 private:
  std::int64_t warmup_steps_;
  double start_factor_;
  std::unique_ptr<LRScheduler> after_;
};

}  // namespace optim
}  // namespace nabla

#endif  // NABLA_OPTIM_LR_SCHEDULER_H_
