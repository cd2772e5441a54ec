#include "kernels/conv2d.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <ostream>
#include <vector>

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

Conv2dOptions options(std::array<std::int64_t, 2> stride, std::array<std::int64_t, 2> padding,
                      std::array<std::int64_t, 2> dilation = {1, 1}, std::int64_t groups = 1) {
  Conv2dOptions o;
  o.stride = stride;
  o.padding = padding;
  o.dilation = dilation;
  o.groups = groups;
  return o;
}

// The definition, seven loops deep, in double.
Tensor naive_conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, const Conv2dOptions& o) {
  const std::int64_t n_size = input.dim(0), channels = input.dim(1), height = input.dim(2), width = input.dim(3);
  const std::int64_t out_channels = weight.dim(0), group_in = weight.dim(1), kh_size = weight.dim(2),
                     kw_size = weight.dim(3);
  const std::int64_t group_out = out_channels / o.groups;
  const std::int64_t out_h = (height + 2 * o.padding[0] - o.dilation[0] * (kh_size - 1) - 1) / o.stride[0] + 1;
  const std::int64_t out_w = (width + 2 * o.padding[1] - o.dilation[1] * (kw_size - 1) - 1) / o.stride[1] + 1;
  const std::vector<double> x = input.to_vector<double>();
  const std::vector<double> w = weight.to_vector<double>();
  const std::vector<double> b = bias.defined() ? bias.to_vector<double>() : std::vector<double>(out_channels, 0.0);
  std::vector<double> out(n_size * out_channels * out_h * out_w);
  for (std::int64_t n = 0; n < n_size; ++n) {
    for (std::int64_t oc = 0; oc < out_channels; ++oc) {
      const std::int64_t group = oc / group_out;
      for (std::int64_t oh = 0; oh < out_h; ++oh) {
        for (std::int64_t ow = 0; ow < out_w; ++ow) {
          double total = b[oc];
          for (std::int64_t ic = 0; ic < group_in; ++ic) {
            const std::int64_t c = group * group_in + ic;
            for (std::int64_t kh = 0; kh < kh_size; ++kh) {
              for (std::int64_t kw = 0; kw < kw_size; ++kw) {
                const std::int64_t ih = oh * o.stride[0] - o.padding[0] + kh * o.dilation[0];
                const std::int64_t iw = ow * o.stride[1] - o.padding[1] + kw * o.dilation[1];
                if (ih < 0 || ih >= height || iw < 0 || iw >= width) continue;
                total += x[((n * channels + c) * height + ih) * width + iw] *
                         w[((oc * group_in + ic) * kh_size + kh) * kw_size + kw];
              }
            }
          }
          out[((n * out_channels + oc) * out_h + oh) * out_w + ow] = total;
        }
      }
    }
  }
  return from_vector(out, {n_size, out_channels, out_h, out_w});
}

TEST(Conv2dTest, HandComputedValues) {
  const Tensor x = arange(1, 10, 1, kFloat32).reshape({1, 1, 3, 3});
  const Tensor w = tensor({1, 2, 3, 4}, {1, 1, 2, 2});
  EXPECT_EQ(conv2d(x, w, Tensor(), Conv2dOptions()).to_vector<float>(), (std::vector<float>{37, 47, 67, 77}));
  EXPECT_EQ(conv2d(x, w, tensor({1}), Conv2dOptions()).to_vector<float>(), (std::vector<float>{38, 48, 68, 78}));
  // Padding 1, stride 2: windows start at -1 and 1 on both axes.
  EXPECT_EQ(conv2d(x, w, Tensor(), options({2, 2}, {1, 1})).to_vector<float>(), (std::vector<float>{4, 18, 36, 77}));
  // Dilation 2: the taps are the four corners.
  const Tensor corners = conv2d(x, w, Tensor(), options({1, 1}, {0, 0}, {2, 2}));
  EXPECT_EQ(corners.shape(), (Shape{1, 1, 1, 1}));
  EXPECT_EQ(corners.item(), 1 * 1 + 3 * 2 + 7 * 3 + 9 * 4);
}

TEST(Conv2dTest, HandComputedGroups) {
  // Two groups of one channel each: each output channel sees its own input.
  const Tensor x = tensor({1, 2, 3, 4, 10, 20, 30, 40}, {1, 2, 2, 2});
  const Tensor w = tensor({1, 1, 1, 1, 0, 0, 0, 2}, {2, 1, 2, 2});
  const Tensor y = conv2d(x, w, Tensor(), options({1, 1}, {0, 0}, {1, 1}, 2));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{10, 80}));
}

TEST(Conv2dTest, OutputShape) {
  EXPECT_EQ(conv2d_output_shape({64, 1, 28, 28}, {32, 1, 5, 5}, options({1, 1}, {2, 2})), (Shape{64, 32, 28, 28}));
  EXPECT_EQ(conv2d_output_shape({2, 4, 9, 8}, {6, 2, 3, 2}, options({2, 1}, {1, 2}, {1, 2}, 2)),
            (Shape{2, 6, 5, 10}));
  EXPECT_EQ(conv2d_output_shape({1, 1, 5, 5}, {1, 1, 1, 1}, options({3, 3}, {0, 0})), (Shape{1, 1, 2, 2}));
}

struct Case {
  Shape input, weight;
  Conv2dOptions options;
};

std::ostream& operator<<(std::ostream& out, const Case& c) {
  using ::nabla::operator<<;  // hidden by this operator<<
  return out << "input " << c.input << " weight " << c.weight << " stride " << Shape{c.options.stride[0], c.options.stride[1]}
             << " padding " << Shape{c.options.padding[0], c.options.padding[1]} << " dilation "
             << Shape{c.options.dilation[0], c.options.dilation[1]} << " groups " << c.options.groups;
}

// Shapes with stride, padding, dilation, groups, 1x1 kernels (the
// no-im2col path and the strided one), stride > kernel and a 1-D case.
const Case kCases[] = {
    {{2, 3, 7, 6}, {4, 3, 3, 3}, options({1, 1}, {0, 0})},
    {{2, 4, 9, 8}, {6, 2, 3, 2}, options({2, 1}, {1, 2}, {1, 2}, 2)},
    {{3, 6, 5, 7}, {6, 2, 1, 1}, options({1, 1}, {0, 0}, {1, 1}, 3)},
    {{2, 3, 5, 5}, {2, 3, 1, 1}, options({2, 2}, {0, 0})},
    {{1, 2, 4, 4}, {3, 2, 1, 1}, options({1, 1}, {1, 1})},
    {{1, 2, 6, 7}, {4, 2, 2, 2}, options({3, 3}, {0, 0})},
    {{2, 4, 8, 5}, {4, 1, 3, 3}, options({2, 2}, {1, 1}, {2, 1}, 4)},
    {{2, 1, 1, 9}, {2, 1, 1, 3}, options({1, 2}, {0, 1})},
    {{1, 2, 3, 3}, {2, 2, 5, 5}, options({1, 1}, {1, 1})},
    // Large enough to run the images in parallel.
    {{5, 8, 16, 16}, {8, 4, 3, 3}, options({1, 1}, {1, 1}, {1, 1}, 2)},
    // 32 input channels, stride 1: with AVX-512 the input gradient is a
    // forward convolution with flipped weights (uneven padding, non-square).
    {{2, 32, 6, 5}, {16, 32, 3, 2}, options({1, 1}, {1, 0})},
    // 16 input channels, stride 2: with AVX-512 backward-weights runs on nhwc.
    {{2, 16, 7, 6}, {8, 16, 3, 3}, options({2, 2}, {1, 1})},
};

class Conv2dCaseTest : public testing::BackendTest<Case> {};

TEST_P(Conv2dCaseTest, MatchesNaiveLoopsInBothDtypes) {
  const Case& c = param();
  const Tensor x = random_tensor(c.input, 1);
  const Tensor w = random_tensor(c.weight, 2);
  const Tensor b = random_tensor({c.weight[0]}, 3);
  const Tensor expected = naive_conv2d(x, w, b, c.options);
  EXPECT_EQ(conv2d_output_shape(c.input, c.weight, c.options), expected.shape());
  expect_close(conv2d(x, w, b, c.options), expected, 1e-12);
  const Tensor y32 = conv2d(x.astype(kFloat32), w.astype(kFloat32), b.astype(kFloat32), c.options);
  EXPECT_EQ(y32.dtype(), kFloat32);
  expect_close(y32, expected, 1e-5);
}

TEST_P(Conv2dCaseTest, FusedReluIsTheNaiveConvolutionClampedAtZero) {
  const Case& c = param();
  Conv2dOptions with_relu = c.options;
  with_relu.relu = true;
  const Tensor x = random_tensor(c.input, 7);
  const Tensor w = random_tensor(c.weight, 8);
  const Tensor b = random_tensor({c.weight[0]}, 9);
  const Tensor expected = relu(naive_conv2d(x, w, b, c.options));
  const Tensor y = conv2d(x, w, b, with_relu);
  expect_close(y, expected, 1e-12);
  for (double value : y.to_vector<double>()) ASSERT_FALSE(std::signbit(value)) << "a ReLU gives +0, not -0";
  expect_close(conv2d(x.astype(kFloat32), w.astype(kFloat32), b.astype(kFloat32), with_relu), expected, 1e-5);
  expect_close(conv2d(x.astype(kFloat32), w.astype(kFloat32), Tensor(), with_relu),
               relu(naive_conv2d(x, w, Tensor(), c.options)), 1e-5);
  // A LeakyReLU: slope · y below 0.
  Conv2dOptions leaky = with_relu;
  leaky.relu_slope = 0.2;
  const Tensor linear = naive_conv2d(x, w, b, c.options);
  const Tensor expected_leaky = where(linear < 0.0, linear * 0.2, linear);
  expect_close(conv2d(x, w, b, leaky), expected_leaky, 1e-12);
  expect_close(conv2d(x.astype(kFloat32), w.astype(kFloat32), b.astype(kFloat32), leaky), expected_leaky, 1e-5);
}

// A fused ReLU keeps what a non-finite operand makes of an output, as
// relu() after the convolution does in PyTorch: NaN stays NaN, +inf stays,
// -inf becomes 0; inf · 0 is NaN. On both backends, and for a NaN weight.
TEST(Conv2dTest, FusedReluKeepsNan) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> pixels(2 * 5 * 5, 0.5);
  pixels[1 * 5 + 1] = std::nan("");  // image 0: a NaN at (1, 1)
  pixels[25 + 3 * 5 + 3] = inf;      // image 1: +inf at (3, 3)
  const Tensor x = from_vector(pixels, {2, 1, 5, 5});
  // Channel 0 sums its 3x3 window; channel 1 subtracts it, but for its
  // centre tap, 0 (so that a window centred on +inf is inf · 0 = NaN).
  std::vector<double> taps(18, 1.0);
  for (int t = 9; t < 18; ++t) taps[t] = t == 13 ? 0.0 : -1.0;
  const Tensor w = from_vector(taps, {2, 1, 3, 3});
  const Tensor b = tensor({0.25, 5.0}, {2});
  const Conv2dOptions plain = options({1, 1}, {1, 1});
  Conv2dOptions with_relu = plain;
  with_relu.relu = true;
  const std::vector<double> expected = relu(naive_conv2d(x, w, b, plain)).to_vector<double>();
  std::vector<double> nan_weights = taps;
  nan_weights[4] = std::nan("");
  const Tensor w_nan = from_vector(nan_weights, {2, 1, 3, 3});
  for (Backend backend : {Backend::kOneDnn, Backend::kReference}) {
    const BackendScope scope(backend);
    SCOPED_TRACE(::testing::Message() << "backend " << static_cast<int>(backend));
    const std::vector<double> y =
        conv2d(x.astype(kFloat32), w.astype(kFloat32), b.astype(kFloat32), with_relu).to_vector<double>();
    ASSERT_EQ(y.size(), expected.size());
    int nans = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (std::isnan(expected[i])) {
        ++nans;
        EXPECT_TRUE(std::isnan(y[i])) << "at flat index " << i;
      } else if (std::isinf(expected[i])) {
        EXPECT_EQ(y[i], expected[i]) << "at flat index " << i;
      } else {
        EXPECT_NEAR(y[i], expected[i], 1e-5) << "at flat index " << i;
      }
    }
    EXPECT_EQ(nans, 2 * 9 + 1);  // image 0's nine windows over the NaN, both channels; image 1's centred one
    const Tensor all_nan = conv2d(x.astype(kFloat32), w_nan.astype(kFloat32), b.astype(kFloat32), with_relu);
    EXPECT_TRUE(std::isnan(all_nan.to_vector<double>()[0]));
  }
}

// <conv(x), g> == <x, backward_input(g)> and <conv(x; w), g> == <w, backward_weight(g, x)>.
TEST_P(Conv2dCaseTest, BackwardIsTheAdjoint) {
  const Case& c = param();
  const Tensor x = random_tensor(c.input, 4);
  const Tensor w = random_tensor(c.weight, 5);
  const Tensor y = conv2d(x, w, Tensor(), c.options);
  const Tensor g = random_tensor(y.shape(), 6);
  const double forward = dot(y, g);
  const Tensor grad_input = conv2d_backward_input(g, w, c.input, c.options);
  const Tensor grad_weight = conv2d_backward_weight(g, x, c.weight, c.options);
  EXPECT_NEAR(dot(x, grad_input), forward, 1e-10 * (1 + std::abs(forward)));
  EXPECT_NEAR(dot(w, grad_weight), forward, 1e-10 * (1 + std::abs(forward)));
  // float32 agrees with float64.
  expect_close(conv2d_backward_input(g.astype(kFloat32), w.astype(kFloat32), c.input, c.options), grad_input, 1e-5);
  expect_close(conv2d_backward_weight(g.astype(kFloat32), x.astype(kFloat32), c.weight, c.options), grad_weight, 1e-4);
}

// Channels-last operands (what oneDNN's convolutions return, and take
// without a reorder) give the same values as row-major ones, forward and
// backward; oneDNN's results are channels-last.
TEST_P(Conv2dCaseTest, ChannelsLastOperandsGiveTheSameValues) {
  const Case& c = param();
  const Tensor x = random_tensor(c.input, 21);
  const Tensor w = random_tensor(c.weight, 22);
  const Tensor b = random_tensor({c.weight[0]}, 23);
  const Tensor x_last = x.astype(kFloat32).contiguous(MemoryFormat::kChannelsLast);
  const Tensor w32 = w.astype(kFloat32);
  const Tensor y = conv2d(x_last, w32, b.astype(kFloat32), c.options);
  expect_close(y, naive_conv2d(x, w, b, c.options), 1e-5);
  const bool on_onednn = current_backend() == Backend::kOneDnn;
  if (on_onednn) {
    EXPECT_TRUE(y.is_contiguous(MemoryFormat::kChannelsLast));
  }
  const Tensor g = random_tensor(y.shape(), 24);
  const Tensor grad_input = conv2d_backward_input(g, w, c.input, c.options);
  const Tensor grad_weight = conv2d_backward_weight(g, x, c.weight, c.options);
  for (const Tensor& g32 : {g.astype(kFloat32), g.astype(kFloat32).contiguous(MemoryFormat::kChannelsLast)}) {
    const Tensor grad_input32 = conv2d_backward_input(g32, w32, c.input, c.options);
    if (on_onednn) {
      EXPECT_TRUE(grad_input32.is_contiguous(MemoryFormat::kChannelsLast));
    }
    expect_close(grad_input32, grad_input, 1e-5);
    expect_close(conv2d_backward_weight(g32, x_last, c.weight, c.options), grad_weight, 1e-4);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, Conv2dCaseTest, ::testing::Combine(::testing::ValuesIn(kCases), testing::kBothBackends));

// Tiny shapes: every element of the input and of the weight is perturbed.
const Case kGradientCases[] = {
    {{1, 2, 4, 5}, {3, 2, 3, 2}, options({1, 2}, {1, 0})},
    {{2, 4, 5, 4}, {2, 2, 2, 2}, options({2, 1}, {1, 1}, {2, 1}, 2)},
    {{1, 2, 3, 3}, {2, 2, 1, 1}, options({1, 1}, {0, 0})},
};

class Conv2dGradientTest : public ::testing::TestWithParam<Case> {};

TEST_P(Conv2dGradientTest, MatchesFiniteDifferences) {
  const Case& c = GetParam();
  const Tensor x = random_tensor(c.input, 7);
  const Tensor w = random_tensor(c.weight, 8);
  const Tensor b = random_tensor({c.weight[0]}, 9);
  const Tensor g = random_tensor(conv2d_output_shape(c.input, c.weight, c.options), 10);
  expect_gradient([&](const Tensor& probe) { return conv2d(probe, w, b, c.options); }, x, g,
                  conv2d_backward_input(g, w, c.input, c.options));
  expect_gradient([&](const Tensor& probe) { return conv2d(x, probe, b, c.options); }, w, g,
                  conv2d_backward_weight(g, x, c.weight, c.options));
  // The bias gradient is the sum of g over N, H, W.
  expect_gradient([&](const Tensor& probe) { return conv2d(x, w, probe, c.options); }, b, g, sum(g, {0, 2, 3}));
}

INSTANTIATE_TEST_SUITE_P(Shapes, Conv2dGradientTest, ::testing::ValuesIn(kGradientCases));

TEST(Conv2dTest, SingleLargeImageMatchesBatchedImages) {
  // One image runs its GEMMs on all threads; a batch runs images in parallel.
  const Tensor x = random_tensor({3, 8, 20, 20}, 11, kFloat32);
  const Tensor w = random_tensor({16, 8, 3, 3}, 12, kFloat32);
  const Conv2dOptions o = options({1, 1}, {1, 1});
  const Tensor batched = conv2d(x, w, Tensor(), o);
  for (std::int64_t n = 0; n < 3; ++n) {
    expect_close(conv2d(x.slice(0, n, n + 1), w, Tensor(), o), batched.slice(0, n, n + 1), 1e-6);
  }
}

TEST(Conv2dTest, ZeroSizeBatch) {
  const Tensor x = zeros({0, 3, 5, 5});
  const Tensor w = ones({4, 3, 3, 3});
  EXPECT_EQ(conv2d(x, w, zeros({4}), Conv2dOptions()).shape(), (Shape{0, 4, 3, 3}));
  EXPECT_EQ(conv2d_backward_input(zeros({0, 4, 3, 3}), w, x.shape(), Conv2dOptions()).shape(), (Shape{0, 3, 5, 5}));
  const Tensor grad_weight = conv2d_backward_weight(zeros({0, 4, 3, 3}), x, w.shape(), Conv2dOptions());
  EXPECT_EQ(grad_weight.shape(), w.shape());
  EXPECT_EQ(sum(abs(grad_weight)).item(), 0);
}

TEST(Conv2dTest, StridedViewsAreRead) {
  const Tensor x = random_tensor({2, 3, 6, 5}, 13);
  const Tensor w = random_tensor({4, 3, 3, 3}, 14);
  // The same values through transposed and sliced views.
  const Tensor x_view = x.transpose(2, 3).contiguous().transpose(2, 3);
  const Tensor w_view = concat({w, w}, 0).slice(0, 0, 8, 2);
  ASSERT_FALSE(x_view.is_contiguous());
  expect_close(conv2d(x_view, w_view, Tensor(), options({1, 1}, {1, 1})),
               conv2d(x, concat({w, w}, 0).slice(0, 0, 8, 2).contiguous(), Tensor(), options({1, 1}, {1, 1})), 1e-12);
  expect_close(conv2d(x_view, w, Tensor(), options({1, 1}, {1, 1})),
               conv2d(x, w, Tensor(), options({1, 1}, {1, 1})), 1e-12);
}

template <typename F>
void expect_error(F&& f, const std::string& text) {
  EXPECT_THAT(f, ThrowsMessage<Error>(HasSubstr(text)));
}

TEST(Conv2dTest, RejectsBadArguments) {
  const Tensor x = zeros({1, 3, 5, 5});
  const Tensor w = zeros({4, 3, 3, 3});
  const Conv2dOptions o;
  expect_error([&] { conv2d(zeros({3, 5, 5}), w, Tensor(), o); }, "conv2d: input must be 4-D [N, C, H, W], got [3, 5, 5]");
  expect_error([&] { conv2d(x, zeros({4, 3, 3}), Tensor(), o); }, "weight must be 4-D");
  expect_error([&] { conv2d(x, zeros({4, 2, 3, 3}), Tensor(), o); },
               "input [1, 3, 5, 5] has 3 channels but weight [4, 2, 3, 3] with groups 1 expects 2 per group");
  expect_error([&] { conv2d(x, zeros({4, 1, 3, 3}), Tensor(), options({1, 1}, {0, 0}, {1, 1}, 2)); },
               "groups 2 does not divide the 3 input channels of input [1, 3, 5, 5]");
  expect_error([&] { conv2d(zeros({1, 4, 5, 5}), zeros({3, 2, 3, 3}), Tensor(), options({1, 1}, {0, 0}, {1, 1}, 2)); },
               "groups 2 does not divide the 3 output channels of weight [3, 2, 3, 3]");
  expect_error([&] { conv2d(x, zeros({4, 3, 6, 3}), Tensor(), o); },
               "is larger than the padded input: input [1, 3, 5, 5], weight [4, 3, 6, 3]");
  expect_error([&] { conv2d(x, w, Tensor(), options({1, 1}, {0, 0}, {3, 1})); }, "larger than the padded input");
  expect_error([&] { conv2d(x, w, Tensor(), options({0, 1}, {0, 0})); }, "conv2d: stride must be positive, got [0, 1]");
  expect_error([&] { conv2d(x, w, Tensor(), options({1, 1}, {0, 0}, {1, -1})); }, "dilation must be positive, got [1, -1]");
  expect_error([&] { conv2d(x, w, Tensor(), options({1, 1}, {-1, 0})); }, "padding must not be negative, got [-1, 0]");
  expect_error([&] { conv2d(x, w, Tensor(), options({1, 1}, {0, 0}, {1, 1}, 0)); }, "groups must be positive, got 0");
  expect_error([&] { conv2d(x, zeros({4, 3, 3, 3}, kFloat64), Tensor(), o); },
               "conv2d: dtypes differ: input float32 [1, 3, 5, 5] vs weight float64 [4, 3, 3, 3]");
  expect_error([&] { conv2d(x, w, zeros({3}), o); }, "bias must be [4] (one per output channel), got [3]");
  expect_error([&] { conv2d(x, w, zeros({4}, kFloat64), o); }, "dtypes differ: input float32");
  expect_error([&] { conv2d(zeros({1, 3, 5, 5}, kInt64), w, Tensor(), o); }, "input must be float32 or float64, got int64");
  expect_error([&] { conv2d(Tensor(), w, Tensor(), o); }, "conv2d: input is undefined");
  expect_error([&] { conv2d(x, zeros({4, 3, 0, 3}), Tensor(), o); }, "kernel must not be empty");
  expect_error([&] { conv2d_output_shape({1, 3, 5}, {4, 3, 3, 3}, o); }, "input must be 4-D");
  expect_error([&] { conv2d_backward_input(zeros({1, 4, 2, 3}), w, x.shape(), o); },
               "conv2d_backward_input: grad_output [1, 4, 2, 3] does not match the forward output shape [1, 4, 3, 3]");
  expect_error([&] { conv2d_backward_input(zeros({1, 4, 3, 3}), w, {1, 2, 5, 5}, o); }, "has 2 channels");
  expect_error([&] { conv2d_backward_input(zeros({1, 4, 3, 3}, kFloat64), w, x.shape(), o); }, "dtypes differ");
  expect_error([&] { conv2d_backward_weight(zeros({2, 4, 3, 3}), x, w.shape(), o); },
               "conv2d_backward_weight: grad_output [2, 4, 3, 3] does not match the forward output shape [1, 4, 3, 3]");
  expect_error([&] { conv2d_backward_weight(zeros({1, 4, 3, 3}), x, {4, 3, 3}, o); }, "weight must be 4-D");
  expect_error([&] { conv2d_backward_weight(zeros({1, 4, 3, 3}), x, {4, -3, 3, 3}, o); },
               "conv2d_backward_weight: weight has a negative size: [4, -3, 3, 3]");
  expect_error([&] { conv2d_backward_input(zeros({1, 4, 3, 3}), w, {-1, 3, 5, 5}, o); },
               "input has a negative size: [-1, 3, 5, 5]");
}

TEST(Conv2dTest, SizesTooLargeForInt64AreAnError) {
  Conv2dOptions padded;
  padded.padding = {std::int64_t{1} << 62, 0};
  EXPECT_THAT([&] { conv2d_output_shape({1, 1, 4, 4}, {1, 1, 3, 3}, padded); },
              ThrowsMessage<Error>(HasSubstr("conv2d: input [1, 1, 4, 4] and weight [1, 1, 3, 3] with these options give sizes too large")));
  Conv2dOptions dilated;
  dilated.dilation = {std::int64_t{1} << 62, 1};
  EXPECT_THAT([&] { conv2d_output_shape({1, 1, 4, 4}, {1, 1, 3, 3}, dilated); },
              ThrowsMessage<Error>(HasSubstr("is larger than the padded input")));
  Conv2dOptions grouped;
  grouped.groups = 4;
  EXPECT_THAT([&] { conv2d_output_shape({1, 4, 4, 4}, {4, std::int64_t{1} << 62, 1, 1}, grouped); },
              ThrowsMessage<Error>(HasSubstr("expects 4611686018427387904 per group")));
}

// No image, so no column buffer: its size (C·KH·KW·OH·OW) would overflow.
TEST(Conv2dTest, EmptyBatchOfHugeImages) {
  for (Backend backend : {Backend::kOneDnn, Backend::kReference}) {
    const BackendScope scope(backend);
    const Tensor x = zeros({0, 1, std::int64_t{1} << 31, std::int64_t{1} << 31});
    const Tensor y = conv2d(x, ones({1, 1, 3, 3}), Tensor(), Conv2dOptions());
    EXPECT_EQ(y.shape(), (Shape{0, 1, (std::int64_t{1} << 31) - 2, (std::int64_t{1} << 31) - 2}));
    EXPECT_EQ(conv2d_backward_input(y, ones({1, 1, 3, 3}), x.shape(), Conv2dOptions()).numel(), 0);
    EXPECT_EQ(conv2d_backward_weight(y, x, {1, 1, 3, 3}, Conv2dOptions()).to_vector<float>(), std::vector<float>(9, 0));
  }
}

}  // namespace
}  // namespace nabla::kernels
