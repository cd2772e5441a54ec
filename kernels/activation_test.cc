#include "kernels/activation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "kernels/internal/test_util.h"
#include "tensor/ops.h"

namespace nabla::kernels {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// x, grad_output and the hand-worked y and grad_input for one activation,
// on five points; tanh and sigmoid values from a table to 8 digits.
struct Case {
  Activation kind;
  std::vector<double> y, grad_input;
};

const std::vector<double> kX{-2, -0.5, 0, 0.5, 2};
const std::vector<double> kGrad{1, 2, 3, 4, 5};
constexpr double kSlope = 0.1;

const Case kCases[] = {
    {Activation::kRelu, {0, 0, 0, 0.5, 2}, {0, 0, 0, 4, 5}},
    {Activation::kLeakyRelu, {-0.2, -0.05, 0, 0.5, 2}, {0.1, 0.2, 0.3, 4, 5}},
    {Activation::kTanh,
     {-0.96402758, -0.46211716, 0, 0.46211716, 0.96402758},
     {0.07065082, 1.57289546, 3, 3.14579092, 0.35325412}},
    {Activation::kSigmoid,
     {0.11920292, 0.37754067, 0.5, 0.62245933, 0.88079708},
     {0.10499359, 0.47000742, 0.75, 0.94001484, 0.52496795}},
};

// The five points repeated `copies` times: 4,000 copies take oneDNN's path.
Tensor repeated(const std::vector<double>& values, std::int64_t copies, DType dtype) {
  std::vector<double> all;
  for (std::int64_t i = 0; i < copies; ++i) all.insert(all.end(), values.begin(), values.end());
  return from_vector(all, {copies, 5}).astype(dtype);
}

class ActivationTest : public testing::BackendTest<std::tuple<Case, std::int64_t>> {};

TEST_P(ActivationTest, MatchesHandWorkedValues) {
  const auto& [c, copies] = param();
  for (DType dtype : {kFloat32, kFloat64}) {
    const Tensor x = repeated(kX, copies, dtype);
    const Tensor y = activation(c.kind, x, kSlope);
    EXPECT_EQ(y.dtype(), dtype);
    testing::expect_close(y, repeated(c.y, copies, kFloat64), 1e-6);
    const Tensor& saved = activation_backward_reads(c.kind) == BackwardReads::kOutput ? y : x;
    testing::expect_close(activation_backward(c.kind, repeated(kGrad, copies, dtype), saved, kSlope),
                          repeated(c.grad_input, copies, kFloat64), 1e-6);
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, ActivationTest,
                         ::testing::Combine(::testing::Combine(::testing::ValuesIn(kCases), ::testing::Values(1, 4000)),
                                            testing::kBothBackends));

// The ReLU gradient selects, as PyTorch's threshold_backward: an inactive
// unit passes 0 even of an infinite gradient (a multiply by 0 gives NaN).
class ReluGradientTest : public testing::BackendTest<std::int64_t> {};

TEST_P(ReluGradientTest, IsZeroAtInactiveUnitsEvenForInfiniteGradients) {
  const std::int64_t copies = param();
  const double inf = std::numeric_limits<double>::infinity();
  for (DType dtype : {kFloat32, kFloat64}) {
    const Tensor y = activation(Activation::kRelu, repeated(kX, copies, dtype));
    const Tensor grad = activation_backward(Activation::kRelu, repeated({inf, -inf, inf, -inf, inf}, copies, dtype), y);
    EXPECT_EQ(grad.astype(kFloat64).to_vector<double>(), repeated({0, 0, 0, -inf, inf}, copies, kFloat64).to_vector<double>());
  }
}

// As PyTorch's: relu keeps a NaN (oneDNN's gives 0), and a NaN output
// passes its gradient, as does a positive one.
TEST_P(ReluGradientTest, KeepsNanAndPassesItsGradient) {
  const std::int64_t copies = param();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (DType dtype : {kFloat32, kFloat64}) {
    const Tensor y = activation(Activation::kRelu, repeated({-1, 0, nan, 2, nan}, copies, dtype));
    const std::vector<double> values = y.astype(kFloat64).to_vector<double>();
    EXPECT_TRUE(std::isnan(values[2]) && std::isnan(values.back()));
    const Tensor grad = activation_backward(Activation::kRelu, repeated({3, 4, 5, 6, 7}, copies, dtype), y);
    EXPECT_EQ(grad.astype(kFloat64).to_vector<double>(), repeated({0, 0, 5, 6, 7}, copies, kFloat64).to_vector<double>());
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, ReluGradientTest, ::testing::Combine(::testing::Values(1, 4000), testing::kBothBackends));

// As PyTorch's on either backend and size: leaky_relu keeps a NaN for any
// slope, 0 too (oneDNN's maps it to 0 there), and a NaN input passes slope
// times its gradient (oneDNN's passes all of it).
class LeakyReluNanTest : public testing::BackendTest<std::int64_t> {};

TEST_P(LeakyReluNanTest, KeepsNanAndPassesSlopeTimesItsGradient) {
  const std::int64_t copies = param();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (double slope : {0.0, 0.5}) {
    const Tensor x = repeated({-2, nan, 4, nan, -1}, copies, kFloat32);
    const std::vector<double> y = activation(Activation::kLeakyRelu, x, slope).astype(kFloat64).to_vector<double>();
    EXPECT_EQ(y[0], -2 * slope);
    EXPECT_TRUE(std::isnan(y[1]) && std::isnan(y[5 * copies - 2]));  // the first copy's and the last's
    const Tensor grad =
        activation_backward(Activation::kLeakyRelu, repeated({2, 2, 2, 2, 2}, copies, kFloat32), x, slope);
    EXPECT_EQ(grad.astype(kFloat64).to_vector<double>(),
              repeated({2 * slope, 2 * slope, 2, 2 * slope, 2 * slope}, copies, kFloat64).to_vector<double>());
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, LeakyReluNanTest,
                         ::testing::Combine(::testing::Values(1, 4000), testing::kBothBackends));

TEST(ActivationTest, ReadsStridedViews) {
  const Tensor x = repeated(kX, 4000, kFloat32).transpose(0, 1);  // [5, 4000], not contiguous
  const Tensor y = activation(Activation::kRelu, x);
  EXPECT_EQ(y.shape(), (Shape{5, 4000}));
  EXPECT_EQ(y.to_vector<float>()[4000 * 4], 2.0f);  // x[4][0] = 2
}

// oneDNN runs over memory in order: a channels-last x gives a channels-last
// y, and a gradient in the other format is read correctly.
TEST(ActivationTest, KeepsChannelsLastOnOneDnn) {
  const Tensor x = repeated(kX, 4000, kFloat32).reshape({50, 10, 8, 5});  // the 5 points along w
  const Tensor x_last = x.contiguous(MemoryFormat::kChannelsLast);
  for (Activation kind : {Activation::kRelu, Activation::kLeakyRelu, Activation::kTanh}) {
    const Tensor y = activation(kind, x_last, kSlope);
    EXPECT_TRUE(y.is_contiguous(MemoryFormat::kChannelsLast));
    testing::expect_close(y, activation(kind, x, kSlope), 1e-7);
    const Tensor& saved = activation_backward_reads(kind) == BackwardReads::kOutput ? y : x_last;
    const Tensor g = repeated(kGrad, 4000, kFloat32).reshape(x.shape());
    const Tensor grad = activation_backward(kind, g, saved, kSlope);
    EXPECT_TRUE(grad.is_contiguous(MemoryFormat::kChannelsLast));
    testing::expect_close(grad, activation_backward(kind, g, activation_backward_reads(kind) == BackwardReads::kOutput
                                                                 ? activation(kind, x, kSlope)
                                                                 : x,
                                                    kSlope),
                          1e-7);
  }
}

TEST(ActivationTest, RejectsBadArguments) {
  EXPECT_THAT([] { activation(Activation::kTanh, Tensor()); },
              ThrowsMessage<Error>(HasSubstr("tanh: x is undefined")));
  EXPECT_THAT([] { activation(Activation::kRelu, zeros({2}, kInt64)); },
              ThrowsMessage<Error>(HasSubstr("relu: x must be float32 or float64, got int64 [2]")));
  EXPECT_THAT([] { activation_backward(Activation::kSigmoid, zeros({2, 3}), zeros({3, 2})); },
              ThrowsMessage<Error>(HasSubstr("sigmoid_backward: grad_output float32 [2, 3] and saved float32 [3, 2] differ")));
  EXPECT_THAT([] { activation_backward(Activation::kLeakyRelu, zeros({2}), zeros({2}, kFloat64)); },
              ThrowsMessage<Error>(HasSubstr("leaky_relu_backward: grad_output float32 [2] and saved float64 [2] differ")));
}

TEST(ActivationTest, RejectsANonFiniteLeakySlope) {
  for (double slope : {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    EXPECT_THAT([&] { activation(Activation::kLeakyRelu, zeros({4}), slope); },
                ThrowsMessage<Error>(HasSubstr("leaky_relu: slope must be finite")));
    EXPECT_THAT([&] { activation_backward(Activation::kLeakyRelu, zeros({4}), zeros({4}), slope); },
                ThrowsMessage<Error>(HasSubstr("leaky_relu_backward: slope must be finite")));
  }
}

}  // namespace
}  // namespace nabla::kernels
