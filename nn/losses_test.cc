#include "nn/losses.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "autodiff/grad_check.h"
#include "autodiff/graph.h"
#include "autodiff/ops.h"

namespace nabla::nn {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

using Args = const std::vector<Variable>&;

constexpr double kTol = 1e-6;

Tensor f64(std::initializer_list<double> values, Shape shape = {-1}) { return tensor(values, shape, kFloat64); }
Tensor labels(std::initializer_list<double> values) { return tensor(values, {-1}, kInt64); }

void expect_values(const Tensor& actual, const std::vector<double>& expected, double tol = kTol) {
  const std::vector<double> values = actual.to_vector<double>();
  ASSERT_EQ(values.size(), expected.size());
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_NEAR(values[i], expected[i], tol) << "element " << i;
}

void expect_finite(const Tensor& t) {
  for (double value : t.to_vector<double>()) EXPECT_TRUE(std::isfinite(value)) << t;
}

void expect_gradients(const DifferentiableFn& fn, const Tensors& inputs, bool build_once = false) {
  GradientCheckOptions options;
  options.build_once = build_once;
  const GradientCheck result = check_gradients(fn, inputs, options);
  EXPECT_TRUE(result.passed) << result.report;
}

Tensor random_normal(const Shape& shape, std::uint64_t seed, double stddev = 1.0) {
  Generator generator(seed);
  return normal(shape, 0.0, stddev, generator, kFloat64);
}

// ---- Regression losses. ----

// input [1, 2, 3], target [1, 0, 5]: d = [0, 2, -2], d² = [0, 4, 4].
TEST(MseLoss, EveryReduction) {
  const Variable input(f64({1, 2, 3})), target(f64({1, 0, 5}));
  EXPECT_NEAR(mse_loss(input, target).item(), 8.0 / 3.0, kTol);
  EXPECT_NEAR(mse_loss(input, target, Reduction::kSum).item(), 8.0, kTol);
  expect_values(mse_loss(input, target, Reduction::kNone).value(), {0, 4, 4});
  // kBatchMean: Σ / N with N = 3 here.
  EXPECT_NEAR(mse_loss(input, target, Reduction::kBatchMean).item(), 8.0 / 3.0, kTol);
}

TEST(MseLoss, BatchMeanDividesByFirstDimension) {
  // [[1, 2], [3, 4]] vs 0: Σ d² = 1 + 4 + 9 + 16 = 30; batchmean 30 / 2, mean 30 / 4.
  const Variable input(f64({1, 2, 3, 4}, {2, 2})), target(zeros({2, 2}, kFloat64));
  EXPECT_NEAR(mse_loss(input, target, Reduction::kBatchMean).item(), 15.0, kTol);
  EXPECT_NEAR(mse_loss(input, target).item(), 7.5, kTol);
}

TEST(MseLoss, GradientIsTwiceTheDifferenceOverN) {
  // d/dx mean(d²) = 2d / 3 = [0, 4/3, -4/3].
  Variable input = parameter(f64({1, 2, 3}));
  mse_loss(input, Variable(f64({1, 0, 5}))).backward();
  expect_values(input.grad(), {0, 4.0 / 3.0, -4.0 / 3.0});
}

TEST(MseLoss, ShapeMismatchNamesBothShapes) {
  // [3] against [3, 1] would broadcast to [3, 3] without the check.
  const Variable input(f64({1, 2, 3})), target(f64({1, 2, 3}, {3, 1}));
  EXPECT_THAT([&] { mse_loss(input, target); },
              ThrowsMessage<Error>(AllOf(HasSubstr("mse_loss"), HasSubstr("[3]"), HasSubstr("[3, 1]"))));
}

TEST(L1Loss, EveryReduction) {
  // |[0, 2, -2]| = [0, 2, 2].
  const Variable input(f64({1, 2, 3})), target(f64({1, 0, 5}));
  EXPECT_NEAR(l1_loss(input, target).item(), 4.0 / 3.0, kTol);
  EXPECT_NEAR(l1_loss(input, target, Reduction::kSum).item(), 4.0, kTol);
  expect_values(l1_loss(input, target, Reduction::kNone).value(), {0, 2, 2});
}

TEST(L1Loss, ShapeMismatch) {
  EXPECT_THAT([] { l1_loss(Variable(f64({1, 2})), Variable(f64({1, 2, 3}))); },
              ThrowsMessage<Error>(AllOf(HasSubstr("l1_loss"), HasSubstr("[2]"), HasSubstr("[3]"))));
}

TEST(HuberLoss, QuadraticInsideLinearOutside) {
  // d = [0.5, -2, 3], delta 1: 0.5·0.25 = 0.125; 1·(2 - 0.5) = 1.5; 1·(3 - 0.5) = 2.5.
  const Variable input(f64({0.5, -2, 3})), target(zeros({3}, kFloat64));
  expect_values(huber_loss(input, target, {Reduction::kNone}).value(), {0.125, 1.5, 2.5});
  EXPECT_NEAR(huber_loss(input, target).item(), 4.125 / 3.0, kTol);
  // delta 2: 0.125; 0.5·4 = 2 (|d| = delta); 2·(3 - 1) = 4. Sum 6.125.
  HuberOptions wide;
  wide.reduction = Reduction::kSum;
  wide.delta = 2;
  EXPECT_NEAR(huber_loss(input, target, wide).item(), 6.125, kTol);
}

TEST(HuberLoss, InfiniteDeltaIsHalfTheSquare) {
  // d = [-1, 3]: mean(0.5, 4.5) = 2.5; gradient d / 2 = [-0.5, 1.5].
  HuberOptions options;
  options.delta = std::numeric_limits<double>::infinity();
  Variable input = parameter(f64({0, 3}));
  const Variable loss = huber_loss(input, Variable(f64({1, 0})), options);
  EXPECT_NEAR(loss.item(), 2.5, kTol);
  loss.backward();
  expect_values(input.grad(), {-0.5, 1.5});
}

TEST(HuberLoss, RejectsNonPositiveDelta) {
  HuberOptions options;
  options.delta = 0;
  EXPECT_THAT([&] { huber_loss(Variable(f64({1})), Variable(f64({1})), options); },
              ThrowsMessage<Error>(HasSubstr("huber_loss: delta")));
}

TEST(LogCoshLoss, MatchesLogOfCosh) {
  // Compared with the direct formula log(cosh(d)) where it does not overflow.
  const Variable input(f64({0, 1, -2, 0.3})), target(zeros({4}, kFloat64));
  expect_values(log_cosh_loss(input, target, Reduction::kNone).value(),
                {0, std::log(std::cosh(1.0)), std::log(std::cosh(2.0)), std::log(std::cosh(0.3))}, 1e-12);
}

TEST(LogCoshLoss, StableForHugeDifferences) {
  // log cosh 1000 = 1000 - log 2 (+ e^-2000); gradient tanh(±1000) = ±1.
  Variable input = parameter(tensor({1000, -1000}));
  const Variable loss = log_cosh_loss(input, Variable(zeros({2})), Reduction::kSum);
  EXPECT_NEAR(loss.item(), 2 * (1000 - std::log(2.0)), 1e-3);
  loss.backward();
  expect_values(input.grad(), {1, -1});
}

TEST(PoissonNllLoss, LogInputAndRate) {
  // log_input: exp(x) - y·x with x = [0, log 2], y = [1, 3]: [1, 2 - 3·log 2 = -0.0794415417].
  const Variable target(f64({1, 3}));
  expect_values(poisson_nll_loss(Variable(f64({0, std::log(2.0)})), target, {Reduction::kNone}).value(),
                {1, 2 - 3 * std::log(2.0)});
  EXPECT_NEAR(poisson_nll_loss(Variable(f64({0, std::log(2.0)})), target).item(), (3 - 3 * std::log(2.0)) / 2,
              kTol);
  // Rate input: x - y·log(x + eps) with x = [1, 2]: [1, 2 - 3·log 2].
  PoissonNllOptions rate;
  rate.reduction = Reduction::kSum;
  rate.log_input = false;
  EXPECT_NEAR(poisson_nll_loss(Variable(f64({1, 2})), target, rate).item(), 3 - 3 * std::log(2.0), kTol);
}

TEST(RegressionLosses, Gradients) {
  const Tensor input = random_normal({3, 4}, 1), target = random_normal({3, 4}, 2);
  expect_gradients([](Args x) { return mse_loss(x[0], x[1]); }, {input, target});
  expect_gradients([](Args x) { return l1_loss(x[0], x[1], Reduction::kNone); }, {input, target});
  expect_gradients([](Args x) { return huber_loss(x[0], x[1], {Reduction::kSum, 0.7}); }, {input, target});
  expect_gradients([](Args x) { return log_cosh_loss(x[0], x[1]); }, {input, target}, /*build_once=*/true);
  expect_gradients([](Args x) { return poisson_nll_loss(x[0], x[1]); }, {input, abs(target)});
  PoissonNllOptions rate;
  rate.log_input = false;
  expect_gradients([rate](Args x) { return poisson_nll_loss(x[0], x[1], rate); }, {abs(input) + 0.5, abs(target)});
  expect_gradients([](Args x) { return mse_loss(x[0], x[1], Reduction::kBatchMean); }, {input, target}, true);
}

// ---- Cross-entropy. ----

// logits [[1, 2, 3], [1, 1, 1]], labels [2, 0]:
//   row 0: logsumexp = 3 + log(1 + e^-1 + e^-2) = 3 + log(1.5032147244) = 3.4076059644,
//          loss = 3.4076059644 - 3 = 0.4076059644;
//   row 1: uniform over 3 classes, loss = log 3 = 1.0986122887.
constexpr double kRow0 = 0.4076059644;
constexpr double kRow1 = 1.0986122887;

Variable example_logits() { return Variable(f64({1, 2, 3, 1, 1, 1}, {2, 3})); }

TEST(CrossEntropy, IntegerLabelsEveryReduction) {
  const Variable y(labels({2, 0}));
  EXPECT_NEAR(cross_entropy(example_logits(), y).item(), (kRow0 + kRow1) / 2, kTol);
  EXPECT_NEAR(cross_entropy(example_logits(), y, {Reduction::kSum}).item(), kRow0 + kRow1, kTol);
  EXPECT_NEAR(cross_entropy(example_logits(), y, {Reduction::kBatchMean}).item(), (kRow0 + kRow1) / 2, kTol);
  const Variable none = cross_entropy(example_logits(), y, {Reduction::kNone});
  EXPECT_EQ(none.shape(), (Shape{2}));
  expect_values(none.value(), {kRow0, kRow1});
}

TEST(CrossEntropy, OneHotTargetsMatchLabels) {
  const Variable one_hot(f64({0, 0, 1, 1, 0, 0}, {2, 3}));
  expect_values(cross_entropy(example_logits(), one_hot, {Reduction::kNone}).value(), {kRow0, kRow1});
}

TEST(CrossEntropy, SoftTargets) {
  // Row 0 with target [0.5, 0, 0.5]: -log p = [2.4076059644, 1.4076059644, 0.4076059644],
  // 0.5·2.4076059644 + 0.5·0.4076059644 = 1.4076059644. Row 1: log 3 for any target.
  const Variable soft(f64({0.5, 0, 0.5, 0.2, 0.3, 0.5}, {2, 3}));
  expect_values(cross_entropy(example_logits(), soft, {Reduction::kNone}).value(), {1.4076059644, kRow1});
}

TEST(CrossEntropy, LabelSmoothing) {
  // s = 0.3, C = 3: q = 0.7·onehot + 0.1. Row 0: 0.7·0.4076059644 + 0.1·(2.4076059644 +
  // 1.4076059644 + 0.4076059644) = 0.2853241751 + 0.4222817893 = 0.7076059644. Row 1: log 3.
  CrossEntropyOptions options;
  options.reduction = Reduction::kNone;
  options.label_smoothing = 0.3;
  expect_values(cross_entropy(example_logits(), Variable(labels({2, 0})), options).value(), {0.7076059644, kRow1});
  // Probability targets are smoothed the same way.
  expect_values(cross_entropy(example_logits(), Variable(f64({0, 0, 1, 1, 0, 0}, {2, 3})), options).value(),
                {0.7076059644, kRow1});
}

TEST(CrossEntropy, GradientIsSoftmaxMinusOneHot) {
  // Row 1 (uniform logits, label 0): softmax = 1/3 each, gradient [1/3 - 1, 1/3, 1/3];
  // the mean over 2 samples halves both rows.
  Variable logits = parameter(f64({1, 2, 3, 1, 1, 1}, {2, 3}));
  cross_entropy(logits, Variable(labels({2, 0}))).backward();
  const double e = std::exp(1.0), z = 1 + e + e * e;  // row 0: softmax = [1, e, e²] / z
  expect_values(logits.grad(),
                {0.5 / z, 0.5 * e / z, 0.5 * (e * e / z - 1), 0.5 * (1.0 / 3 - 1), 0.5 / 3, 0.5 / 3});
}

TEST(CrossEntropy, StableForHugeLogits) {
  // logits [1000, -1000, 0], label 1: logsumexp = 1000, loss = 1000 - (-1000) = 2000;
  // gradient softmax - onehot = [1, 0, 0] - [0, 1, 0].
  Variable logits = parameter(tensor({1000, -1000, 0}, {1, 3}));
  const Variable loss = cross_entropy(logits, Variable(labels({1})));
  EXPECT_NEAR(loss.item(), 2000, 1e-3);
  loss.backward();
  expect_values(logits.grad(), {1, -1, 0});

  Variable soft_logits = parameter(tensor({1000, -1000, 0, -1000, 1000, 0}, {2, 3}));
  const Variable soft = cross_entropy(soft_logits, Variable(tensor({0.5, 0.5, 0, 0, 0, 1}, {2, 3})));
  expect_finite(soft.value());
  soft.backward();
  expect_finite(soft_logits.grad());
}

TEST(CrossEntropy, Gradients) {
  const Tensor logits = random_normal({4, 5}, 3, 2.0);
  const Tensor y = labels({0, 4, 2, 2});
  for (Reduction reduction : {Reduction::kMean, Reduction::kSum, Reduction::kNone, Reduction::kBatchMean}) {
    expect_gradients([reduction](Args x) { return cross_entropy(x[0], x[1], {reduction}); }, {logits, y});
    expect_gradients([reduction](Args x) { return cross_entropy(x[0], x[1], {reduction, 0.2}); }, {logits, y});
  }
  expect_gradients([](Args x) { return cross_entropy(x[0], x[1]); }, {logits, y}, /*build_once=*/true);
  // Soft targets: gradients for both the logits and the target.
  Generator generator(4);
  const Tensor soft = uniform({4, 5}, 0.1, 1.0, generator, kFloat64);
  const Tensor probabilities = soft / sum(soft, {1}, true);
  expect_gradients([](Args x) { return cross_entropy(x[0], x[1], {Reduction::kNone, 0.1}); },
                   {logits, probabilities});
  expect_gradients([](Args x) { return cross_entropy(x[0], x[1]); }, {logits, soft}, /*build_once=*/true);
}

TEST(CrossEntropy, MatchesLogSoftmaxComposition) {
  const Tensor logits = random_normal({6, 4}, 5);
  const Tensor y = labels({0, 1, 2, 3, 3, 0});
  const Tensor fused = cross_entropy(Variable(logits), Variable(y), {Reduction::kNone}).value();
  const Tensor composed = nll_loss(log_softmax(Variable(logits)), Variable(y), Reduction::kNone).value();
  expect_values(fused, composed.to_vector<double>(), 1e-12);
}

TEST(CrossEntropy, LabelOutOfRangeNamesLabelAndClasses) {
  EXPECT_THAT([] { cross_entropy(example_logits(), Variable(labels({3, 0}))); },
              ThrowsMessage<Error>(AllOf(HasSubstr("cross_entropy"), HasSubstr("label 3"), HasSubstr("C = 3"))));
  EXPECT_THAT([] { cross_entropy(example_logits(), Variable(labels({0, -1}))); },
              ThrowsMessage<Error>(AllOf(HasSubstr("cross_entropy"), HasSubstr("label -1"), HasSubstr("C = 3"))));
}

TEST(CrossEntropy, LogitsWithoutClassesNameTheLoss) {
  EXPECT_THAT([] { cross_entropy(Variable(zeros({2, 0})), Variable(labels({0, 0}))); },
              ThrowsMessage<Error>(HasSubstr("cross_entropy: logits [2, 0] have no classes")));
}

TEST(CrossEntropy, ShapeMismatchNamesBothShapes) {
  EXPECT_THAT([] { cross_entropy(example_logits(), Variable(labels({0, 1, 2}))); },
              ThrowsMessage<Error>(AllOf(HasSubstr("cross_entropy"), HasSubstr("[3]"), HasSubstr("[2, 3]"))));
  EXPECT_THAT([] { cross_entropy(example_logits(), Variable(zeros({2, 4}, kFloat64))); },
              ThrowsMessage<Error>(AllOf(HasSubstr("cross_entropy"), HasSubstr("[2, 4]"), HasSubstr("[2, 3]"))));
  EXPECT_THAT([] { cross_entropy(Variable(f64({1, 2, 3})), Variable(labels({0}))); },
              ThrowsMessage<Error>(AllOf(HasSubstr("cross_entropy"), HasSubstr("[N, C]"), HasSubstr("[3]"))));
}

TEST(CrossEntropy, RejectsBadLabelSmoothing) {
  EXPECT_THAT([] { cross_entropy(example_logits(), Variable(labels({0, 1})), {Reduction::kMean, 1.5}); },
              ThrowsMessage<Error>(HasSubstr("label_smoothing")));
}

TEST(CrossEntropy, BuildOnceGraphChecksLabelsAtRun) {
  Graph graph;
  GraphScope scope(graph);
  const Variable x = placeholder("logits", {-1, 3}, kFloat64);
  const Variable y = placeholder("labels", {-1}, kInt64);
  const Variable loss = cross_entropy(x, y, {Reduction::kSum});
  const Tensor value = graph.run({loss}, {{x, f64({1, 2, 3, 1, 1, 1}, {2, 3})}, {y, labels({2, 0})}})[0];
  EXPECT_NEAR(value.item(), kRow0 + kRow1, kTol);
  EXPECT_THAT([&] { graph.run({loss}, {{x, f64({1, 2, 3}, {1, 3})}, {y, labels({5})}}); },
              ThrowsMessage<Error>(AllOf(HasSubstr("cross_entropy"), HasSubstr("label 5"), HasSubstr("C = 3"))));
}

// ---- NLL. ----

TEST(NllLoss, PicksTheLabelledLogProbability) {
  // [[-0.5, -1.0], [-2.0, -0.1]], labels [1, 0]: [1.0, 2.0].
  const Variable log_probs(f64({-0.5, -1.0, -2.0, -0.1}, {2, 2})), y(labels({1, 0}));
  EXPECT_NEAR(nll_loss(log_probs, y).item(), 1.5, kTol);
  EXPECT_NEAR(nll_loss(log_probs, y, Reduction::kSum).item(), 3.0, kTol);
  expect_values(nll_loss(log_probs, y, Reduction::kNone).value(), {1.0, 2.0});
}

TEST(NllLoss, GradientsAndErrors) {
  expect_gradients([](Args x) { return nll_loss(x[0], x[1], Reduction::kNone); },
                   {random_normal({3, 4}, 6), labels({3, 0, 3})}, /*build_once=*/true);
  const Variable log_probs(zeros({2, 4}, kFloat64));
  EXPECT_THAT([&] { nll_loss(log_probs, Variable(labels({4, 0}))); },
              ThrowsMessage<Error>(AllOf(HasSubstr("nll_loss"), HasSubstr("label 4"), HasSubstr("C = 4"))));
  EXPECT_THAT([&] { nll_loss(log_probs, Variable(labels({1}))); },
              ThrowsMessage<Error>(AllOf(HasSubstr("nll_loss"), HasSubstr("[1]"), HasSubstr("[2, 4]"))));
}

// ---- Binary cross-entropy. ----

TEST(BinaryCrossEntropyWithLogits, HandValues) {
  // softplus(x) - x·y with x = [0, 2, -3], y = [1, 0, 0.5]:
  //   log 2 = 0.6931471806; log(1 + e²) = 2.1269280110; log(1 + e^-3) + 1.5 = 0.0485873516 + 1.5.
  const Variable x(f64({0, 2, -3})), y(f64({1, 0, 0.5}));
  const std::vector<double> expected = {0.6931471806, 2.1269280110, 1.5485873516};
  expect_values(binary_cross_entropy_with_logits(x, y, {Reduction::kNone}).value(), expected);
  EXPECT_NEAR(binary_cross_entropy_with_logits(x, y).item(), (expected[0] + expected[1] + expected[2]) / 3, kTol);
  EXPECT_NEAR(binary_cross_entropy_with_logits(x, y, {Reduction::kSum}).item(),
              expected[0] + expected[1] + expected[2], kTol);
}

TEST(BinaryCrossEntropyWithLogits, PosWeight) {
  // -[pw·y·log σ(x) + (1 - y)·log σ(-x)] with pw = 2:
  //   x = 0, y = 1: 2·log 2 = 1.3862943611;  x = 2, y = 0: log(1 + e²) = 2.1269280110;
  //   x = -3, y = 0.5: 2·0.5·softplus(3) + 0.5·softplus(-3) = 3.0485873516 + 0.0242936758.
  BceWithLogitsOptions options;
  options.reduction = Reduction::kNone;
  options.pos_weight = Variable(f64({2}));
  expect_values(binary_cross_entropy_with_logits(Variable(f64({0, 2, -3})), Variable(f64({1, 0, 0.5})), options)
                    .value(),
                {1.3862943611, 2.1269280110, 3.0728810274});
}

TEST(BinaryCrossEntropyWithLogits, StableForHugeLogits) {
  // x = [1000, -1000], y = [0, 1]: each loss 1000; gradient σ(x) - y = [1, -1].
  Variable x = parameter(tensor({1000, -1000}));
  const Variable loss = binary_cross_entropy_with_logits(x, Variable(tensor({0, 1})), {Reduction::kSum});
  EXPECT_NEAR(loss.item(), 2000, 1e-3);
  loss.backward();
  expect_values(x.grad(), {1, -1});
}

TEST(BinaryCrossEntropyWithLogits, GradientsAndShapes) {
  const Tensor x = random_normal({3, 4}, 7, 2.0);
  Generator generator(8);
  const Tensor y = uniform({3, 4}, 0, 1, generator, kFloat64);
  expect_gradients([](Args v) { return binary_cross_entropy_with_logits(v[0], v[1]); }, {x, y});
  // pos_weight [4], broadcast along the last axis, differentiated too.
  expect_gradients(
      [](Args v) {
        BceWithLogitsOptions options;
        options.reduction = Reduction::kNone;
        options.pos_weight = v[2];
        return binary_cross_entropy_with_logits(v[0], v[1], options);
      },
      {x, y, f64({0.5, 1, 2, 3})});
  // A pos_weight that would grow the loss's shape, or does not broadcast, or is of another dtype.
  for (const Tensor& bad : {tensor({1, 3}, {2, 1, 1}, kFloat64), f64({1, 2, 3}), tensor({1, 2, 3, 4})}) {
    BceWithLogitsOptions options;
    options.pos_weight = Variable(bad);
    EXPECT_THAT([&] { binary_cross_entropy_with_logits(Variable(x), Variable(y), options); },
                ThrowsMessage<Error>(HasSubstr("binary_cross_entropy_with_logits: pos_weight ")));
  }
  EXPECT_THAT([&] { binary_cross_entropy_with_logits(Variable(x), Variable(f64({1, 0, 1}))); },
              ThrowsMessage<Error>(AllOf(HasSubstr("binary_cross_entropy_with_logits"), HasSubstr("[3, 4]"),
                                         HasSubstr("[3]"))));
}

// ---- Multiclass hinge. ----

TEST(MultiMarginLoss, HandValues) {
  // PyTorch's example: x = [0.1, 0.2, 0.4, 0.8], y = 3:
  //   (max(0, 1 - 0.8 + 0.1) + max(0, 1 - 0.8 + 0.2) + max(0, 1 - 0.8 + 0.4)) / 4 = (0.3 + 0.4 + 0.6) / 4 = 0.325;
  //   squared: (0.09 + 0.16 + 0.36) / 4 = 0.1525.
  // x = [3, 0, 0, 1.5], y = 0: every margin met, 0.
  // x = 0, y = 1: the ties with the other three classes count, 3·1 / 4 = 0.75 (squared too).
  const Variable x(f64({0.1, 0.2, 0.4, 0.8, 3, 0, 0, 1.5, 0, 0, 0, 0}, {3, 4}));
  const Variable y(labels({3, 0, 1}));
  expect_values(multi_margin_loss(x, y, {Reduction::kNone}).value(), {0.325, 0, 0.75});
  EXPECT_NEAR(multi_margin_loss(x, y).item(), (0.325 + 0.75) / 3, kTol);
  EXPECT_NEAR(multi_margin_loss(x, y, {Reduction::kSum}).item(), 1.075, kTol);
  expect_values(multi_margin_loss(x, y, {Reduction::kNone, 2}).value(), {0.1525, 0, 0.75});
  // margin 0.5: row 0 (max(0, 0.5 - 0.8 + 0.1) + max(0, 0.5 - 0.8 + 0.2) + max(0, 0.5 - 0.8 + 0.4)) / 4
  // = (0 + 0 + 0.1) / 4 = 0.025; row 2 3·0.5 / 4 = 0.375.
  expect_values(multi_margin_loss(x, y, {Reduction::kNone, 1, 0.5}).value(), {0.025, 0, 0.375});
}

TEST(MultiMarginLoss, HandGradient) {
  // Row 0 above, p = 1, sum: each j != y with a positive hinge gets 1/4, y gets -3/4.
  Variable x = parameter(f64({0.1, 0.2, 0.4, 0.8}, {1, 4}));
  multi_margin_loss(x, Variable(labels({3})), {Reduction::kSum}).backward();
  expect_values(x.grad(), {0.25, 0.25, 0.25, -0.75});
}

TEST(MultiMarginLoss, ExactForHugeScores) {
  // j = y contributes exactly 0 even when x_y is large: x = [1e8, 1e8 + 8], y = 1 in float32
  // has margin 1 - 8 + 0 < 0 for j = 0, so the loss is 0.
  const Variable x(tensor({1e8, 1e8 + 8}, {1, 2}));
  EXPECT_EQ(multi_margin_loss(x, Variable(labels({1}))).item(), 0.0);
  Variable huge = parameter(tensor({1000, -1000, 0}, {1, 3}));
  const Variable loss = multi_margin_loss(huge, Variable(labels({1})), {Reduction::kMean, 2});
  // (1 + 2000)² + (1 + 1000)² over 3.
  EXPECT_NEAR(loss.item(), (2001.0 * 2001.0 + 1001.0 * 1001.0) / 3, 1);
  loss.backward();
  expect_finite(huge.grad());
}

TEST(MultiMarginLoss, GradientsAndErrors) {
  const Tensor x = random_normal({4, 5}, 9);
  const Tensor y = labels({1, 4, 0, 1});
  for (int p : {1, 2}) {
    for (Reduction reduction : {Reduction::kMean, Reduction::kSum, Reduction::kNone}) {
      expect_gradients([p, reduction](Args v) { return multi_margin_loss(v[0], v[1], {reduction, p}); }, {x, y});
    }
  }
  expect_gradients([](Args v) { return multi_margin_loss(v[0], v[1], {Reduction::kMean, 2, 0.7}); }, {x, y}, true);
  EXPECT_THAT([&] { multi_margin_loss(Variable(x), Variable(labels({1, 5, 0, 1}))); },
              ThrowsMessage<Error>(AllOf(HasSubstr("multi_margin_loss"), HasSubstr("label 5"), HasSubstr("C = 5"))));
  EXPECT_THAT([&] { multi_margin_loss(Variable(x), Variable(labels({1, 2}))); },
              ThrowsMessage<Error>(AllOf(HasSubstr("multi_margin_loss"), HasSubstr("[2]"), HasSubstr("[4, 5]"))));
  EXPECT_THAT([&] { multi_margin_loss(Variable(x), Variable(y), {Reduction::kMean, 3}); },
              ThrowsMessage<Error>(HasSubstr("multi_margin_loss: p must be 1 or 2, got 3")));
}

// ---- KL divergence. ----

TEST(KlDiv, HandValuesAndReductions) {
  // input = log [0.25, 0.75], target [0.5, 0.5]:
  //   0.5·(log 0.5 - log 0.25) + 0.5·(log 0.5 - log 0.75) = 0.5·log 2 + 0.5·log(2/3)
  //   = 0.3465735903 - 0.2027325541 = 0.1438410362.
  // Row 2: target [1, 0] against the same input: 1·(0 - log 0.25) + 0 = 1.3862943611.
  const Variable input(f64({std::log(0.25), std::log(0.75), std::log(0.25), std::log(0.75)}, {2, 2}));
  const Variable target(f64({0.5, 0.5, 1, 0}, {2, 2}));
  const double total = 0.1438410362 + 1.3862943611;
  expect_values(kl_div(input, target, {Reduction::kNone}).value(),
                {0.5 * std::log(2.0), 0.5 * std::log(2.0 / 3.0), 1.3862943611, 0});
  EXPECT_NEAR(kl_div(input, target, {Reduction::kBatchMean}).item(), total / 2, kTol);
  EXPECT_NEAR(kl_div(input, target).item(), total / 4, kTol);
  EXPECT_NEAR(kl_div(input, target, {Reduction::kSum}).item(), total, kTol);
  // log_target: row 0 with its target given as log-probabilities.
  const Variable log_target(f64({std::log(0.5), std::log(0.5), std::log(0.5), std::log(0.5)}, {2, 2}));
  expect_values(kl_div(input, log_target, {Reduction::kNone, true}).value().slice(0, 0, 1),
                {0.5 * std::log(2.0), 0.5 * std::log(2.0 / 3.0)});
}

TEST(KlDiv, ZeroTargetGivesFiniteGradients) {
  Variable input = parameter(f64({std::log(0.25), std::log(0.75)}));
  Variable target = parameter(f64({1, 0}));
  const Variable loss = kl_div(input, target, {Reduction::kSum});
  EXPECT_NEAR(loss.item(), std::log(4.0), kTol);
  loss.backward();
  expect_values(input.grad(), {-1, 0});  // d/dx = -target
  expect_finite(target.grad());
}

TEST(KlDiv, Gradients) {
  Generator generator(10);
  const Tensor p = uniform({3, 4}, 0.1, 1, generator, kFloat64);
  const Tensor q = uniform({3, 4}, 0.1, 1, generator, kFloat64);
  const Tensor log_p = log(p / sum(p, {1}, true));
  const Tensor target = q / sum(q, {1}, true);
  expect_gradients([](Args v) { return kl_div(v[0], v[1], {Reduction::kBatchMean}); }, {log_p, target}, true);
  expect_gradients([](Args v) { return kl_div(v[0], v[1], {Reduction::kNone, true}); }, {log_p, log(target)});
  EXPECT_THAT([&] { kl_div(Variable(log_p), Variable(f64({1, 2, 3}))); },
              ThrowsMessage<Error>(AllOf(HasSubstr("kl_div"), HasSubstr("[3, 4]"), HasSubstr("[3]"))));
}

}  // namespace
}  // namespace nabla::nn
