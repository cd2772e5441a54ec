#include "kernels/linear.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "kernels/internal/test_util.h"
#include "tensor/ops.h"

namespace nabla::kernels {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::expect_close;
using testing::expect_gradient;
using testing::random_tensor;

class LinearTest : public ::testing::TestWithParam<Backend> {};

TEST_P(LinearTest, ByHand) {
  const BackendScope scope(GetParam());
  for (DType dtype : {kFloat64, kFloat32}) {
    const Tensor x = tensor({1, 2, -3, 1}, {2, 2}, dtype);
    const Tensor w = tensor({1, 0, 2, 1, -1, 0}, {2, 3}, dtype);
    const Tensor b = tensor({0.5, 0, -1}, {3}, dtype);
    // x·W = [[3, -2, 2], [-2, -1, -6]].
    EXPECT_EQ(linear(x, w, b, false).to_vector<double>(), (std::vector<double>{3.5, -2, 1, -1.5, -1, -7}));
    EXPECT_EQ(linear(x, w, b, true).to_vector<double>(), (std::vector<double>{3.5, 0, 1, 0, 0, 0}));
    EXPECT_EQ(linear(x, w, Tensor(), true).to_vector<double>(), (std::vector<double>{3, 0, 2, 0, 0, 0}));
    // A vector x gives a vector.
    const Tensor y = linear(tensor({1, 2}, {2}, dtype), w, b, false);
    EXPECT_EQ(y.shape(), Shape{3});
    EXPECT_EQ(y.to_vector<double>(), (std::vector<double>{3.5, -2, 1}));
  }
  // No features in or out: zeros, or an empty result, as a GEMM gives.
  EXPECT_EQ(linear(zeros({2, 0}), zeros({0, 3}), ones({3}), false).to_vector<float>(),
            (std::vector<float>{1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(linear(zeros({2, 4}), zeros({4, 0}), Tensor(), true).shape(), (Shape{2, 0}));
  // A NaN output stays NaN through the ReLU and passes its gradient, as relu()'s.
  const Tensor nan_row = tensor({std::nan(""), 1}, {1, 2});
  const Tensor ones_column = tensor({1, 1}, {2, 1});
  const Tensor nan_y = linear(nan_row, ones_column, Tensor(), true);
  EXPECT_TRUE(std::isnan(nan_y.item()));
  const LinearGrads grads = linear_backward(tensor({3}, {1, 1}), nan_row, ones_column, nan_y, true, true, false, true);
  EXPECT_EQ(grads.input.to_vector<double>(), (std::vector<double>{3, 3}));
  EXPECT_EQ(grads.bias.to_vector<double>(), (std::vector<double>{3}));
}

// With and without the ReLU, a bias and leading axes: against central
// differences, and the gradients asked for only.
TEST_P(LinearTest, BackwardMatchesFiniteDifferences) {
  const BackendScope scope(GetParam());
  const Tensor x = random_tensor({3, 4, 5}, 1);
  const Tensor w = random_tensor({5, 6}, 2);
  const Tensor b = random_tensor({6}, 3);
  const Tensor g = random_tensor({3, 4, 6}, 4);
  for (bool relu : {false, true}) {
    SCOPED_TRACE(relu ? "relu" : "no relu");
    const Tensor y = linear(x, w, b, relu);
    if (relu) {
      EXPECT_GT(sum(y == 0.0).item(), 10) << "about half the outputs must be clamped";
    }
    const LinearGrads grads = linear_backward(g, x, w, y, relu, true, true, true);
    expect_gradient([&](const Tensor& p) { return linear(p, w, b, relu); }, x, g, grads.input);
    expect_gradient([&](const Tensor& p) { return linear(x, p, b, relu); }, w, g, grads.weight);
    expect_gradient([&](const Tensor& p) { return linear(x, w, p, relu); }, b, g, grads.bias);
    const LinearGrads only_bias = linear_backward(g, x, w, y, relu, false, false, true);
    EXPECT_FALSE(only_bias.input.defined());
    EXPECT_FALSE(only_bias.weight.defined());
    expect_close(only_bias.bias, grads.bias, 0);
  }
}

// A NaN bias stays NaN through the ReLU; an output of exactly 0 passes no
// gradient (as relu's); a vector x and no output features, backward.
TEST_P(LinearTest, EdgeCases) {
  const BackendScope scope(GetParam());
  for (DType dtype : {kFloat64, kFloat32}) {
    SCOPED_TRACE(dtype_name(dtype));
    const Tensor x = tensor({1, 0, 1}, {1, 3}, dtype);
    const Tensor w = tensor({1, 0, 2, 1, -1, 0}, {3, 2}, dtype);
    // x·W = [0, 0].
    const std::vector<double> nan_bias = linear(x, w, tensor({std::nan(""), 1}, {2}, dtype), true).to_vector<double>();
    EXPECT_TRUE(std::isnan(nan_bias[0]));
    EXPECT_EQ(nan_bias[1], 1);
    const Tensor y = linear(x, w, tensor({-1, 0}, {2}, dtype), true);
    EXPECT_EQ(y.to_vector<double>(), (std::vector<double>{0, 0}));
    const LinearGrads at_zero = linear_backward(tensor({5, 7}, {1, 2}, dtype), x, w, y, true, true, true, true);
    EXPECT_EQ(at_zero.input.to_vector<double>(), (std::vector<double>{0, 0, 0}));
    EXPECT_EQ(at_zero.weight.to_vector<double>(), std::vector<double>(6, 0.0));
    EXPECT_EQ(at_zero.bias.to_vector<double>(), (std::vector<double>{0, 0}));
    // [1, 2, 3]·W + b = [2.5, 1], both kept: dx = W·[1, 1], dW = xᵀ·[1, 1].
    const Tensor v = tensor({1, 2, 3}, {3}, dtype);
    const Tensor yv = linear(v, w, tensor({0.5, -1}, {2}, dtype), true);
    EXPECT_EQ(yv.to_vector<double>(), (std::vector<double>{2.5, 1}));
    const LinearGrads vector_grads = linear_backward(tensor({1, 1}, {2}, dtype), v, w, yv, true, true, true, true);
    EXPECT_EQ(vector_grads.input.to_vector<double>(), (std::vector<double>{1, 3, -1}));
    EXPECT_EQ(vector_grads.weight.to_vector<double>(), (std::vector<double>{1, 1, 2, 2, 3, 3}));
    EXPECT_EQ(vector_grads.bias.to_vector<double>(), (std::vector<double>{1, 1}));
    const Tensor no_features = linear(x, zeros({3, 0}, dtype), zeros({0}, dtype), true);
    const LinearGrads empty =
        linear_backward(zeros({1, 0}, dtype), x, zeros({3, 0}, dtype), no_features, true, true, true, true);
    EXPECT_EQ(empty.input.to_vector<double>(), (std::vector<double>{0, 0, 0}));
    EXPECT_EQ(empty.weight.shape(), (Shape{3, 0}));
    EXPECT_EQ(empty.bias.shape(), (Shape{0}));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, LinearTest, testing::kBothBackends);

template <typename F>
void expect_error(F&& f, const std::string& text) {
  EXPECT_THAT(f, ThrowsMessage<Error>(HasSubstr(text)));
}

TEST(LinearErrors, NameTheOpAndShapes) {
  const Tensor x = zeros({2, 3});
  const Tensor w = zeros({3, 4});
  expect_error([&] { linear(zeros({2, 5}), w, Tensor(), false); },
               "linear: x [2, 5] has 5 features where weight [3, 4] takes 3");
  expect_error([&] { linear(x, zeros({3}), Tensor(), false); }, "linear: weight must be [in, out], got [3]");
  expect_error([&] { linear(x, w, zeros({3}), false); }, "linear: bias must be [4] of float32 (weight [3, 4]), got float32 [3]");
  expect_error([&] { linear(x, zeros({3, 4}, kFloat64), Tensor(), false); }, "linear: dtypes differ");
  expect_error([&] { linear(zeros({2, 3}, kInt64), w, Tensor(), false); }, "linear: x must be float32 or float64");
  expect_error([&] { linear_backward(zeros({2, 5}), x, w, Tensor(), false, true, true, true); },
               "linear_backward: grad_output must be float32 [2, 4], got float32 [2, 5]");
  expect_error([&] { linear_backward(zeros({2, 4}), x, w, Tensor(), true, true, true, true); },
               "linear_backward: relu needs linear's output, float32 [2, 4]");
}

// The output that relu's backward reads is named by what is wrong with it: its dtype, or that it is missing
// (not "[]", a 0-d tensor's shape).
TEST(LinearErrors, NameTheWrongOutput) {
  const Tensor x = zeros({2, 3});
  const Tensor w = zeros({3, 4});
  expect_error([&] { linear_backward(zeros({2, 4}), x, w, zeros({2, 4}, kFloat64), true, true, true, true); },
               "linear_backward: relu needs linear's output, float32 [2, 4], got float64 [2, 4]");
  expect_error([&] { linear_backward(zeros({2, 4}), x, w, Tensor(), true, true, true, true); },
               "linear_backward: relu needs linear's output, float32 [2, 4], got an undefined tensor");
}

}  // namespace
}  // namespace nabla::kernels
