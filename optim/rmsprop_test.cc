#include "optim/rmsprop.h"

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

// The tests use lr 0.1, alpha 0.75, eps 1e-8, p = [1, 2], g1 = [1, -2] and
// g2 = [0.5, 1], chosen so that the square roots come out round:
//   v1 = 0.25·g1² = [0.25, 1]                       √v1 = [0.5, 1]
//   v2 = 0.75·v1 + 0.25·g2² = [0.25, 1]              √v2 = [0.5, 1]
constexpr double kEps = 1e-8;

RMSPropOptions options() { return RMSPropOptions(0.1).alpha(0.75).eps(kEps); }

std::vector<double> two_steps(RMSPropOptions options, DType dtype = kFloat64) {
  Variable p = parameter(tensor({1, 2}, {2}, dtype));
  RMSProp rmsprop({p}, options);
  set_grad(p, {1, -2});
  rmsprop.step();
  set_grad(p, {0.5, 1});
  rmsprop.step();
  return p.value().to_vector<double>();
}

TEST(RMSProp, TwoSteps) {
  // step 1: p = [1 - 0.1·1/(0.5 + ε), 2 + 0.1·2/(1 + ε)] ≈ [0.8, 2.2]
  // step 2: p -= [0.1·0.5/(0.5 + ε), 0.1·1/(1 + ε)]   ≈ [0.7, 2.1]
  expect_near(two_steps(options()),
              {1 - 0.1 / (0.5 + kEps) - 0.05 / (0.5 + kEps), 2 + 0.2 / (1 + kEps) - 0.1 / (1 + kEps)});
}

TEST(RMSProp, Momentum) {
  // step 1: b = g1/(√v1 + ε) ≈ [2, -2];                       p ≈ [0.8, 2.2]
  // step 2: b = 0.5·b + g2/(√v2 + ε) ≈ [1 + 1, -1 + 1] = [2, 0]; p ≈ [0.6, 2.2]
  const double b0 = 1 / (0.5 + kEps);
  const double b1 = -2 / (1 + kEps);
  expect_near(two_steps(options().momentum(0.5)),
              {1 - 0.1 * b0 - 0.1 * (0.5 * b0 + 0.5 / (0.5 + kEps)), 2 - 0.1 * b1 - 0.1 * (0.5 * b1 + 1 / (1 + kEps))});
}

TEST(RMSProp, CenteredSubtractsTheSquaredMeanGradient) {
  // step 1: ḡ = 0.25·g1 = [0.25, -0.5]; v - ḡ² = [0.25 - 0.0625, 1 - 0.25] = [0.1875, 0.75]
  //         p = [1 - 0.1·1/(√0.1875 + ε), 2 + 0.1·2/(√0.75 + ε)]   (√0.1875 = √3/4, √0.75 = √3/2)
  // step 2: ḡ = 0.75·[0.25, -0.5] + 0.25·[0.5, 1] = [0.3125, -0.125]
  //         v - ḡ² = [0.25 - 0.09765625, 1 - 0.015625] = [0.15234375, 0.984375]
  //         p -= [0.1·0.5/(√0.15234375 + ε), 0.1·1/(√0.984375 + ε)]
  const double p0 = 1 - 0.1 / (std::sqrt(0.1875) + kEps) - 0.05 / (std::sqrt(0.15234375) + kEps);
  const double p1 = 2 + 0.2 / (std::sqrt(0.75) + kEps) - 0.1 / (std::sqrt(0.984375) + kEps);
  expect_near(two_steps(options().centered(true)), {p0, p1});
}

TEST(RMSProp, CenteredWithMomentum) {
  // As CenteredSubtractsTheSquaredMeanGradient, with b = 0.5·b + g/d and p -= 0.1·b.
  const double b0 = 1 / (std::sqrt(0.1875) + kEps);
  const double b1 = -2 / (std::sqrt(0.75) + kEps);
  const double c0 = 0.5 * b0 + 0.5 / (std::sqrt(0.15234375) + kEps);
  const double c1 = 0.5 * b1 + 1 / (std::sqrt(0.984375) + kEps);
  expect_near(two_steps(options().centered(true).momentum(0.5)), {1 - 0.1 * b0 - 0.1 * c0, 2 - 0.1 * b1 - 0.1 * c1});
}

TEST(RMSProp, WeightDecay) {
  // step 1: g = [1 + 0.5·1, -2 + 0.5·2] = [1.5, -1]; v = 0.25·g² = [0.5625, 0.25]; √v = [0.75, 0.5]
  //         p = [1 - 0.1·1.5/(0.75 + ε), 2 + 0.1·1/(0.5 + ε)] ≈ [0.8, 2.2]
  // step 2: g = g2 + 0.5·p ≈ [0.9, 2.1]; v = 0.75·[0.5625, 0.25] + 0.25·g² ≈ [0.624375, 1.29]
  const double p0 = 1 - 0.15 / (0.75 + kEps);
  const double p1 = 2 + 0.1 / (0.5 + kEps);
  const double g0 = 0.5 + 0.5 * p0;
  const double g1 = 1 + 0.5 * p1;
  const double v0 = 0.75 * 0.5625 + 0.25 * g0 * g0;
  const double v1 = 0.75 * 0.25 + 0.25 * g1 * g1;
  expect_near(two_steps(options().weight_decay(0.5)),
              {p0 - 0.1 * g0 / (std::sqrt(v0) + kEps), p1 - 0.1 * g1 / (std::sqrt(v1) + kEps)});
}

TEST(RMSProp, Float32) {
  expect_near(two_steps(options().centered(true).momentum(0.5), kFloat32),
              two_steps(options().centered(true).momentum(0.5), kFloat64), 1e-5);
}

TEST(RMSProp, GroupsAndSkippedParameters) {
  Variable a = parameter(tensor({1, 2}, {2}, kFloat64));
  Variable b = parameter(tensor({1, 2}, {2}, kFloat64));
  Variable c = parameter(tensor({5}, {1}, kFloat64));
  RMSProp rmsprop({ParamGroup{{a, c}}, ParamGroup{{b}, 0.01}}, options());
  set_grad(a, {1, -2});
  set_grad(b, {1, -2});
  rmsprop.step();
  // lr 0.1: a = [1 - 0.1/(0.5 + ε), 2 + 0.2/(1 + ε)]; lr 0.01: b = [1 - 0.01/(0.5 + ε), 2 + 0.02/(1 + ε)]
  expect_near(a.value().to_vector<double>(), {1 - 0.1 / (0.5 + kEps), 2 + 0.2 / (1 + kEps)});
  expect_near(b.value().to_vector<double>(), {1 - 0.01 / (0.5 + kEps), 2 + 0.02 / (1 + kEps)});
  expect_near(c.value().to_vector<double>(), {5});
}

TEST(RMSProp, RejectsBadOptions) {
  Variable p = parameter(zeros({2}));
  EXPECT_THAT([&] { RMSProp({p}, RMSPropOptions(-0.01)); },
              ThrowsMessage<Error>(HasSubstr("RMSProp: lr must be >= 0, got -0.01")));
  EXPECT_THAT([&] { RMSProp({p}, RMSPropOptions().alpha(1.5)); },
              ThrowsMessage<Error>(HasSubstr("RMSProp: alpha must be in [0, 1], got 1.5")));
  EXPECT_THAT([&] { RMSProp({p}, RMSPropOptions().eps(0)); },
              ThrowsMessage<Error>(HasSubstr("RMSProp: eps must be > 0, got 0")));
  EXPECT_THAT([&] { RMSProp({p}, RMSPropOptions().momentum(1)); },
              ThrowsMessage<Error>(HasSubstr("RMSProp: momentum must be in [0, 1), got 1")));
  EXPECT_THAT([&] { RMSProp({p}, RMSPropOptions().weight_decay(-2)); },
              ThrowsMessage<Error>(HasSubstr("RMSProp: weight_decay must be >= 0, got -2")));
}

}  // namespace
}  // namespace optim
}  // namespace nabla
