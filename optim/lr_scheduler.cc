#include "optim/lr_scheduler.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "tensor/error.h"

namespace nabla {
namespace optim {
namespace {

constexpr double kPi = 3.14159265358979323846;

void check_epoch(const char* schedule, std::int64_t epoch) {
  NABLA_CHECK(epoch >= 0, schedule, ": epoch must be >= 0, got ", epoch);
}

void check_gamma(const char* schedule, double gamma) {
  NABLA_CHECK(gamma >= 0 && std::isfinite(gamma), schedule, ": gamma must be >= 0 and finite, got ", gamma);
}

}  // namespace

LRScheduler::LRScheduler(Optimizer& optimizer, const char* name) : optimizer_(optimizer), name_(name) {}

LRScheduler::~LRScheduler() = default;

void LRScheduler::step() {
  NABLA_CHECK(epoch_ < std::numeric_limits<std::int64_t>::max(), name_, ": step: epoch ", epoch_,
              " is the last int64 holds");
  set_epoch(epoch_ + 1);
}

void LRScheduler::set_epoch(std::int64_t epoch) {
  check_epoch("LRScheduler::set_epoch", epoch);
  std::vector<double> lrs;
  for (std::size_t group = 0; group < optimizer_.num_groups(); ++group) {
    const double base = optimizer_.base_learning_rate(group);
    lrs.push_back(learning_rate_at(epoch, base));
    NABLA_CHECK(std::isfinite(lrs.back()), name_, ": the learning rate at epoch ", epoch, " is ", lrs.back(),
                " (base rate ", base, ")");
  }
  for (std::size_t group = 0; group < lrs.size(); ++group) optimizer_.set_learning_rate(group, lrs[group]);
  epoch_ = epoch;
}

StepLR::StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma)
    : LRScheduler(optimizer, "StepLR"), step_size_(step_size), gamma_(gamma) {
  NABLA_CHECK(step_size > 0, "StepLR: step_size must be > 0, got ", step_size);
  check_gamma("StepLR", gamma);
  set_epoch(0);
}

double StepLR::learning_rate_at(std::int64_t epoch, double base) const {
  check_epoch("StepLR", epoch);
  return base * std::pow(gamma_, static_cast<double>(epoch / step_size_));
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<std::int64_t> milestones, double gamma)
    : LRScheduler(optimizer, "MultiStepLR"), milestones_(std::move(milestones)), gamma_(gamma) {
  for (std::size_t i = 0; i < milestones_.size(); ++i) {
    NABLA_CHECK(milestones_[i] > 0 && (i == 0 || milestones_[i] > milestones_[i - 1]),
                "MultiStepLR: milestones must be positive and strictly increasing, got ", milestones_);
  }
  check_gamma("MultiStepLR", gamma);
  set_epoch(0);
}

double MultiStepLR::learning_rate_at(std::int64_t epoch, double base) const {
  check_epoch("MultiStepLR", epoch);
  const auto passed = std::upper_bound(milestones_.begin(), milestones_.end(), epoch) - milestones_.begin();
  return base * std::pow(gamma_, static_cast<double>(passed));
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma)
    : LRScheduler(optimizer, "ExponentialLR"), gamma_(gamma) {
  check_gamma("ExponentialLR", gamma);
  set_epoch(0);
}

double ExponentialLR::learning_rate_at(std::int64_t epoch, double base) const {
  check_epoch("ExponentialLR", epoch);
  return base * std::pow(gamma_, static_cast<double>(epoch));
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, std::int64_t t_max, double eta_min)
    : LRScheduler(optimizer, "CosineAnnealingLR"), t_max_(t_max), eta_min_(eta_min) {
  NABLA_CHECK(t_max > 0, "CosineAnnealingLR: t_max must be > 0, got ", t_max);
  NABLA_CHECK(eta_min >= 0 && std::isfinite(eta_min), "CosineAnnealingLR: eta_min must be >= 0 and finite, got ",
              eta_min);
  set_epoch(0);
}

double CosineAnnealingLR::learning_rate_at(std::int64_t epoch, double base) const {
  check_epoch("CosineAnnealingLR", epoch);
  const double angle = kPi * static_cast<double>(epoch) / static_cast<double>(t_max_);
  return eta_min_ + (base - eta_min_) * (1 + std::cos(angle)) / 2;
}

LinearWarmup::LinearWarmup(Optimizer& optimizer, std::int64_t warmup_steps, double start_factor,
                           std::unique_ptr<LRScheduler> after)
    : LRScheduler(optimizer, "LinearWarmup"),
      warmup_steps_(warmup_steps),
      start_factor_(start_factor),
      after_(std::move(after)) {
  NABLA_CHECK(warmup_steps > 0, "LinearWarmup: warmup_steps must be > 0, got ", warmup_steps);
  NABLA_CHECK(start_factor >= 0 && start_factor <= 1, "LinearWarmup: start_factor must be in [0, 1], got ",
              start_factor);
  NABLA_CHECK(after_ == nullptr || &after_->optimizer() == &optimizer,
              "LinearWarmup: the schedule after the warm-up drives another optimiser (", after_->optimizer().name(),
              ")");
  set_epoch(0);
}

double LinearWarmup::learning_rate_at(std::int64_t epoch, double base) const {
  check_epoch("LinearWarmup", epoch);
  if (epoch >= warmup_steps_) return after_ ? after_->learning_rate_at(epoch - warmup_steps_, base) : base;
  const double target = after_ ? after_->learning_rate_at(0, base) : base;
  const double progress = static_cast<double>(epoch) / static_cast<double>(warmup_steps_);
  return (start_factor_ + (1 - start_factor_) * progress) * target;
}

LambdaLR::LambdaLR(Optimizer& optimizer, std::function<double(std::int64_t epoch)> factor)
    : LRScheduler(optimizer, "LambdaLR"), factor_(std::move(factor)) {
  NABLA_CHECK(factor_ != nullptr, "LambdaLR: the factor function is empty");
  set_epoch(0);
}

double LambdaLR::learning_rate_at(std::int64_t epoch, double base) const {
  check_epoch("LambdaLR", epoch);
  return base * factor_(epoch);
}

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, const ReduceLROnPlateauOptions& options)
    : optimizer_(optimizer),
      options_(options),
      best_(options.mode() == PlateauMode::kMin ? std::numeric_limits<double>::infinity()
                                                : -std::numeric_limits<double>::infinity()) {
  constexpr const char* kName = "ReduceLROnPlateau";
  NABLA_CHECK(options.factor() >= 0 && options.factor() < 1, kName, ": factor must be in [0, 1), got ",
              options.factor());
  NABLA_CHECK(options.patience() >= 0, kName, ": patience must be >= 0, got ", options.patience());
  NABLA_CHECK(options.threshold() >= 0 && std::isfinite(options.threshold()), kName,
              ": threshold must be >= 0 and finite, got ", options.threshold());
  NABLA_CHECK(options.cooldown() >= 0, kName, ": cooldown must be >= 0, got ", options.cooldown());
  NABLA_CHECK(options.min_lr() >= 0 && std::isfinite(options.min_lr()), kName, ": min_lr must be >= 0 and finite, got ",
              options.min_lr());
  NABLA_CHECK(options.eps() >= 0 && std::isfinite(options.eps()), kName, ": eps must be >= 0 and finite, got ",
              options.eps());
}

bool ReduceLROnPlateau::improves(double value) const {
  const double t = options_.threshold();
  const bool relative = options_.threshold_mode() == ThresholdMode::kRelative;
  if (options_.mode() == PlateauMode::kMin) return value < (relative ? best_ * (1 - t) : best_ - t);
  return value > (relative ? best_ * (1 + t) : best_ + t);
}

void ReduceLROnPlateau::step(double value) {
  if (improves(value)) {
    best_ = value;
    bad_epochs_ = 0;
  } else {
    ++bad_epochs_;
  }
  if (cooldown_left_ > 0) {
    --cooldown_left_;
    bad_epochs_ = 0;
  }
  if (bad_epochs_ <= options_.patience()) return;
  for (std::size_t group = 0; group < optimizer_.num_groups(); ++group) {
    const double old_lr = optimizer_.learning_rate(group);
    const double new_lr = std::max(old_lr * options_.factor(), options_.min_lr());
    if (old_lr - new_lr > options_.eps()) optimizer_.set_learning_rate(group, new_lr);
  }
  cooldown_left_ = options_.cooldown();
  bad_epochs_ = 0;
}

}  // namespace optim
}  // namespace nabla
