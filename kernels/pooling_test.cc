#include "kernels/pooling.h"

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

Pool2dOptions pool(std::array<std::int64_t, 2> kernel, std::array<std::int64_t, 2> stride = {0, 0},
                   std::array<std::int64_t, 2> padding = {0, 0}, bool ceil_mode = false, bool count_include_pad = true,
                   std::array<std::int64_t, 2> dilation = {1, 1}) {
  Pool2dOptions o;
  o.kernel_size = kernel;
  o.stride = stride;
  o.padding = padding;
  o.ceil_mode = ceil_mode;
  o.count_include_pad = count_include_pad;
  o.dilation = dilation;
  return o;
}

std::vector<std::int64_t> indices_of(const MaxPool2dResult& r) { return r.indices.to_vector<std::int64_t>(); }

TEST(MaxPool2dTest, HandComputedValues) {
  const Tensor x = arange(0, 16, 1, kFloat32).reshape({1, 1, 4, 4});
  const MaxPool2dResult r = max_pool2d(x, pool({2, 2}));
  EXPECT_EQ(r.output.shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(r.output.to_vector<float>(), (std::vector<float>{5, 7, 13, 15}));
  EXPECT_EQ(indices_of(r), (std::vector<std::int64_t>{5, 7, 13, 15}));
  EXPECT_EQ(r.indices.dtype(), kInt64);
  // Dilation 2: the taps of each window are two apart.
  const MaxPool2dResult dilated = max_pool2d(x, pool({2, 2}, {1, 1}, {0, 0}, false, true, {2, 2}));
  EXPECT_EQ(dilated.output.to_vector<float>(), (std::vector<float>{10, 11, 14, 15}));
  EXPECT_EQ(indices_of(dilated), (std::vector<std::int64_t>{10, 11, 14, 15}));
  // Stride larger than the kernel skips elements.
  EXPECT_EQ(max_pool2d(x, pool({1, 1}, {3, 3})).output.to_vector<float>(), (std::vector<float>{0, 3, 12, 15}));
}

TEST(MaxPool2dTest, TiesGoToTheFirstMaximum) {
  EXPECT_EQ(indices_of(max_pool2d(ones({1, 1, 2, 2}), pool({2, 2}))), std::vector<std::int64_t>{0});
  const Tensor x = tensor({1, 3, 3, 3}, {1, 1, 2, 2});
  EXPECT_EQ(indices_of(max_pool2d(x, pool({2, 2}))), std::vector<std::int64_t>{1});
  // Overlapping windows that share one maximum all point at it, and the
  // backward pass sums their gradients there.
  const Tensor peak = tensor({0, 0, 0, 0, 9, 0, 0, 0, 0}, {1, 1, 3, 3});
  const MaxPool2dResult r = max_pool2d(peak, pool({2, 2}, {1, 1}));
  EXPECT_EQ(indices_of(r), (std::vector<std::int64_t>{4, 4, 4, 4}));
  EXPECT_EQ(max_pool2d_backward(ones({1, 1, 2, 2}), r, peak.shape(), pool({2, 2}, {1, 1})).to_vector<float>(),
            (std::vector<float>{0, 0, 0, 0, 4, 0, 0, 0, 0}));
}

TEST(MaxPool2dTest, PaddingNeverWins) {
  const Tensor x = tensor({-1, -2, -3, -4}, {1, 1, 2, 2});
  const MaxPool2dResult r = max_pool2d(x, pool({3, 3}, {1, 1}, {1, 1}));
  EXPECT_EQ(r.output.to_vector<float>(), (std::vector<float>{-1, -1, -1, -1}));
  EXPECT_EQ(indices_of(r), (std::vector<std::int64_t>{0, 0, 0, 0}));
}

TEST(MaxPool2dTest, NanPropagates) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor x = from_vector(std::vector<float>{1, nan, 5, 2}, {1, 1, 2, 2});
  const MaxPool2dResult r = max_pool2d(x, pool({2, 2}));
  EXPECT_TRUE(std::isnan(r.output.item()));
  EXPECT_EQ(indices_of(r), std::vector<std::int64_t>{1});
}

TEST(MaxPool2dTest, CeilMode) {
  const Tensor x = arange(0, 25, 1, kFloat64).reshape({1, 1, 5, 5});
  EXPECT_EQ(max_pool2d(x, pool({2, 2})).output.to_vector<double>(), (std::vector<double>{6, 8, 16, 18}));
  EXPECT_EQ(max_pool2d(x, pool({2, 2}, {0, 0}, {0, 0}, true)).output.to_vector<double>(),
            (std::vector<double>{6, 8, 9, 16, 18, 19, 21, 23, 24}));
  // A last window that would start in the right padding is dropped.
  EXPECT_EQ(pool2d_output_shape({1, 1, 3, 3}, pool({2, 2}, {2, 2}, {1, 1}, true)), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(pool2d_output_shape({1, 1, 4, 4}, pool({2, 2}, {2, 2}, {1, 1}, true)), (Shape{1, 1, 3, 3}));
  EXPECT_EQ(pool2d_output_shape({8, 32, 28, 28}, pool({2, 2})), (Shape{8, 32, 14, 14}));
}

TEST(MaxPool2dTest, BackwardMatchesFiniteDifferences) {
  // Random values have no ties, so the max is differentiable.
  for (const Pool2dOptions& o : {pool({2, 2}), pool({3, 2}, {2, 1}, {1, 1}, true), pool({2, 2}, {1, 1}, {1, 0}, false, true, {2, 1})}) {
    const Tensor rows = random_tensor({2, 2, 5, 4}, 1);
    // Row-major and channels-last inputs take different loops.
    for (const Tensor& x : {rows, rows.contiguous(MemoryFormat::kChannelsLast)}) {
      const MaxPool2dResult r = max_pool2d(x, o);
      const Tensor g = random_tensor(r.output.shape(), 2);
      expect_gradient([&](const Tensor& probe) { return max_pool2d(probe, o).output; }, x, g,
                      max_pool2d_backward(g, r, x.shape(), o));
    }
  }
}

TEST(MaxPool2dTest, Float32AndLargeInputs) {
  // Big enough to split the planes between threads.
  const Tensor x = random_tensor({4, 16, 28, 28}, 3);
  const MaxPool2dResult r64 = max_pool2d(x, pool({2, 2}));
  const MaxPool2dResult r32 = max_pool2d(x.astype(kFloat32), pool({2, 2}));
  expect_close(r32.output, r64.output, 1e-6);
  EXPECT_EQ(indices_of(r32), indices_of(r64));
  const Tensor g = random_tensor(r64.output.shape(), 4);
  expect_close(max_pool2d_backward(g.astype(kFloat32), r32, x.shape(), pool({2, 2})),
               max_pool2d_backward(g, r64, x.shape(), pool({2, 2})), 1e-6);
  EXPECT_EQ(max_pool2d(zeros({0, 3, 4, 4}), pool({2, 2})).output.shape(), (Shape{0, 3, 2, 2}));
}

TEST(AvgPool2dTest, CountIncludePadBothWays) {
  const Tensor x = tensor({1, 2, 3, 4}, {1, 1, 2, 2});
  EXPECT_EQ(avg_pool2d(x, pool({2, 2}, {1, 1}, {1, 1}, false, true)).to_vector<float>(),
            (std::vector<float>{0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1}));
  EXPECT_EQ(avg_pool2d(x, pool({2, 2}, {1, 1}, {1, 1}, false, false)).to_vector<float>(),
            (std::vector<float>{1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4}));
  EXPECT_EQ(avg_pool2d(arange(0, 16, 1, kFloat32).reshape({1, 1, 4, 4}), pool({2, 2})).to_vector<float>(),
            (std::vector<float>{2.5, 4.5, 10.5, 12.5}));
}

TEST(AvgPool2dTest, CeilModeWindowsBeyondThePaddingDoNotCount) {
  // The last windows hang over the edge: with no padding, the part outside
  // is not in the divisor even with count_include_pad.
  EXPECT_EQ(avg_pool2d(ones({1, 1, 3, 3}), pool({2, 2}, {2, 2}, {0, 0}, true, true)).to_vector<float>(),
            (std::vector<float>{1, 1, 1, 1}));
  const Tensor x = arange(0, 9, 1, kFloat64).reshape({1, 1, 3, 3});
  EXPECT_EQ(avg_pool2d(x, pool({2, 2}, {2, 2}, {0, 0}, true)).to_vector<double>(),
            (std::vector<double>{2, 3.5, 6.5, 8}));
}

TEST(AvgPool2dTest, BackwardMatchesFiniteDifferences) {
  for (const Pool2dOptions& o :
       {pool({2, 2}), pool({3, 3}, {2, 1}, {1, 1}, true, true), pool({3, 2}, {2, 2}, {1, 1}, true, false)}) {
    const Tensor x = random_tensor({2, 2, 5, 4}, 5);
    const Tensor y = avg_pool2d(x, o);
    const Tensor g = random_tensor(y.shape(), 6);
    expect_gradient([&](const Tensor& probe) { return avg_pool2d(probe, o); }, x, g,
                    avg_pool2d_backward(g, x.shape(), o));
    expect_close(avg_pool2d_backward(g.astype(kFloat32), x.shape(), o), avg_pool2d_backward(g, x.shape(), o), 1e-6);
  }
}

template <typename F>
void expect_error(F&& f, const std::string& text) {
  EXPECT_THAT(f, ThrowsMessage<Error>(HasSubstr(text)));
}

TEST(Pool2dTest, RejectsBadArguments) {
  const Tensor x = zeros({1, 2, 4, 4});
  expect_error([&] { max_pool2d(zeros({2, 4, 4}), pool({2, 2})); }, "max_pool2d: input must be 4-D [N, C, H, W], got [2, 4, 4]");
  expect_error([&] { avg_pool2d(x, pool({0, 2})); }, "avg_pool2d: kernel_size must be positive, got [0, 2]");
  expect_error([&] { max_pool2d(x, pool({2, 2}, {-1, 1})); }, "stride must be positive (or {0, 0} for the kernel size), got [-1, 1]");
  expect_error([&] { max_pool2d(x, pool({2, 2}, {1, 1}, {-1, 0})); }, "padding must not be negative");
  expect_error([&] { max_pool2d(x, pool({2, 2}, {1, 1}, {2, 0})); },
               "padding [2, 0] must be at most half the (dilated) kernel [2, 2]");
  expect_error([&] { max_pool2d(x, pool({2, 2}, {1, 1}, {0, 0}, false, true, {0, 1})); }, "dilation must be positive");
  expect_error([&] { max_pool2d(x, pool({5, 2})); }, "max_pool2d: output would be empty: input [1, 2, 4, 4], kernel_size [5, 2]");
  expect_error([&] { avg_pool2d(x, pool({2, 2}, {1, 1}, {0, 0}, false, true, {2, 2})); },
               "avg_pool2d: dilation must be [1, 1], got [2, 2]");
  expect_error([&] { max_pool2d(zeros({1, 2, 4, 4}, kInt64), pool({2, 2})); }, "input must be float32 or float64, got int64");
  expect_error([&] { avg_pool2d(Tensor(), pool({2, 2})); }, "avg_pool2d: input is undefined");
  expect_error([&] { avg_pool2d_backward(zeros({1, 2, 3, 2}), x.shape(), pool({2, 2})); },
               "avg_pool2d_backward: grad_output [1, 2, 3, 2] does not match the forward output shape [1, 2, 2, 2]");
  const Pool2dOptions two = pool({2, 2});
  const MaxPool2dResult r = max_pool2d(x, two);
  auto with_indices = [](const Tensor& indices) { return MaxPool2dResult{Tensor(), indices}; };
  expect_error([&] { max_pool2d_backward(zeros({1, 2, 2, 2}), with_indices(r.indices.astype(kFloat32)), x.shape(), two); },
               "indices must be int64");
  expect_error([&] { max_pool2d_backward(zeros({1, 3, 2, 2}), r, x.shape(), two); },
               "max_pool2d_backward: grad_output [1, 3, 2, 2] does not match the forward output shape [1, 2, 2, 2]");
  expect_error([&] { max_pool2d_backward(zeros({1, 2, 2, 2}), r, {1, 2, 4}, two); },
               "max_pool2d_backward: input must be 4-D");
  expect_error([&] { max_pool2d_backward(zeros({1, 2, 2, 2}), r, {1, 2, -4, 4}, two); },
               "input has a negative size: [1, 2, -4, 4]");
  expect_error([&] { avg_pool2d_backward(zeros({1, 2, 2, 2}), {1, -2, 4, 4}, two); },
               "avg_pool2d_backward: input has a negative size: [1, -2, 4, 4]");
  expect_error([&] { max_pool2d_backward(zeros({1, 2, 2, 2}), with_indices(full({1, 2, 2, 2}, 16, kInt64)), x.shape(), two); },
               "max_pool2d_backward: an index lies outside the 4x4 plane of input_shape [1, 2, 4, 4]");
  expect_error([&] { max_pool2d_backward(zeros({1, 2, 2, 2}), with_indices(zeros({1, 2, 2, 1}, kInt64)), x.shape(), two); },
               "indices [1, 2, 2, 1] and grad_output [1, 2, 2, 2] differ in shape");
}

// relu: max(0, ·) of each pooled value, and gradients only through the
// positive ones, in both formats on both backends.
TEST(MaxPool2dTest, ReluClampsTheOutputAndDropsItsGradients) {
  Pool2dOptions two = pool({2, 2});
  two.relu = true;
  // Channel 0's left window peaks at -1, channel 1's right one at -0.5.
  const Tensor x = tensor({-1, -3, 2, 1, -2, -5, 0.5, 4, 1, 3, -2, -1, 2, 5, -0.5, -4}, {1, 2, 2, 4});
  const Tensor g = tensor({10, 20, 30, 40}, {1, 2, 1, 2});
  for (Backend backend : {Backend::kReference, Backend::kOneDnn}) {
    const BackendScope scope(backend);
    for (DType dtype : {kFloat64, kFloat32}) {
      for (MemoryFormat format : {MemoryFormat::kContiguous, MemoryFormat::kChannelsLast}) {
        SCOPED_TRACE(::testing::Message() << dtype << " format " << static_cast<int>(format) << " backend "
                                          << static_cast<int>(backend));
        const MaxPool2dResult r = max_pool2d(x.astype(dtype).contiguous(format), two);
        EXPECT_EQ(r.output.to_vector<double>(), (std::vector<double>{0, 4, 5, 0}));
        EXPECT_EQ(max_pool2d_backward(g.astype(dtype), r, x.shape(), two).to_vector<double>(),
                  (std::vector<double>{0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 30, 0, 0}));
      }
    }
  }
  // Random values, against finite differences, where about half the
  // windows peak below zero.
  Pool2dOptions overlapping = pool({3, 2}, {2, 1}, {1, 1}, true);
  overlapping.relu = true;
  for (const Pool2dOptions& o : {two, overlapping}) {
    const Tensor rows = random_tensor({2, 3, 5, 4}, 13) - 0.7;
    for (const Tensor& input : {rows, rows.contiguous(MemoryFormat::kChannelsLast)}) {
      const MaxPool2dResult r = max_pool2d(input, o);
      const Tensor grad = random_tensor(r.output.shape(), 14);
      expect_gradient([&](const Tensor& probe) { return max_pool2d(probe, o).output; }, input, grad,
                      max_pool2d_backward(grad, r, input.shape(), o));
    }
  }
  // On the reference loops a NaN wins the window and stays NaN, as relu()
  // leaves it, and passes its gradient to where it lies, as relu()'s.
  {
    const BackendScope reference(Backend::kReference);
    const Tensor with_nan = tensor({-1, std::nan(""), 2, 1, -2, -5, 0.5, 4}, {1, 1, 2, 4});
    for (MemoryFormat format : {MemoryFormat::kContiguous, MemoryFormat::kChannelsLast}) {
      const MaxPool2dResult r = max_pool2d(with_nan.contiguous(format), two);
      const std::vector<double> pooled = r.output.to_vector<double>();
      EXPECT_TRUE(std::isnan(pooled[0]));
      EXPECT_EQ(pooled[1], 4);
      EXPECT_EQ(max_pool2d_backward(tensor({10, 20}, {1, 1, 1, 2}), r, with_nan.shape(), two).to_vector<double>(),
                (std::vector<double>{0, 10, 0, 0, 0, 0, 0, 20}));
      // Overlapping 2x2 windows at stride 1 (the scatter): the NaN wins the
      // first two, and its position gathers both their gradients.
      Pool2dOptions sliding = pool({2, 2}, {1, 1});
      sliding.relu = true;
      const MaxPool2dResult s = max_pool2d(with_nan.contiguous(format), sliding);
      const std::vector<double> slid = s.output.to_vector<double>();
      EXPECT_TRUE(std::isnan(slid[0]) && std::isnan(slid[1]));
      EXPECT_EQ(slid[2], 4);
      EXPECT_EQ(max_pool2d_backward(tensor({10, 20, 30}, {1, 1, 1, 3}), s, with_nan.shape(), sliding).to_vector<double>(),
                (std::vector<double>{0, 30, 0, 0, 0, 0, 0, 30}));
    }
  }
  expect_error([&] { avg_pool2d(x, two); }, "avg_pool2d: relu is for max pooling only");
  expect_error([&] { avg_pool2d_backward(g, x.shape(), two); }, "avg_pool2d_backward: relu is for max pooling only");
  const MaxPool2dResult r = max_pool2d(x, two);
  expect_error([&] { max_pool2d_backward(g, {Tensor(), r.indices}, x.shape(), two); },
               "max_pool2d_backward: relu needs forward.output, of grad_output's shape [1, 2, 1, 2]");
}

// Same value or both NaN, element by element.
void expect_same_values(const Tensor& actual, const Tensor& expected) {
  ASSERT_EQ(actual.shape(), expected.shape());
  const std::vector<double> a = actual.to_vector<double>();
  const std::vector<double> e = expected.to_vector<double>();
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(e[i])) {
      EXPECT_TRUE(std::isnan(a[i])) << "at flat index " << i;
    } else {
      EXPECT_EQ(a[i], e[i]) << "at flat index " << i;
    }
  }
}

// Channels-last max pooling runs its own loops, a window's channels at
// once: against the (n, c)-plane loops on the same values, over geometries
// with padding, strides, dilation and ceil mode, on data full of ties and
// with NaNs, whose indices must agree too.
TEST(MaxPool2dTest, ChannelsLastLoopsMatchThePlaneLoops) {
  const BackendScope reference(Backend::kReference);
  const Shape shape{2, 11, 7, 6};  // 11 channels: a SIMD remainder
  std::vector<double> values(static_cast<std::size_t>(numel(shape)));
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>((i * 7) % 5);
  values[3] = values[100] = values[101] = std::numeric_limits<double>::quiet_NaN();
  values[200] = -std::numeric_limits<double>::infinity();
  const Tensor x = from_vector(values, shape);
  for (DType dtype : {kFloat64, kFloat32}) {
    const Tensor rows = x.astype(dtype);
    const Tensor last = rows.contiguous(MemoryFormat::kChannelsLast);
    for (const Pool2dOptions& o : {pool({2, 2}), pool({3, 3}, {2, 2}, {1, 1}), pool({3, 2}, {2, 1}, {1, 1}, true),
                                   pool({2, 2}, {1, 1}, {1, 0}, false, true, {2, 1}), pool({3, 3}, {1, 1}),
                                   pool({2, 2}, {2, 2}, {0, 0}, true), pool({3, 2})}) {
      const MaxPool2dResult expected = max_pool2d(rows, o);
      const MaxPool2dResult pooled = max_pool2d(last, o);
      EXPECT_TRUE(pooled.output.is_contiguous(MemoryFormat::kChannelsLast));
      EXPECT_TRUE(pooled.indices.is_contiguous(MemoryFormat::kChannelsLast));
      EXPECT_FALSE(pooled.indices.is_contiguous());
      expect_same_values(pooled.output, expected.output);
      EXPECT_EQ(indices_of(pooled), indices_of(expected));
      const Tensor g = random_tensor(expected.output.shape(), 12).astype(dtype);
      const Tensor grad_expected = max_pool2d_backward(g, expected, shape, o);
      for (const Tensor& grad_output : {g, g.contiguous(MemoryFormat::kChannelsLast)}) {
        const Tensor grad = max_pool2d_backward(grad_output, pooled, shape, o);
        EXPECT_TRUE(grad.is_contiguous(MemoryFormat::kChannelsLast));
        expect_same_values(grad, grad_expected);
      }
    }
  }
  // Windows that tile the input gather each position's gradient from its
  // window, and check that each window's index lies in it; others scatter,
  // and check the plane.
  for (std::int64_t bad_index : {42, 0}) {
    const MaxPool2dResult pooled = max_pool2d(x.contiguous(MemoryFormat::kChannelsLast), pool({2, 2}));
    MaxPool2dResult corrupt = pooled;
    corrupt.indices = full(pooled.indices.shape(), bad_index, kInt64).contiguous(MemoryFormat::kChannelsLast);
    expect_error([&] { max_pool2d_backward(pooled.output, corrupt, shape, pool({2, 2})); },
                 "max_pool2d_backward: an index lies outside its window (kernel [2, 2], stride [2, 2]) in input_shape "
                 "[2, 11, 7, 6]");
  }
  const MaxPool2dResult pooled = max_pool2d(x.contiguous(MemoryFormat::kChannelsLast), pool({3, 3}, {1, 1}));
  MaxPool2dResult corrupt = pooled;
  corrupt.indices = full(pooled.indices.shape(), 42, kInt64).contiguous(MemoryFormat::kChannelsLast);
  expect_error([&] { max_pool2d_backward(pooled.output, corrupt, shape, pool({3, 3}, {1, 1})); },
               "max_pool2d_backward: an index lies outside the 7x6 plane of input_shape [2, 11, 7, 6]");
}

// A NaN wins its window on every backend and format, wherever it lies in
// the window, and the window's gradient goes to it (PyTorch's max_pool2d).
// Two channels and two windows, so that channels-last is a layout of its own.
TEST(MaxPool2dTest, NanWinsOnEveryBackend) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (Backend backend : {Backend::kOneDnn, Backend::kReference}) {
    const BackendScope scope(backend);
    for (MemoryFormat format : {MemoryFormat::kContiguous, MemoryFormat::kChannelsLast}) {
      for (int at = 0; at < 4; ++at) {
        SCOPED_TRACE(::testing::Message() << "NaN at tap " << at << ", backend " << static_cast<int>(backend)
                                          << ", format " << static_cast<int>(format));
        // Channel 0: windows {3, -1; 2, 0.5} (one tap NaN) and {1, 4; 0, 2};
        // channel 1: {5, 6; 1, 2} and {7, 8; 3, 4}.
        std::vector<float> values{3, -1, 1, 4, 2, 0.5, 0, 2, 5, 6, 7, 8, 1, 2, 3, 4};
        const int nan_position = at / 2 * 4 + at % 2;
        values[nan_position] = nan;
        const Tensor x = from_vector(values, {1, 2, 2, 4}).contiguous(format);
        const MaxPool2dResult r = max_pool2d(x, pool({2, 2}));
        EXPECT_EQ(r.output.is_contiguous(), format == MemoryFormat::kContiguous);
        const std::vector<float> pooled = r.output.to_vector<float>();
        EXPECT_TRUE(std::isnan(pooled[0]));
        EXPECT_EQ(std::vector<float>(pooled.begin() + 1, pooled.end()), (std::vector<float>{4, 6, 8}));
        std::vector<float> expected(16, 0.0f);
        expected[nan_position] = expected[3] = expected[9] = expected[11] = 7;
        EXPECT_EQ(max_pool2d_backward(full({1, 2, 1, 2}, 7.0, kFloat32), r, x.shape(), pool({2, 2})).to_vector<float>(),
                  expected);
      }
    }
  }
}

// float32 on the oneDNN backend against float64, forward and backward, over
// the geometries oneDNN's average pooling takes (padding, strides,
// dilation, ceil mode, both divisors). Random data has no ties.
TEST(Pool2dTest, OneDnnMatchesTheReference) {
  const Tensor x = random_tensor({3, 5, 9, 8}, 7);
  const Tensor x32 = x.astype(kFloat32);
  for (const Pool2dOptions& o : {pool({2, 2}), pool({3, 3}, {2, 2}, {1, 1}), pool({3, 2}, {2, 1}, {1, 1}, true),
                                 pool({2, 2}, {1, 1}, {1, 0}, false, true, {2, 1}), pool({2, 2}, {2, 2}, {1, 1}, true, false),
                                 pool({3, 3}, {1, 1}, {1, 1}, false, false)}) {
    const MaxPool2dResult max_ref = max_pool2d(x, o);
    const Tensor g = random_tensor(max_ref.output.shape(), 8);
    const Tensor max_grad_ref = max_pool2d_backward(g, max_ref, x.shape(), o);
    const MaxPool2dResult max32 = max_pool2d(x32, o);
    expect_close(max32.output, max_ref.output, 1e-6);
    expect_close(max_pool2d_backward(g.astype(kFloat32), max32, x.shape(), o), max_grad_ref, 1e-6);
    if (o.dilation != std::array<std::int64_t, 2>{1, 1}) continue;
    expect_close(avg_pool2d(x32, o), avg_pool2d(x, o), 1e-6);
    expect_close(avg_pool2d_backward(g.astype(kFloat32), x.shape(), o), avg_pool2d_backward(g, x.shape(), o), 1e-6);
  }
}

// On oneDNN, channels-last activations (what its convolutions return) are
// pooled in that format and stay in it; the values are the reference's,
// whatever format the gradient arrives in.
TEST(Pool2dTest, OneDnnKeepsChannelsLast) {
  const Tensor x = random_tensor({3, 5, 9, 8}, 9);
  const Tensor x_last = x.astype(kFloat32).contiguous(MemoryFormat::kChannelsLast);
  for (const Pool2dOptions& o : {pool({2, 2}), pool({3, 3}, {2, 2}, {1, 1}, true)}) {
    const MaxPool2dResult max_ref = max_pool2d(x, o);
    const Tensor g = random_tensor(max_ref.output.shape(), 10);
    const MaxPool2dResult pooled = max_pool2d(x_last, o);
    EXPECT_TRUE(pooled.output.is_contiguous(MemoryFormat::kChannelsLast));
    EXPECT_FALSE(pooled.output.is_contiguous());
    expect_close(pooled.output, max_ref.output, 1e-6);
    const Tensor grad_ref = max_pool2d_backward(g, max_ref, x.shape(), o);
    for (const Tensor& g32 : {g.astype(kFloat32), g.astype(kFloat32).contiguous(MemoryFormat::kChannelsLast)}) {
      const Tensor grad = max_pool2d_backward(g32, pooled, x.shape(), o);
      EXPECT_TRUE(grad.is_contiguous(MemoryFormat::kChannelsLast));
      expect_close(grad, grad_ref, 1e-6);
    }
    const Tensor avg = avg_pool2d(x_last, o);
    // (A ceil-mode window counting the padding is the reference loops' job.)
    EXPECT_EQ(avg.is_contiguous(MemoryFormat::kChannelsLast), !o.ceil_mode);
    expect_close(avg, avg_pool2d(x, o), 1e-6);
    expect_close(avg_pool2d_backward(g.astype(kFloat32).contiguous(MemoryFormat::kChannelsLast), x.shape(), o),
                 avg_pool2d_backward(g, x.shape(), o), 1e-6);
  }
  // A 1x1 output is dense in both formats; its indices are made row-major.
  const Pool2dOptions whole = pool({9, 8});
  const MaxPool2dResult global = max_pool2d(x_last, whole);
  const Tensor g = random_tensor(global.output.shape(), 11);
  expect_close(max_pool2d_backward(g.astype(kFloat32), global, x.shape(), whole),
               max_pool2d_backward(g, max_pool2d(x, whole), x.shape(), whole), 1e-6);
}

// Kernel 1x2 dilated by 4 with padding 2 on a 3-wide input: window 0's taps
// lie at w = -2 and 2, window 1's at -1 and 3, both off the input, window
// 2's at 0 and 4. Window 1's output is -inf, its index -1, and no input gets
// its gradient.
TEST(MaxPool2dTest, WindowOfPaddingOnlyPassesNoGradient) {
  const Pool2dOptions o = pool({1, 2}, {1, 1}, {0, 2}, false, true, {1, 4});
  const float inf = std::numeric_limits<float>::infinity();
  for (MemoryFormat format : {MemoryFormat::kContiguous, MemoryFormat::kChannelsLast}) {
    const Tensor x = arange(0, 12, 1, kFloat32).reshape({1, 2, 2, 3}).contiguous(format);
    const MaxPool2dResult r = max_pool2d(x, o);
    EXPECT_EQ(r.indices.is_contiguous(format), true);
    EXPECT_EQ(r.output.to_vector<float>(), (std::vector<float>{2, -inf, 0, 5, -inf, 3, 8, -inf, 6, 11, -inf, 9}));
    EXPECT_EQ(r.indices.to_vector<std::int64_t>(), (std::vector<std::int64_t>{2, -1, 0, 5, -1, 3, 2, -1, 0, 5, -1, 3}));
    const Tensor g = max_pool2d_backward(ones({1, 2, 2, 3}), r, x.shape(), o);
    EXPECT_EQ(g.to_vector<float>(), (std::vector<float>{1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1}));
  }
}

TEST(MaxPool2dTest, OutputSizesOfHugeStridesAndDilationsDoNotOverflow) {
  const std::int64_t huge = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(pool2d_output_shape({1, 1, 4, 4}, pool({1, 1}, {huge, 1}, {0, 0}, true)), (Shape{1, 1, 1, 4}));
  EXPECT_THAT([] { pool2d_output_shape({1, 1, 4, 4}, pool({3, 1}, {1, 1}, {0, 0}, false, true, {std::int64_t{1} << 62, 1})); },
              ThrowsMessage<Error>(HasSubstr("pool2d: the dilated kernel [3, 1], dilation [4611686018427387904, 1] is too large")));
  EXPECT_THAT([] { pool2d_output_shape({1, 1, 4, 4}, pool({3, 1}, {1, 1}, {std::int64_t{1} << 61, 0}, false, true,
                                                             {std::int64_t{1} << 61, 1})); },
              ThrowsMessage<Error>(HasSubstr("pool2d: the dilated kernel [3, 1], dilation [2305843009213693952, 1] is too large")));
}

}  // namespace
}  // namespace nabla::kernels
