#include "tensor/reduce.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace nabla {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::ThrowsMessage;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }

std::vector<double> random_values(std::int64_t count, std::uint32_t seed, double low = -1, double high = 1) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<float> draw(static_cast<float>(low), static_cast<float>(high));
  std::vector<double> result(static_cast<std::size_t>(count));
  for (double& v : result) v = draw(engine);
  return result;
}

enum class Kind { kSum, kMean, kMax, kMin };

struct Expected {
  Shape shape;
  std::vector<double> data;
};

// Reduces row-major `data` of `shape` over `axes` (non-negative, any order)
// with a plain loop in double.
Expected reference_reduce(const Shape& shape, const std::vector<double>& data, std::vector<int> axes, Kind kind,
                          bool keepdims) {
  std::vector<bool> reduced(shape.size(), axes.empty());
  for (int a : axes) reduced[a] = true;
  Expected out;
  Shape kept;  // the result shape with reduced axes as 1
  for (std::size_t d = 0; d < shape.size(); ++d) {
    kept.push_back(reduced[d] ? 1 : shape[d]);
    if (!reduced[d]) out.shape.push_back(shape[d]);
    if (reduced[d] && keepdims) out.shape.push_back(1);
  }
  std::int64_t out_count = 1;
  for (std::int64_t s : kept) out_count *= s;
  const double init = kind == Kind::kMax ? -INFINITY : kind == Kind::kMin ? INFINITY : 0.0;
  std::vector<double> acc(static_cast<std::size_t>(out_count), init);
  std::vector<std::int64_t> counts(acc.size(), 0);
  for (std::size_t flat = 0; flat < data.size(); ++flat) {
    std::int64_t rest = static_cast<std::int64_t>(flat), out_index = 0, out_stride = 1;
    for (std::size_t d = shape.size(); d-- > 0;) {
      const std::int64_t i = rest % shape[d];
      rest /= shape[d];
      if (!reduced[d]) out_index += i * out_stride;
      out_stride *= kept[d];
    }
    double& a = acc[out_index];
    ++counts[out_index];
    if (kind == Kind::kMax) {
      a = std::max(a, data[flat]);
    } else if (kind == Kind::kMin) {
      a = std::min(a, data[flat]);
    } else {
      a += data[flat];
    }
  }
  if (kind == Kind::kMean) {
    for (std::size_t i = 0; i < acc.size(); ++i) acc[i] /= static_cast<double>(counts[i]);
  }
  out.data = acc;
  return out;
}

void expect_close(const Tensor& actual, const Expected& expected, double tolerance) {
  ASSERT_EQ(actual.shape(), expected.shape);
  const std::vector<double> got = values(actual);
  ASSERT_EQ(got.size(), expected.data.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(expected.data[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "at " << i;
    } else {
      EXPECT_NEAR(got[i], expected.data[i], tolerance * std::max(1.0, std::abs(expected.data[i]))) << "at " << i;
    }
  }
}

Tensor reduce_with(Kind kind, const Tensor& x, const Axes& axes, bool keepdims) {
  switch (kind) {
    case Kind::kSum:
      return sum(x, axes, keepdims);
    case Kind::kMean:
      return mean(x, axes, keepdims);
    case Kind::kMax:
      return max(x, axes, keepdims);
    case Kind::kMin:
      return min(x, axes, keepdims);
  }
  return Tensor();
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::kSum:
      return "sum";
    case Kind::kMean:
      return "mean";
    case Kind::kMax:
      return "max";
    case Kind::kMin:
      return "min";
  }
  return "";
}

// NumPy and PyTorch return a new scalar: writing to it leaves x alone.
TEST(ReduceTest, OfAZeroDimensionalTensorIsACopy) {
  const Tensor x = scalar(3);
  for (Tensor result : {sum(x), max(x), min(x, {}, true), mean(x)}) {
    EXPECT_FALSE(result.shares_storage_with(x));
    result.fill_(7);
  }
  EXPECT_EQ(x.item(), 3);
}

TEST(ReduceTest, HandWorkedValues) {
  const Tensor x = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_THAT(values(sum(x, {1})), ElementsAre(6, 15));
  EXPECT_THAT(values(sum(x, {0})), ElementsAre(5, 7, 9));
  EXPECT_EQ(sum(x).item(), 21);
  EXPECT_THAT(sum(x).shape(), IsEmpty());
  const Tensor m = mean(x, {0}, true);
  EXPECT_THAT(m.shape(), ElementsAre(1, 3));
  EXPECT_THAT(values(m), ElementsAre(2.5, 3.5, 4.5));
  EXPECT_THAT(values(mean(x, {1})), ElementsAre(2, 5));
  EXPECT_EQ(mean(x).item(), 3.5);
  EXPECT_THAT(values(max(x, {0})), ElementsAre(4, 5, 6));
  EXPECT_THAT(values(min(x, {1})), ElementsAre(1, 4));
  EXPECT_EQ(max(x).item(), 6);
  EXPECT_EQ(min(x).item(), 1);
  EXPECT_THAT(sum(x, {}, true).shape(), ElementsAre(1, 1));
  EXPECT_THAT(sum(x, {0, 1}).shape(), IsEmpty());
  EXPECT_EQ(sum(scalar(4)).item(), 4);
  EXPECT_THAT(sum(scalar(4)).shape(), IsEmpty());
}

TEST(ReduceTest, Int64AndFloat64KeepTheirDType) {
  const Tensor i = tensor({1, -2, 3, 4}, {2, 2}, kInt64);
  EXPECT_EQ(sum(i).dtype(), kInt64);
  EXPECT_THAT(sum(i, {0}).to_vector<std::int64_t>(), ElementsAre(4, 2));
  EXPECT_THAT(max(i, {1}).to_vector<std::int64_t>(), ElementsAre(1, 4));
  EXPECT_THAT(min(i, {0}).to_vector<std::int64_t>(), ElementsAre(1, -2));
  EXPECT_EQ(sum(tensor({0.1, 0.2}, {2}, kFloat64)).dtype(), kFloat64);
  EXPECT_EQ(sum(tensor({0.1, 0.2}, {2}, kFloat64)).item(), 0.1 + 0.2);
  EXPECT_THAT([&] { mean(i); },
              ThrowsMessage<Error>(AllOf(HasSubstr("mean"), HasSubstr("int64"), HasSubstr("[2, 2]"))));
}

// As NumPy's, int64 sums wrap around modulo 2^64 (in C++ an overflowing
// int64 addition is undefined behaviour, which the sanitizer build reports),
// on every path: whole, long rows in parallel pieces, short rows, long rows.
TEST(ReduceTest, Int64SumsWrapAroundOnOverflowAsNumPy) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  const Tensor pairs = from_vector(std::vector<std::int64_t>{kMax, 1, kMax, 1}).reshape({2, 2});
  EXPECT_THAT(sum(pairs).to_vector<std::int64_t>(), ElementsAre(0));  // 2 kMax + 2 = 2^64
  EXPECT_THAT(sum(pairs, {0}).to_vector<std::int64_t>(), ElementsAre(-2, 2));
  EXPECT_THAT(sum(pairs, {1}).to_vector<std::int64_t>(), ElementsAre(kMin, kMin));
  // n kMax = n 2^63 - n, which is -n modulo 2^64 for an even n.
  const Tensor many = from_vector(std::vector<std::int64_t>(40000, kMax));
  EXPECT_THAT(sum(many).to_vector<std::int64_t>(), ElementsAre(-40000));
  EXPECT_THAT(sum(many.reshape({20000, 2}), {0}).to_vector<std::int64_t>(), ElementsAre(-20000, -20000));
  EXPECT_EQ(sum(many.reshape({2, 20000}), {0}).to_vector<std::int64_t>(), std::vector<std::int64_t>(20000, -2));
}

TEST(ReduceTest, Int64StaysExactBeyondDoublePrecision) {
  const std::int64_t big = (std::int64_t{1} << 60) + 1;
  const Tensor x = from_vector(std::vector<std::int64_t>{big, 1, -3, big + 2}, {2, 2});
  EXPECT_THAT(sum(x, {0}).to_vector<std::int64_t>(), ElementsAre(big - 3, big + 3));
  EXPECT_THAT(max(x, {1}).to_vector<std::int64_t>(), ElementsAre(big, big + 2));
  EXPECT_THAT(sum_to(x, {2, 1}).to_vector<std::int64_t>(), ElementsAre(big + 1, big - 1));
}

TEST(ReduceTest, EveryAxisSetOfA4DTensor) {
  const Shape shape = {2, 3, 4, 5};
  const std::vector<double> data = random_values(numel(shape), 1);
  const Tensor x = from_vector(data, shape);
  const std::vector<std::vector<int>> axis_sets = {{},     {0},    {1},    {2},         {3},       {0, 1},
                                                   {0, 2}, {0, 3}, {1, 3}, {2, 3},      {0, 1, 3}, {0, 2, 3},
                                                   {1, 2}, {3, 1}, {2, 0}, {0, 1, 2, 3}};
  for (Kind kind : {Kind::kSum, Kind::kMean, Kind::kMax, Kind::kMin}) {
    for (const std::vector<int>& axes : axis_sets) {
      for (bool keepdims : {false, true}) {
        SCOPED_TRACE(testing::Message() << kind_name(kind) << " axes " << testing::PrintToString(axes) << " keepdims "
                                        << keepdims);
        const Axes as_given(axes.begin(), axes.end());
        Axes negative;
        for (int a : axes) negative.push_back(a - 4);
        const Expected expected = reference_reduce(shape, data, axes, kind, keepdims);
        expect_close(reduce_with(kind, x, as_given, keepdims), expected, 1e-12);
        expect_close(reduce_with(kind, x, negative, keepdims), expected, 1e-12);
        expect_close(reduce_with(kind, x.astype(kFloat32), as_given, keepdims), expected, 1e-6);
      }
    }
  }
}

TEST(ReduceTest, DenseViewWithAnOffset) {
  const Tensor x = tensor({1, 2, 3, 4, 5, 6, 7, 8, 9}, {3, 3});
  EXPECT_EQ(sum(x.select(0, 2)).item(), 24);
  EXPECT_THAT(values(max(x.slice(0, 1, 3), {0})), ElementsAre(7, 8, 9));
  EXPECT_EQ(argmin(x.select(0, 1), 0).item(), 0);
  EXPECT_EQ(mean(x.slice(0, 1, 2)).item(), 5);
}

TEST(ReduceTest, NonContiguousInput) {
  const std::vector<double> data = random_values(24, 2);
  const Tensor x = from_vector(data, {4, 6}).transpose(0, 1).slice(0, 0, 6, 2);  // [3, 4]
  std::vector<double> dense;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 4; ++j) dense.push_back(data[j * 6 + 2 * i]);
  }
  for (Kind kind : {Kind::kSum, Kind::kMean, Kind::kMax, Kind::kMin}) {
    SCOPED_TRACE(kind_name(kind));
    expect_close(reduce_with(kind, x, {0}, false), reference_reduce({3, 4}, dense, {0}, kind, false), 1e-12);
    expect_close(reduce_with(kind, x, {1}, true), reference_reduce({3, 4}, dense, {1}, kind, true), 1e-12);
  }
}

// A channels-last tensor is reduced in its own memory order (no row-major
// copy first); the values must not notice.
TEST(ReduceTest, ChannelsLastInput) {
  const Shape shape = {2, 3, 4, 5};
  const std::vector<double> data = random_values(numel(shape), 3);
  const Tensor x = from_vector(data, shape).contiguous(MemoryFormat::kChannelsLast);
  ASSERT_FALSE(x.is_contiguous());
  const std::vector<std::vector<int>> axis_sets = {{}, {0}, {1}, {2, 3}, {0, 2, 3}, {0, 1}, {1, 3}};
  for (Kind kind : {Kind::kSum, Kind::kMean, Kind::kMax}) {
    for (const std::vector<int>& axes : axis_sets) {
      for (bool keepdims : {false, true}) {
        SCOPED_TRACE(testing::Message() << kind_name(kind) << " axes " << testing::PrintToString(axes) << " keepdims "
                                        << keepdims);
        expect_close(reduce_with(kind, x, Axes(axes.begin(), axes.end()), keepdims),
                     reference_reduce(shape, data, axes, kind, keepdims), 1e-12);
      }
    }
  }
  // The bias gradient of a convolution: one sum per channel, worked by hand.
  const Tensor ones_by_channel = tensor({1, 10, 100}).reshape({1, 3, 1, 1}).broadcast_to({2, 3, 2, 2})
                                     .contiguous(MemoryFormat::kChannelsLast);
  EXPECT_THAT(values(sum(ones_by_channel, {0, 2, 3})), ElementsAre(8, 80, 800));
}

// Per-channel reductions of channels-last tensors reduce short rows (the
// channels of one pixel) four at a time, in pieces of rows: a count of rows
// that is not a multiple of four, one under four, and several pieces.
TEST(ReduceTest, ShortRowsInPieces) {
  for (const Shape& shape : std::vector<Shape>{{5, 16, 30, 31}, {1, 8, 1, 3}, {2, 200, 3, 5}}) {
    const std::vector<double> data = random_values(numel(shape), 9);
    const Tensor x = from_vector(data, shape).astype(kFloat32).contiguous(MemoryFormat::kChannelsLast);
    for (Kind kind : {Kind::kSum, Kind::kMax, Kind::kMin}) {
      SCOPED_TRACE(testing::Message() << kind_name(kind) << " " << testing::PrintToString(shape));
      expect_close(reduce_with(kind, x, {0, 2, 3}, false), reference_reduce(shape, data, {0, 2, 3}, kind, false),
                   kind == Kind::kSum ? 1e-3 : 0);
    }
  }
}

TEST(ReduceTest, AxisErrorsNameOpAxesAndShape) {
  const Tensor x = zeros({2, 3, 4});
  EXPECT_THAT(
      [&] {
        sum(x, {1, -2});
      },
      ThrowsMessage<Error>(
          AllOf(HasSubstr("sum"), HasSubstr("repeated"), HasSubstr("[1, -2]"), HasSubstr("[2, 3, 4]"))));
  EXPECT_THAT(
      [&] {
        mean(x, {0, 0});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("mean"), HasSubstr("repeated"), HasSubstr("[2, 3, 4]"))));
  EXPECT_THAT([&] { max(x, {2, 2}); }, ThrowsMessage<Error>(AllOf(HasSubstr("max"), HasSubstr("repeated"))));
  EXPECT_THAT([&] { sum(x, {3}); },
              ThrowsMessage<Error>(AllOf(HasSubstr("sum"), HasSubstr("axis 3"), HasSubstr("[2, 3, 4]"))));
  EXPECT_THAT([&] { mean(x, {-4}); },
              ThrowsMessage<Error>(AllOf(HasSubstr("mean"), HasSubstr("axis -4"), HasSubstr("[2, 3, 4]"))));
  EXPECT_THAT([&] { min(x, {0, 5}); }, ThrowsMessage<Error>(AllOf(HasSubstr("min"), HasSubstr("[2, 3, 4]"))));
  EXPECT_THAT([&] { sum(scalar(1), {0}); }, ThrowsMessage<Error>(AllOf(HasSubstr("sum"), HasSubstr("[]"))));
  EXPECT_THAT([] { sum(Tensor()); }, ThrowsMessage<Error>(AllOf(HasSubstr("sum"), HasSubstr("undefined"))));
  EXPECT_THAT([] { mean(Tensor()); }, ThrowsMessage<Error>(AllOf(HasSubstr("mean"), HasSubstr("undefined"))));
}

TEST(ReduceTest, ZeroSizeDimensions) {
  const Tensor x = zeros({0, 3});
  EXPECT_THAT(values(sum(x, {0})), ElementsAre(0, 0, 0));
  EXPECT_EQ(sum(x).item(), 0);
  EXPECT_THAT(sum(x, {1}).shape(), ElementsAre(0));
  EXPECT_THAT(sum(x, {0}, true).shape(), ElementsAre(1, 3));
  EXPECT_THAT(sum(zeros({2, 0, 3}, kInt64), {1}).to_vector<std::int64_t>(), ElementsAre(0, 0, 0, 0, 0, 0));
  const std::vector<double> m = values(mean(x, {0}));
  ASSERT_EQ(m.size(), 3u);
  for (double v : m) EXPECT_TRUE(std::isnan(v));
  EXPECT_TRUE(std::isnan(mean(x).item()));
  EXPECT_THAT(mean(x, {1}).shape(), ElementsAre(0));
  EXPECT_THAT([&] { max(x, {0}); },
              ThrowsMessage<Error>(AllOf(HasSubstr("max"), HasSubstr("zero elements"), HasSubstr("[0, 3]"))));
  EXPECT_THAT([&] { max(x); }, ThrowsMessage<Error>(AllOf(HasSubstr("max"), HasSubstr("[0, 3]"))));
  EXPECT_THAT([&] { min(x, {0}); }, ThrowsMessage<Error>(AllOf(HasSubstr("min"), HasSubstr("[0, 3]"))));
  // Reducing a non-empty axis of an empty tensor is fine: nothing to compare.
  EXPECT_THAT(max(x, {1}).shape(), ElementsAre(0));
  EXPECT_THAT(max(zeros({3, 0, 4}), {0, 2}).shape(), ElementsAre(0));
}

TEST(ReduceTest, LargeInputsMatchADoubleLoop) {
  // One long row (pieces shared between threads), many rows, and a reduction
  // over the outer axis with wide inner rows (column pieces).
  const std::int64_t n = (1 << 20) + 77;
  const std::vector<double> data = random_values(n, 3);
  const Tensor flat = from_vector(data).astype(kFloat32);
  double total = 0, largest = -INFINITY, smallest = INFINITY;
  for (double v : data) {
    total += v;
    largest = std::max(largest, v);
    smallest = std::min(smallest, v);
  }
  EXPECT_NEAR(sum(flat).item(), total, 1e-6 * n);
  EXPECT_NEAR(mean(flat).item(), total / n, 1e-6);
  EXPECT_EQ(max(flat).item(), largest);
  EXPECT_EQ(min(flat).item(), smallest);
  // Sums are independent of the thread schedule: the same bits every time.
  EXPECT_EQ(sum(flat).item(), sum(flat).item());

  const Shape wide = {3, 100003};
  const Tensor w = from_vector(std::vector<double>(data.begin(), data.begin() + numel(wide)), wide).astype(kFloat32);
  const std::vector<double> wide_data(data.begin(), data.begin() + numel(wide));
  for (int axis : {0, 1}) {
    for (Kind kind : {Kind::kSum, Kind::kMax}) {
      SCOPED_TRACE(testing::Message() << kind_name(kind) << " axis " << axis);
      expect_close(reduce_with(kind, w, {axis}, false), reference_reduce(wide, wide_data, {axis}, kind, false), 1e-4);
    }
  }

  const Shape tall = {40000, 2};
  const std::vector<double> tall_data(data.begin(), data.begin() + numel(tall));
  const Tensor t = from_vector(tall_data, tall);
  for (int axis : {0, 1}) {
    for (Kind kind : {Kind::kSum, Kind::kMean, Kind::kMin}) {
      SCOPED_TRACE(testing::Message() << kind_name(kind) << " axis " << axis);
      expect_close(reduce_with(kind, t, {axis}, true), reference_reduce(tall, tall_data, {axis}, kind, true), 1e-9);
    }
  }

  const Shape cube = {20, 64, 70};
  const std::vector<double> cube_data(data.begin(), data.begin() + numel(cube));
  const Tensor c = from_vector(cube_data, cube);
  expect_close(sum(c, {0, 2}), reference_reduce(cube, cube_data, {0, 2}, Kind::kSum, false), 1e-9);
  expect_close(max(c, {1}), reference_reduce(cube, cube_data, {1}, Kind::kMax, false), 0);
}

TEST(ReduceTest, ResultsDoNotDependOnTheThreadCount) {
  const std::vector<double> data = random_values((1 << 20) + 5, 6);
  const Tensor flat = from_vector(data).astype(kFloat32);
  const Tensor wide = flat.slice(0, 0, 3 * 300000).reshape({3, 300000});
  const Tensor activations = flat.slice(0, 0, 64 * 32 * 22 * 22).reshape({64, 32, 22, 22})
                                 .contiguous(MemoryFormat::kChannelsLast);
  auto run = [&] {
    return std::vector<std::vector<float>>{sum(flat).to_vector<float>(), sum(wide, {0}).to_vector<float>(),
                                           sum(wide, {1}).to_vector<float>(), mean(flat).to_vector<float>(),
                                           sum(activations, {0, 2, 3}).to_vector<float>()};
  };
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = run();
  omp_set_num_threads(3);
  const auto three = run();
  omp_set_num_threads(saved);
  EXPECT_EQ(one, three);
}

// ---- argmax / argmin. ----

TEST(ArgTest, HandWorkedValues) {
  const Tensor x = tensor({3, 9, 1, 7, 2, 8}, {2, 3});
  const Tensor a = argmax(x, 1);
  EXPECT_EQ(a.dtype(), kInt64);
  EXPECT_THAT(a.to_vector<std::int64_t>(), ElementsAre(1, 2));
  EXPECT_THAT(argmin(x, 1).to_vector<std::int64_t>(), ElementsAre(2, 1));
  EXPECT_THAT(argmax(x, 0).to_vector<std::int64_t>(), ElementsAre(1, 0, 1));
  EXPECT_THAT(argmin(x, -2).to_vector<std::int64_t>(), ElementsAre(0, 1, 0));
  EXPECT_THAT(argmax(x, 1, true).shape(), ElementsAre(2, 1));
  EXPECT_THAT(argmax(x, 0, true).shape(), ElementsAre(1, 3));
  EXPECT_THAT(argmax(x.transpose(0, 1), 0).to_vector<std::int64_t>(), ElementsAre(1, 2));
  EXPECT_THAT(argmax(tensor({4, 2, 5, 1}, {4}, kInt64), 0).shape(), IsEmpty());
  EXPECT_EQ(argmax(tensor({4, 2, 5, 1}, {4}, kInt64), 0).item(), 2);
}

TEST(ArgTest, TiesGiveTheFirstIndex) {
  EXPECT_EQ(argmax(tensor({1, 3, 3, 0}), 0).item(), 1);
  EXPECT_EQ(argmin(tensor({2, 0, 5, 0}), 0).item(), 1);
  EXPECT_EQ(argmax(tensor({7, 7, 7}), 0).item(), 0);
  EXPECT_THAT(argmin(tensor({1, 1, 0, 0}, {2, 2}, kInt64), 0).to_vector<std::int64_t>(), ElementsAre(1, 1));
}

TEST(ArgTest, NaNIsTheExtreme) {
  EXPECT_EQ(argmax(tensor({1, kNaN, 3, kNaN}), 0).item(), 1);
  EXPECT_EQ(argmin(tensor({1, kNaN, -3, kNaN}), 0).item(), 1);
  EXPECT_EQ(argmax(tensor({kNaN, 5}), 0).item(), 0);
  EXPECT_EQ(argmin(tensor({kNaN, -5}, {2}, kFloat64), 0).item(), 0);
}

TEST(ArgTest, Errors) {
  EXPECT_THAT(
      [] {
        argmax(zeros({0, 3}), 0);
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("argmax"), HasSubstr("zero elements"), HasSubstr("[0, 3]"))));
  EXPECT_THAT(argmax(zeros({0, 3}), 1).shape(), ElementsAre(0));
  EXPECT_THAT(
      [] {
        argmin(zeros({2, 3}), 2);
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("argmin"), HasSubstr("axis 2"), HasSubstr("[2, 3]"))));
  EXPECT_THAT([] { argmax(scalar(1), 0); }, ThrowsMessage<Error>(AllOf(HasSubstr("argmax"), HasSubstr("[]"))));
}

TEST(ArgTest, LargeInputs) {
  const std::vector<double> data = random_values(300 * 400, 4);
  const Tensor x = from_vector(data, {300, 400}).astype(kFloat32);
  const std::vector<std::int64_t> rows = argmax(x, 1).to_vector<std::int64_t>();
  const std::vector<std::int64_t> columns = argmin(x, 0).to_vector<std::int64_t>();
  for (int i = 0; i < 300; ++i) {
    std::int64_t best = 0;
    for (int j = 1; j < 400; ++j) {
      if (data[i * 400 + j] > data[i * 400 + best]) best = j;
    }
    ASSERT_EQ(rows[i], best) << i;
  }
  for (int j = 0; j < 400; ++j) {
    std::int64_t best = 0;
    for (int i = 1; i < 300; ++i) {
      if (data[i * 400 + j] < data[best * 400 + j]) best = i;
    }
    ASSERT_EQ(columns[j], best) << j;
  }
}

// ---- sum_to. ----

TEST(SumToTest, ReducesBroadcastDimensions) {
  EXPECT_THAT(values(sum_to(ones({4, 3}), {3})), ElementsAre(4, 4, 4));
  const Tensor kept = sum_to(ones({4, 3}), {1, 3});
  EXPECT_THAT(kept.shape(), ElementsAre(1, 3));
  EXPECT_THAT(values(kept), ElementsAre(4, 4, 4));
  const Tensor column = sum_to(ones({4, 3}), {4, 1});
  EXPECT_THAT(column.shape(), ElementsAre(4, 1));
  EXPECT_THAT(values(column), ElementsAre(3, 3, 3, 3));
  const Tensor all = sum_to(ones({4, 3}), {});
  EXPECT_THAT(all.shape(), IsEmpty());
  EXPECT_EQ(all.item(), 12);
  EXPECT_THAT(values(sum_to(ones({4, 3}), {1, 1})), ElementsAre(12));
}

TEST(SumToTest, RankReductionWithSizeOneDimensions) {
  const Tensor x =
      tensor({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}, {2, 3, 4});
  // [2, 3, 4] -> [3, 1]: sum over axis 0 and axis 2.
  const Tensor r = sum_to(x, {3, 1});
  EXPECT_THAT(r.shape(), ElementsAre(3, 1));
  // Row j collects x[i][j][k] over i and k: (1+2+3+4) + (13+14+15+16) = 68, ...
  EXPECT_THAT(values(r), ElementsAre(68, 100, 132));
  const Tensor s = sum_to(x, {1, 3, 1});
  EXPECT_THAT(s.shape(), ElementsAre(1, 3, 1));
  EXPECT_THAT(values(s), ElementsAre(68, 100, 132));
  EXPECT_THAT(values(sum_to(x, {2, 1, 4})), ElementsAre(15, 18, 21, 24, 51, 54, 57, 60));
}

TEST(SumToTest, SameShapeKeepsValues) {
  const Tensor x = tensor({1, 2, 3, 4}, {2, 2});
  const Tensor y = sum_to(x, {2, 2});
  EXPECT_THAT(y.shape(), ElementsAre(2, 2));
  EXPECT_THAT(values(y), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(values(sum_to(x.transpose(0, 1), {2})), ElementsAre(3, 7));
  EXPECT_THAT(sum_to(zeros({0, 3}), {1, 3}).shape(), ElementsAre(1, 3));
  EXPECT_THAT(values(sum_to(zeros({0, 3}), {1, 3})), ElementsAre(0, 0, 0));
}

TEST(SumToTest, IncompatibleShapesNameBoth) {
  EXPECT_THAT(
      [] {
        sum_to(ones({2, 3}), {4});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("sum_to"), HasSubstr("[2, 3]"), HasSubstr("[4]"))));
  EXPECT_THAT(
      [] {
        sum_to(ones({2, 3}), {2});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("sum_to"), HasSubstr("[2, 3]"), HasSubstr("[2]"))));
  EXPECT_THAT(
      [] {
        sum_to(ones({3}), {2, 3});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("sum_to"), HasSubstr("[3]"), HasSubstr("[2, 3]"))));
  EXPECT_THAT(
      [] {
        sum_to(ones({2, 1}), {2, 3});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("sum_to"), HasSubstr("[2, 1]"), HasSubstr("[2, 3]"))));
  EXPECT_THAT([] { sum_to(Tensor(), {1}); }, ThrowsMessage<Error>(HasSubstr("sum_to")));
}

// A NaN wins wherever it sits, on each path: whole, long rows, short rows
// (a middle axis), channels-last.
TEST(ReduceTest, MaxAndMinPropagateNaNAsArgmaxDoes) {
  EXPECT_TRUE(std::isnan(max(tensor({kNaN, 1})).item()));
  EXPECT_TRUE(std::isnan(max(tensor({1, kNaN})).item()));
  EXPECT_TRUE(std::isnan(min(tensor({1, kNaN})).item()));
  Tensor x = zeros({10, 10});
  x.select(0, 5).fill_(kNaN);
  EXPECT_TRUE(std::isnan(max(x).item()));
  EXPECT_TRUE(std::isnan(min(x).item()));
  const std::vector<double> over_rows = max(x, {0}).to_vector<double>();
  EXPECT_TRUE(std::all_of(over_rows.begin(), over_rows.end(), [](double v) { return std::isnan(v); }));
  const std::vector<double> over_columns = min(x, {1}).to_vector<double>();
  for (std::int64_t r = 0; r < 10; ++r) EXPECT_EQ(std::isnan(over_columns[r]), r == 5) << r;
  Tensor long_row = zeros({100000});
  long_row.select(0, 99999).fill_(kNaN);
  EXPECT_TRUE(std::isnan(max(long_row).item()));
  Tensor image = zeros({2, 3, 4, 4});
  image.select(0, 1).select(0, 2).select(0, 3).select(0, 0).fill_(kNaN);
  const std::vector<double> per_channel = max(image.contiguous(MemoryFormat::kChannelsLast), {0, 2, 3}).to_vector<double>();
  EXPECT_EQ(per_channel[0], 0);
  EXPECT_EQ(per_channel[1], 0);
  EXPECT_TRUE(std::isnan(per_channel[2]));
}

// The same comparators on int64, where no value is NaN: rows of 300 take the
// long-row path.
TEST(ReduceTest, MaxAndMinOfInt64RowsOverTheLongRowPath) {
  std::vector<std::int64_t> values(3 * 300);
  for (std::int64_t j = 0; j < 300; ++j) {
    values[j] = j;
    values[300 + j] = -j;
    values[600 + j] = j % 2 == 0 ? 1000 : -1000;
  }
  const Tensor x = from_vector(values, {3, 300});
  const std::vector<std::int64_t> top = max(x, {0}).to_vector<std::int64_t>();
  const std::vector<std::int64_t> bottom = min(x, {0}).to_vector<std::int64_t>();
  for (std::int64_t j = 0; j < 300; ++j) {
    ASSERT_EQ(top[j], j % 2 == 0 ? 1000 : j) << j;
    ASSERT_EQ(bottom[j], j % 2 == 0 ? -j : -1000) << j;
  }
}

}  // namespace
}  // namespace nabla
