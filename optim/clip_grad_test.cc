#include "optim/clip_grad.h"

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

std::vector<double> grad_of(const Variable& p) { return p.grad().to_vector<double>(); }

TEST(ClipGradNorm, ReturnsTheTotalNormAndScalesDownToMaxNorm) {
  Variable a = parameter(zeros({2}, kFloat64));
  Variable b = parameter(zeros({1}, kFloat64));
  set_grad(a, {3, 0});
  set_grad(b, {4});
  // total = √(3² + 0² + 4²) = 5; factor = 1 / (5 + 1e-6)
  EXPECT_DOUBLE_EQ(clip_grad_norm({a, b}, 1.0), 5.0);
  const double factor = 1 / (5 + 1e-6);
  expect_near(grad_of(a), {3 * factor, 0});
  expect_near(grad_of(b), {4 * factor});
}

TEST(ClipGradNorm, LeavesSmallGradientsAlone) {
  Variable a = parameter(zeros({2}));
  set_grad(a, {3, 4});
  const Tensor before = a.grad();
  EXPECT_DOUBLE_EQ(clip_grad_norm({a}, 10.0), 5.0);
  EXPECT_TRUE(a.grad().shares_storage_with(before));
  EXPECT_EQ(a.grad().to_vector<float>(), (std::vector<float>{3, 4}));
}

TEST(ClipGradNorm, Float32Gradients) {
  Variable a = parameter(zeros({2}));
  set_grad(a, {3, 4});
  EXPECT_DOUBLE_EQ(clip_grad_norm({a}, 2.5), 5.0);
  EXPECT_EQ(a.grad().dtype(), kFloat32);
  expect_near(grad_of(a), {1.5, 2}, 1e-6);  // 2.5/5 = 0.5 of [3, 4]
}

TEST(ClipGradNorm, OtherNorms) {
  Variable a = parameter(zeros({3}, kFloat64));
  set_grad(a, {-3, 1, 2});
  // ∞-norm: max |g| = 3; factor 1.5 / (3 + 1e-6)
  EXPECT_DOUBLE_EQ(clip_grad_norm({a}, 1.5, kInfinityNorm), 3.0);
  const double factor = 1.5 / (3 + 1e-6);
  expect_near(grad_of(a), {-3 * factor, factor, 2 * factor});
  set_grad(a, {-3, 1, 2});
  // 1-norm: 3 + 1 + 2 = 6
  EXPECT_DOUBLE_EQ(clip_grad_norm({a}, 100, 1.0), 6.0);
  // 3-norm: (27 + 1 + 8)^(1/3) = 36^(1/3)
  EXPECT_NEAR(clip_grad_norm({a}, 100, 3.0), std::cbrt(36.0), 1e-12);
}

TEST(ClipGradNorm, SkipsParametersWithoutGradientAndCountsRepeatsOnce) {
  Variable a = parameter(zeros({2}, kFloat64));
  Variable none = parameter(zeros({2}, kFloat64));
  set_grad(a, {3, 4});
  EXPECT_DOUBLE_EQ(clip_grad_norm({a, none, a}, 1.0), 5.0);
  expect_near(grad_of(a), {3 / (5 + 1e-6), 4 / (5 + 1e-6)});
  EXPECT_FALSE(none.grad().defined());
  EXPECT_DOUBLE_EQ(clip_grad_norm({none}, 1.0), 0.0);
}

TEST(ClipGradNorm, DoesNotWriteIntoSharedGradientTensors) {
  // backward of a + b hands both leaves the same tensor, a broadcast view of
  // the scalar seed: in-place scaling would scale it twice or fail.
  Variable a = parameter(zeros({2}, kFloat64));
  Variable b = parameter(zeros({2}, kFloat64));
  sum(a + b).backward();
  const Tensor kept = a.grad();
  // total = √(4 · 1²) = 2
  EXPECT_DOUBLE_EQ(clip_grad_norm({a, b}, 1.0), 2.0);
  const double factor = 1 / (2 + 1e-6);
  expect_near(grad_of(a), {factor, factor});
  expect_near(grad_of(b), {factor, factor});
  EXPECT_EQ(kept.to_vector<double>(), (std::vector<double>{1, 1}));
}

TEST(ClipGradNorm, NonFiniteNorm) {
  Variable a = parameter(zeros({2}, kFloat64));
  set_grad(a, {INFINITY, 1});
  EXPECT_THAT([&] { clip_grad_norm({a}, 1.0, 2.0, true); },
              ThrowsMessage<Error>(HasSubstr("clip_grad_norm: the total norm of order 2 of the gradients is inf")));
  EXPECT_TRUE(std::isinf(clip_grad_norm({a}, 1.0)));  // and, as PyTorch, the gradients become non-finite
  EXPECT_FALSE(std::isfinite(a.grad().at({0})));
}

// As PyTorch's max over the per-gradient ∞-norms, a NaN anywhere makes the
// total NaN, whichever parameter holds it.
TEST(ClipGradNorm, InfinityNormOfANaNGradientIsNaN) {
  Variable a = parameter(zeros({2}, kFloat64));
  Variable b = parameter(zeros({2}, kFloat64));
  set_grad(a, {NAN, 1});
  set_grad(b, {3, 1});
  EXPECT_THAT([&] { clip_grad_norm({b, a}, 1.0, kInfinityNorm, true); },
              ThrowsMessage<Error>(HasSubstr("clip_grad_norm: the total norm of order inf of the gradients is nan")));
  EXPECT_TRUE(std::isnan(clip_grad_norm({a, b}, 1.0, kInfinityNorm)));
  EXPECT_TRUE(std::isnan(b.grad().at({0})));  // scaled by NaN, as PyTorch
}

TEST(ClipGradNorm, RejectsBadArguments) {
  Variable a = parameter(zeros({2}));
  EXPECT_THAT([&] { clip_grad_norm({a}, -1); },
              ThrowsMessage<Error>(HasSubstr("clip_grad_norm: max_norm must be >= 0, got -1")));
  EXPECT_THAT([&] { clip_grad_norm({a}, 1, 0); },
              ThrowsMessage<Error>(HasSubstr("clip_grad_norm: norm_type must be > 0 (or infinity), got 0")));
  EXPECT_THAT(
      [&] {
        clip_grad_norm({a, Variable()}, 1);
      },
      ThrowsMessage<Error>(HasSubstr("clip_grad_norm: parameter 1 is undefined")));
}

TEST(ClipGradValue, ClampsEveryElement) {
  Variable a = parameter(zeros({3}, kFloat64));
  Variable b = parameter(zeros({1}, kFloat64));
  Variable none = parameter(zeros({1}, kFloat64));
  set_grad(a, {-3, 0.5, 2});
  set_grad(b, {-0.25});
  clip_grad_value({a, b, none}, 1.0);
  expect_near(grad_of(a), {-1, 0.5, 1});
  expect_near(grad_of(b), {-0.25});
  EXPECT_FALSE(none.grad().defined());
}

TEST(ClipGradValue, DoesNotWriteIntoSharedGradientTensors) {
  Variable a = parameter(zeros({2}, kFloat64));
  Variable b = parameter(zeros({2}, kFloat64));
  (sum(a + b) * 3.0).backward();
  const Tensor kept = a.grad();
  clip_grad_value({a}, 2.0);
  expect_near(grad_of(a), {2, 2});
  expect_near(grad_of(b), {3, 3});
  EXPECT_EQ(kept.to_vector<double>(), (std::vector<double>{3, 3}));
}

TEST(ClipGradValue, RejectsBadArguments) {
  Variable a = parameter(zeros({2}));
  EXPECT_THAT([&] { clip_grad_value({a}, -0.5); },
              ThrowsMessage<Error>(HasSubstr("clip_grad_value: clip_value must be >= 0, got -0.5")));
  EXPECT_THAT([&] { clip_grad_value({Variable()}, 1); },
              ThrowsMessage<Error>(HasSubstr("clip_grad_value: parameter 0 is undefined")));
}

}  // namespace
}  // namespace optim
}  // namespace nabla
