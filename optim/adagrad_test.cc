#include "optim/adagrad.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <vector>

#include "autodiff/ops.h"

namespace nabla {
namespace optim {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// Gives `p` the gradient `g`: d/dp sum(p * g) = g.
void set_grad(Variable p, std::initializer_list<double> g) {
  p.zero_grad();
  sum(p * Variable(tensor(g, {-1}, p.dtype()))).backward();
}

void expect_near(const std::vector<double>& actual, const std::vector<double>& expected, double tolerance = 1e-12) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(actual[i], expected[i], tolerance) << "element " << i;
}

// The tests use lr 0.1, eps 1e-10, p = [1, 2], g1 = [1, -2] and
// g2 = [0.75, 1.5], chosen so that the square roots come out round:
//   s1 = g1² = [1, 4]                       √s1 = [1, 2]
//   s2 = s1 + g2² = [1.5625, 6.25]          √s2 = [1.25, 2.5]
constexpr double kEps = 1e-10;

std::vector<double> two_steps(AdagradOptions options, DType dtype = kFloat64) {
  Variable p = parameter(tensor({1, 2}, {2}, dtype));
  Adagrad adagrad({p}, options);
  set_grad(p, {1, -2});
  adagrad.step();
  set_grad(p, {0.75, 1.5});
  adagrad.step();
  return p.value().to_vector<double>();
}

TEST(Adagrad, TwoSteps) {
  // step 1: p = [1 - 0.1·1/(1 + ε), 2 + 0.1·2/(2 + ε)]            ≈ [0.9, 2.1]
  // step 2: p -= [0.1·0.75/(1.25 + ε), 0.1·1.5/(2.5 + ε)] ≈ [0.06, 0.06] → ≈ [0.84, 2.04]
  expect_near(two_steps(AdagradOptions(0.1).eps(kEps)),
              {1 - 0.1 / (1 + kEps) - 0.075 / (1.25 + kEps), 2 + 0.2 / (2 + kEps) - 0.15 / (2.5 + kEps)});
}

TEST(Adagrad, LearningRateDecaysWithTheParametersSteps) {
  // step 2's lr: 0.1 / (1 + (2 - 1)·0.5) = 0.1/1.5; step 1 is as in TwoSteps.
  const double lr2 = 0.1 / 1.5;
  expect_near(two_steps(AdagradOptions(0.1).eps(kEps).lr_decay(0.5)),
              {1 - 0.1 / (1 + kEps) - lr2 * 0.75 / (1.25 + kEps), 2 + 0.2 / (2 + kEps) - lr2 * 1.5 / (2.5 + kEps)});
}

TEST(Adagrad, InitialAccumulatorValue) {
  // s starts at 3: s1 = [3 + 1, 3 + 4] = [4, 7]; s2 = s1 + [0.5625, 2.25] = [4.5625, 9.25]
  expect_near(two_steps(AdagradOptions(0.1).eps(kEps).initial_accumulator_value(3)),
              {1 - 0.1 / (2 + kEps) - 0.075 / (std::sqrt(4.5625) + kEps),
               2 + 0.2 / (std::sqrt(7.0) + kEps) - 0.15 / (std::sqrt(9.25) + kEps)});
}

TEST(Adagrad, WeightDecay) {
  // step 1: g = [1 + 0.5·1, -2 + 0.5·2] = [1.5, -1]; s = [2.25, 1]; p = [1 - 0.1·1.5/(1.5 + ε), 2 + 0.1/(1 + ε)]
  // step 2: g = g2 + 0.5·p ≈ [1.2, 2.55]; s = [2.25, 1] + g² ≈ [3.69, 7.5025]
  const double p0 = 1 - 0.15 / (1.5 + kEps);
  const double p1 = 2 + 0.1 / (1 + kEps);
  const double g0 = 0.75 + 0.5 * p0;
  const double g1 = 1.5 + 0.5 * p1;
  expect_near(two_steps(AdagradOptions(0.1).eps(kEps).weight_decay(0.5)),
              {p0 - 0.1 * g0 / (std::sqrt(2.25 + g0 * g0) + kEps), p1 - 0.1 * g1 / (std::sqrt(1 + g1 * g1) + kEps)});
}

TEST(Adagrad, Float32) {
  expect_near(two_steps(AdagradOptions(0.1).lr_decay(0.5).weight_decay(0.1), kFloat32),
              two_steps(AdagradOptions(0.1).lr_decay(0.5).weight_decay(0.1), kFloat64), 1e-6);
}

TEST(Adagrad, SkippedParameterKeepsItsOwnStepForTheDecay) {
  Variable a = parameter(tensor({1}, {1}, kFloat64));
  Variable b = parameter(tensor({1}, {1}, kFloat64));
  Adagrad adagrad({a, b}, AdagradOptions(0.1).eps(kEps).lr_decay(1));
  set_grad(a, {1});
  adagrad.step();
  a.zero_grad();
  set_grad(b, {1});
  adagrad.step();
  // b's first update: lr 0.1 / (1 + 0·1), s = 1: b = 1 - 0.1/(1 + ε)
  expect_near(b.value().to_vector<double>(), {1 - 0.1 / (1 + kEps)});
  expect_near(a.value().to_vector<double>(), {1 - 0.1 / (1 + kEps)});
}

TEST(Adagrad, GroupsHaveTheirOwnLearningRate) {
  Variable a = parameter(tensor({1}, {1}, kFloat64));
  Variable b = parameter(tensor({1}, {1}, kFloat64));
  Adagrad adagrad({ParamGroup{{a}, 0.5}, ParamGroup{{b}}}, AdagradOptions(0.1).eps(kEps));
  set_grad(a, {2});
  set_grad(b, {2});
  adagrad.step();
  // s = 4, √s = 2: a = 1 - 0.5·2/(2 + ε), b = 1 - 0.1·2/(2 + ε)
  expect_near(a.value().to_vector<double>(), {1 - 1 / (2 + kEps)});
  expect_near(b.value().to_vector<double>(), {1 - 0.2 / (2 + kEps)});
}

TEST(Adagrad, RejectsBadOptions) {
  Variable p = parameter(zeros({2}));
  EXPECT_THAT([&] { Adagrad({p}, AdagradOptions(-1)); },
              ThrowsMessage<Error>(HasSubstr("Adagrad: lr must be >= 0, got -1")));
  EXPECT_THAT([&] { Adagrad({p}, AdagradOptions().lr_decay(-0.1)); },
              ThrowsMessage<Error>(HasSubstr("Adagrad: lr_decay must be >= 0, got -0.1")));
  EXPECT_THAT([&] { Adagrad({p}, AdagradOptions().initial_accumulator_value(-1)); },
              ThrowsMessage<Error>(HasSubstr("Adagrad: initial_accumulator_value must be >= 0, got -1")));
  EXPECT_THAT([&] { Adagrad({p}, AdagradOptions().eps(0)); },
              ThrowsMessage<Error>(HasSubstr("Adagrad: eps must be > 0, got 0")));
  EXPECT_THAT([&] { Adagrad({p}, AdagradOptions().weight_decay(-1)); },
              ThrowsMessage<Error>(HasSubstr("Adagrad: weight_decay must be >= 0, got -1")));
}

}  // namespace
}  // namespace optim
}  // namespace nabla
