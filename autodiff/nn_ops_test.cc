#include "autodiff/nn_ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

#include "autodiff/grad_check.h"
#include "autodiff/ops.h"
#include "tensor/backend.h"

namespace nabla {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

Tensor random(const Shape& shape, std::uint64_t seed) {
  Generator generator(seed);
  return normal(shape, 0, 1, generator, kFloat64);
}

// Checks define-by-run and build-once gradients of fn at inputs.
void expect_gradients(const DifferentiableFn& fn, const Tensors& inputs) {
  for (bool build_once : {false, true}) {
    GradientCheckOptions options;
    options.build_once = build_once;
    const GradientCheck check = check_gradients(fn, inputs, options);
    EXPECT_TRUE(check.passed) << (build_once ? "build once\n" : "define by run\n") << check.report;
  }
}

TEST(Conv2d, ForwardMatchesHandComputedValues) {
  // 3x3 input 1..9, 2x2 kernel of ones, no padding: each output sums a window.
  Variable x(arange(1, 10).reshape({1, 1, 3, 3}));
  Variable w(ones({1, 1, 2, 2}));
  Variable b(tensor({0.5}));
  EXPECT_EQ(conv2d(x, w, b).value().to_vector<float>(), (std::vector<float>{12.5, 16.5, 24.5, 28.5}));
}

TEST(Conv2d, Gradients) {
  Conv2dOptions options;
  options.stride = {2, 1};
  options.padding = {1, 2};
  options.dilation = {1, 2};
  expect_gradients([&](const std::vector<Variable>& in) { return conv2d(in[0], in[1], in[2], options); },
                   {random({2, 3, 5, 6}, 1), random({4, 3, 3, 2}, 2), random({4}, 3)});
}

TEST(Conv2d, GroupedGradientsWithoutBias) {
  Conv2dOptions options;
  options.groups = 2;
  options.padding = {1, 1};
  expect_gradients([&](const std::vector<Variable>& in) { return conv2d(in[0], in[1], Variable(), options); },
                   {random({2, 4, 4, 4}, 4), random({6, 2, 3, 3}, 5)});
}

TEST(Conv2d, FusedReluGradients) {
  Conv2dOptions options;
  options.padding = {1, 1};
  options.relu = true;
  for (double slope : {0.0, 0.2}) {
    options.relu_slope = slope;
    expect_gradients([&](const std::vector<Variable>& in) { return conv2d(in[0], in[1], in[2], options); },
                     {random({2, 3, 5, 4}, 6), random({4, 3, 3, 3}, 7), random({4}, 8)});
  }
}

TEST(Linear, GradientsAndNames) {
  for (bool relu : {false, true}) {
    for (bool with_bias : {false, true}) {
      const auto fn = [&](const std::vector<Variable>& in) {
        return linear(in[0], in[1], with_bias ? in[2] : Variable(), relu);
      };
      Tensors inputs{random({2, 3, 4}, 20), random({4, 5}, 21)};
      if (with_bias) inputs.push_back(random({5}, 22));
      expect_gradients(fn, inputs);
      const Variable y = fn({Variable(random({2, 4}, 20)), Variable(random({4, 5}, 21)), Variable(random({5}, 22))});
      EXPECT_STREQ(y.op(), relu ? "linear_relu" : "linear");
      EXPECT_EQ(y.shape(), (Shape{2, 5}));
    }
  }
}

// A vector x ([in] -> [out]) and leading axes, on both backends.
TEST(Linear, GradientsOfVectorAndRank3InputsOnBothBackends) {
  for (Backend backend : {Backend::kOneDnn, Backend::kReference}) {
    const BackendScope scope(backend);
    for (bool relu : {false, true}) {
      for (const Shape& x_shape : {Shape{4}, Shape{2, 3, 4}}) {
        SCOPED_TRACE(::testing::Message() << backend_name(backend) << (relu ? " relu" : "") << " rank "
                                          << x_shape.size());
        expect_gradients([&](const std::vector<Variable>& in) { return linear(in[0], in[1], in[2], relu); },
                         {random(x_shape, 30), random({4, 5}, 31), random({5}, 32)});
      }
    }
  }
}

TEST(Conv2d, ReluSlopeMustBeNonNegativeAndComeWithRelu) {
  Conv2dOptions options;
  options.relu_slope = 0.2;
  const Variable x(ones({1, 1, 3, 3})), w(ones({1, 1, 2, 2}));
  EXPECT_THAT([&] { conv2d(x, w, Variable(), options); },
              ThrowsMessage<Error>(HasSubstr("conv2d: relu_slope must be finite, >= 0, and given with relu; got 0.2 "
                                             "without relu")));
  options.relu = true;
  options.relu_slope = -0.5;
  EXPECT_THAT([&] { conv2d(x, w, Variable(), options); }, ThrowsMessage<Error>(HasSubstr("got -0.5")));
}

// float32 on both backends: the fused op gives what relu(conv2d(...)) gives, in values and gradients.
TEST(Conv2d, FusedReluMatchesASeparateRelu) {
  Conv2dOptions fused;
  fused.padding = {1, 1};
  fused.relu = true;
  Conv2dOptions plain = fused;
  plain.relu = false;
  const Tensor weights = random({16, 8, 3, 3}, 10).astype(kFloat32);
  const Tensor direction = random({2, 16, 6, 6}, 12).astype(kFloat32);
  for (Backend backend : {Backend::kOneDnn, Backend::kReference}) {
    const BackendScope scope(backend);
    std::vector<Tensors> grads;
    std::vector<Tensor> outputs;
    for (bool use_fused : {true, false}) {
      const Variable x = parameter(random({2, 8, 6, 6}, 9).astype(kFloat32));
      const Variable w = parameter(weights);
      const Variable b = parameter(random({16}, 11).astype(kFloat32));
      const Variable y = use_fused ? conv2d(x, w, b, fused) : relu(conv2d(x, w, b, plain));
      sum(y * Variable(direction)).backward();
      outputs.push_back(y.value());
      grads.push_back({x.grad(), w.grad(), b.grad()});
    }
    const char* name = backend_name(backend);
    EXPECT_LT(max(abs(outputs[0] - outputs[1])).item(), 1e-6) << name;
    EXPECT_GT(sum(eq(outputs[0], zeros_like(outputs[0]))).item(), 0) << "some outputs must be clamped";
    for (int i = 0; i < 3; ++i) {
      EXPECT_LT(max(abs(grads[0][i] - grads[1][i])).item(), 1e-4) << name << ", gradient of input " << i;
    }
  }
}

// float32 on both backends: the bias gradient is the output gradient summed
// per channel, worked out here by a loop, for a row-major and a
// channels-last gradient.
TEST(Conv2d, BiasGradientIsThePerChannelSum) {
  Conv2dOptions options;
  options.padding = {1, 1};
  const Tensor direction = random({2, 16, 6, 6}, 12).astype(kFloat32);
  const std::vector<double> values = direction.to_vector<double>();
  std::vector<double> per_channel(16, 0.0);
  for (std::size_t i = 0; i < values.size(); ++i) per_channel[i / 36 % 16] += values[i];
  for (Backend backend : {Backend::kOneDnn, Backend::kReference}) {
    for (MemoryFormat format : {MemoryFormat::kContiguous, MemoryFormat::kChannelsLast}) {
      const BackendScope scope(backend);
      const Variable b = parameter(random({16}, 11).astype(kFloat32));
      const Variable y = conv2d(Variable(random({2, 8, 6, 6}, 9).astype(kFloat32)),
                                Variable(random({16, 8, 3, 3}, 10).astype(kFloat32)), b, options);
      sum(y * Variable(direction.contiguous(format))).backward();
      const std::vector<double> got = b.grad().to_vector<double>();
      for (int c = 0; c < 16; ++c) EXPECT_NEAR(got[c], per_channel[c], 1e-4) << backend_name(backend) << " " << c;
    }
  }
}

TEST(Conv2d, ChannelMismatchNamesShapes) {
  Variable x(zeros({1, 3, 8, 8}));
  Variable w(zeros({4, 2, 3, 3}));
  EXPECT_THAT([&] { conv2d(x, w); }, ThrowsMessage<Error>(HasSubstr("[1, 3, 8, 8]")));
}

TEST(Conv1d, ForwardAndGradients) {
  // [1, 2, 3] ⋆ [1, -1] = [1-2, 2-3]
  Variable x(tensor({1, 2, 3}, {1, 1, 3}));
  Variable w(tensor({1, -1}, {1, 1, 2}));
  EXPECT_EQ(conv1d(x, w).value().to_vector<float>(), (std::vector<float>{-1, -1}));
  Conv1dOptions options;
  options.padding = 1;
  options.stride = 2;
  expect_gradients([&](const std::vector<Variable>& in) { return conv1d(in[0], in[1], in[2], options); },
                   {random({2, 3, 7}, 6), random({4, 3, 3}, 7), random({4}, 8)});
}

TEST(Conv1d, RejectsImagesNamingShapes) {
  Variable x(zeros({1, 1, 3, 3}));
  Variable w(zeros({1, 1, 2}));
  EXPECT_THAT([&] { conv1d(x, w); }, ThrowsMessage<Error>(HasSubstr("conv1d: needs input [N, C, L]")));
}

TEST(ConvTranspose2d, ForwardUpsamplesAndGradients) {
  ConvTranspose2dOptions up;
  up.stride = {2, 2};
  EXPECT_EQ(conv_transpose2d(Variable(ones({1, 1, 2, 2})), Variable(ones({1, 1, 2, 2})), Variable(), up).value().to_vector<float>(),
            std::vector<float>(16, 1.0f));
  ConvTranspose2dOptions options;
  options.stride = {2, 2};
  options.padding = {1, 1};
  options.output_padding = {1, 0};
  expect_gradients([&](const std::vector<Variable>& in) { return conv_transpose2d(in[0], in[1], in[2], options); },
                   {random({2, 3, 3, 3}, 9), random({3, 2, 4, 4}, 10), random({2}, 11)});
}

TEST(Pooling, MaxPoolForwardAndGradients) {
  Pool2dOptions two;
  two.kernel_size = {2, 2};
  Variable x(arange(0, 16).reshape({1, 1, 4, 4}));
  EXPECT_EQ(max_pool2d(x, two).value().to_vector<float>(), (std::vector<float>{5, 7, 13, 15}));
  Pool2dOptions options;
  options.kernel_size = {3, 2};
  options.stride = {2, 1};
  options.padding = {1, 1};
  // Distinct values keep every window's maximum away from a tie.
  const Tensor input = arange(0, 2 * 3 * 5 * 4, 1, kFloat64).reshape({2, 3, 5, 4}) * 0.37 - 11.0;
  Generator generator(3);
  const Tensor shuffled = index_select(input.flatten(), 0, randperm(input.numel(), generator)).reshape(input.shape());
  expect_gradients([&](const std::vector<Variable>& in) { return max_pool2d(in[0], options); }, {shuffled});
  // With relu, one op "max_pool2d_relu"; about a quarter of the windows peak
  // below zero. (kernels/pooling_test.cc checks the channels-last loops.)
  for (Pool2dOptions relu_options : {two, options}) {
    relu_options.relu = true;
    EXPECT_STREQ(max_pool2d(Variable(shuffled), relu_options).op(), "max_pool2d_relu");
    expect_gradients([&](const std::vector<Variable>& in) { return max_pool2d(in[0], relu_options); }, {shuffled});
  }
}

TEST(Pooling, AvgPoolForwardAndGradients) {
  Pool2dOptions two;
  two.kernel_size = {2, 2};
  Variable x(arange(0, 16).reshape({1, 1, 4, 4}));
  EXPECT_EQ(avg_pool2d(x, two).value().to_vector<float>(), (std::vector<float>{2.5, 4.5, 10.5, 12.5}));
  Pool2dOptions options;
  options.kernel_size = {3, 3};
  options.stride = {2, 2};
  options.padding = {1, 1};
  options.count_include_pad = false;
  expect_gradients([&](const std::vector<Variable>& in) { return avg_pool2d(in[0], options); },
                   {random({2, 2, 5, 5}, 12)});
}

TEST(Dropout, ZeroesAboutPAndKeepsTheMean) {
  Generator generator(0);
  Variable x(ones({100000}));
  const Tensor y = dropout(x, 0.3, generator).value();
  const double zeroed = sum(y == 0.0).item() / 100000.0;
  EXPECT_NEAR(zeroed, 0.3, 0.01);
  EXPECT_NEAR(mean(y).item(), 1.0, 0.02);
  EXPECT_NEAR(max(y).item(), 1.0 / 0.7, 1e-6);
}

TEST(Dropout, IdentityInEvaluationAndAtZero) {
  Generator generator(0);
  Variable x(ones({10}));
  EXPECT_EQ(dropout(x, 0.5, generator, /*training=*/false).node(), x.node());
  EXPECT_EQ(dropout(x, 0.0, generator).node(), x.node());
  EXPECT_THAT([&] { dropout(x, 1.5, generator); },
              ThrowsMessage<Error>(HasSubstr("dropout: p must be in [0, 1], got 1.5")));
}

// As PyTorch: everything dropped, values and gradients zero (not 0 / 0).
TEST(Dropout, PofOneZeroesEverything) {
  Generator generator(0);
  Variable x = parameter(ones({4}));
  const Variable y = dropout(x, 1.0, generator);
  EXPECT_EQ(y.value().to_vector<float>(), (std::vector<float>{0, 0, 0, 0}));
  sum(y).backward();
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{0, 0, 0, 0}));
}

TEST(Dropout, GradientUsesTheSameMask) {
  // A fresh generator with a fixed seed per evaluation draws the same mask.
  const GradientCheck check = check_gradients(
      [](const std::vector<Variable>& in) {
        Generator generator(5);
        return dropout(in[0], 0.4, generator);
      },
      {random({3, 7}, 13)});
  EXPECT_TRUE(check.passed) << check.report;
}

TEST(BatchNorm, TrainingNormalisesAndUpdatesRunningStatistics) {
  // Channel 0 holds 1, 3; channel 1 holds 2, 6 (N = 2, C = 2).
  Variable x(tensor({1, 2, 3, 6}, {2, 2}));
  BatchNormState state{zeros({2}), ones({2}), 0.1, 0.0};
  const Tensor y = batch_norm(x, Variable(), Variable(), state, true).value();
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{-1, -1, 1, 1}));
  // mean 2 and 4; unbiased variances 2 and 8.
  EXPECT_EQ(state.running_mean.to_vector<float>(), (std::vector<float>{0.2f, 0.4f}));
  EXPECT_EQ(state.running_var.to_vector<float>(), (std::vector<float>{0.9f + 0.2f, 0.9f + 0.8f}));
}

TEST(BatchNorm, InferenceUsesRunningStatistics) {
  Variable x(tensor({3, 3}, {1, 2}));
  BatchNormState state{tensor({1, 2}), tensor({4, 1}), 0.1, 0.0};
  const Tensor y = batch_norm(x, Variable(tensor({2, 1})), Variable(tensor({0, 10})), state, false).value();
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{2 * (3 - 1) / 2.0f, 1 * (3 - 2) / 1.0f + 10}));
  EXPECT_EQ(state.running_mean.to_vector<float>(), (std::vector<float>{1, 2}));  // untouched
}

TEST(BatchNorm, GradientsInTrainingAndInference) {
  for (bool training : {true, false}) {
    BatchNormState state{zeros({3}, kFloat64), ones({3}, kFloat64), 0.1, 1e-5};
    expect_gradients(
        [&](const std::vector<Variable>& in) { return batch_norm(in[0], in[1], in[2], state, training); },
        {random({4, 3, 2, 2}, 14), random({3}, 15), random({3}, 16)});
  }
}

// relu and leaky_relu fused into the op, channels-last too (our
// channels-last loops on the oneDNN backend); about half the normalised
// values fall below zero.
TEST(BatchNorm, FusedActivationsGradientsAndNames) {
  const Tensor x = random({4, 3, 2, 2}, 17);
  for (const Tensor& input : {x, x.contiguous(MemoryFormat::kChannelsLast)}) {
    for (const NormActivation& activation : {NormActivation::relu(), NormActivation::leaky_relu(0.2)}) {
      for (bool training : {true, false}) {
        BatchNormState state{zeros({3}, kFloat64), ones({3}, kFloat64), 0.1, 1e-5};
        const auto fused = [&](const std::vector<Variable>& in) {
          return batch_norm(in[0], in[1], in[2], state, training, activation);
        };
        expect_gradients(fused, {input, random({3}, 18), random({3}, 19)});
        const Variable y = fused({Variable(input), Variable(random({3}, 18)), Variable(random({3}, 19))});
        const bool relu = activation.kind == NormActivation::Kind::kRelu;
        EXPECT_STREQ(y.op(), training ? (relu ? "batch_norm_relu" : "batch_norm_leaky_relu")
                                      : (relu ? "relu" : "leaky_relu"));
      }
    }
  }
}

TEST(BatchNorm, RejectsANonFiniteSlopeInTrainingAndInference) {
  for (bool training : {true, false}) {
    BatchNormState state{zeros({2}), ones({2})};
    EXPECT_THAT([&] { batch_norm(Variable(ones({2, 2})), Variable(), Variable(), state, training,
                                 NormActivation::leaky_relu(INFINITY)); },
                ThrowsMessage<Error>(HasSubstr("batch_norm: the leaky_relu slope must be finite, got inf")));
  }
}

// PyTorch's rule: one value per channel has no variance; and without gamma
// and beta only the running statistics know the channel count. Either
// error leaves the statistics as they were.
TEST(BatchNorm, TrainingRejectsOneValuePerChannelAndAChannelMismatch) {
  BatchNormState state{zeros({3}), ones({3}), 0.1, 1e-5};
  EXPECT_THAT([&] { batch_norm(Variable(tensor({1, 2, 3}, {1, 3})), Variable(), Variable(), state, true); },
              ThrowsMessage<Error>(
                  HasSubstr("batch_norm: training needs more than 1 value per channel, got input [1, 3]")));
  EXPECT_THAT([&] { batch_norm(Variable(tensor({1, 2, 3, 4}, {4, 1})), Variable(), Variable(), state, true); },
              ThrowsMessage<Error>(HasSubstr("batch_norm: input float32 [4, 1] needs running statistics float32 [1], "
                                             "got float32 [3]")));
  EXPECT_EQ(state.running_mean.to_vector<float>(), (std::vector<float>{0, 0, 0}));
  EXPECT_EQ(state.running_var.to_vector<float>(), (std::vector<float>{1, 1, 1}));
  // A running variance of another size or dtype: refused before the mean moves.
  BatchNormState mismatched{zeros({2}), ones({3})};
  const Variable x(tensor({1, 2, 3, 4}, {2, 2}));
  EXPECT_THAT([&] { batch_norm(x, Variable(), Variable(), mismatched, true); },
              ThrowsMessage<Error>(HasSubstr("needs running statistics float32 [2], got float32 [3]")));
  EXPECT_EQ(mismatched.running_mean.to_vector<float>(), (std::vector<float>{0, 0}));
  BatchNormState float64{zeros({2}, kFloat64), ones({2}, kFloat64)};
  EXPECT_THAT([&] { batch_norm(x, Variable(), Variable(), float64, true); },
              ThrowsMessage<Error>(HasSubstr("got float64 [2]")));
}

TEST(BatchNorm, NeedsBothAffineParametersOrNeither) {
  BatchNormState state{zeros({2}), ones({2})};
  EXPECT_THAT([&] { batch_norm(Variable(ones({2, 2})), Variable(ones({2})), Variable(), state, true); },
              ThrowsMessage<Error>(HasSubstr("give both gamma and beta")));
}

// Every ReLU, alone or fused into a layer, drops the gradient of an inactive
// unit even when it is infinite (PyTorch's threshold_backward selects; a
// product with the derivative would make it NaN): gradients stay finite.
class ReluGradientTest : public ::testing::TestWithParam<Backend> {};

TEST_P(ReluGradientTest, EveryFusedReluDropsInfiniteGradientsOfInactiveUnits) {
  const BackendScope scope(GetParam());
  // float32 at sizes that take oneDNN's paths on its backend (activations
  // from 2^14 elements, channels-last batch norm after a convolution).
  const Tensor image = random({8, 4, 32, 32}, 41).astype(kFloat32);
  const Tensor kernel = random({8, 4, 3, 3}, 42).astype(kFloat32);
  Conv2dOptions same;
  same.padding = {1, 1};
  same.relu = true;
  Pool2dOptions pool_relu;
  pool_relu.kernel_size = {2, 2};
  pool_relu.relu = true;
  BatchNormState state{zeros({8}), ones({8}), 0.1, 1e-5};
  const std::vector<std::pair<const char*, std::function<Variable(const Variable&)>>> relus{
      {"relu", [](const Variable& x) { return relu(x); }},
      {"conv2d_relu", [&](const Variable& x) { return conv2d(x, Variable(kernel, true), Variable(), same); }},
      {"linear_relu",
       [](const Variable& x) {
         return linear(reshape(x, {8, 4 * 32 * 32}), Variable(random({4 * 32 * 32, 64}, 43).astype(kFloat32), true),
                       Variable(), true);
       }},
      {"max_pool2d_relu", [&](const Variable& x) { return max_pool2d(x, pool_relu); }},
      {"batch_norm_relu",
       [&](const Variable& x) {
         const Variable features = conv2d(x, Variable(kernel), Variable(), Conv2dOptions{{1, 1}, {1, 1}});
         return batch_norm(features, Variable(ones({8}), true), Variable(zeros({8}), true), state, true,
                           NormActivation::relu());
       }},
  };
  for (const auto& [name, fn] : relus) {
    SCOPED_TRACE(name);
    const Variable x(image, true);
    const Variable y = fn(x);
    std::vector<float> upstream = y.value().contiguous().to_vector<float>();
    int inactive = 0;
    for (float& g : upstream) {
      g = g == 0 ? (inactive++ % 2 ? -1 : 1) * std::numeric_limits<float>::infinity() : 1.0f;
    }
    ASSERT_GT(inactive, 0);
    y.backward(from_vector(upstream, y.shape()).astype(kFloat32));
    for (float g : x.grad().contiguous().to_vector<float>()) ASSERT_TRUE(std::isfinite(g)) << g;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ReluGradientTest, ::testing::Values(Backend::kOneDnn, Backend::kReference),
                         [](const ::testing::TestParamInfo<Backend>& info) { return backend_name(info.param); });

}  // namespace
// Rows picked twice add their gradients; the padding row (2) gets none, so
// its finite difference would differ from the (zero) analytic gradient: the
// check covers the other rows, and the zero is checked by value.
TEST(Embedding, GradientsAndPaddingRow) {
  const Tensor ids = tensor({0, 3, 3, 1, 2, 0}, {2, 3}, kInt64);
  expect_gradients([&](const std::vector<Variable>& in) { return embedding(in[0], Variable(ids)); },
                   {random({4, 5}, 7)});
  const Tensor unpadded = tensor({0, 3, 3, 1, 1, 0}, {2, 3}, kInt64);
  expect_gradients([&](const std::vector<Variable>& in) { return embedding(in[0], Variable(unpadded), 2); },
                   {random({4, 5}, 8)});
  Variable weight = parameter(random({4, 2}, 9));
  sum(embedding(weight, Variable(ids), 2) * 2.0).backward();
  // Picks: row 0 twice, row 1 once, row 3 twice, row 2 (padding) once.
  EXPECT_EQ(weight.grad().to_vector<double>(), (std::vector<double>{4, 4, 2, 2, 0, 0, 4, 4}));
  EXPECT_THAT([&] { embedding(weight, Variable(tensor({1, 4}, {2}, kInt64))); },
              ThrowsMessage<Error>(HasSubstr("embedding: index 4 is outside [0, 4) for weight [4, 2]")));
  EXPECT_THAT([&] { embedding(weight, Variable(tensor({1}, {1}, kInt64)), 4); },
              ThrowsMessage<Error>(HasSubstr("embedding: padding_idx 4 is outside [0, 4)")));
  EXPECT_THAT([&] { embedding(weight, Variable(tensor({1}))); },
              ThrowsMessage<Error>(HasSubstr("embedding: indices must be int64, got float32 [1]")));
}

}  // namespace nabla
