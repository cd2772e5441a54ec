#include "optim/sgd.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

void expect_values(const Variable& p, const std::vector<double>& expected, double tolerance = 1e-12) {
  const std::vector<double> actual = p.value().to_vector<double>();
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(actual[i], expected[i], tolerance) << "element " << i;
}

// Every test: p = [1, 2], gradient g1 = [1, -2] at step 1 and g2 = [0.5, 1] at step 2.
std::vector<double> two_steps(SGDOptions options, DType dtype = kFloat64) {
  Variable p = parameter(tensor({1, 2}, {2}, dtype), "p");
  SGD sgd({p}, options);
  set_grad(p, {1, -2});
  sgd.step();
  set_grad(p, {0.5, 1});
  sgd.step();
  return p.value().to_vector<double>();
}

void expect_near(const std::vector<double>& actual, const std::vector<double>& expected, double tolerance = 1e-12) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(actual[i], expected[i], tolerance) << "element " << i;
}

TEST(SGD, PlainStepsAlongTheGradient) {
  Variable p = parameter(tensor({1, 2}, {2}, kFloat64));
  SGD sgd({p}, SGDOptions(0.1));
  set_grad(p, {1, -2});
  sgd.step();
  // p = [1 - 0.1·1, 2 - 0.1·(-2)] = [0.9, 2.2]
  expect_values(p, {0.9, 2.2});
  set_grad(p, {0.5, 1});
  sgd.step();
  // p = [0.9 - 0.1·0.5, 2.2 - 0.1·1] = [0.85, 2.1]
  expect_values(p, {0.85, 2.1});
  EXPECT_EQ(sgd.steps(), 2);
}

TEST(SGD, MomentumStartsFromTheFirstGradient) {
  // step 1: b = g1 = [1, -2];                       p = [1 - 0.1, 2 + 0.2] = [0.9, 2.2]
  // step 2: b = 0.9·[1, -2] + [0.5, 1] = [1.4, -0.8]; p = [0.9 - 0.14, 2.2 + 0.08] = [0.76, 2.28]
  expect_near(two_steps(SGDOptions(0.1).momentum(0.9)), {0.76, 2.28});
}

TEST(SGD, DampeningScalesLaterGradientsOnly) {
  // step 1: b = g1 = [1, -2] (undamped);  p = [0.9, 2.2]
  // step 2: b = 0.9·[1, -2] + 0.5·[0.5, 1] = [1.15, -1.3]; p = [0.9 - 0.115, 2.2 + 0.13] = [0.785, 2.33]
  expect_near(two_steps(SGDOptions(0.1).momentum(0.9).dampening(0.5)), {0.785, 2.33});
}

TEST(SGD, NesterovLooksAhead) {
  // step 1: b = [1, -2]; g = g1 + 0.9·b = [1.9, -3.8]; p = [1 - 0.19, 2 + 0.38] = [0.81, 2.38]
  // step 2: b = 0.9·[1, -2] + [0.5, 1] = [1.4, -0.8]; g = [0.5 + 1.26, 1 - 0.72] = [1.76, 0.28]
  //         p = [0.81 - 0.176, 2.38 - 0.028] = [0.634, 2.352]
  expect_near(two_steps(SGDOptions(0.1).momentum(0.9).nesterov(true)), {0.634, 2.352});
}

TEST(SGD, WeightDecayAddsToTheGradient) {
  // step 1: g = [1 + 0.1·1, -2 + 0.1·2] = [1.1, -1.8]; p = [1 - 0.11, 2 + 0.18] = [0.89, 2.18]
  // step 2: g = [0.5 + 0.089, 1 + 0.218] = [0.589, 1.218]; p = [0.89 - 0.0589, 2.18 - 0.1218] = [0.8311, 2.0582]
  expect_near(two_steps(SGDOptions(0.1).weight_decay(0.1)), {0.8311, 2.0582});
}

TEST(SGD, WeightDecayWithMomentum) {
  // step 1: g = [1.1, -1.8]; b = g; p = [0.89, 2.18]
  // step 2: g = [0.589, 1.218]; b = 0.9·[1.1, -1.8] + g = [1.579, -0.402]
  //         p = [0.89 - 0.1579, 2.18 + 0.0402] = [0.7321, 2.2202]
  expect_near(two_steps(SGDOptions(0.1).momentum(0.9).weight_decay(0.1)), {0.7321, 2.2202});
}

TEST(SGD, Float32ParametersAndState) {
  Variable p = parameter(tensor({1, 2}, {2}, kFloat32));
  SGD sgd({p}, SGDOptions(0.1).momentum(0.9));
  set_grad(p, {1, -2});
  sgd.step();
  set_grad(p, {0.5, 1});
  sgd.step();
  EXPECT_EQ(p.dtype(), kFloat32);
  expect_values(p, {0.76, 2.28}, 1e-6);  // as MomentumStartsFromTheFirstGradient
  for (const auto& [name, value] : sgd.state()) {
    if (name == "group0.param0.momentum_buffer") {
      EXPECT_EQ(value.dtype(), kFloat32);
      EXPECT_NEAR(value.at({0}), 1.4, 1e-6);
      EXPECT_NEAR(value.at({1}), -0.8, 1e-6);
    }
  }
}

TEST(SGD, GroupsHaveTheirOwnLearningRateAndWeightDecay) {
  Variable a = parameter(tensor({1, 2}, {2}, kFloat64));
  Variable b = parameter(tensor({1, 2}, {2}, kFloat64));
  SGD sgd({ParamGroup{{a}}, ParamGroup{{b}, 0.01, 0.5}}, SGDOptions(0.1));
  EXPECT_DOUBLE_EQ(sgd.learning_rate(0), 0.1);
  EXPECT_DOUBLE_EQ(sgd.learning_rate(1), 0.01);
  EXPECT_DOUBLE_EQ(sgd.weight_decay(0), 0.0);
  EXPECT_DOUBLE_EQ(sgd.weight_decay(1), 0.5);
  set_grad(a, {1, -2});
  set_grad(b, {1, -2});
  sgd.step();
  // a: [1 - 0.1, 2 + 0.2] = [0.9, 2.2]
  // b: g = [1 + 0.5, -2 + 1] = [1.5, -1]; [1 - 0.015, 2 + 0.01] = [0.985, 2.01]
  expect_values(a, {0.9, 2.2});
  expect_values(b, {0.985, 2.01});
}

TEST(SGD, SkipsParametersWithoutGradient) {
  Variable a = parameter(tensor({1, 2}, {2}, kFloat64));
  Variable b = parameter(tensor({3, 4}, {2}, kFloat64));
  SGD sgd({a, b}, SGDOptions(0.1).momentum(0.9));
  set_grad(a, {1, 1});
  sgd.step();
  expect_values(b, {3, 4});
  // b's first update starts its buffer at its own first gradient: b = g = [1, -2].
  set_grad(b, {1, -2});
  a.zero_grad();
  sgd.step();
  expect_values(a, {0.9, 1.9});  // unchanged by the second step
  expect_values(b, {2.9, 4.2});  // [3 - 0.1, 4 + 0.2]
}

TEST(SGD, RejectsBadOptions) {
  Variable p = parameter(zeros({2}));
  EXPECT_THAT([&] { SGD({p}, SGDOptions(-0.1)); }, ThrowsMessage<Error>(HasSubstr("SGD: lr must be >= 0, got -0.1")));
  EXPECT_THAT([&] { SGD({p}, SGDOptions(0.1).momentum(1.5)); },
              ThrowsMessage<Error>(HasSubstr("SGD: momentum must be in [0, 1), got 1.5")));
  EXPECT_THAT([&] { SGD({p}, SGDOptions(0.1).momentum(-0.5)); },
              ThrowsMessage<Error>(HasSubstr("SGD: momentum must be in [0, 1), got -0.5")));
  EXPECT_THAT([&] { SGD({p}, SGDOptions(0.1).dampening(2)); },
              ThrowsMessage<Error>(HasSubstr("SGD: dampening must be in [0, 1], got 2")));
  EXPECT_THAT([&] { SGD({p}, SGDOptions(0.1).weight_decay(-1)); },
              ThrowsMessage<Error>(HasSubstr("SGD: weight_decay must be >= 0, got -1")));
  EXPECT_THAT([&] { SGD({p}, SGDOptions(0.1).nesterov(true)); },
              ThrowsMessage<Error>(HasSubstr("SGD: nesterov needs momentum > 0 and dampening 0, got momentum 0")));
  EXPECT_THAT([&] { SGD({p}, SGDOptions(0.1).momentum(0.9).dampening(0.1).nesterov(true)); },
              ThrowsMessage<Error>(HasSubstr("got momentum 0.9 and dampening 0.1")));
}

// A parameter may be a strided view, here w = [[1, 4], [2, 5], [3, 6]], the
// transpose of its storage, with gradient 1 at w[0][1] only: that element
// alone moves, by lr x 1.
TEST(SGD, StridedParameterMovesElementByElement) {
  Variable w = parameter(tensor({1, 2, 3, 4, 5, 6}, {2, 3}, kFloat64).transpose(0, 1));
  sum(w * Variable(tensor({0, 1, 0, 0, 0, 0}, {3, 2}, kFloat64))).backward();
  SGD sgd({w}, SGDOptions(1.0).momentum(0.9));
  sgd.step();
  expect_values(w, {1, 3, 2, 5, 3, 6});
  EXPECT_EQ(w.value().strides(), (Strides{1, 3}));  // still the view
}

}  // namespace
}  // namespace optim
}  // namespace nabla
