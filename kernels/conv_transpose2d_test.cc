#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <vector>

#include "kernels/conv2d.h"
#include "kernels/internal/test_util.h"
#include "tensor/ops.h"

namespace nabla::kernels {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using testing::dot;
using testing::expect_close;
using testing::expect_gradient;
using testing::random_tensor;

ConvTranspose2dOptions options(std::array<std::int64_t, 2> stride, std::array<std::int64_t, 2> padding,
                               std::array<std::int64_t, 2> output_padding = {0, 0},
                               std::array<std::int64_t, 2> dilation = {1, 1}, std::int64_t groups = 1) {
  ConvTranspose2dOptions o;
  o.stride = stride;
  o.padding = padding;
  o.output_padding = output_padding;
  o.dilation = dilation;
  o.groups = groups;
  return o;
}

Conv2dOptions as_conv(const ConvTranspose2dOptions& t) {
  Conv2dOptions o;
  o.stride = t.stride;
  o.padding = t.padding;
  o.dilation = t.dilation;
  o.groups = t.groups;
  return o;
}

// The definition as a scatter: every input element adds its weighted kernel
// into the output at stride spacing, then the padding is cropped. In double.
Tensor naive_conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                              const ConvTranspose2dOptions& o) {
  const std::int64_t n_size = input.dim(0), in_channels = input.dim(1), height = input.dim(2), width = input.dim(3);
  const std::int64_t group_out = weight.dim(1), kh_size = weight.dim(2), kw_size = weight.dim(3);
  const std::int64_t group_in = in_channels / o.groups, out_channels = group_out * o.groups;
  const std::int64_t out_h =
      (height - 1) * o.stride[0] - 2 * o.padding[0] + o.dilation[0] * (kh_size - 1) + o.output_padding[0] + 1;
  const std::int64_t out_w =
      (width - 1) * o.stride[1] - 2 * o.padding[1] + o.dilation[1] * (kw_size - 1) + o.output_padding[1] + 1;
  const std::vector<double> x = input.to_vector<double>();
  const std::vector<double> w = weight.to_vector<double>();
  std::vector<double> out(n_size * out_channels * out_h * out_w, 0.0);
  for (std::int64_t n = 0; n < n_size; ++n) {
    for (std::int64_t ic = 0; ic < in_channels; ++ic) {
      const std::int64_t group = ic / group_in;
      for (std::int64_t ih = 0; ih < height; ++ih) {
        for (std::int64_t iw = 0; iw < width; ++iw) {
          for (std::int64_t j = 0; j < group_out; ++j) {
            const std::int64_t oc = group * group_out + j;
            for (std::int64_t kh = 0; kh < kh_size; ++kh) {
              for (std::int64_t kw = 0; kw < kw_size; ++kw) {
                const std::int64_t oh = ih * o.stride[0] - o.padding[0] + kh * o.dilation[0];
                const std::int64_t ow = iw * o.stride[1] - o.padding[1] + kw * o.dilation[1];
                if (oh < 0 || oh >= out_h || ow < 0 || ow >= out_w) continue;
                out[((n * out_channels + oc) * out_h + oh) * out_w + ow] +=
                    x[((n * in_channels + ic) * height + ih) * width + iw] *
                    w[((ic * group_out + j) * kh_size + kh) * kw_size + kw];
              }
            }
          }
        }
      }
    }
  }
  Tensor result = from_vector(out, {n_size, out_channels, out_h, out_w});
  if (bias.defined()) result = result + bias.astype(kFloat64).reshape({1, out_channels, 1, 1});
  return result;
}

TEST(ConvTranspose2dTest, HandComputedValues) {
  ConvTranspose2dOptions up;
  up.stride = {2, 2};
  EXPECT_EQ(conv_transpose2d(ones({1, 1, 2, 2}), ones({1, 1, 2, 2}), Tensor(), up).to_vector<float>(),
            std::vector<float>(16, 1.0f));

  const Tensor x = tensor({1, 2, 3, 4}, {1, 1, 2, 2});
  const Tensor w = tensor({1, 2, 3, 4}, {1, 1, 2, 2});
  const Tensor full_output = conv_transpose2d(x, w, Tensor(), ConvTranspose2dOptions());
  EXPECT_EQ(full_output.shape(), (Shape{1, 1, 3, 3}));
  EXPECT_EQ(full_output.to_vector<float>(), (std::vector<float>{1, 4, 4, 6, 20, 16, 9, 24, 16}));
  // Padding 1 crops one row and column from each side.
  EXPECT_EQ(conv_transpose2d(x, w, Tensor(), options({1, 1}, {1, 1})).to_vector<float>(), std::vector<float>{20});
  // Stride 2 places the scaled kernels side by side; output_padding adds a
  // zero row and column.
  const Tensor spread = conv_transpose2d(x, w, Tensor(), options({2, 2}, {0, 0}, {1, 1}));
  EXPECT_EQ(spread.shape(), (Shape{1, 1, 5, 5}));
  EXPECT_EQ(spread.to_vector<float>(), (std::vector<float>{1, 2, 2, 4, 0,  //
                                                           3, 4, 6, 8, 0,  //
                                                           3, 6, 4, 8, 0,  //
                                                           9, 12, 12, 16, 0,  //
                                                           0, 0, 0, 0, 0}));
}

TEST(ConvTranspose2dTest, HandComputedChannelsAndGroups) {
  const Tensor x = tensor({1, 10}, {1, 2, 1, 1});
  // Weight [C_in = 2, C_out = 1, 1, 1]: both inputs feed the one output.
  EXPECT_EQ(conv_transpose2d(x, tensor({2, 3}, {2, 1, 1, 1}), tensor({0.5}), ConvTranspose2dOptions()).item(), 32.5);
  // Two groups: each input feeds its own output.
  EXPECT_EQ(conv_transpose2d(x, tensor({2, 3}, {2, 1, 1, 1}), Tensor(), options({1, 1}, {0, 0}, {0, 0}, {1, 1}, 2))
                .to_vector<float>(),
            (std::vector<float>{2, 30}));
}

struct Case {
  Shape input, weight;
  ConvTranspose2dOptions options;
};

std::ostream& operator<<(std::ostream& out, const Case& c) {
  using ::nabla::operator<<;  // hidden by this operator<<
  return out << "input " << c.input << " weight " << c.weight << " stride "
             << Shape{c.options.stride[0], c.options.stride[1]} << " padding "
             << Shape{c.options.padding[0], c.options.padding[1]} << " output_padding "
             << Shape{c.options.output_padding[0], c.options.output_padding[1]} << " dilation "
             << Shape{c.options.dilation[0], c.options.dilation[1]} << " groups " << c.options.groups;
}

const Case kCases[] = {
    {{2, 3, 4, 5}, {3, 2, 3, 3}, options({1, 1}, {0, 0})},
    // DCGAN's upsampling layer: k4 s2 p1 doubles the size.
    {{2, 4, 7, 7}, {4, 3, 4, 4}, options({2, 2}, {1, 1})},
    {{1, 4, 3, 4}, {4, 3, 3, 2}, options({2, 3}, {1, 0}, {1, 2}, {1, 1}, 2)},
    {{2, 2, 3, 3}, {2, 2, 2, 3}, options({1, 2}, {0, 1}, {0, 1}, {2, 2})},
    // output_padding not below the stride, allowed by the dilation.
    {{1, 2, 3, 3}, {2, 1, 2, 2}, options({1, 1}, {0, 0}, {1, 2}, {2, 3})},
    {{3, 6, 4, 4}, {6, 1, 1, 1}, options({1, 1}, {0, 0}, {0, 0}, {1, 1}, 6)},
    // 32 output channels, stride 1: with AVX-512 a forward convolution with
    // flipped weights, and the bias.
    {{2, 16, 4, 5}, {16, 32, 3, 3}, options({1, 1}, {1, 0})},
};

class ConvTranspose2dCaseTest : public testing::BackendTest<Case> {};

TEST_P(ConvTranspose2dCaseTest, MatchesNaiveScatterInBothDtypes) {
  const Case& c = param();
  const Tensor x = random_tensor(c.input, 1);
  const Tensor w = random_tensor(c.weight, 2);
  const Tensor b = random_tensor({c.weight[1] * c.options.groups}, 3);
  const Tensor expected = naive_conv_transpose2d(x, w, b, c.options);
  EXPECT_EQ(conv_transpose2d_output_shape(c.input, c.weight, c.options), expected.shape());
  expect_close(conv_transpose2d(x, w, b, c.options), expected, 1e-12);
  expect_close(conv_transpose2d(x.astype(kFloat32), w.astype(kFloat32), b.astype(kFloat32), c.options), expected,
               1e-5);
}

TEST_P(ConvTranspose2dCaseTest, IsTheInputGradientOfConv2d) {
  const Case& c = param();
  if (c.options.output_padding[0] >= c.options.stride[0] || c.options.output_padding[1] >= c.options.stride[1]) {
    GTEST_SKIP() << "a conv2d of the output's size has more outputs than this input";
  }
  const Tensor x = random_tensor(c.input, 4);
  const Tensor w = random_tensor(c.weight, 5);
  const Shape out_shape = conv_transpose2d_output_shape(c.input, c.weight, c.options);
  expect_close(conv_transpose2d(x, w, Tensor(), c.options),
               conv2d_backward_input(x, w, out_shape, as_conv(c.options)), 1e-12);
  const Tensor g = random_tensor(out_shape, 6);
  expect_close(conv_transpose2d_backward_input(g, w, c.input, c.options), conv2d(g, w, Tensor(), as_conv(c.options)),
               1e-12);
}

TEST_P(ConvTranspose2dCaseTest, BackwardIsTheAdjoint) {
  const Case& c = param();
  const Tensor x = random_tensor(c.input, 7);
  const Tensor w = random_tensor(c.weight, 8);
  const Tensor y = conv_transpose2d(x, w, Tensor(), c.options);
  const Tensor g = random_tensor(y.shape(), 9);
  const double forward = dot(y, g);
  EXPECT_NEAR(dot(x, conv_transpose2d_backward_input(g, w, c.input, c.options)), forward, 1e-10 * (1 + std::abs(forward)));
  EXPECT_NEAR(dot(w, conv_transpose2d_backward_weight(g, x, c.weight, c.options)), forward,
              1e-10 * (1 + std::abs(forward)));
}

INSTANTIATE_TEST_SUITE_P(Shapes, ConvTranspose2dCaseTest, ::testing::Combine(::testing::ValuesIn(kCases), testing::kBothBackends));

TEST(ConvTranspose2dTest, MatchesFiniteDifferences) {
  for (const Case& c : {kCases[2], kCases[4]}) {
    SCOPED_TRACE(::testing::PrintToString(c));
    const Tensor x = random_tensor(c.input, 10);
    const Tensor w = random_tensor(c.weight, 11);
    const Tensor b = random_tensor({c.weight[1] * c.options.groups}, 12);
    const Tensor g = random_tensor(conv_transpose2d_output_shape(c.input, c.weight, c.options), 13);
    expect_gradient([&](const Tensor& probe) { return conv_transpose2d(probe, w, b, c.options); }, x, g,
                    conv_transpose2d_backward_input(g, w, c.input, c.options));
    expect_gradient([&](const Tensor& probe) { return conv_transpose2d(x, probe, b, c.options); }, w, g,
                    conv_transpose2d_backward_weight(g, x, c.weight, c.options));
    expect_gradient([&](const Tensor& probe) { return conv_transpose2d(x, w, probe, c.options); }, b, g,
                    sum(g, {0, 2, 3}));
  }
}

TEST(ConvTranspose2dTest, ZeroSizeBatch) {
  const Tensor w = ones({3, 2, 4, 4});
  const ConvTranspose2dOptions o = options({2, 2}, {1, 1});
  EXPECT_EQ(conv_transpose2d(zeros({0, 3, 7, 7}), w, Tensor(), o).shape(), (Shape{0, 2, 14, 14}));
  EXPECT_EQ(conv_transpose2d_backward_input(zeros({0, 2, 14, 14}), w, {0, 3, 7, 7}, o).shape(), (Shape{0, 3, 7, 7}));
  EXPECT_EQ(sum(abs(conv_transpose2d_backward_weight(zeros({0, 2, 14, 14}), zeros({0, 3, 7, 7}), w.shape(), o))).item(),
            0);
}

template <typename F>
void expect_error(F&& f, const std::string& text) {
  EXPECT_THAT(f, ThrowsMessage<Error>(HasSubstr(text)));
}

TEST(ConvTranspose2dTest, RejectsBadArguments) {
  const Tensor x = zeros({1, 3, 4, 4});
  const Tensor w = zeros({3, 2, 3, 3});
  const ConvTranspose2dOptions o;
  expect_error([&] { conv_transpose2d(zeros({3, 4, 4}), w, Tensor(), o); },
               "conv_transpose2d: input must be 4-D [N, C_in, H, W], got [3, 4, 4]");
  expect_error([&] { conv_transpose2d(x, zeros({2, 2, 3, 3}), Tensor(), o); },
               "input [1, 3, 4, 4] has 3 channels but weight [2, 2, 3, 3] expects 2");
  expect_error([&] { conv_transpose2d(x, w, Tensor(), options({1, 1}, {0, 0}, {0, 0}, {1, 1}, 2)); },
               "groups 2 does not divide the 3 input channels");
  expect_error([&] { conv_transpose2d(x, w, Tensor(), options({2, 2}, {0, 0}, {2, 0})); },
               "output_padding [2, 0] must be smaller than the stride [2, 2] or the dilation [1, 1]");
  expect_error([&] { conv_transpose2d(x, w, Tensor(), options({2, 2}, {0, 0}, {0, -1})); },
               "output_padding must not be negative, got [0, -1]");
  expect_error([&] { conv_transpose2d(zeros({1, 3, 1, 1}), zeros({3, 2, 1, 1}), Tensor(), options({1, 1}, {1, 1})); },
               "output would be empty: input [1, 3, 1, 1], weight [3, 2, 1, 1]");
  expect_error([&] { conv_transpose2d(x, w, zeros({3}), o); }, "bias must be [2] (one per output channel), got [3]");
  expect_error([&] { conv_transpose2d(x, w, Tensor(), options({1, 0}, {0, 0})); }, "stride must be positive, got [1, 0]");
  expect_error([&] { conv_transpose2d(x, zeros({3, 2, 3, 3}, kFloat64), Tensor(), o); },
               "conv_transpose2d: dtypes differ: input float32 [1, 3, 4, 4] vs weight float64 [3, 2, 3, 3]");
  expect_error([&] { conv_transpose2d_backward_input(zeros({1, 2, 5, 5}), w, x.shape(), o); },
               "conv_transpose2d_backward_input: grad_output [1, 2, 5, 5] does not match the forward output shape "
               "[1, 2, 6, 6]");
  expect_error([&] { conv_transpose2d_backward_weight(zeros({1, 2, 6, 6}), x, {3, 2, 3}, o); }, "weight must be 4-D");
  expect_error([&] { conv_transpose2d_backward_weight(zeros({1, 3, 6, 6}), x, w.shape(), o); },
               "grad_output [1, 3, 6, 6] does not match the forward output shape [1, 2, 6, 6]");
}

TEST(ConvTranspose2dTest, SizesTooLargeForInt64AreAnError) {
  ConvTranspose2dOptions strided;
  strided.stride = {std::int64_t{1} << 62, 1};
  EXPECT_THAT([&] { conv_transpose2d_output_shape({1, 1, 3, 3}, {1, 1, 3, 3}, strided); },
              ThrowsMessage<Error>(HasSubstr("conv_transpose2d: input [1, 1, 3, 3] and weight [1, 1, 3, 3] with these options give sizes too large")));
  ConvTranspose2dOptions grouped;
  grouped.groups = 4;
  EXPECT_THAT([&] { conv_transpose2d_output_shape({1, 4, 3, 3}, {4, std::int64_t{1} << 62, 3, 3}, grouped); },
              ThrowsMessage<Error>(HasSubstr("give sizes too large for int64")));
}

}  // namespace
}  // namespace nabla::kernels
