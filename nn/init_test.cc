#include "nn/init.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "tensor/ops.h"

namespace nabla::nn::init {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

struct Stats {
  double mean = 0;
  double stddev = 0;
  double min = 0;
  double max = 0;
};

Stats stats(const Tensor& t) {
  const std::vector<double> values = t.to_vector<double>();
  Stats s;
  s.min = *std::min_element(values.begin(), values.end());
  s.max = *std::max_element(values.begin(), values.end());
  for (double v : values) s.mean += v;
  s.mean /= static_cast<double>(values.size());
  for (double v : values) s.stddev += (v - s.mean) * (v - s.mean);
  s.stddev = std::sqrt(s.stddev / static_cast<double>(values.size()));
  return s;
}

// With n >= 100,000 samples the sample mean is within 5·σ/√n and the sample
// std within a few per cent of the true ones.
void expect_uniform(const Tensor& t, double low, double high) {
  const Stats s = stats(t);
  const double sigma = (high - low) / std::sqrt(12.0);
  EXPECT_GE(s.min, low);
  EXPECT_LT(s.max, high);
  EXPECT_LT(s.min, low + 0.01 * (high - low));  // the range is used up to its ends
  EXPECT_GT(s.max, high - 0.01 * (high - low));
  EXPECT_NEAR(s.mean, (low + high) / 2, 5 * sigma / std::sqrt(static_cast<double>(t.numel())));
  EXPECT_NEAR(s.stddev, sigma, 0.02 * sigma);
}

void expect_normal(const Tensor& t, double mean, double stddev) {
  const Stats s = stats(t);
  EXPECT_NEAR(s.mean, mean, 5 * stddev / std::sqrt(static_cast<double>(t.numel())));
  EXPECT_NEAR(s.stddev, stddev, 0.02 * stddev);
}

TEST(Fans, DenseAndConvLayouts) {
  // Dense [in, out]: fan_in = in, fan_out = out.
  EXPECT_EQ(fans({784, 256}).fan_in, 784);
  EXPECT_EQ(fans({784, 256}).fan_out, 256);
  // Conv2d [out 64, in 3, 3, 3]: receptive 9, fan_in = 3·9 = 27, fan_out = 64·9 = 576.
  EXPECT_EQ(fans({64, 3, 3, 3}).fan_in, 27);
  EXPECT_EQ(fans({64, 3, 3, 3}).fan_out, 576);
  // Conv1d [out 8, in 4, 5]: fan_in = 20, fan_out = 40.
  EXPECT_EQ(fans({8, 4, 5}).fan_in, 20);
  EXPECT_EQ(fans({8, 4, 5}).fan_out, 40);
  // A rank-2 weight in PyTorch's Linear layout [out 10, in 20].
  EXPECT_EQ(fans({10, 20}, WeightLayout::kConv).fan_in, 20);
  EXPECT_EQ(fans({10, 20}, WeightLayout::kConv).fan_out, 10);
  EXPECT_EQ(fans({10, 20}, WeightLayout::kDense).fan_in, 10);
}

TEST(Fans, Errors) {
  EXPECT_THAT([] { fans({5}); }, ThrowsMessage<Error>(AllOf(HasSubstr("fans"), HasSubstr("[5]"))));
  EXPECT_THAT([] { fans({2, 3, 4}, WeightLayout::kDense); },
              ThrowsMessage<Error>(AllOf(HasSubstr("[in_features, out_features]"), HasSubstr("[2, 3, 4]"))));
  const std::int64_t big = std::int64_t{1} << 40;
  EXPECT_THAT([&] { fans({big, big, big}); },
              ThrowsMessage<Error>(HasSubstr("fans: the fans of shape [1099511627776, 1099511627776, 1099511627776] "
                                             "overflow int64")));
  Generator gen(0);
  // fan_out 2^63 - 2^32 fits, fan_in + fan_out does not (a view of one zero, never written).
  Tensor huge = zeros({1, 1, 1}).broadcast_to({(std::int64_t{1} << 31) - 1, 1, std::int64_t{1} << 32});
  EXPECT_THAT([&] { xavier_uniform_(huge, gen); },
              ThrowsMessage<Error>(HasSubstr("xavier_uniform_: fan_in + fan_out of shape [2147483647, 1, "
                                             "4294967296] overflows int64")));
  EXPECT_THAT([&] { xavier_uniform({7}, gen); },
              ThrowsMessage<Error>(AllOf(HasSubstr("xavier_uniform_"), HasSubstr("[7]"))));
}

TEST(CalculateGain, MatchesTorchTable) {
  // torch.nn.init.calculate_gain: linear/sigmoid 1, tanh 5/3, relu √2,
  // leaky_relu √(2 / (1 + slope²)) with slope 0.01 by default, selu 3/4.
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::kLinear), 1.0);
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::kSigmoid), 1.0);
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::kTanh), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::kRelu), 1.4142135623730951);
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::kLeakyRelu), 1.4141428569978354);  // √(2 / 1.0001)
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::kLeakyRelu, 0.2), 1.3867504905630728);  // √(2 / 1.04)
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::kLeakyRelu, 0.0), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::kSelu), 0.75);
  EXPECT_THAT([] { calculate_gain(Nonlinearity::kLeakyRelu, std::nan("")); },
              ThrowsMessage<Error>(HasSubstr("calculate_gain: leaky_relu's negative_slope must be finite, got nan")));
}

TEST(Constant, FillsInPlaceThroughViews) {
  Tensor t = full({3, 4}, 7.0);
  Tensor column = t.slice(1, 1, 2);
  zeros_(column);
  EXPECT_EQ(t.to_vector<double>(), (std::vector<double>{7, 0, 7, 7, 7, 0, 7, 7, 7, 0, 7, 7}));
  ones_(t);
  EXPECT_EQ(stats(t).min, 1.0);
  EXPECT_EQ(stats(t).max, 1.0);
  EXPECT_EQ(constant_(t, 2.5).to_vector<double>(), std::vector<double>(12, 2.5));
}

TEST(Uniform, Statistics) {
  Generator gen(1);
  Tensor f32 = empty({400, 500});
  expect_uniform(uniform_(f32, -2.0, 3.0, gen), -2.0, 3.0);
  Tensor t = empty({1000, 100}, kFloat64);
  expect_uniform(uniform_(t, 0.5, 1.0, gen), 0.5, 1.0);
  EXPECT_THAT([&] { uniform_(t, 1.0, 0.0, gen); },
              ThrowsMessage<Error>(AllOf(HasSubstr("uniform_"), HasSubstr("[1000, 100]"))));
}

TEST(Normal, Statistics) {
  Generator gen(2);
  Tensor f32 = empty({400, 500});
  expect_normal(normal_(f32, 1.5, 0.3, gen), 1.5, 0.3);
  Tensor t = empty({1000, 100}, kFloat64);
  expect_normal(normal_(t, -1.0, 2.0, gen), -1.0, 2.0);
  EXPECT_THAT([&] { normal_(t, 0.0, -1.0, gen); }, ThrowsMessage<Error>(HasSubstr("normal_: stddev")));
}

TEST(Xavier, UniformBoundAndNormalStd) {
  // Dense [400, 600]: fan_in + fan_out = 1000, bound = √(6 / 1000) = 0.0774596669,
  // std = √(2 / 1000) = 0.0447213595.
  Generator gen(3);
  expect_uniform(xavier_uniform({400, 600}, gen), -0.0774596669, 0.0774596669);
  expect_normal(xavier_normal({400, 600}, gen), 0.0, 0.0447213595);
  // gain 5/3 (tanh) scales both.
  const double tanh = calculate_gain(Nonlinearity::kTanh);
  expect_uniform(xavier_uniform({400, 600}, gen, tanh), -tanh * 0.0774596669, tanh * 0.0774596669);
  // Conv [32, 16, 5, 5]: fan_in = 400, fan_out = 800, std = √(2 / 1200) = 0.0408248290.
  Tensor conv = empty({32, 16, 5, 5});
  expect_normal(xavier_normal_(conv, gen), 0.0, 0.0408248290);
}

TEST(Kaiming, UniformAndNormalByModeAndNonlinearity) {
  Generator gen(4);
  // Dense [500, 300], relu, fan_in 500: std = √2 / √500 = 0.0632455532, bound √3·std = 0.1095445115.
  expect_uniform(kaiming_uniform({500, 300}, gen), -0.1095445115, 0.1095445115);
  // fan_out 300: std = √2 / √300 = 0.0816496581.
  KaimingOptions fan_out;
  fan_out.mode = FanMode::kFanOut;
  expect_normal(kaiming_normal({500, 300}, gen, fan_out), 0.0, 0.0816496581);
  // Conv [64, 32, 3, 3]: fan_in = 288, std = √2 / √288 = 1/12.
  expect_normal(kaiming_normal({64, 32, 3, 3}, gen), 0.0, 1.0 / 12);
  // leaky_relu 0.2: gain √(2 / 1.04) = 1.3867504906, std = gain / √500 = 0.0620173673.
  KaimingOptions leaky;
  leaky.nonlinearity = Nonlinearity::kLeakyRelu;
  leaky.negative_slope = 0.2;
  expect_normal(kaiming_normal({500, 300}, gen, leaky), 0.0, 0.0620173673);
  // linear on PyTorch's Linear layout [out 300, in 500]: std = 1 / √500 = 0.0447213595.
  KaimingOptions linear;
  linear.nonlinearity = Nonlinearity::kLinear;
  linear.layout = WeightLayout::kConv;
  expect_normal(kaiming_normal({300, 500}, gen, linear), 0.0, 0.0447213595);
}

TEST(Initialisers, DeterministicPerSeed) {
  Generator a(42), b(42), c(43);
  EXPECT_EQ(kaiming_uniform({20, 30}, a).to_vector<float>(), kaiming_uniform({20, 30}, b).to_vector<float>());
  EXPECT_NE(kaiming_uniform({20, 30}, a).to_vector<float>(), kaiming_uniform({20, 30}, c).to_vector<float>());
  Generator d(7), e(7);
  EXPECT_EQ(orthogonal({5, 8}, d, 1.0, kFloat64).to_vector<double>(),
            orthogonal({5, 8}, e, 1.0, kFloat64).to_vector<double>());
  EXPECT_EQ(xavier_normal({6, 6}, d).to_vector<float>(), xavier_normal({6, 6}, e).to_vector<float>());
}

TEST(Initialisers, RejectIntegerTensorsAndSkipEmptyOnes) {
  Generator gen(5);
  Tensor ints = zeros({3, 3}, kInt64);
  EXPECT_THAT([&] { kaiming_normal_(ints, gen); },
              ThrowsMessage<Error>(AllOf(HasSubstr("kaiming_normal_"), HasSubstr("int64"), HasSubstr("[3, 3]"))));
  EXPECT_THAT([&] { constant_(ints, 1); }, ThrowsMessage<Error>(HasSubstr("constant_")));
  Tensor none = empty({0, 4});
  EXPECT_NO_THROW(xavier_uniform_(none, gen));
  EXPECT_NO_THROW(orthogonal_(none, gen));
  // Empty before any fan is taken: [0, 5]'s fan_in is 0, [0, 0]'s sum too.
  Tensor no_inputs = empty({0, 5});
  EXPECT_NO_THROW(kaiming_uniform_(no_inputs, gen));
  EXPECT_NO_THROW(kaiming_normal_(no_inputs, gen));
  Tensor nothing = empty({0, 0});
  EXPECT_NO_THROW(xavier_normal_(nothing, gen));
}

// Q with orthonormal columns: ‖QᵀQ - gain²·I‖∞ below tol.
void expect_orthonormal_columns(const Tensor& q, double gain, double tol) {
  const Tensor gram = matmul(q.transpose(0, 1), q);
  const std::int64_t n = gram.dim(0);
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      EXPECT_NEAR(gram.at({i, j}), i == j ? gain * gain : 0.0, tol) << "(" << i << ", " << j << ")";
    }
  }
}

TEST(Orthogonal, ColumnsOrRowsAreOrthonormal) {
  Generator gen(6);
  expect_orthonormal_columns(orthogonal({6, 4}, gen, 1.0, kFloat64), 1.0, 1e-12);  // tall: QᵀQ = I
  expect_orthonormal_columns(orthogonal({4, 6}, gen, 1.0, kFloat64).transpose(0, 1), 1.0, 1e-12);  // wide: QQᵀ = I
  expect_orthonormal_columns(orthogonal({16, 16}, gen), 1.0, 1e-5);                                 // float32
  expect_orthonormal_columns(orthogonal({5, 5}, gen, 2.0, kFloat64), 2.0, 1e-12);                   // gain²·I
  // A conv weight [4, 2, 3] is viewed as [4, 6]: its 4 rows are orthonormal.
  Tensor conv = empty({4, 2, 3}, kFloat64);
  orthogonal_(conv, gen);
  expect_orthonormal_columns(conv.reshape({4, 6}).transpose(0, 1), 1.0, 1e-12);
  EXPECT_THAT([&] { orthogonal({3}, gen); }, ThrowsMessage<Error>(AllOf(HasSubstr("orthogonal_"), HasSubstr("[3]"))));
}

TEST(Orthogonal, SignCorrectedLikePyTorch) {
  // orthogonal_ draws A ~ N(0, 1) [rows, cols] from the generator and returns
  // Q of A = QR with diag(R) > 0 (PyTorch's q *= sign(diag(r))). Redrawing A
  // from the same seed, R = QᵀA must be upper triangular with a positive diagonal.
  for (const Shape& shape : {Shape{7, 3}, Shape{5, 5}}) {
    Generator gen(8), same(8);
    const Tensor q = orthogonal(shape, gen, 1.0, kFloat64);
    const Tensor a = nabla::normal(shape, 0.0, 1.0, same, kFloat64);
    const Tensor r = matmul(q.transpose(0, 1), a);
    for (std::int64_t i = 0; i < r.dim(0); ++i) {
      EXPECT_GT(r.at({i, i}), 0.0);
      for (std::int64_t j = 0; j < i; ++j) EXPECT_NEAR(r.at({i, j}), 0.0, 1e-12);
    }
  }
}

}  // namespace
}  // namespace nabla::nn::init
