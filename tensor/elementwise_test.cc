#include "tensor/elementwise.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <tuple>
#include <vector>

namespace nabla {
namespace {

using ::testing::AllOf;
using ::testing::DoubleNear;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::ThrowsMessage;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }

// Values that float32 holds exactly, so float and double arithmetic agree.
std::vector<double> random_values(std::int64_t count, std::uint32_t seed, double low = -2, double high = 2) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<float> draw(static_cast<float>(low), static_cast<float>(high));
  std::vector<double> result(static_cast<std::size_t>(count));
  for (double& v : result) v = draw(engine);
  return result;
}

// Expected result of a broadcast binary op, by direct index arithmetic.
struct Expected {
  Shape shape;
  std::vector<double> data;
};

Expected reference_binary(const Shape& shape_a, const std::vector<double>& a, const Shape& shape_b,
                          const std::vector<double>& b, const std::function<double(double, double)>& op) {
  const std::size_t rank = std::max(shape_a.size(), shape_b.size());
  auto size_at = [rank](const Shape& s, std::size_t d) {
    return d < rank - s.size() ? std::int64_t{1} : s[d - (rank - s.size())];
  };
  Expected out;
  std::int64_t count = 1;
  for (std::size_t d = 0; d < rank; ++d) {
    out.shape.push_back(std::max(size_at(shape_a, d), size_at(shape_b, d)));
    if (size_at(shape_a, d) == 0 || size_at(shape_b, d) == 0) out.shape.back() = 0;
    count *= out.shape.back();
  }
  for (std::int64_t flat = 0; flat < count; ++flat) {
    std::int64_t rest = flat, index_a = 0, index_b = 0, stride_a = 1, stride_b = 1;
    for (std::size_t d = rank; d-- > 0;) {
      const std::int64_t i = rest % out.shape[d];
      rest /= out.shape[d];
      const std::int64_t size_a = size_at(shape_a, d), size_b = size_at(shape_b, d);
      index_a += (size_a == 1 ? 0 : i) * stride_a;
      index_b += (size_b == 1 ? 0 : i) * stride_b;
      stride_a *= size_a;
      stride_b *= size_b;
    }
    out.data.push_back(op(a[index_a], b[index_b]));
  }
  return out;
}

void expect_close(const Tensor& actual, const Shape& shape, const std::vector<double>& expected, double tolerance = 0) {
  ASSERT_EQ(actual.shape(), shape);
  const std::vector<double> got = actual.to_vector<double>();
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "at " << i;
    } else if (std::isinf(expected[i])) {
      EXPECT_EQ(got[i], expected[i]) << "at " << i;
    } else {
      EXPECT_NEAR(got[i], expected[i], tolerance * std::max(1.0, std::abs(expected[i]))) << "at " << i;
    }
  }
}

// ---- Unary ops. ----

struct UnaryCase {
  const char* name;
  std::function<Tensor(const Tensor&)> op;
  std::function<double(double)> expected;
  std::vector<double> inputs;
};

double sign_of(double v) {
  if (v > 0) return 1;
  if (v < 0) return -1;
  return 0;
}

std::vector<UnaryCase> float_unary_cases() {
  const std::vector<double> any = {-3.5, -1, -0.25, 0, 0.5, 1, 2.75, 10};
  const std::vector<double> positive = {0.001, 0.5, 1, 2, 10, 1000};
  const std::vector<double> any_above_minus_one = {-0.75, -0.25, 0, 0.5, 1, 2.75, 10, 1000};
  return {
      {"neg", [](const Tensor& x) { return neg(x); }, [](double v) { return -v; }, any},
      {"operator-", [](const Tensor& x) { return -x; }, [](double v) { return -v; }, any},
      {"abs", [](const Tensor& x) { return abs(x); }, [](double v) { return std::fabs(v); }, any},
      {"sign", [](const Tensor& x) { return sign(x); }, sign_of, any},
      {"square", [](const Tensor& x) { return square(x); }, [](double v) { return v * v; }, any},
      {"relu", [](const Tensor& x) { return relu(x); }, [](double v) { return v > 0 ? v : 0.0; }, any},
      {"clip", [](const Tensor& x) { return clip(x, -1, 2); },
       [](double v) { return std::min(2.0, std::max(-1.0, v)); }, any},
      {"exp", [](const Tensor& x) { return exp(x); }, [](double v) { return std::exp(v); }, any},
      {"log", [](const Tensor& x) { return log(x); }, [](double v) { return std::log(v); }, positive},
      {"log1p", [](const Tensor& x) { return log1p(x); }, [](double v) { return std::log1p(v); }, any_above_minus_one},
      {"sqrt", [](const Tensor& x) { return sqrt(x); }, [](double v) { return std::sqrt(v); }, positive},
      {"tanh", [](const Tensor& x) { return tanh(x); }, [](double v) { return std::tanh(v); }, any},
      {"sigmoid", [](const Tensor& x) { return sigmoid(x); }, [](double v) { return 1 / (1 + std::exp(-v)); }, any},
      {"sin", [](const Tensor& x) { return sin(x); }, [](double v) { return std::sin(v); }, any},
      {"cos", [](const Tensor& x) { return cos(x); }, [](double v) { return std::cos(v); }, any},
      {"pow 2", [](const Tensor& x) { return pow(x, 2); }, [](double v) { return v * v; }, any},
      {"pow 3", [](const Tensor& x) { return pow(x, 3); }, [](double v) { return v * v * v; }, any},
      {"pow 0.5", [](const Tensor& x) { return pow(x, 0.5); }, [](double v) { return std::sqrt(v); }, positive},
      {"pow -1", [](const Tensor& x) { return pow(x, -1); }, [](double v) { return 1 / v; }, positive},
  };
}

// Channels-last operands keep their format through element-wise ops (as in
// PyTorch); each value is checked against the row-major computation's, by
// its index, which the format must not change.
TEST(MemoryFormatTest, ElementWiseOpsKeepChannelsLast) {
  const Shape shape = {2, 3, 4, 5};
  const std::vector<double> xs = random_values(numel(shape), 41), ys = random_values(numel(shape), 42);
  const Tensor x = from_vector(xs, shape), y = from_vector(ys, shape);
  const Tensor x_last = x.contiguous(MemoryFormat::kChannelsLast), y_last = y.contiguous(MemoryFormat::kChannelsLast);
  auto expect_channels_last = [](const Tensor& result, const std::vector<double>& expected) {
    EXPECT_TRUE(result.is_contiguous(MemoryFormat::kChannelsLast));
    EXPECT_FALSE(result.is_contiguous());
    const std::vector<double> got = values(result);
    ASSERT_EQ(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_DOUBLE_EQ(got[i], expected[i]) << "element " << i;
  };
  std::vector<double> expected(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) expected[i] = std::tanh(xs[i]);
  expect_channels_last(tanh(x_last), expected);
  for (std::size_t i = 0; i < xs.size(); ++i) expected[i] = xs[i] * ys[i];
  expect_channels_last(x_last * y_last, expected);
  for (std::size_t i = 0; i < xs.size(); ++i) expected[i] = xs[i] - 2;
  expect_channels_last(x_last - 2.0, expected);
  for (std::size_t i = 0; i < xs.size(); ++i) expected[i] = 2 - xs[i];
  expect_channels_last(2.0 - x_last, expected);
  // One value per channel (a bias), in either spelling: element i is in channel i / 20 % 3.
  for (std::size_t i = 0; i < xs.size(); ++i) expected[i] = xs[i] + static_cast<double>(i / 20 % 3 + 1);
  expect_channels_last(x_last + tensor({1, 2, 3}, {1, 3, 1, 1}, kFloat64), expected);
  expect_channels_last(tensor({1, 2, 3}, {3, 1, 1}, kFloat64) + x_last, expected);
  // In place, through the channels-last memory.
  Tensor accumulated = x_last.clone().contiguous(MemoryFormat::kChannelsLast);
  accumulated += y_last;
  for (std::size_t i = 0; i < xs.size(); ++i) expected[i] = xs[i] + ys[i];
  expect_channels_last(accumulated, expected);
  // Mixed formats, or broadcasting along another axis: row-major, the same values.
  for (std::size_t i = 0; i < xs.size(); ++i) expected[i] = xs[i] + ys[i];
  const Tensor mixed = x_last + y;
  EXPECT_TRUE(mixed.is_contiguous());
  EXPECT_EQ(values(mixed), expected);
  for (std::size_t i = 0; i < xs.size(); ++i) expected[i] = xs[i] * static_cast<double>(i % 5);
  const Tensor by_column = x_last * tensor({0, 1, 2, 3, 4}, {5}, kFloat64);
  EXPECT_TRUE(by_column.is_contiguous());
  EXPECT_EQ(values(by_column), expected);
}

TEST(UnaryTest, EveryOpMatchesTheStandardLibraryInFloat32AndFloat64) {
  for (const UnaryCase& c : float_unary_cases()) {
    SCOPED_TRACE(c.name);
    std::vector<double> expected;
    for (double v : c.inputs) expected.push_back(c.expected(v));
    const Shape shape = {static_cast<std::int64_t>(c.inputs.size())};
    const Tensor x64 = from_vector(c.inputs);
    const Tensor y64 = c.op(x64);
    EXPECT_EQ(y64.dtype(), kFloat64);
    expect_close(y64, shape, expected, 1e-12);
    const Tensor y32 = c.op(x64.astype(kFloat32));
    EXPECT_EQ(y32.dtype(), kFloat32);
    expect_close(y32, shape, expected, 2e-6);
  }
}

TEST(UnaryTest, IntegerOpsOnInt64) {
  const Tensor x = tensor({-3, -1, 0, 2, 5}, {5}, kInt64);
  EXPECT_EQ(neg(x).dtype(), kInt64);
  EXPECT_THAT(neg(x).to_vector<std::int64_t>(), ElementsAre(3, 1, 0, -2, -5));
  EXPECT_THAT(abs(x).to_vector<std::int64_t>(), ElementsAre(3, 1, 0, 2, 5));
  EXPECT_THAT(sign(x).to_vector<std::int64_t>(), ElementsAre(-1, -1, 0, 1, 1));
  EXPECT_THAT(square(x).to_vector<std::int64_t>(), ElementsAre(9, 1, 0, 4, 25));
  EXPECT_THAT(relu(x).to_vector<std::int64_t>(), ElementsAre(0, 0, 0, 2, 5));
  EXPECT_THAT(clip(x, -2, 3).to_vector<std::int64_t>(), ElementsAre(-2, -1, 0, 2, 3));
  // Whole numbers in [-1.5, 2.5] are those in [-1, 2].
  EXPECT_THAT(clip(x, -1.5, 2.5).to_vector<std::int64_t>(), ElementsAre(-1, -1, 0, 2, 2));
}

// NumPy and PyTorch wrap int64 results around modulo 2^64; in C++ an
// overflowing int64 operation is undefined behaviour (the sanitizer build
// reports it), so the ops must get there without one.
TEST(UnaryTest, Int64WrapsAroundOnOverflowAsNumPy) {
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  const std::int64_t root = 3037000500;  // root^2 = 9223372037000250000 = 2^63 + 145474192
  const Tensor x = from_vector(std::vector<std::int64_t>{kMin, std::int64_t{1} << 32, root});
  EXPECT_THAT(neg(x).to_vector<std::int64_t>(), ElementsAre(kMin, -(std::int64_t{1} << 32), -root));
  EXPECT_THAT(abs(x).to_vector<std::int64_t>(), ElementsAre(kMin, std::int64_t{1} << 32, root));
  // 2^64 is 0 modulo 2^64; 2^63 + 145474192 is -2^63 + 145474192.
  EXPECT_THAT(square(x).to_vector<std::int64_t>(), ElementsAre(0, 0, kMin + 145474192));
  // Bounds beyond int64's range clip nothing.
  EXPECT_THAT(clip(x, -1e30, 1e30).to_vector<std::int64_t>(), ElementsAre(kMin, std::int64_t{1} << 32, root));
  EXPECT_THAT(clip(x, 1e30, 1e30).to_vector<std::int64_t>(),
              ElementsAre(std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::max(),
                          std::numeric_limits<std::int64_t>::max()));
}

TEST(UnaryTest, FloatOnlyOpsRejectInt64WithShape) {
  const Tensor x = tensor({1, 2, 3}, {3}, kInt64);
  const std::vector<std::pair<const char*, std::function<Tensor(const Tensor&)>>> ops = {
      {"exp", [](const Tensor& t) { return exp(t); }},      {"log", [](const Tensor& t) { return log(t); }},
      {"log1p", [](const Tensor& t) { return log1p(t); }},  {"sqrt", [](const Tensor& t) { return sqrt(t); }},
      {"tanh", [](const Tensor& t) { return tanh(t); }},    {"sigmoid", [](const Tensor& t) { return sigmoid(t); }},
      {"sin", [](const Tensor& t) { return sin(t); }},      {"cos", [](const Tensor& t) { return cos(t); }},
      {"pow", [](const Tensor& t) { return pow(t, 2.0); }},
  };
  for (const auto& [name, op] : ops) {
    EXPECT_THAT([&] { op(x); }, ThrowsMessage<Error>(AllOf(HasSubstr(name), HasSubstr("int64"), HasSubstr("[3]"))));
  }
}

TEST(UnaryTest, Log1pIsAccurateNearZero) {
  // log(1 + x) in float would round 1 + 1e-10 to 1 and return 0.
  const std::vector<double> tiny = {1e-10, -1e-10, 1e-7, -3e-8};
  std::vector<double> expected;
  for (double v : tiny) expected.push_back(std::log1p(v));
  const std::vector<double> got32 = log1p(from_vector(tiny).astype(kFloat32)).to_vector<double>();
  const std::vector<double> got64 = log1p(from_vector(tiny)).to_vector<double>();
  for (std::size_t i = 0; i < tiny.size(); ++i) {
    EXPECT_NEAR(got32[i], expected[i], 1e-6 * std::abs(expected[i])) << i;
    EXPECT_NEAR(got64[i], expected[i], 1e-14 * std::abs(expected[i])) << i;
  }
  EXPECT_EQ(log1p(tensor({-1})).item(), -kInf);
}

TEST(UnaryTest, SpecialValues) {
  const Tensor l = log(tensor({0, -1}));
  EXPECT_EQ(l.to_vector<double>()[0], -kInf);
  EXPECT_TRUE(std::isnan(l.to_vector<double>()[1]));
  EXPECT_TRUE(std::isnan(sqrt(tensor({-1})).item()));
  expect_close(sigmoid(tensor({-100, 100}, {2}, kFloat64)), {2}, {1 / (1 + std::exp(100.0)), 1}, 1e-12);
  expect_close(sigmoid(tensor({-100, 100})), {2}, {0, 1}, 1e-6);
  expect_close(tanh(tensor({-50, 50})), {2}, {-1, 1}, 0);
  expect_close(exp(tensor({-1000, 1000}, {2}, kFloat64)), {2}, {0, kInf}, 0);
  EXPECT_THAT([] { clip(tensor({1}), 2, 1); }, ThrowsMessage<Error>(AllOf(HasSubstr("clip"), HasSubstr("[1]"))));
}

// Each value fills 37 elements, so that it goes through whole SIMD packets
// as well as the scalar tail; every element must equal the C library's value
// (worked out with Python's math module), as PyTorch's do.
void expect_every_element(const Tensor& result, double expected, const char* what) {
  std::vector<double> wrong;  // the elements that differ from `expected`, or in sign
  for (double got : result.to_vector<double>()) {
    if (got != expected || std::signbit(got) != std::signbit(expected)) wrong.push_back(got);
  }
  EXPECT_THAT(wrong, IsEmpty()) << what << " should be " << expected;
}

TEST(UnaryTest, EdgesOfTheDomainInEveryElement) {
  for (DType dtype : {kFloat32, kFloat64}) {
    SCOPED_TRACE(dtype_name(dtype));
    auto filled = [dtype](double value) { return full({37}, value, dtype); };
    expect_every_element(exp(filled(-kInf)), 0, "exp(-inf)");
    expect_every_element(exp(filled(-1000)), 0, "exp(-1000)");
    expect_every_element(sqrt(filled(kInf)), kInf, "sqrt(inf)");
    // Subnormal: 2^-140 in float32, 2^-1070 in float64; log is -n·ln 2.
    const double tiny = dtype == kFloat32 ? 0x1p-140 : 0x1p-1070;
    expect_every_element(sqrt(filled(tiny)), dtype == kFloat32 ? 0x1p-70 : 0x1p-535, "sqrt(subnormal)");
    const double log_tiny = dtype == kFloat32 ? -97.04060527839233 : -741.6674831991414;
    EXPECT_THAT(values(log(filled(tiny))), Each(DoubleNear(log_tiny, 1e-4))) << "log(subnormal)";
    // An odd exponent keeps the sign: (-inf)^3 = -inf, (-0)^-1 = 1/(-0) = -inf, (-inf)^-3 = -0.
    for (auto [base, exponent, expected] : {std::tuple{-kInf, 3.0, -kInf}, std::tuple{-0.0, -1.0, -kInf},
                                            std::tuple{-0.0, -3.0, -kInf}, std::tuple{-kInf, -3.0, -0.0}}) {
      SCOPED_TRACE(testing::Message() << "pow(" << base << ", " << exponent << ")");
      expect_every_element(pow(filled(base), exponent), expected, "scalar exponent");
      expect_every_element(pow(filled(base), filled(exponent)), expected, "tensor exponent");
    }
  }
  // float32's exp(-100) is subnormal: 27 · 2^-149; exp(88.5) = 2.7230878e38 is below its largest value.
  expect_every_element(exp(full({37}, -100)), 27 * 0x1p-149, "exp(-100) in float32");
  EXPECT_THAT(values(exp(full({37}, 88.5))), Each(DoubleNear(2.7230878250681117e+38, 1e32)));
  // 1 / (1 + e^88.5), subnormal in float32.
  EXPECT_THAT(values(sigmoid(full({37}, -88.5))), Each(DoubleNear(3.672301681915042e-39, 1e-44)));
  // 1 / (1 + e^10); e^-10 = 4.5399929762484854e-05, Eigen's float32 value, is 4.5e-5 too large, relatively.
  EXPECT_THAT(values(sigmoid(full({37}, -10))), Each(DoubleNear(4.5397868702434395e-05, 1e-11)));
}

TEST(UnaryTest, NonContiguousZeroSizeAndScalarInputs) {
  const Tensor base = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor t = neg(base.transpose(0, 1));
  EXPECT_THAT(t.shape(), ElementsAre(3, 2));
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_THAT(values(t), ElementsAre(-1, -4, -2, -5, -3, -6));
  EXPECT_THAT(values(square(base.slice(1, 0, 3, 2))), ElementsAre(1, 9, 16, 36));
  EXPECT_THAT(exp(zeros({2, 0})).shape(), ElementsAre(2, 0));
  const Tensor s = sqrt(scalar(16));
  EXPECT_THAT(s.shape(), IsEmpty());
  EXPECT_EQ(s.item(), 4);
}

TEST(UnaryTest, ViewsWithAnOffset) {
  const Tensor x = tensor({1, 4, 9, 16, 25, 36}, {2, 3});
  EXPECT_THAT(values(sqrt(x.select(0, 1))), ElementsAre(4, 5, 6));
  EXPECT_THAT(values(neg(x.slice(1, 1, 3).select(0, 1))), ElementsAre(-25, -36));
}

TEST(UnaryTest, LargeTensorsRunInParallel) {
  const std::int64_t n = (1 << 17) + 3;
  const std::vector<double> data = random_values(n, 1);
  const Tensor x = from_vector(data).astype(kFloat32);
  const std::vector<float> t = tanh(x).to_vector<float>();
  const std::vector<float> r = relu(x).to_vector<float>();
  for (std::int64_t i = 0; i < n; ++i) {
    ASSERT_NEAR(t[i], std::tanh(data[i]), 2e-6) << i;
    ASSERT_EQ(r[i], static_cast<float>(std::max(0.0, data[i]))) << i;
  }
  // A transposed large input goes through the copy first.
  const Tensor m = from_vector(data).slice(0, 0, 400 * 320).reshape({400, 320}).transpose(0, 1);
  const std::vector<double> a = abs(m).to_vector<double>();
  for (std::int64_t i = 0; i < 320; ++i) {
    for (std::int64_t j = 0; j < 400; ++j) ASSERT_EQ(a[i * 400 + j], std::fabs(data[j * 320 + i]));
  }
}

// ---- Binary ops. ----

struct BinaryCase {
  const char* name;
  std::function<Tensor(const Tensor&, const Tensor&)> op;
  std::function<double(double, double)> expected;
};

std::vector<BinaryCase> binary_cases() {
  return {
      {"add", [](const Tensor& a, const Tensor& b) { return add(a, b); }, std::plus<double>()},
      {"+", [](const Tensor& a, const Tensor& b) { return a + b; }, std::plus<double>()},
      {"sub", [](const Tensor& a, const Tensor& b) { return sub(a, b); }, std::minus<double>()},
      {"-", [](const Tensor& a, const Tensor& b) { return a - b; }, std::minus<double>()},
      {"mul", [](const Tensor& a, const Tensor& b) { return mul(a, b); }, std::multiplies<double>()},
      {"*", [](const Tensor& a, const Tensor& b) { return a * b; }, std::multiplies<double>()},
      {"div", [](const Tensor& a, const Tensor& b) { return div(a, b); }, std::divides<double>()},
      {"/", [](const Tensor& a, const Tensor& b) { return a / b; }, std::divides<double>()},
      {"maximum", [](const Tensor& a, const Tensor& b) { return maximum(a, b); },
       [](double a, double b) { return std::max(a, b); }},
      {"minimum", [](const Tensor& a, const Tensor& b) { return minimum(a, b); },
       [](double a, double b) { return std::min(a, b); }},
      {"eq", [](const Tensor& a, const Tensor& b) { return eq(a, b); },
       [](double a, double b) { return a == b ? 1.0 : 0.0; }},
      {"==", [](const Tensor& a, const Tensor& b) { return a == b; },
       [](double a, double b) { return a == b ? 1.0 : 0.0; }},
      {"ne", [](const Tensor& a, const Tensor& b) { return ne(a, b); },
       [](double a, double b) { return a != b ? 1.0 : 0.0; }},
      {"!=", [](const Tensor& a, const Tensor& b) { return a != b; },
       [](double a, double b) { return a != b ? 1.0 : 0.0; }},
      {"lt", [](const Tensor& a, const Tensor& b) { return lt(a, b); },
       [](double a, double b) { return a < b ? 1.0 : 0.0; }},
      {"<", [](const Tensor& a, const Tensor& b) { return a < b; },
       [](double a, double b) { return a < b ? 1.0 : 0.0; }},
      {"le", [](const Tensor& a, const Tensor& b) { return le(a, b); },
       [](double a, double b) { return a <= b ? 1.0 : 0.0; }},
      {"<=", [](const Tensor& a, const Tensor& b) { return a <= b; },
       [](double a, double b) { return a <= b ? 1.0 : 0.0; }},
      {"gt", [](const Tensor& a, const Tensor& b) { return gt(a, b); },
       [](double a, double b) { return a > b ? 1.0 : 0.0; }},
      {">", [](const Tensor& a, const Tensor& b) { return a > b; },
       [](double a, double b) { return a > b ? 1.0 : 0.0; }},
      {"ge", [](const Tensor& a, const Tensor& b) { return ge(a, b); },
       [](double a, double b) { return a >= b ? 1.0 : 0.0; }},
      {">=", [](const Tensor& a, const Tensor& b) { return a >= b; },
       [](double a, double b) { return a >= b ? 1.0 : 0.0; }},
  };
}

TEST(BinaryTest, HandWorkedValues) {
  const Tensor a = tensor({1, -2, 3, 4});
  const Tensor b = tensor({2, 2, -3, 0.5});
  EXPECT_THAT(values(a + b), ElementsAre(3, 0, 0, 4.5));
  EXPECT_THAT(values(a - b), ElementsAre(-1, -4, 6, 3.5));
  EXPECT_THAT(values(a * b), ElementsAre(2, -4, -9, 2));
  EXPECT_THAT(values(a / b), ElementsAre(0.5, -1, -1, 8));
  EXPECT_THAT(values(maximum(a, b)), ElementsAre(2, 2, 3, 4));
  EXPECT_THAT(values(minimum(a, b)), ElementsAre(1, -2, -3, 0.5));
  // A NaN on either side wins, as in NumPy.
  const Tensor with_nan = tensor({NAN, 1, NAN});
  const Tensor other = tensor({1, NAN, NAN});
  for (const Tensor& extreme : {maximum(with_nan, other), minimum(with_nan, other), maximum(other, with_nan)}) {
    for (float value : extreme.to_vector<float>()) EXPECT_TRUE(std::isnan(value));
  }
  EXPECT_THAT(values(a == b), ElementsAre(0, 0, 0, 0));
  EXPECT_THAT(values(a == a), ElementsAre(1, 1, 1, 1));
  EXPECT_THAT(values(a < b), ElementsAre(1, 1, 0, 0));
  EXPECT_THAT(values(a >= b), ElementsAre(0, 0, 1, 1));
  EXPECT_EQ((a < b).dtype(), kFloat32);
  EXPECT_THAT(values(pow(tensor({2, 9, 4}), tensor({3, 0.5, -1}))), ElementsAre(8, 3, 0.25));
  const Tensor z = tensor({1, -1, 0}) / tensor({0, 0, 0});
  EXPECT_EQ(values(z)[0], kInf);
  EXPECT_EQ(values(z)[1], -kInf);
  EXPECT_TRUE(std::isnan(values(z)[2]));
  EXPECT_THAT(values(tensor({kNaN, 1}) == tensor({kNaN, 1})), ElementsAre(0, 1));
  EXPECT_THAT(values(tensor({kNaN}) != tensor({kNaN})), ElementsAre(1));
}

TEST(BinaryTest, EveryOpOnEveryDType) {
  const std::vector<double> a = {-7, -3, 0, 2, 5, 7};
  const std::vector<double> b = {2, -3, 4, 2, -2, 3};
  for (const BinaryCase& c : binary_cases()) {
    for (DType dtype : {kFloat32, kFloat64, kInt64}) {
      SCOPED_TRACE(testing::Message() << c.name << " " << dtype);
      const Tensor ta = from_vector(a, {2, 3}).astype(dtype);
      const Tensor tb = from_vector(b, {2, 3}).astype(dtype);
      std::vector<double> expected;
      for (std::size_t i = 0; i < a.size(); ++i) {
        double e = c.expected(a[i], b[i]);
        if (dtype == kInt64) e = std::trunc(e);  // integer division truncates toward 0
        expected.push_back(e);
      }
      const Tensor result = c.op(ta, tb);
      EXPECT_EQ(result.dtype(), dtype);
      expect_close(result, {2, 3}, expected, dtype == kFloat32 ? 1e-7 : 0);
    }
  }
}

TEST(BinaryTest, Int64WrapsAroundOnOverflowAsNumPy) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  const Tensor a = from_vector(std::vector<std::int64_t>{kMax, kMin, kMax});
  const Tensor b = from_vector(std::vector<std::int64_t>{1, 1, 2});
  EXPECT_THAT((a + b).to_vector<std::int64_t>(), ElementsAre(kMin, kMin + 1, kMin + 1));
  EXPECT_THAT((a - b).to_vector<std::int64_t>(), ElementsAre(kMax - 1, kMax, kMax - 2));
  // kMax * 2 = 2^64 - 2, which is -2; kMin * 1 stays.
  EXPECT_THAT((a * b).to_vector<std::int64_t>(), ElementsAre(kMax, kMin, -2));
  EXPECT_THAT((a + 1.0).to_vector<std::int64_t>(), ElementsAre(kMin, kMin + 1, kMin));
  EXPECT_THAT((1.0 - a).to_vector<std::int64_t>(), ElementsAre(kMin + 2, kMin + 1, kMin + 2));
  EXPECT_THAT((b + -0x1p63).to_vector<std::int64_t>(), ElementsAre(kMin + 1, kMin + 1, kMin + 2));  // -2^63 is int64's
  // Broadcast rows take the strided path, and in place its own.
  const Tensor rows = a.reshape({3, 1}) + b.reshape({1, 3});
  EXPECT_THAT(rows.to_vector<std::int64_t>(),
              ElementsAre(kMin, kMin, kMin + 1, kMin + 1, kMin + 1, kMin + 2, kMin, kMin, kMin + 1));
  Tensor c = a.clone();
  c *= b;
  EXPECT_THAT(c.to_vector<std::int64_t>(), ElementsAre(kMax, kMin, -2));
  c -= 3.0;
  EXPECT_THAT(c.to_vector<std::int64_t>(), ElementsAre(kMax - 3, kMax - 2, -5));
}

TEST(BinaryTest, Int64StaysExactBeyondDoublePrecision) {
  // 2^60 + 1 has no double representation: any detour through double shows.
  const std::int64_t big = (std::int64_t{1} << 60) + 1;
  const Tensor a = from_vector(std::vector<std::int64_t>{big, -big});
  const Tensor b = from_vector(std::vector<std::int64_t>{2, 3});
  EXPECT_THAT((a + b).to_vector<std::int64_t>(), ElementsAre(big + 2, -big + 3));
  EXPECT_THAT((a - 1.0).to_vector<std::int64_t>(), ElementsAre(big - 1, -big - 1));
  EXPECT_THAT((a / b).to_vector<std::int64_t>(), ElementsAre(big / 2, -big / 3));
  EXPECT_THAT(maximum(a, b).to_vector<std::int64_t>(), ElementsAre(big, 3));
  EXPECT_THAT((a == a + b - b).to_vector<std::int64_t>(), ElementsAre(1, 1));
  EXPECT_THAT(neg(a).to_vector<std::int64_t>(), ElementsAre(-big, big));
  Tensor c = a.clone();
  c += b;
  EXPECT_THAT(c.to_vector<std::int64_t>(), ElementsAre(big + 2, -big + 3));
}

TEST(BinaryTest, Int64DivisionTruncatesTowardZero) {
  const Tensor a = tensor({7, -7, 7, -7, 0}, {5}, kInt64);
  const Tensor b = tensor({2, 2, -2, -2, 5}, {5}, kInt64);
  EXPECT_THAT((a / b).to_vector<std::int64_t>(), ElementsAre(3, -3, -3, 3, 0));
}

TEST(BinaryTest, Int64DivisionByZeroThrows) {
  const Tensor a = tensor({1, 2, 3}, {3}, kInt64);
  EXPECT_THAT(
      [&] {
        a / tensor({1, 0, 1}, {3}, kInt64);
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("div"), HasSubstr("zero"), HasSubstr("[3]"))));
  EXPECT_THAT([&] { a / 0.0; }, ThrowsMessage<Error>(AllOf(HasSubstr("div"), HasSubstr("zero"))));
  EXPECT_THAT([&] { 1.0 / tensor({0}, {1}, kInt64); }, ThrowsMessage<Error>(HasSubstr("zero")));
  Tensor c = a.clone();
  EXPECT_THAT([&] { c /= tensor({0}, {1}, kInt64); }, ThrowsMessage<Error>(HasSubstr("zero")));
  EXPECT_THAT(c.to_vector<std::int64_t>(), ElementsAre(1, 2, 3));
  // No element is divided: an empty result, as PyTorch's (its check is per element).
  EXPECT_THAT((zeros({0}, kInt64) / scalar(0, kInt64)).shape(), ElementsAre(0));
  EXPECT_THAT((zeros({2, 1}, kInt64) / zeros({0}, kInt64)).shape(), ElementsAre(2, 0));
}

TEST(BinaryTest, Int64DivisionOverflowThrows) {
  const std::int64_t lowest = std::numeric_limits<std::int64_t>::min();
  const Tensor a = from_vector(std::vector<std::int64_t>{lowest, 6});
  EXPECT_THAT((a / tensor({1, -1}, {2}, kInt64)).to_vector<std::int64_t>(), ElementsAre(lowest, -6));
  EXPECT_THAT([&] { a / tensor({-1}, {1}, kInt64); },
              ThrowsMessage<Error>(AllOf(HasSubstr("div"), HasSubstr("overflow"), HasSubstr("[2]"))));
}

TEST(BinaryTest, PowOnInt64Throws) {
  const Tensor i = tensor({1, 2}, {2}, kInt64);
  EXPECT_THAT([&] { pow(i, i); }, ThrowsMessage<Error>(AllOf(HasSubstr("pow"), HasSubstr("int64"), HasSubstr("[2]"))));
}

TEST(BinaryTest, DTypeMismatchNamesBothDTypesAndShapes) {
  EXPECT_THAT(
      [] {
        zeros({2}) + zeros({2, 1}, kFloat64);
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("add"), HasSubstr("float32 [2]"), HasSubstr("float64 [2, 1]"))));
  EXPECT_THAT([] { maximum(zeros({3}, kInt64), zeros({3})); },
              ThrowsMessage<Error>(AllOf(HasSubstr("maximum"), HasSubstr("int64"), HasSubstr("float32"))));
  Tensor x = zeros({2});
  EXPECT_THAT([&] { x += zeros({2}, kInt64); }, ThrowsMessage<Error>(HasSubstr("dtypes differ")));
}

TEST(BinaryTest, ShapeMismatchNamesOpAndShapes) {
  EXPECT_THAT(
      [] {
        zeros({2, 3}) * zeros({4});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("mul"), HasSubstr("[2, 3]"), HasSubstr("[4]"))));
  EXPECT_THAT([] { lt(zeros({2}), zeros({3})); },
              ThrowsMessage<Error>(AllOf(HasSubstr("lt"), HasSubstr("[2]"), HasSubstr("[3]"))));
}

TEST(BinaryTest, UndefinedOperandThrows) {
  EXPECT_THAT([] { Tensor() + zeros({1}); }, ThrowsMessage<Error>(AllOf(HasSubstr("add"), HasSubstr("undefined"))));
  EXPECT_THAT([] { Tensor() * 2.0; }, ThrowsMessage<Error>(HasSubstr("undefined")));
  EXPECT_THAT([] { relu(Tensor()); }, ThrowsMessage<Error>(AllOf(HasSubstr("relu"), HasSubstr("undefined"))));
}

// ---- Scalar operands. ----

TEST(ScalarTest, BothSides) {
  const Tensor x = tensor({1, 2, 4});
  EXPECT_THAT(values(x + 1.0), ElementsAre(2, 3, 5));
  EXPECT_THAT(values(1.0 + x), ElementsAre(2, 3, 5));
  EXPECT_THAT(values(x - 1.0), ElementsAre(0, 1, 3));
  EXPECT_THAT(values(10.0 - x), ElementsAre(9, 8, 6));
  EXPECT_THAT(values(x * 3.0), ElementsAre(3, 6, 12));
  EXPECT_THAT(values(3.0 * x), ElementsAre(3, 6, 12));
  EXPECT_THAT(values(x / 2.0), ElementsAre(0.5, 1, 2));
  EXPECT_THAT(values(8.0 / x), ElementsAre(8, 4, 2));
  EXPECT_THAT(values(x == 2.0), ElementsAre(0, 1, 0));
  EXPECT_THAT(values(x != 2.0), ElementsAre(1, 0, 1));
  EXPECT_THAT(values(x < 2.0), ElementsAre(1, 0, 0));
  EXPECT_THAT(values(x <= 2.0), ElementsAre(1, 1, 0));
  EXPECT_THAT(values(x > 2.0), ElementsAre(0, 0, 1));
  EXPECT_THAT(values(x >= 2.0), ElementsAre(0, 1, 1));
  EXPECT_EQ((x * 2.0).dtype(), kFloat32);
  EXPECT_EQ((tensor({1}, {1}, kFloat64) * 2.0).dtype(), kFloat64);
}

TEST(ScalarTest, Int64TensorsTakeIntegerScalars) {
  const Tensor i = tensor({1, 2, 7}, {3}, kInt64);
  EXPECT_EQ((i + 1.0).dtype(), kInt64);
  EXPECT_THAT((i * 3.0).to_vector<std::int64_t>(), ElementsAre(3, 6, 21));
  EXPECT_THAT((i / 2.0).to_vector<std::int64_t>(), ElementsAre(0, 1, 3));
  EXPECT_THAT((7.0 - i).to_vector<std::int64_t>(), ElementsAre(6, 5, 0));
}

TEST(ScalarTest, Int64TensorsRejectFractionalScalars) {
  // A scalar that int64 cannot hold would silently become another number.
  const Tensor i = tensor({1, 2, 7}, {3}, kInt64);
  EXPECT_THAT([&] { i * 0.5; }, ThrowsMessage<Error>(AllOf(HasSubstr("mul"), HasSubstr("0.5"), HasSubstr("[3]"))));
  EXPECT_THAT([&] { 1.5 + i; }, ThrowsMessage<Error>(AllOf(HasSubstr("add"), HasSubstr("1.5"))));
  EXPECT_THAT([&] { i < kNaN; }, ThrowsMessage<Error>(HasSubstr("lt")));
  Tensor j = i.clone();
  EXPECT_THAT([&] { j *= 0.5; }, ThrowsMessage<Error>(HasSubstr("mul")));
  EXPECT_THAT(j.to_vector<std::int64_t>(), ElementsAre(1, 2, 7));
}

// ---- In place. ----

TEST(InPlaceTest, AllFourOpsWithTensorsAndScalars) {
  Tensor x = tensor({1, 2, 3});
  x += tensor({1, 1, 1});
  EXPECT_THAT(values(x), ElementsAre(2, 3, 4));
  x -= tensor({0.5, 0.5, 0.5});
  EXPECT_THAT(values(x), ElementsAre(1.5, 2.5, 3.5));
  x *= tensor({2, 2, 2});
  EXPECT_THAT(values(x), ElementsAre(3, 5, 7));
  x /= tensor({2, 4, 8});
  EXPECT_THAT(values(x), ElementsAre(1.5, 1.25, 0.875));
  x += 1.0;
  x -= 0.5;
  x *= 4.0;
  x /= 2.0;
  EXPECT_THAT(values(x), ElementsAre(4, 3.5, 2.75));
  Tensor& same = (x += 1.0);
  EXPECT_EQ(&same, &x);
  Tensor i = tensor({10, 20}, {2}, kInt64);
  i /= 3.0;
  EXPECT_THAT(i.to_vector<std::int64_t>(), ElementsAre(3, 6));
}

TEST(InPlaceTest, KeepsStorageAndWritesThroughViews) {
  Tensor x = zeros({2, 3});
  const Tensor alias = x;
  x += tensor({1, 2, 3});  // broadcast rhs
  EXPECT_TRUE(x.shares_storage_with(alias));
  EXPECT_THAT(values(alias), ElementsAre(1, 2, 3, 1, 2, 3));
  Tensor column = x.select(1, 1);  // non-contiguous view
  column *= tensor({10, 100});
  EXPECT_THAT(values(x), ElementsAre(1, 20, 3, 1, 200, 3));
  Tensor t = x.transpose(0, 1);
  t -= tensor({1, 2}, {1, 2});
  EXPECT_THAT(values(x), ElementsAre(0, 19, 2, -1, 198, 1));
  Tensor s = scalar(2);
  s *= scalar(3);
  EXPECT_EQ(s.item(), 6);
}

TEST(InPlaceTest, DenseViewWithAnOffset) {
  Tensor x = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor row = x.select(0, 1);  // dense, offset 3
  row += tensor({10, 20, 30});
  row *= 2.0;
  EXPECT_THAT(values(x), ElementsAre(1, 2, 3, 28, 50, 72));
  EXPECT_THAT(values(x.select(0, 1) - x.select(0, 0)), ElementsAre(27, 48, 69));
}

TEST(InPlaceTest, AliasingWithAViewOfItself) {
  Tensor x = tensor({1, 2, 3, 4}, {2, 2});
  x += x.transpose(0, 1);
  EXPECT_THAT(values(x), ElementsAre(2, 5, 5, 8));
  Tensor y = tensor({1, 2});
  y *= y;
  EXPECT_THAT(values(y), ElementsAre(1, 4));
  // Every element of the result must use the old values, as in NumPy.
  Tensor z = tensor({0, 1, 2, 3});
  Tensor tail = z.slice(0, 1, 4);
  tail += z.slice(0, 0, 3);
  EXPECT_THAT(values(z), ElementsAre(0, 1, 3, 5));
  Tensor w = tensor({1, 2, 3, 4}, {2, 2});
  w -= w.select(0, 0);  // broadcast row 0 of itself
  EXPECT_THAT(values(w), ElementsAre(0, 0, 2, 2));
  Tensor v = tensor({1, 2, 3, 4});
  Tensor head = v.slice(0, 0, 2);
  head /= v.slice(0, 2, 4);
  EXPECT_THAT(values(v), ElementsAre(1.0f / 3.0f, 0.5, 3, 4));
}

TEST(InPlaceTest, ResultShapeMustBeTheTargetShape) {
  Tensor x = zeros({3});
  EXPECT_THAT(
      [&] {
        x += zeros({2, 3});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("add"), HasSubstr("[2, 3]"), HasSubstr("[3]"))));
  EXPECT_THAT([&] { x *= zeros({2}); },
              ThrowsMessage<Error>(AllOf(HasSubstr("mul"), HasSubstr("[3]"), HasSubstr("[2]"))));
  Tensor s = scalar(1);
  EXPECT_THAT([&] { s -= zeros({1}); }, ThrowsMessage<Error>(AllOf(HasSubstr("sub"), HasSubstr("[1]"))));
  EXPECT_THAT(values(x), ElementsAre(0, 0, 0));
}

TEST(InPlaceTest, ZeroSizeTargetIsANoOp) {
  Tensor x = zeros({0, 3});
  x += tensor({1, 2, 3});
  EXPECT_THAT(x.shape(), ElementsAre(0, 3));
}

// ---- Broadcasting. ----

void check_broadcast_pair(const Shape& shape_a, const Shape& shape_b, std::uint32_t seed) {
  SCOPED_TRACE(testing::Message() << "a " << ::testing::PrintToString(shape_a) << " b "
                                  << ::testing::PrintToString(shape_b));
  const std::vector<double> a = random_values(numel(shape_a), seed);
  // Keep divisors and pow bases away from 0.
  std::vector<double> b = random_values(numel(shape_b), seed + 1, 0.5, 2);
  const Tensor ta = from_vector(a, shape_a).astype(kFloat32);
  const Tensor tb = from_vector(b, shape_b).astype(kFloat32);
  for (const BinaryCase& c : binary_cases()) {
    SCOPED_TRACE(c.name);
    const Expected ab = reference_binary(shape_a, a, shape_b, b, c.expected);
    expect_close(c.op(ta, tb), ab.shape, ab.data, 1e-6);
    const Expected ba = reference_binary(shape_b, b, shape_a, a, c.expected);
    expect_close(c.op(tb, ta), ba.shape, ba.data, 1e-6);
  }
  const Expected p = reference_binary(shape_b, b, shape_a, a, [](double x, double y) { return std::pow(x, y); });
  expect_close(pow(tb, ta), p.shape, p.data, 1e-5);
}

TEST(BroadcastTest, TinygradPairs) {
  check_broadcast_pair({45, 65}, {45, 1}, 10);
  check_broadcast_pair({45, 65}, {}, 11);
  check_broadcast_pair({5, 3, 14, 16}, {5, 1, 14, 1}, 12);
}

TEST(BroadcastTest, SizeOneDimensionsAndRankDifferences) {
  check_broadcast_pair({3, 1}, {1, 4}, 20);
  check_broadcast_pair({2, 3, 4}, {4}, 21);
  check_broadcast_pair({2, 3, 4}, {3, 1}, 22);
  check_broadcast_pair({2, 1, 4}, {3, 1}, 23);
  check_broadcast_pair({1, 1, 1}, {2, 3}, 24);
  check_broadcast_pair({7}, {1}, 25);
  check_broadcast_pair({1}, {}, 26);
}

TEST(BroadcastTest, ScalarOperands) {
  check_broadcast_pair({}, {}, 30);
  check_broadcast_pair({2, 3}, {}, 31);
  const Tensor s = scalar(2) * scalar(3);
  EXPECT_THAT(s.shape(), IsEmpty());
  EXPECT_EQ(s.item(), 6);
  EXPECT_THAT((scalar(1) + zeros({1, 1})).shape(), ElementsAre(1, 1));
}

TEST(BroadcastTest, ZeroSizeDimensions) {
  EXPECT_THAT((zeros({0, 3}) + zeros({3})).shape(), ElementsAre(0, 3));
  EXPECT_THAT((zeros({2, 0}) + zeros({2, 1})).shape(), ElementsAre(2, 0));
  EXPECT_THAT((zeros({0}) * scalar(2)).shape(), ElementsAre(0));
  EXPECT_THAT((zeros({1, 0}) < zeros({5, 1})).shape(), ElementsAre(5, 0));
  EXPECT_THAT(values(zeros({0}) - zeros({0})), IsEmpty());
  EXPECT_THAT([] { zeros({0}) + zeros({2}); },
              ThrowsMessage<Error>(AllOf(HasSubstr("add"), HasSubstr("[0]"), HasSubstr("[2]"))));
}

TEST(BroadcastTest, NonContiguousOperands) {
  // a is a transposed [4, 3] -> [3, 4]; b takes every other column of [3, 8].
  const std::vector<double> base_a = random_values(12, 40);
  const std::vector<double> base_b = random_values(24, 41, 0.5, 2);
  const Tensor a = from_vector(base_a, {4, 3}).transpose(0, 1);
  const Tensor b = from_vector(base_b, {3, 8}).slice(1, 1, 8, 2);
  ASSERT_FALSE(a.is_contiguous());
  ASSERT_FALSE(b.is_contiguous());
  for (const BinaryCase& c : binary_cases()) {
    SCOPED_TRACE(c.name);
    std::vector<double> expected;
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 4; ++j) expected.push_back(c.expected(base_a[j * 3 + i], base_b[i * 8 + 1 + 2 * j]));
    }
    expect_close(c.op(a, b), {3, 4}, expected, 1e-15);
    // A non-contiguous row broadcast against the transposed matrix.
    const Tensor row = b.select(0, 2);  // stride 2
    std::vector<double> expected_row;
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 4; ++j) expected_row.push_back(c.expected(base_a[j * 3 + i], base_b[16 + 1 + 2 * j]));
    }
    expect_close(c.op(a, row), {3, 4}, expected_row, 1e-15);
  }
}

TEST(BroadcastTest, LargeTensorsRunInParallel) {
  const std::int64_t rows = 300, cols = 400;  // 120000 > 1 << 16 elements
  const std::vector<double> a = random_values(rows * cols, 50);
  const std::vector<double> bias = random_values(cols, 51);
  const std::vector<double> column = random_values(rows, 52, 0.5, 2);
  const Tensor ta = from_vector(a, {rows, cols}).astype(kFloat32);
  const Tensor tb = from_vector(bias, {cols}).astype(kFloat32);
  const Tensor tc = from_vector(column, {rows, 1}).astype(kFloat32);
  const std::vector<float> sum = (ta + tb).to_vector<float>();
  const std::vector<float> quotient = (ta / tc).to_vector<float>();
  const std::vector<float> mask = (ta > 0.25).to_vector<float>();
  // The transposed operand reads the same storage in another order.
  const Tensor tt = from_vector(a, {cols, rows}).astype(kFloat32).transpose(0, 1);
  const std::vector<float> product = (ta * tt).to_vector<float>();
  for (std::int64_t i = 0; i < rows; ++i) {
    for (std::int64_t j = 0; j < cols; ++j) {
      const std::size_t k = static_cast<std::size_t>(i * cols + j);
      ASSERT_EQ(sum[k], static_cast<float>(static_cast<float>(a[k]) + static_cast<float>(bias[j]))) << i << "," << j;
      ASSERT_EQ(quotient[k], static_cast<float>(a[k]) / static_cast<float>(column[i])) << i << "," << j;
      ASSERT_EQ(mask[k], a[k] > 0.25 ? 1.0f : 0.0f);
      ASSERT_EQ(product[k], static_cast<float>(a[k]) * static_cast<float>(a[j * rows + i])) << i << "," << j;
    }
  }
  // In place, on a large tensor and on a large view of itself.
  Tensor big = ta.clone();
  big += tb;
  EXPECT_EQ(big.to_vector<float>(), sum);
  Tensor square_matrix = from_vector(random_values(400 * 400, 53), {400, 400});
  const std::vector<double> before = square_matrix.to_vector<double>();
  square_matrix += square_matrix.transpose(0, 1);
  const std::vector<double> after = square_matrix.to_vector<double>();
  for (std::int64_t i = 0; i < 400; ++i) {
    for (std::int64_t j = 0; j < 400; ++j) ASSERT_EQ(after[i * 400 + j], before[i * 400 + j] + before[j * 400 + i]);
  }
}

// ---- Random views: every layout the strided loop may meet. ----

// The logical elements of `view`, read from the dense `base` data it views
// through its own shape, strides and offset (not through nabla's copies).
std::vector<double> read_view(const std::vector<double>& base, const Tensor& view) {
  std::vector<double> out;
  const Shape& shape = view.shape();
  std::vector<std::int64_t> index(shape.size(), 0);
  for (std::int64_t n = 0; n < view.numel(); ++n) {
    std::int64_t at = view.offset();
    for (std::size_t d = 0; d < shape.size(); ++d) at += index[d] * view.strides()[d];
    out.push_back(base[at]);
    for (std::size_t d = shape.size(); d-- > 0 && ++index[d] == shape[d];) index[d] = 0;
  }
  return out;
}

// Positions in `base` of the logical elements of `view`.
std::vector<std::int64_t> view_positions(const Tensor& view) {
  std::vector<std::int64_t> out;
  const Shape& shape = view.shape();
  std::vector<std::int64_t> index(shape.size(), 0);
  for (std::int64_t n = 0; n < view.numel(); ++n) {
    std::int64_t at = view.offset();
    for (std::size_t d = 0; d < shape.size(); ++d) at += index[d] * view.strides()[d];
    out.push_back(at);
    for (std::size_t d = shape.size(); d-- > 0 && ++index[d] == shape[d];) index[d] = 0;
  }
  return out;
}

// A random view of a dense base: permuted, sliced with steps, maybe with a
// unit axis inserted.
Tensor random_view(std::mt19937& engine, const Tensor& base_tensor) {
  Tensor view = base_tensor;
  std::vector<std::int64_t> order(static_cast<std::size_t>(view.rank()));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::int64_t>(i);
  std::shuffle(order.begin(), order.end(), engine);
  view = view.permute(order);
  for (int axis = 0; axis < view.rank(); ++axis) {
    if (engine() % 2 == 0) continue;
    const std::int64_t size = view.dim(axis);
    const auto start = static_cast<std::int64_t>(engine() % static_cast<std::uint32_t>(size));
    view = view.slice(axis, start, size, 1 + static_cast<std::int64_t>(engine() % 2));
  }
  if (engine() % 3 == 0) view = view.unsqueeze(static_cast<std::int64_t>(engine() % (view.rank() + 1)));
  return view;
}

TEST(RandomLayoutTest, BinaryOpsAndInPlaceOpsMatchAnIndexLoop) {
  std::mt19937 engine(2024);
  for (int trial = 0; trial < 300; ++trial) {
    SCOPED_TRACE(trial);
    // Operand a: a random view of a random dense base.
    Shape base_shape;
    const int rank = 1 + static_cast<int>(engine() % 4);
    for (int d = 0; d < rank; ++d) base_shape.push_back(1 + static_cast<std::int64_t>(engine() % 5));
    const std::vector<double> base = random_values(numel(base_shape), engine());
    const Tensor base_tensor = from_vector(base, base_shape);
    Tensor a = random_view(engine, base_tensor);
    // Operand b: a shape that broadcasts to a's, laid out as a permuted view.
    Shape b_shape;
    const int drop = static_cast<int>(engine() % (a.rank() + 1));
    for (int d = drop; d < a.rank(); ++d) b_shape.push_back(engine() % 3 == 0 ? 1 : a.dim(d));
    const std::vector<double> b_data = random_values(numel(b_shape), engine(), 0.5, 2);
    std::vector<std::int64_t> order(b_shape.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::int64_t>(i);
    std::shuffle(order.begin(), order.end(), engine);
    Shape permuted(b_shape.size());
    std::vector<std::int64_t> inverse(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      permuted[i] = b_shape[order[i]];
      inverse[order[i]] = static_cast<std::int64_t>(i);
    }
    // Store b's elements where the permuted view will read them.
    std::vector<double> permuted_data(b_data.size());
    const std::vector<std::int64_t> b_positions = view_positions(zeros(permuted, kFloat64).permute(inverse));
    for (std::size_t i = 0; i < b_positions.size(); ++i) permuted_data[b_positions[i]] = b_data[i];
    const Tensor b = from_vector(permuted_data, permuted).permute(inverse);
    ASSERT_EQ(b.shape(), b_shape);

    const std::vector<double> a_values = read_view(base, a);
    for (const BinaryCase& c : binary_cases()) {
      SCOPED_TRACE(c.name);
      const Expected e = reference_binary(a.shape(), a_values, b_shape, b_data, c.expected);
      expect_close(c.op(a, b), e.shape, e.data, 1e-15);
    }

    // In place through the view: exactly the viewed elements of the base change.
    const std::vector<std::int64_t> a_positions = view_positions(a);
    const Expected sum = reference_binary(a.shape(), a_values, b_shape, b_data, std::plus<double>());
    std::vector<double> expected_base = base;
    for (std::size_t i = 0; i < a_positions.size(); ++i) expected_base[a_positions[i]] = sum.data[i];
    a += b;
    ASSERT_EQ(base_tensor.to_vector<double>(), expected_base);

    // In place from a broadcast view of the target itself: its first entry
    // along the last axis must be read before it is overwritten.
    const Tensor first = a.slice(-1, 0, 1);
    const std::vector<double> current = read_view(expected_base, a);
    const Expected doubled =
        reference_binary(a.shape(), current, first.shape(), read_view(expected_base, first), std::multiplies<double>());
    for (std::size_t i = 0; i < a_positions.size(); ++i) expected_base[a_positions[i]] = doubled.data[i];
    a *= first;
    ASSERT_EQ(base_tensor.to_vector<double>(), expected_base);
  }
}

}  // namespace
}  // namespace nabla
