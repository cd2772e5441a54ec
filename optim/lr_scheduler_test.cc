#include "optim/lr_scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "autodiff/ops.h"
#include "optim/sgd.h"

namespace nabla {
namespace optim {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

constexpr double kPi = 3.14159265358979323846;

// The optimiser's lr after construction (epoch 0) and after each of `steps` step() calls.
std::vector<double> sequence(LRScheduler& schedule, int steps) {
  std::vector<double> lrs{schedule.optimizer().learning_rate()};
  for (int i = 0; i < steps; ++i) {
    schedule.step();
    lrs.push_back(schedule.optimizer().learning_rate());
  }
  return lrs;
}

void expect_near(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(actual[i], expected[i], 1e-15) << "epoch " << i;
}

class Schedule : public ::testing::Test {
 protected:
  Variable w_ = parameter(ones({2}));
  SGD sgd_{{w_}, SGDOptions(1.0)};
};

TEST_F(Schedule, StepLRDecaysEveryStepSizeEpochs) {
  StepLR schedule(sgd_, 2, 0.5);
  // 1·0.5^⌊e/2⌋ for e = 0..6
  expect_near(sequence(schedule, 6), {1, 1, 0.5, 0.5, 0.25, 0.25, 0.125});
  EXPECT_EQ(schedule.epoch(), 6);
}

TEST_F(Schedule, MultiStepLRDecaysAtEachMilestone) {
  MultiStepLR schedule(sgd_, {2, 5}, 0.1);
  // 0.1^(milestones passed): e = 0, 1 → 1; e = 2..4 → 0.1; e = 5, 6 → 0.01
  expect_near(sequence(schedule, 6), {1, 1, 0.1, 0.1, 0.1, 0.01, 0.01});
}

TEST_F(Schedule, ExponentialLRDecaysEveryEpoch) {
  ExponentialLR schedule(sgd_, 0.5);
  expect_near(sequence(schedule, 4), {1, 0.5, 0.25, 0.125, 0.0625});
}

TEST_F(Schedule, CosineAnnealingLRFollowsHalfACosine) {
  CosineAnnealingLR schedule(sgd_, 4);
  // (1 + cos(π e / 4)) / 2: 1, (1 + √2/2)/2, 0.5, (1 - √2/2)/2, 0, then back up as PyTorch's closed form
  const double r = std::sqrt(2.0) / 2;
  expect_near(sequence(schedule, 5), {1, (1 + r) / 2, 0.5, (1 - r) / 2, 0, (1 - r) / 2});
}

TEST_F(Schedule, CosineAnnealingLRWithAFloor) {
  CosineAnnealingLR schedule(sgd_, 4, 0.2);
  // 0.2 + 0.8·(1 + cos(π e / 4)) / 2
  const double r = std::sqrt(2.0) / 2;
  expect_near(sequence(schedule, 4), {1, 0.2 + 0.4 * (1 + r), 0.6, 0.2 + 0.4 * (1 - r), 0.2});
}

TEST_F(Schedule, LinearWarmupRisesToTheBaseRate) {
  LinearWarmup schedule(sgd_, 4);
  // e/4 for e < 4, then 1
  expect_near(sequence(schedule, 6), {0, 0.25, 0.5, 0.75, 1, 1, 1});
}

TEST_F(Schedule, LinearWarmupFromAStartFactor) {
  LinearWarmup schedule(sgd_, 4, 0.5);
  // 0.5 + 0.5·e/4
  expect_near(sequence(schedule, 5), {0.5, 0.625, 0.75, 0.875, 1, 1});
}

TEST_F(Schedule, LinearWarmupThenAnotherSchedule) {
  LinearWarmup schedule(sgd_, 2, 0.0, std::make_unique<StepLR>(sgd_, 2, 0.5));
  // warm-up: 0, 0.5; then StepLR from its epoch 0: 1, 1, 0.5, 0.5, 0.25
  expect_near(sequence(schedule, 6), {0, 0.5, 1, 1, 0.5, 0.5, 0.25});
}

TEST_F(Schedule, LinearWarmupThenCosine) {
  LinearWarmup schedule(sgd_, 2, 0.5, std::make_unique<CosineAnnealingLR>(sgd_, 2));
  // 0.5, 0.75, then (1 + cos(π k / 2)) / 2 for k = 0, 1, 2: 1, 0.5, 0
  expect_near(sequence(schedule, 4), {0.5, 0.75, 1, 0.5, 0});
}

TEST_F(Schedule, SetEpochJumps) {
  StepLR schedule(sgd_, 3, 0.1);
  schedule.set_epoch(7);
  EXPECT_EQ(schedule.epoch(), 7);
  EXPECT_NEAR(sgd_.learning_rate(), 0.01, 1e-15);  // 0.1^⌊7/3⌋
  schedule.step();
  EXPECT_NEAR(sgd_.learning_rate(), 0.01, 1e-15);
  schedule.step();
  EXPECT_NEAR(sgd_.learning_rate(), 0.001, 1e-15);  // epoch 9
  EXPECT_NEAR(schedule.learning_rate_at(3), 0.1, 1e-15);
  EXPECT_THAT([&] { schedule.set_epoch(-1); },
              ThrowsMessage<Error>(HasSubstr("LRScheduler::set_epoch: epoch must be >= 0, got -1")));
}

TEST(LRScheduler, ScalesEveryGroupByItsBaseRate) {
  Variable a = parameter(ones({2}));
  Variable b = parameter(ones({2}));
  SGD sgd({ParamGroup{{a}}, ParamGroup{{b}, 0.01}}, SGDOptions(0.1));
  ExponentialLR schedule(sgd, 0.5);
  EXPECT_DOUBLE_EQ(schedule.base_learning_rate(), 0.1);
  schedule.step();
  schedule.step();
  // 0.1·0.25 and 0.01·0.25
  EXPECT_NEAR(sgd.learning_rate(0), 0.025, 1e-15);
  EXPECT_NEAR(sgd.learning_rate(1), 0.0025, 1e-15);
}

// Each group follows the schedule from its own base rate, as PyTorch's
// base_lrs: a frozen group 0 (lr 0) leaves the others scheduled.
TEST(LRScheduler, AFrozenGroupZeroLeavesTheOthersScheduled) {
  Variable frozen = parameter(ones({1}));
  Variable head = parameter(ones({1}));
  SGD sgd({ParamGroup{{frozen}, 0.0}, ParamGroup{{head}, 0.1}}, SGDOptions(0.1));
  StepLR schedule(sgd, 2, 0.5);
  EXPECT_DOUBLE_EQ(sgd.learning_rate(1), 0.1);
  schedule.step();
  schedule.step();
  EXPECT_DOUBLE_EQ(sgd.learning_rate(0), 0.0);
  EXPECT_DOUBLE_EQ(sgd.learning_rate(1), 0.05);  // 0.1 · 0.5^⌊2/2⌋
}

// As PyTorch's: η_min is the same floor for every group.
TEST(LRScheduler, CosineAnnealingHasOneFloorForEveryGroup) {
  Variable a = parameter(ones({1}));
  Variable b = parameter(ones({1}));
  SGD sgd({ParamGroup{{a}, 0.1}, ParamGroup{{b}, 0.01}}, SGDOptions(0.1));
  CosineAnnealingLR schedule(sgd, 2, 0.001);
  schedule.step();  // halfway: η_min + (base − η_min) / 2
  EXPECT_NEAR(sgd.learning_rate(0), 0.0505, 1e-15);
  EXPECT_NEAR(sgd.learning_rate(1), 0.0055, 1e-15);
  schedule.step();
  EXPECT_NEAR(sgd.learning_rate(1), 0.001, 1e-15);
}

TEST_F(Schedule, StepAtTheLastEpochInt64HoldsIsAnError) {
  StepLR schedule(sgd_, 1, 1.0);
  schedule.set_epoch(std::numeric_limits<std::int64_t>::max());
  EXPECT_THAT([&] { schedule.step(); },
              ThrowsMessage<Error>(HasSubstr("StepLR: step: epoch 9223372036854775807 is the last int64 holds")));
}

TEST(LRScheduler, TheOptimiserUsesTheScheduledRate) {
  Variable w = parameter(tensor({1}, {1}, kFloat64));
  SGD sgd({w}, SGDOptions(1.0));
  LinearWarmup warmup(sgd, 4);
  for (int i = 0; i < 3; ++i) {
    warmup.step();  // lr 0.25, 0.5, 0.75
    sgd.zero_grad();
    sum(w).backward();  // gradient 1
    sgd.step();
  }
  EXPECT_NEAR(w.value().item(), 1 - 0.25 - 0.5 - 0.75, 1e-15);
}

TEST_F(Schedule, RejectsBadArguments) {
  EXPECT_THAT([&] { StepLR(sgd_, 0); }, ThrowsMessage<Error>(HasSubstr("StepLR: step_size must be > 0, got 0")));
  EXPECT_THAT([&] { StepLR(sgd_, 2, -0.1); },
              ThrowsMessage<Error>(HasSubstr("StepLR: gamma must be >= 0 and finite, got -0.1")));
  EXPECT_THAT(
      [&] {
        MultiStepLR(sgd_, {3, 2});
      },
      ThrowsMessage<Error>(HasSubstr("MultiStepLR: milestones must be positive and strictly increasing, got [3, 2]")));
  EXPECT_THAT([&] { MultiStepLR(sgd_, {0, 2}); }, ThrowsMessage<Error>(HasSubstr("got [0, 2]")));
  EXPECT_THAT([&] { ExponentialLR(sgd_, -1); },
              ThrowsMessage<Error>(HasSubstr("ExponentialLR: gamma must be >= 0 and finite, got -1")));
  EXPECT_THAT([&] { CosineAnnealingLR(sgd_, 0); },
              ThrowsMessage<Error>(HasSubstr("CosineAnnealingLR: t_max must be > 0, got 0")));
  EXPECT_THAT([&] { CosineAnnealingLR(sgd_, 10, -1); },
              ThrowsMessage<Error>(HasSubstr("CosineAnnealingLR: eta_min must be >= 0 and finite, got -1")));
  EXPECT_THAT([&] { CosineAnnealingLR(sgd_, 10, std::numeric_limits<double>::infinity()); },
              ThrowsMessage<Error>(HasSubstr("CosineAnnealingLR: eta_min must be >= 0 and finite, got inf")));
  EXPECT_THAT([&] { StepLR(sgd_, 2, std::numeric_limits<double>::infinity()); },
              ThrowsMessage<Error>(HasSubstr("StepLR: gamma must be >= 0 and finite, got inf")));
  EXPECT_THAT([&] { ExponentialLR(sgd_, std::nan("")); },
              ThrowsMessage<Error>(HasSubstr("ExponentialLR: gamma must be >= 0 and finite, got nan")));
  // A finite gamma can still overflow the rate: the error names the schedule.
  ExponentialLR growing(sgd_, 1e300);
  EXPECT_THAT([&] { growing.set_epoch(2); },
              ThrowsMessage<Error>(HasSubstr("ExponentialLR: the learning rate at epoch 2 is inf")));
  EXPECT_THAT([&] { LinearWarmup(sgd_, 0); },
              ThrowsMessage<Error>(HasSubstr("LinearWarmup: warmup_steps must be > 0, got 0")));
  EXPECT_THAT([&] { LinearWarmup(sgd_, 5, 1.5); },
              ThrowsMessage<Error>(HasSubstr("LinearWarmup: start_factor must be in [0, 1], got 1.5")));
  Variable other_w = parameter(ones({1}));
  SGD other({other_w}, SGDOptions(0.1));
  EXPECT_THAT([&] { LinearWarmup(sgd_, 5, 0.0, std::make_unique<StepLR>(other, 2)); },
              ThrowsMessage<Error>(HasSubstr("LinearWarmup: the schedule after the warm-up drives another optimiser")));
  StepLR schedule(sgd_, 2);
  EXPECT_THAT([&] { schedule.learning_rate_at(-3); },
              ThrowsMessage<Error>(HasSubstr("StepLR: epoch must be >= 0, got -3")));
}

TEST_F(Schedule, LambdaLRScalesTheBaseRate) {
  LambdaLR schedule(sgd_, [](std::int64_t epoch) { return 1.0 / static_cast<double>(epoch + 1); });
  expect_near(sequence(schedule, 3), {1, 0.5, 1.0 / 3, 0.25});
  LambdaLR exploding(sgd_, [](std::int64_t epoch) { return epoch == 0 ? 1.0 : std::log(0.0); });
  EXPECT_THAT([&] { exploding.step(); },
              ThrowsMessage<Error>(HasSubstr("LambdaLR: the learning rate at epoch 1 is -inf")));
  EXPECT_THAT([&] { LambdaLR(sgd_, nullptr); }, ThrowsMessage<Error>(HasSubstr("LambdaLR: the factor function is empty")));
}

// The lr after each step(value), for PyTorch's rule worked by hand below.
std::vector<double> plateau_lrs(ReduceLROnPlateau& plateau, const std::vector<double>& values) {
  std::vector<double> lrs;
  for (double value : values) {
    plateau.step(value);
    lrs.push_back(plateau.optimizer().learning_rate());
  }
  return lrs;
}

TEST_F(Schedule, ReduceLROnPlateauWaitsPatienceEpochs) {
  ReduceLROnPlateau plateau(sgd_, ReduceLROnPlateauOptions().factor(0.5).patience(2));
  // 10 and 9 improve (9 < 10·(1 - 1e-4)); three 9s are 3 bad epochs > 2: halve.
  // 8 improves; three 8.5s: halve again.
  expect_near(plateau_lrs(plateau, {10, 9, 9, 9, 9, 8, 8.5, 8.5, 8.5}), {1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25});
  EXPECT_EQ(plateau.best(), 8);
  EXPECT_EQ(plateau.bad_epochs(), 0);
}

TEST_F(Schedule, ReduceLROnPlateauCooldownAndFloor) {
  ReduceLROnPlateau plateau(sgd_, ReduceLROnPlateauOptions().factor(0.5).patience(0).cooldown(2).min_lr(0.2));
  // Every repeat is bad; after a cut, two epochs of cooldown count none. The
  // third cut stops at min_lr 0.2, and a fourth would change nothing.
  expect_near(plateau_lrs(plateau, {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5}),
              {1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2});
}

TEST_F(Schedule, ReduceLROnPlateauMaxModeAbsoluteThresholdAndNaN) {
  ReduceLROnPlateau plateau(sgd_, ReduceLROnPlateauOptions()
                                      .mode(PlateauMode::kMax)
                                      .threshold_mode(ThresholdMode::kAbsolute)
                                      .threshold(0.1)
                                      .patience(1));
  // 0.55 is not 0.1 above 0.5 (bad 1); 0.65 is (best); 0.7 is not (bad 1);
  // NaN never improves (bad 2 > 1): the lr falls to 0.1.
  expect_near(plateau_lrs(plateau, {0.5, 0.55, 0.65, 0.7, std::nan("")}), {1, 1, 1, 1, 0.1});
  EXPECT_EQ(plateau.best(), 0.65);
}

TEST(ReduceLROnPlateau, EveryGroupFallsToItsOwnFloorAndBadArgumentsAreErrors) {
  Variable a = parameter(ones({1}));
  Variable b = parameter(ones({1}));
  SGD sgd({ParamGroup{{a}, 1.0}, ParamGroup{{b}, 0.01}}, SGDOptions(0.1));
  ReduceLROnPlateau plateau(sgd, ReduceLROnPlateauOptions().patience(0).min_lr(0.005));
  plateau.step(1);
  plateau.step(1);
  EXPECT_NEAR(sgd.learning_rate(0), 0.1, 1e-15);
  EXPECT_NEAR(sgd.learning_rate(1), 0.005, 1e-15);  // 0.001 is below the floor
  EXPECT_THAT([&] { ReduceLROnPlateau(sgd, ReduceLROnPlateauOptions().factor(1)); },
              ThrowsMessage<Error>(HasSubstr("ReduceLROnPlateau: factor must be in [0, 1), got 1")));
  EXPECT_THAT([&] { ReduceLROnPlateau(sgd, ReduceLROnPlateauOptions().patience(-1)); },
              ThrowsMessage<Error>(HasSubstr("ReduceLROnPlateau: patience must be >= 0, got -1")));
  EXPECT_THAT([&] { ReduceLROnPlateau(sgd, ReduceLROnPlateauOptions().min_lr(-0.1)); },
              ThrowsMessage<Error>(HasSubstr("ReduceLROnPlateau: min_lr must be >= 0 and finite, got -0.1")));
}

}  // namespace
}  // namespace optim
}  // namespace nabla
