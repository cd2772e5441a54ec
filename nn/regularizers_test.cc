#include "nn/regularizers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "autodiff/grad_check.h"
#include "autodiff/ops.h"

namespace nabla::nn {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

constexpr double kTol = 1e-12;

Tensor f64(std::initializer_list<double> values, Shape shape = {-1}) { return tensor(values, shape, kFloat64); }

void expect_values(const Tensor& actual, const std::vector<double>& expected) {
  const std::vector<double> values = actual.to_vector<double>();
  ASSERT_EQ(values.size(), expected.size());
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_NEAR(values[i], expected[i], kTol) << "element " << i;
}

// w = [[1, -2], [3, -4]], b = [0.5]:
//   Σ|p| = 1 + 2 + 3 + 4 + 0.5 = 10.5;  Σp² = 1 + 4 + 9 + 16 + 0.25 = 30.25.
struct Params {
  Variable w = parameter(f64({1, -2, 3, -4}, {2, 2}), "w");
  Variable b = parameter(f64({0.5}), "b");
  std::vector<Variable> all() const { return {w, b}; }
};

TEST(L1, HandValueAndGradient) {
  Params p;
  const Variable penalty = l1(p.all(), 0.1);
  EXPECT_NEAR(penalty.item(), 1.05, kTol);  // 0.1 · 10.5
  penalty.backward();
  expect_values(p.w.grad(), {0.1, -0.1, 0.1, -0.1});  // λ·sign(p)
  expect_values(p.b.grad(), {0.1});
}

TEST(L2, KerasConventionWithoutHalf) {
  Params p;
  const Variable penalty = l2(p.all(), 0.01);
  EXPECT_NEAR(penalty.item(), 0.3025, kTol);  // 0.01 · 30.25
  penalty.backward();
  expect_values(p.w.grad(), {0.02, -0.04, 0.06, -0.08});  // 2λ·p
  expect_values(p.b.grad(), {0.01});
}

TEST(L1L2, SumsBoth) {
  Params p;
  EXPECT_NEAR(l1_l2(p.all(), 0.1, 0.01).item(), 1.05 + 0.3025, kTol);
  EXPECT_NEAR(l1_l2(p.all(), 0.0, 0.0).item(), 0.0, kTol);
}

TEST(Regularizers, AddToALoss) {
  // loss = Σ w + 0.5·Σ w²: gradient 1 + w.
  Params p;
  const Variable loss = sum(p.w) + l2({p.w}, 0.5);
  EXPECT_NEAR(loss.item(), -2 + 15, kTol);
  loss.backward();
  expect_values(p.w.grad(), {2, -1, 4, -3});
}

TEST(Regularizers, Gradients) {
  Generator generator(11);
  // Entries kept away from 0, where |p| has its kink.
  const Tensor magnitude = uniform({3, 4}, 0.2, 1.5, generator, kFloat64);
  const Tensor sign = where(uniform({3, 4}, 0, 1, generator, kFloat64) < 0.5, full({}, -1.0, kFloat64),
                            full({}, 1.0, kFloat64));
  const Tensor bias = uniform({4}, 0.2, 1.5, generator, kFloat64);
  const GradientCheck result = check_gradients(
      [](const std::vector<Variable>& x) { return l1_l2(x, 0.3, 0.7); }, {magnitude * sign, bias});
  EXPECT_TRUE(result.passed) << result.report;
}

TEST(Regularizers, EmptyListIsZero) {
  EXPECT_EQ(l1({}, 0.1).item(), 0.0);
  EXPECT_EQ(l2({}, 0.1).item(), 0.0);
  EXPECT_EQ(l1_l2({}, 0.1, 0.2).item(), 0.0);
}

TEST(Regularizers, Errors) {
  Params p;
  EXPECT_THAT([&] { l2(p.all(), -1.0); }, ThrowsMessage<Error>(AllOf(HasSubstr("l2"), HasSubstr("-1"))));
  EXPECT_THAT([&] { l1(p.all(), -0.5); }, ThrowsMessage<Error>(AllOf(HasSubstr("l1"), HasSubstr("-0.5"))));
  EXPECT_THAT([&] { l1_l2(p.all(), 0.1, -2.0); }, ThrowsMessage<Error>(AllOf(HasSubstr("l1_l2"), HasSubstr("-2"))));
  EXPECT_THAT([&] { l1({p.w, Variable()}, 0.1); }, ThrowsMessage<Error>(HasSubstr("l1: parameter 1 is undefined")));
}

}  // namespace
}  // namespace nabla::nn
