#include "optim/adadelta.h"

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

std::vector<double> two_steps(AdadeltaOptions options, DType dtype = kFloat64) {
  Variable p = parameter(tensor({1, 2}, {2}, dtype));
  Adadelta adadelta({p}, options);
  set_grad(p, {1, -2});
  adadelta.step();
  set_grad(p, {1, -2});
  adadelta.step();
  return p.value().to_vector<double>();
}

TEST(Adadelta, TwoSteps) {
  // lr 1, rho 0.5, eps 0.25 (√ε = 0.5), p = [1, 2], g = [1, -2] at both steps.
  // step 1: v = 0.5·g² = [0.5, 2]; Δ = √(0 + 0.25)/√(v + 0.25)·g = [0.5/√0.75, 0.5/1.5·(-2)] = [1/√3, -2/3]
  //         u = 0.5·Δ² = [1/6, 2/9]; p = [1 - 1/√3, 2 + 2/3]
  // step 2: v = 0.5·[0.5, 2] + 0.5·[1, 4] = [0.75, 3]
  //         Δ = [√(1/6 + 0.25)/√(0.75 + 0.25)·1, √(2/9 + 0.25)/√(3 + 0.25)·(-2)]
  const double d0 = std::sqrt(1.0 / 6 + 0.25) / 1;
  const double d1 = std::sqrt(2.0 / 9 + 0.25) / std::sqrt(3.25) * -2;
  expect_near(two_steps(AdadeltaOptions(1).rho(0.5).eps(0.25)), {1 - 1 / std::sqrt(3.0) - d0, 2 + 2.0 / 3 - d1});
}

TEST(Adadelta, LearningRateScalesTheStep) {
  // As TwoSteps with every Δ multiplied by lr = 0.5 before it reaches p (u is unchanged).
  const double d0 = std::sqrt(1.0 / 6 + 0.25) / 1;
  const double d1 = std::sqrt(2.0 / 9 + 0.25) / std::sqrt(3.25) * -2;
  expect_near(two_steps(AdadeltaOptions(0.5).rho(0.5).eps(0.25)),
              {1 - 0.5 / std::sqrt(3.0) - 0.5 * d0, 2 + 1.0 / 3 - 0.5 * d1});
}

TEST(Adadelta, WeightDecay) {
  // lr 1, rho 0.5, eps 0.25, weight decay 0.5.
  // step 1: g = [1 + 0.5·1, -2 + 0.5·2] = [1.5, -1]; v = 0.5·g² = [1.125, 0.5]
  //         Δ = [0.5/√1.375·1.5, 0.5/√0.75·(-1)]; u = 0.5·Δ²; p = p - Δ
  const double delta0 = 0.5 / std::sqrt(1.375) * 1.5;
  const double delta1 = 0.5 / std::sqrt(0.75) * -1;
  const double p0 = 1 - delta0;
  const double p1 = 2 - delta1;
  // step 2: g = [1, -2] + 0.5·p; v = 0.5·v + 0.5·g²; Δ = √(u + ε)/√(v + ε)·g
  const double g0 = 1 + 0.5 * p0;
  const double g1 = -2 + 0.5 * p1;
  const double v0 = 0.5 * 1.125 + 0.5 * g0 * g0;
  const double v1 = 0.5 * 0.5 + 0.5 * g1 * g1;
  const double e0 = std::sqrt(0.5 * delta0 * delta0 + 0.25) / std::sqrt(v0 + 0.25) * g0;
  const double e1 = std::sqrt(0.5 * delta1 * delta1 + 0.25) / std::sqrt(v1 + 0.25) * g1;
  expect_near(two_steps(AdadeltaOptions(1).rho(0.5).eps(0.25).weight_decay(0.5)), {p0 - e0, p1 - e1});
}

TEST(Adadelta, DefaultsFollowPyTorch) {
  EXPECT_DOUBLE_EQ(AdadeltaOptions().lr(), 1.0);
  EXPECT_DOUBLE_EQ(AdadeltaOptions().rho(), 0.9);
  EXPECT_DOUBLE_EQ(AdadeltaOptions().eps(), 1e-6);
  // rho 0.9, eps 1e-6, lr 1, g[0] = 1 at both steps:
  // step 1: v = 0.1; Δ = √ε/√(0.1 + ε); u = 0.1·Δ²
  // step 2: v = 0.9·0.1 + 0.1 = 0.19; Δ' = √(u + ε)/√(0.19 + ε)
  const double delta = std::sqrt(1e-6) / std::sqrt(0.1 + 1e-6);
  const double delta2 = std::sqrt(0.1 * delta * delta + 1e-6) / std::sqrt(0.19 + 1e-6);
  expect_near({two_steps(AdadeltaOptions())[0]}, {1 - delta - delta2});
}

TEST(Adadelta, Float32) {
  expect_near(two_steps(AdadeltaOptions(1).rho(0.5).eps(0.25), kFloat32),
              two_steps(AdadeltaOptions(1).rho(0.5).eps(0.25), kFloat64), 1e-6);
}

TEST(Adadelta, SkipsParametersWithoutGradient) {
  Variable a = parameter(tensor({1}, {1}, kFloat64));
  Variable b = parameter(tensor({7}, {1}, kFloat64));
  Adadelta adadelta({a, b}, AdadeltaOptions(1).rho(0.5).eps(0.25));
  set_grad(a, {1});
  adadelta.step();
  expect_near(b.value().to_vector<double>(), {7});
  expect_near(a.value().to_vector<double>(), {1 - 1 / std::sqrt(3.0)});  // as TwoSteps
}

TEST(Adadelta, RejectsBadOptions) {
  Variable p = parameter(zeros({2}));
  EXPECT_THAT([&] { Adadelta({p}, AdadeltaOptions(-1)); },
              ThrowsMessage<Error>(HasSubstr("Adadelta: lr must be >= 0, got -1")));
  EXPECT_THAT([&] { Adadelta({p}, AdadeltaOptions().rho(1.1)); },
              ThrowsMessage<Error>(HasSubstr("Adadelta: rho must be in [0, 1], got 1.1")));
  EXPECT_THAT([&] { Adadelta({p}, AdadeltaOptions().eps(0)); },
              ThrowsMessage<Error>(HasSubstr("Adadelta: eps must be > 0, got 0")));
  EXPECT_THAT([&] { Adadelta({p}, AdadeltaOptions().weight_decay(-1)); },
              ThrowsMessage<Error>(HasSubstr("Adadelta: weight_decay must be >= 0, got -1")));
}

}  // namespace
}  // namespace optim
}  // namespace nabla
