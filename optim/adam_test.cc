#include "optim/adam.h"

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

void expect_values(const Variable& p, const std::vector<double>& expected, double tolerance = 1e-12) {
  const std::vector<double> actual = p.value().to_vector<double>();
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(actual[i], expected[i], tolerance) << "element " << i;
}

// The tests use lr 0.1, betas (0.5, 0.75), eps 1e-8 and p = [1, 2], chosen so
// that the square roots come out round:
//   t = 1: bias corrections 1 - 0.5 = 0.5 and 1 - 0.75 = 0.25 (√ = 0.5); step size 0.1 / 0.5 = 0.2
//   t = 2: bias corrections 1 - 0.25 = 0.75 and 1 - 0.5625 = 0.4375; step size 0.1 / 0.75 = 2/15
constexpr double kEps = 1e-8;
const double kSqrtBc2 = std::sqrt(0.4375);

AdamOptions options() { return AdamOptions(0.1).betas(0.5, 0.75).eps(kEps); }

TEST(Adam, TwoSteps) {
  Variable p = parameter(tensor({1, 2}, {2}, kFloat64));
  Adam adam({p}, options());
  set_grad(p, {1, -2});
  adam.step();
  // m = 0.5·g = [0.5, -1]; v = 0.25·g² = [0.25, 1]; √v / 0.5 = [1, 2]
  // p = p - 0.2·m / ([1, 2] + ε) = [1 - 0.1/(1 + ε), 2 + 0.2/(2 + ε)] ≈ [0.9, 2.1]
  expect_values(p, {1 - 0.1 / (1 + kEps), 2 + 0.2 / (2 + kEps)});
  const double p0 = 1 - 0.1 / (1 + kEps);
  const double p1 = 2 + 0.2 / (2 + kEps);
  set_grad(p, {-1, 2});
  adam.step();
  // m = 0.5·[0.5, -1] + 0.5·[-1, 2] = [-0.25, 0.5]
  // v = 0.75·[0.25, 1] + 0.25·[1, 4] = [0.4375, 1.75]; √v / √0.4375 = [1, 2]
  // p = p - (2/15)·[-0.25/(1 + ε), 0.5/(2 + ε)] ≈ [0.9 + 1/30, 2.1 - 1/30]
  expect_values(p, {p0 + (0.1 / 0.75) * 0.25 / (1 + kEps), p1 - (0.1 / 0.75) * 0.5 / (2 + kEps)});
}

TEST(Adam, AmsgradUsesTheLargestSecondMoment) {
  // Step 2's gradient [0, 2] makes v[0] shrink: 0.75·0.25 + 0 = 0.1875 < 0.25.
  // m[0] = 0.5·0.5 + 0 = 0.25. p[0] after step 1: 1 - 0.1/(1 + ε).
  //   amsgrad:  v̂ = max(0.25, 0.1875) = 0.25; p[0] -= (2/15)·0.25 / (√0.25/√0.4375 + ε)
  //   plain:    p[0] -= (2/15)·0.25 / (√0.1875/√0.4375 + ε)
  // v[1] grows (0.75·1 + 0.25·4 = 1.75), so both agree on p[1]: m[1] = 0.5·(-1) + 0.5·2 = 0.5,
  //   √1.75/√0.4375 = 2, p[1] = 2 + 0.2/(2 + ε) - (2/15)·0.5/(2 + ε).
  const double p0 = 1 - 0.1 / (1 + kEps);
  const double p1 = 2 + 0.2 / (2 + kEps) - (0.1 / 0.75) * 0.5 / (2 + kEps);
  for (bool amsgrad : {true, false}) {
    Variable p = parameter(tensor({1, 2}, {2}, kFloat64));
    Adam adam({p}, options().amsgrad(amsgrad));
    set_grad(p, {1, -2});
    adam.step();
    set_grad(p, {0, 2});
    adam.step();
    const double v0 = amsgrad ? 0.25 : 0.1875;
    expect_values(p, {p0 - (0.1 / 0.75) * 0.25 / (std::sqrt(v0) / kSqrtBc2 + kEps), p1});
  }
}

TEST(Adam, WeightDecayIsAnL2Penalty) {
  Variable p = parameter(tensor({1, 2}, {2}, kFloat64));
  Adam adam({p}, options().weight_decay(0.5));
  set_grad(p, {1, -2});
  adam.step();
  // g = [1 + 0.5·1, -2 + 0.5·2] = [1.5, -1]; m = [0.75, -0.5]; v = 0.25·g² = [0.5625, 0.25]
  // √v / 0.5 = [1.5, 1]: p = [1 - 0.2·0.75/(1.5 + ε), 2 + 0.2·0.5/(1 + ε)] ≈ [0.9, 2.1]
  const double p0 = 1 - 0.2 * 0.75 / (1.5 + kEps);
  const double p1 = 2 + 0.2 * 0.5 / (1 + kEps);
  expect_values(p, {p0, p1});
  set_grad(p, {-1, 2});
  adam.step();
  // g = [-1 + 0.5·p0, 2 + 0.5·p1] ≈ [-0.55, 3.05]
  // m = 0.5·[0.75, -0.5] + 0.5·g ≈ [0.1, 1.275]
  // v = 0.75·[0.5625, 0.25] + 0.25·g² ≈ [0.4975, 2.513125]
  const double g0 = -1 + 0.5 * p0;
  const double g1 = 2 + 0.5 * p1;
  const double m0 = 0.5 * 0.75 + 0.5 * g0;
  const double m1 = 0.5 * -0.5 + 0.5 * g1;
  const double v0 = 0.75 * 0.5625 + 0.25 * g0 * g0;
  const double v1 = 0.75 * 0.25 + 0.25 * g1 * g1;
  expect_values(p, {p0 - (0.1 / 0.75) * m0 / (std::sqrt(v0) / kSqrtBc2 + kEps),
                    p1 - (0.1 / 0.75) * m1 / (std::sqrt(v1) / kSqrtBc2 + kEps)});
}

TEST(AdamW, DecaysTheWeightsBeforeTheAdamStep) {
  Variable p = parameter(tensor({1, 2}, {2}, kFloat64));
  AdamW adamw({p}, AdamWOptions(0.1).betas(0.5, 0.75).eps(kEps).weight_decay(0.5));
  set_grad(p, {1, -2});
  adamw.step();
  // p = p·(1 - 0.1·0.5) = [0.95, 1.9], then Adam's step 1 on g = [1, -2] as in Adam.TwoSteps:
  // p = [0.95 - 0.1/(1 + ε), 1.9 + 0.2/(2 + ε)] ≈ [0.85, 2.0]
  const double p0 = 0.95 - 0.1 / (1 + kEps);
  const double p1 = 1.9 + 0.2 / (2 + kEps);
  expect_values(p, {p0, p1});
  set_grad(p, {-1, 2});
  adamw.step();
  // p = 0.95·p, then Adam's step 2 as in Adam.TwoSteps (the moments ignore the decay)
  expect_values(p, {0.95 * p0 + (0.1 / 0.75) * 0.25 / (1 + kEps), 0.95 * p1 - (0.1 / 0.75) * 0.5 / (2 + kEps)});
}

TEST(AdamW, DefaultsFollowPyTorch) {
  EXPECT_DOUBLE_EQ(AdamWOptions().weight_decay(), 1e-2);
  EXPECT_DOUBLE_EQ(AdamOptions().weight_decay(), 0.0);
  EXPECT_DOUBLE_EQ(AdamOptions().lr(), 1e-3);
  EXPECT_DOUBLE_EQ(AdamOptions().betas().first, 0.9);
  EXPECT_DOUBLE_EQ(AdamOptions().betas().second, 0.999);
  EXPECT_DOUBLE_EQ(AdamOptions().eps(), 1e-8);
  EXPECT_FALSE(AdamOptions().amsgrad());
}

TEST(Adam, Float32MatchesTheFloat64Values) {
  Variable p = parameter(tensor({1, 2}, {2}, kFloat32));
  Adam adam({p}, options().amsgrad(true));
  set_grad(p, {1, -2});
  adam.step();
  set_grad(p, {-1, 2});
  adam.step();
  EXPECT_EQ(p.dtype(), kFloat32);
  expect_values(p, {0.9 + 1.0 / 30, 2.1 - 1.0 / 30}, 1e-6);  // Adam.TwoSteps with ε ≈ 0
  for (const auto& [name, value] : adam.state()) {
    if (name != "step" && name.find(".step") == std::string::npos && name.find(".lr") == std::string::npos) {
      EXPECT_EQ(value.dtype(), kFloat32) << name;
    }
  }
}

TEST(Adam, BiasCorrectionCountsEachParametersOwnUpdates) {
  Variable a = parameter(tensor({1}, {1}, kFloat64));
  Variable b = parameter(tensor({1}, {1}, kFloat64));
  Adam adam({a, b}, options());
  set_grad(a, {1});
  adam.step();  // b has no gradient: skipped, its step stays 0
  expect_values(b, {1});
  a.zero_grad();
  set_grad(b, {1});
  adam.step();
  // b's first update (t = 1): 1 - 0.2·0.5/(√0.25/0.5 + ε) = 1 - 0.1/(1 + ε)
  expect_values(b, {1 - 0.1 / (1 + kEps)});
  expect_values(a, {1 - 0.1 / (1 + kEps)});
  EXPECT_EQ(adam.steps(), 2);
}

TEST(Adam, GroupsHaveTheirOwnLearningRate) {
  Variable a = parameter(tensor({1}, {1}, kFloat64));
  Variable b = parameter(tensor({1}, {1}, kFloat64));
  Adam adam({ParamGroup{{a}}, ParamGroup{{b}, 0.01}}, options());
  set_grad(a, {2});
  set_grad(b, {2});
  adam.step();
  // m = 0.5·2 = 1, v = 0.25·4 = 1, √v/0.5 = 2: a = 1 - 0.2·1/(2 + ε) (step size 0.1/0.5);
  // b has lr 0.01: step size 0.02, b = 1 - 0.02/(2 + ε).
  expect_values(a, {1 - 0.2 / (2 + kEps)});
  expect_values(b, {1 - 0.02 / (2 + kEps)});
}

TEST(Adam, RejectsBadOptions) {
  Variable p = parameter(zeros({2}));
  EXPECT_THAT([&] { Adam({p}, AdamOptions(-1)); }, ThrowsMessage<Error>(HasSubstr("Adam: lr must be >= 0, got -1")));
  EXPECT_THAT([&] { Adam({p}, AdamOptions().betas(1, 0.999)); },
              ThrowsMessage<Error>(HasSubstr("Adam: beta1 must be in [0, 1), got 1")));
  EXPECT_THAT([&] { Adam({p}, AdamOptions().betas(0.9, -0.1)); },
              ThrowsMessage<Error>(HasSubstr("Adam: beta2 must be in [0, 1), got -0.1")));
  EXPECT_THAT([&] { Adam({p}, AdamOptions().eps(0)); },
              ThrowsMessage<Error>(HasSubstr("Adam: eps must be > 0, got 0")));
  EXPECT_THAT([&] { Adam({p}, AdamOptions().weight_decay(-0.5)); },
              ThrowsMessage<Error>(HasSubstr("Adam: weight_decay must be >= 0, got -0.5")));
  EXPECT_THAT([&] { AdamW({p}, AdamWOptions().eps(-1e-8)); },
              ThrowsMessage<Error>(HasSubstr("AdamW: eps must be > 0, got -1e-08")));
  EXPECT_THAT([&] { AdamW({p}, AdamWOptions().betas(1.5, 0.999)); },
              ThrowsMessage<Error>(HasSubstr("AdamW: beta1 must be in [0, 1), got 1.5")));
}

// A parameter may be a strided view, here w = [[1, 4], [2, 5], [3, 6]], the
// transpose of its storage, with gradient 1 at w[0][1] only: Adam's first
// step moves it by lr x g / (|g| + eps) = 0.5 (to within eps), and nothing else.
TEST(Adam, StridedParameterMovesElementByElement) {
  Variable w = parameter(tensor({1, 2, 3, 4, 5, 6}, {2, 3}, kFloat64).transpose(0, 1));
  sum(w * Variable(tensor({0, 1, 0, 0, 0, 0}, {3, 2}, kFloat64))).backward();
  Adam adam({w}, AdamOptions(0.5));
  adam.step();
  expect_values(w, {1, 3.5, 2, 5, 3, 6}, 1e-6);
}

// A float32 gradient past 1.8e19 squares to inf: PyTorch's step is then
// m / (sqrt(inf) + eps) = 0 and the parameter stays. Eigen's fast packet sqrt
// gave NaN for inf in every whole SIMD packet, so 64 elements.
TEST(Adam, AnInfiniteSecondMomentLeavesTheParameter) {
  for (bool amsgrad : {false, true}) {
    Variable w = parameter(ones({64}));
    sum(w * Variable(full({64}, 1e20))).backward();
    Adam adam({w}, AdamOptions(0.1).amsgrad(amsgrad));
    adam.step();
    EXPECT_EQ(w.value().to_vector<float>(), std::vector<float>(64, 1.0f)) << "amsgrad " << amsgrad;
  }
}

}  // namespace
}  // namespace optim
}  // namespace nabla
