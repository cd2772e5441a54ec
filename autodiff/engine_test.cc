#include "autodiff/engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "autodiff/ops.h"

namespace nabla {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(Engine, GradientOfPolynomial) {
  // y = 4x² - 32x - 10 at x = 1: dy/dx = 8x - 32 = -24
  Variable x = parameter(scalar(1.0));
  Variable y = 4 * x * x - 32 * x - 10;
  EXPECT_DOUBLE_EQ(y.item(), -38.0);
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), -24.0);
}

TEST(Engine, AccumulatesAlongEveryPath) {
  // Diamond: a = 2x, b = x², y = a·b = 2x³ → dy/dx = 6x² = 54 at x = 3
  Variable x = parameter(scalar(3.0));
  Variable a = x * 2.0;
  Variable b = x * x;
  Variable y = a * b;
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 54.0);
}

TEST(Engine, GradientsAccumulateOverBackwardCallsUntilZeroed) {
  Variable x = parameter(scalar(2.0));
  (x * 3.0).backward();
  (x * 3.0).backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 6.0);
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
  (x * 5.0).backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 5.0);
}

TEST(Engine, UnbroadcastSumsGradientsBackToInputShapes) {
  // y = sum(a[3,1] * b[4]) : dy/da[i] = Σ_j b[j] = 10, dy/db[j] = Σ_i a[i] = 6
  Variable a = parameter(tensor({1, 2, 3}, {3, 1}));
  Variable b = parameter(tensor({1, 2, 3, 4}, {4}));
  sum(a * b).backward();
  EXPECT_EQ(a.grad().shape(), (Shape{3, 1}));
  EXPECT_EQ(b.grad().shape(), (Shape{4}));
  EXPECT_EQ(a.grad().to_vector<float>(), (std::vector<float>{10, 10, 10}));
  EXPECT_EQ(b.grad().to_vector<float>(), (std::vector<float>{6, 6, 6, 6}));
}

TEST(Engine, ScalarOperandBroadcastsAndSumsBack) {
  Variable bias = parameter(scalar(0.5));
  Variable x = parameter(ones({2, 3}));
  sum(x + bias).backward();
  EXPECT_EQ(bias.grad().shape(), Shape{});
  EXPECT_DOUBLE_EQ(bias.grad().item(), 6.0);
}

// As PyTorch's: each leaf's grad is its own dense tensor. add hands one
// gradient to both sides and sum a broadcast view of one value.
TEST(Engine, EachLeafOwnsADenseGradient) {
  Variable x = parameter(tensor({1, 2}, {2}, kFloat64));
  Variable y = parameter(tensor({3, 4}, {2}, kFloat64));
  const Tensor upstream = tensor({1, 1}, {2}, kFloat64);
  (x + y).backward(upstream);
  Tensor x_grad = x.grad();
  x_grad.copy_(tensor({7, 7}, {2}, kFloat64));
  EXPECT_EQ(y.grad().to_vector<double>(), (std::vector<double>{1, 1}));
  EXPECT_EQ(upstream.to_vector<double>(), (std::vector<double>{1, 1}));
  Variable z = parameter(tensor({1, 2, 3}, {3}, kFloat64));
  sum(z).backward();
  EXPECT_TRUE(z.grad().is_contiguous());
  EXPECT_EQ(std::vector<double>(z.grad().data<double>(), z.grad().data<double>() + 3), (std::vector<double>{1, 1, 1}));
}

TEST(Engine, NonScalarOutputNeedsUpstreamGradient) {
  Variable x = parameter(tensor({1, 2}));
  Variable y = x * 3.0;
  EXPECT_THAT([&] { y.backward(); }, ThrowsMessage<Error>(HasSubstr("shape [2] is not a scalar")));
  y.backward(tensor({1, 10}));
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{3, 30}));
}

TEST(Engine, UpstreamGradientMustMatchOutput) {
  Variable x = parameter(tensor({1, 2}));
  Variable y = x * 3.0;
  EXPECT_THAT([&] { y.backward(tensor({1, 2, 3})); },
              ThrowsMessage<Error>(HasSubstr("grad_output float32 [3] does not match the output float32 [2]")));
}

TEST(Engine, SecondBackwardNeedsRetainGraph) {
  Variable x = parameter(scalar(2.0));
  Variable y = x * x;
  y.backward(Tensor(), /*retain_graph=*/true);
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 8.0);
  EXPECT_THAT([&] { y.backward(); }, ThrowsMessage<Error>(HasSubstr("freed by an earlier backward")));
}

TEST(Engine, NoGradRecordsNothing) {
  Variable x = parameter(scalar(2.0));
  Variable y;
  {
    NoGradGuard no_grad;
    y = x * x;
  }
  EXPECT_FALSE(y.requires_grad());
  EXPECT_DOUBLE_EQ(y.item(), 4.0);
  EXPECT_THAT([&] { y.backward(); }, ThrowsMessage<Error>(HasSubstr("does not depend on any variable")));
  EXPECT_TRUE(grad_enabled());
}

// What forward sees of whether backward can run, through an identity op.
bool forward_saw_requires_grad(const Variable& x) {
  bool seen = false;
  record(
      "probe", {x},
      [&seen](const Tensors& in, Context& c) {
        seen = c.requires_grad;
        return in[0];
      },
      [](const Tensor& g, const Context&) { return Tensors{g}; });
  return seen;
}

TEST(Engine, ForwardKnowsWhetherBackwardCanRun) {
  EXPECT_TRUE(forward_saw_requires_grad(parameter(scalar(1.0))));
  EXPECT_FALSE(forward_saw_requires_grad(Variable(scalar(1.0))));
  NoGradGuard no_grad;
  EXPECT_FALSE(forward_saw_requires_grad(parameter(scalar(1.0))));
}

TEST(Engine, DetachCutsTheGraph) {
  Variable x = parameter(scalar(3.0));
  Variable y = x * x.detach();  // only the first factor is differentiated: dy/dx = 3
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 3.0);
}

TEST(Engine, GradientsWithRespectToInputsLeaveGradUntouched) {
  Variable w = parameter(tensor({1, 2, 3}, {3, 1}));
  Variable image = parameter(tensor({1, 1, 1}, {1, 3}));
  Variable score = sum(matmul(image, w));
  const Tensors grads = gradients(score, {image, w});
  EXPECT_EQ(grads[0].to_vector<float>(), (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(grads[1].to_vector<float>(), (std::vector<float>{1, 1, 1}));
  EXPECT_FALSE(w.grad().defined());
  EXPECT_FALSE(image.grad().defined());
}

TEST(Engine, GradientsOfIntermediateVariable) {
  Variable x = parameter(scalar(2.0));
  Variable hidden = x * 3.0;
  Variable y = hidden * hidden;  // dy/dhidden = 2·hidden = 12
  EXPECT_DOUBLE_EQ(gradients(y, {hidden})[0].item(), 12.0);
}

TEST(Engine, GradientsRejectUnrelatedInput) {
  Variable x = parameter(scalar(2.0));
  Variable unrelated = parameter(scalar(1.0)).set_name("unrelated");
  Variable y = x * x;
  EXPECT_THAT([&] { gradients(y, {unrelated}); }, ThrowsMessage<Error>(HasSubstr("'unrelated' does not influence")));
}

TEST(Engine, IntTensorsCannotRequireGrad) {
  EXPECT_THAT([] { parameter(tensor({1, 2}, {2}, kInt64)); },
              ThrowsMessage<Error>(HasSubstr("only float tensors can require grad, got int64")));
}

TEST(Engine, LongChainNeitherOverflowsTheStackForwardBackwardNorOnRelease) {
  Variable x = parameter(scalar(1.0, kFloat64));
  {
    Variable h = x;
    for (int i = 0; i < 200000; ++i) h = h + 1.0;
    EXPECT_DOUBLE_EQ(h.item(), 200001.0);
    h.backward(Tensor(), /*retain_graph=*/true);  // keep the chain alive to test its release below
  }
  EXPECT_DOUBLE_EQ(x.grad().item(), 1.0);
}

TEST(Engine, TrainingLoopMemoryStaysFlat) {
  Generator generator(0);
  Variable w = parameter(normal({8, 4}, 0, 0.1, generator));
  Variable b = parameter(zeros({4}));
  const Tensor x = normal({16, 8}, 0, 1, generator);
  const Tensor target = normal({16, 4}, 0, 1, generator);
  const std::int64_t before = internal::Node::live_count.load();
  std::int64_t most_alive_after_backward = 0;
  for (int step = 0; step < 10000; ++step) {
    Variable loss = mean(square(tanh(matmul(x, w) + b) - target));
    loss.backward();
    // Only the parameters and the loss itself remain; the graph is released.
    most_alive_after_backward = std::max(most_alive_after_backward, internal::Node::live_count.load());
    {
      NoGradGuard no_grad;
      w.data() -= w.grad() * 0.01;
      b.data() -= b.grad() * 0.01;
    }
    w.zero_grad();
    b.zero_grad();
  }
  EXPECT_EQ(most_alive_after_backward, before + 1);
  EXPECT_EQ(internal::Node::live_count.load(), before);
}

}  // namespace
}  // namespace nabla
