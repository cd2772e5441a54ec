#include "kernels/batch_norm.h"

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

TEST(BatchNormTest, TrainingStatisticsByHand) {
  // Channel 0: 1, 2, 3, 4 (mean 2.5, var 1.25); channel 1: 10, 20, 30, 40.
  const Tensor x = tensor({1, 10, 2, 20, 3, 30, 4, 40}, {4, 2}, kFloat64);
  const BatchNormForward r = batch_norm_training(x, tensor({2, 1}, {2}, kFloat64), tensor({0, 1}, {2}, kFloat64), 0);
  EXPECT_EQ(r.mean.to_vector<double>(), (std::vector<double>{2.5, 25}));
  EXPECT_EQ(r.var.to_vector<double>(), (std::vector<double>{1.25, 125}));
  expect_close(r.invstd, tensor({1 / std::sqrt(1.25), 1 / std::sqrt(125.0)}, {2}, kFloat64), 1e-15);
  const double a = 1.5 / std::sqrt(1.25), b = 0.5 / std::sqrt(1.25);
  expect_close(r.output, tensor({-2 * a, 1 - a, -2 * b, 1 - b, 2 * b, 1 + b, 2 * a, 1 + a}, {4, 2}, kFloat64), 1e-15);
}

TEST(BatchNormTest, TrainingOverNchwWithEps) {
  // [N=2, C=2, 1, 2]: channel 0 holds 0, 2, 4, 6; channel 1 is constant.
  const Tensor x = tensor({0, 2, 5, 5, 4, 6, 5, 5}, {2, 2, 1, 2});
  const BatchNormForward r = batch_norm_training(x, Tensor(), Tensor(), 1e-5);
  EXPECT_EQ(r.output.dtype(), kFloat32);
  EXPECT_EQ(r.mean.to_vector<float>(), (std::vector<float>{3, 5}));
  EXPECT_EQ(r.var.to_vector<float>(), (std::vector<float>{5, 0}));
  const double s = 1 / std::sqrt(5 + 1e-5);
  expect_close(r.output, tensor({-3 * s, -1 * s, 0, 0, 1 * s, 3 * s, 0, 0}, {2, 2, 1, 2}), 1e-6);
  expect_close(r.invstd, tensor({s, 1 / std::sqrt(1e-5)}, {2}), 1e-6);
}

TEST(BatchNormTest, InferenceByHand) {
  const Tensor x = tensor({1, 2, 3, 4}, {2, 2, 1, 1}, kFloat64);
  const Tensor y = batch_norm_inference(x, tensor({2, 3}, {2}, kFloat64), tensor({1, 0}, {2}, kFloat64),
                                        tensor({1, -2}, {2}, kFloat64), tensor({4, 0.25}, {2}, kFloat64), 0);
  // Channel 0: (x - 1) / 2 · 2 + 1; channel 1: (x + 2) / 0.5 · 3.
  EXPECT_EQ(y.to_vector<double>(), (std::vector<double>{1, 24, 3, 36}));
  const Tensor defaults = batch_norm_inference(x.astype(kFloat32), Tensor(), Tensor(), zeros({2}), ones({2}), 0);
  EXPECT_EQ(defaults.to_vector<float>(), (std::vector<float>{1, 2, 3, 4}));
}

TEST(BatchNormTest, TrainingBackwardMatchesFiniteDifferences) {
  const double eps = 1e-5;
  for (const Shape& shape : {Shape{5, 3}, Shape{3, 2, 2, 3}}) {
    const std::int64_t channels = shape[1];
    const Tensor x = random_tensor(shape, 1) * 2.0 + 0.5;
    const Tensor gamma = random_tensor({channels}, 2);
    const Tensor beta = random_tensor({channels}, 3);
    const Tensor g = random_tensor(shape, 4);
    const BatchNormForward r = batch_norm_training(x, gamma, beta, eps);
    const BatchNormGrads grads = batch_norm_backward(g, x, gamma, r.mean, r.invstd);
    expect_gradient([&](const Tensor& p) { return batch_norm_training(p, gamma, beta, eps).output; }, x, g,
                    grads.input);
    expect_gradient([&](const Tensor& p) { return batch_norm_training(x, p, beta, eps).output; }, gamma, g,
                    grads.gamma);
    expect_gradient([&](const Tensor& p) { return batch_norm_training(x, gamma, p, eps).output; }, beta, g,
                    grads.beta);
    // Without gamma the input gradient is the gamma = 1 one.
    const Tensor ones_gamma = ones({channels}, kFloat64);
    expect_close(batch_norm_backward(g, x, Tensor(), r.mean, r.invstd).input,
                 batch_norm_backward(g, x, ones_gamma, r.mean, r.invstd).input, 1e-15);
  }
}

TEST(BatchNormTest, InferenceBackwardMatchesFiniteDifferences) {
  const double eps = 1e-3;
  const Shape shape{3, 2, 2, 2};
  const Tensor x = random_tensor(shape, 5);
  const Tensor gamma = random_tensor({2}, 6);
  const Tensor beta = random_tensor({2}, 7);
  const Tensor mean = random_tensor({2}, 8);
  const Tensor var = random_tensor({2}, 9) + 1.5;
  const Tensor g = random_tensor(shape, 10);
  const BatchNormGrads grads = batch_norm_inference_backward(g, x, gamma, mean, var, eps);
  expect_gradient([&](const Tensor& p) { return batch_norm_inference(p, gamma, beta, mean, var, eps); }, x, g,
                  grads.input);
  expect_gradient([&](const Tensor& p) { return batch_norm_inference(x, p, beta, mean, var, eps); }, gamma, g,
                  grads.gamma);
  expect_gradient([&](const Tensor& p) { return batch_norm_inference(x, gamma, p, mean, var, eps); }, beta, g,
                  grads.beta);
}

class BatchNormBackendTest : public ::testing::TestWithParam<Backend> {};

// float32 on each backend against the float64 loops: training forward and
// backward, and inference.
TEST_P(BatchNormBackendTest, Float32MatchesFloat64OnLargeInputs) {
  const BackendScope scope(GetParam());
  // Only the first runs on oneDNN (16 channels, 4-D); the others check the
  // loops take over the rest.
  for (const Shape& shape : std::vector<Shape>{{8, 16, 12, 12}, {16, 8, 12, 12}, {64, 8}, {8, 8, 20}}) {
    SCOPED_TRACE(::testing::PrintToString(shape));
    // Large enough for the channels to be split between threads; an offset
    // mean tests the two-pass variance.
    const Tensor x = random_tensor(shape, 11) + 100.0;
    const Tensor gamma = random_tensor({shape[1]}, 12);
    const Tensor beta = random_tensor({shape[1]}, 13);
    const Tensor g = random_tensor(x.shape(), 14);
    const Tensor x32 = x.astype(kFloat32), gamma32 = gamma.astype(kFloat32), beta32 = beta.astype(kFloat32);
    const BatchNormForward r64 = batch_norm_training(x, gamma, beta, 1e-5);
    const BatchNormForward r32 = batch_norm_training(x32, gamma32, beta32, 1e-5);
    expect_close(r32.output, r64.output, 2e-4);
    expect_close(r32.mean, r64.mean, 1e-4);
    expect_close(r32.var, r64.var, 1e-4);
    expect_close(r32.invstd, r64.invstd, 1e-3);
    const BatchNormGrads g64 = batch_norm_backward(g, x, gamma, r64.mean, r64.invstd);
    const BatchNormGrads g32 = batch_norm_backward(g.astype(kFloat32), x32, gamma32, r32.mean, r32.invstd);
    expect_close(g32.input, g64.input, 2e-4);
    expect_close(g32.gamma, g64.gamma, 1e-3);
    expect_close(g32.beta, g64.beta, 1e-4);
    expect_close(batch_norm_inference(x32, gamma32, beta32, r32.mean, r32.var, 1e-3),
                 batch_norm_inference(x, gamma, beta, r64.mean, r64.var, 1e-3), 2e-4);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, BatchNormBackendTest, testing::kBothBackends);

// Channels-last x (a oneDNN convolution's output) gives the same values,
// and oneDNN keeps the format in its results.
TEST(BatchNormTest, ChannelsLastInputOnOneDnn) {
  const Tensor x = random_tensor({4, 16, 6, 5}, 15);
  const Tensor gamma = random_tensor({16}, 16);
  const Tensor beta = random_tensor({16}, 17);
  const Tensor g = random_tensor(x.shape(), 18);
  const Tensor x_last = x.astype(kFloat32).contiguous(MemoryFormat::kChannelsLast);
  const Tensor gamma32 = gamma.astype(kFloat32), beta32 = beta.astype(kFloat32);
  const BatchNormForward r64 = batch_norm_training(x, gamma, beta, 1e-5);
  const BatchNormForward r32 = batch_norm_training(x_last, gamma32, beta32, 1e-5);
  EXPECT_TRUE(r32.output.is_contiguous(MemoryFormat::kChannelsLast));
  expect_close(r32.output, r64.output, 2e-4);
  expect_close(r32.mean, r64.mean, 1e-5);
  const BatchNormGrads g64 = batch_norm_backward(g, x, gamma, r64.mean, r64.invstd);
  for (const Tensor& g32 : {g.astype(kFloat32), g.astype(kFloat32).contiguous(MemoryFormat::kChannelsLast)}) {
    const BatchNormGrads grads = batch_norm_backward(g32, x_last, gamma32, r32.mean, r32.invstd);
    EXPECT_TRUE(grads.input.is_contiguous(MemoryFormat::kChannelsLast));
    expect_close(grads.input, g64.input, 2e-4);
    expect_close(grads.gamma, g64.gamma, 1e-3);
    expect_close(grads.beta, g64.beta, 1e-4);
  }
  const Tensor inferred = batch_norm_inference(x_last, gamma32, beta32, r32.mean, r32.var, 1e-3);
  EXPECT_TRUE(inferred.is_contiguous(MemoryFormat::kChannelsLast));
  expect_close(inferred, batch_norm_inference(x, gamma, beta, r64.mean, r64.var, 1e-3), 2e-4);
}

// The fused activations on each backend, on row-major x (plane loops) and
// channels-last x (the oneDNN backend's channels-last loops).
class BatchNormActivationTest : public ::testing::TestWithParam<Backend> {};

MemoryFormat format_of(bool channels_last) {
  return channels_last ? MemoryFormat::kChannelsLast : MemoryFormat::kContiguous;
}

TEST_P(BatchNormActivationTest, ByHand) {
  const BackendScope scope(GetParam());
  // [N=2, C=2, 1, 2]: channel 0 holds 1, 2, 3, 4 (mean 2.5, var 1.25),
  // channel 1 holds 10, 10, 30, 30 (mean 20, var 100); gamma 1, beta 0.
  const Tensor rows = tensor({1, 2, 10, 10, 3, 4, 30, 30}, {2, 2, 1, 2}, kFloat64);
  const double s = 1 / std::sqrt(1.25);
  const std::vector<double> xhat{-1.5 * s, -0.5 * s, -1, -1, 0.5 * s, 1.5 * s, 1, 1};
  for (bool channels_last : {false, true}) {
    SCOPED_TRACE(channels_last ? "channels-last" : "row-major");
    const Tensor x = rows.contiguous(format_of(channels_last));
    for (const double slope : {0.0, 0.1}) {
      const NormActivation activation = slope == 0 ? NormActivation::relu() : NormActivation::leaky_relu(slope);
      const BatchNormForward r = batch_norm_training(x, Tensor(), Tensor(), 0, activation);
      if (GetParam() == Backend::kOneDnn) {
        EXPECT_EQ(r.output.suggest_memory_format(), format_of(channels_last));
      }
      std::vector<double> expected, past;  // y, and dy/dz times an upstream of 1
      for (double z : xhat) {
        expected.push_back(z < 0 ? slope * z : z);
        past.push_back(z > 0 ? 1 : slope);
      }
      expect_close(r.output, from_vector(expected, rows.shape()), 1e-12);
      // dx = invstd · (g - mean(g) - x̂ · mean(g · x̂)) per channel, g = past.
      std::vector<double> dx(8);
      const double invstd[2] = {s, 0.1};
      for (int c = 0; c < 2; ++c) {
        double mean_g = 0, mean_gx = 0;
        for (int n = 0; n < 2; ++n) {
          for (int w = 0; w < 2; ++w) {
            const int i = n * 4 + c * 2 + w;
            mean_g += past[i] / 4;
            mean_gx += past[i] * xhat[i] / 4;
          }
        }
        for (int n = 0; n < 2; ++n) {
          for (int w = 0; w < 2; ++w) {
            const int i = n * 4 + c * 2 + w;
            dx[i] = invstd[c] * (past[i] - mean_g - xhat[i] * mean_gx);
          }
        }
      }
      const Tensor upstream = ones(rows.shape(), kFloat64).contiguous(format_of(channels_last));
      const BatchNormGrads grads = batch_norm_backward(upstream, x, Tensor(), r.mean, r.invstd, activation);
      expect_close(grads.input, from_vector(dx, rows.shape()), 1e-12);
    }
  }
}

TEST_P(BatchNormActivationTest, MatchesFiniteDifferences) {
  const BackendScope scope(GetParam());
  const Tensor x = random_tensor({3, 4, 2, 3}, 21);
  const Tensor gamma = random_tensor({4}, 22);
  const Tensor beta = random_tensor({4}, 23);
  const Tensor g = random_tensor(x.shape(), 24);
  for (bool channels_last : {false, true}) {
    for (const NormActivation& activation : {NormActivation::relu(), NormActivation::leaky_relu(-0.3)}) {
      SCOPED_TRACE(::testing::Message() << (channels_last ? "channels-last" : "row-major") << ", slope "
                                        << activation.slope);
      const auto run = [&](const Tensor& p, const Tensor& gam, const Tensor& bet) {
        return batch_norm_training(p.contiguous(format_of(channels_last)), gam, bet, 1e-5, activation);
      };
      const BatchNormForward r = run(x, gamma, beta);
      const BatchNormGrads grads = batch_norm_backward(g, x.contiguous(format_of(channels_last)), gamma, r.mean,
                                                       r.invstd, activation, beta);
      expect_gradient([&](const Tensor& p) { return run(p, gamma, beta).output; }, x, g, grads.input);
      expect_gradient([&](const Tensor& p) { return run(x, p, beta).output; }, gamma, g, grads.gamma);
      expect_gradient([&](const Tensor& p) { return run(x, gamma, p).output; }, beta, g, grads.beta);
    }
  }
}

// As relu_backward: where the fused ReLU's output is 0 the gradient is
// dropped even when infinite (a product with the derivative would make it
// NaN and spread it through the channel's sums).
TEST_P(BatchNormActivationTest, ReluDropsInfiniteGradientsOfInactiveUnits) {
  const BackendScope scope(GetParam());
  for (DType dtype : {kFloat32, kFloat64}) {
    for (bool channels_last : {false, true}) {
      SCOPED_TRACE(::testing::Message() << dtype << (channels_last ? " channels-last" : " row-major"));
      const Tensor x = random_tensor({3, 4, 2, 3}, 31).astype(dtype).contiguous(format_of(channels_last));
      const BatchNormForward r = batch_norm_training(x, Tensor(), Tensor(), 1e-5, NormActivation::relu());
      const std::vector<double> y = r.output.astype(kFloat64).to_vector<double>();
      std::vector<double> upstream = random_tensor(x.shape(), 32).to_vector<double>(), dropped = upstream;
      int inactive = 0;
      for (std::size_t i = 0; i < y.size(); ++i) {
        if (y[i] != 0) continue;
        upstream[i] = i % 2 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
        dropped[i] = 0;
        ++inactive;
      }
      ASSERT_GT(inactive, 10);
      const auto backward = [&](const std::vector<double>& g) {
        const Tensor grad = from_vector(g, x.shape()).astype(dtype).contiguous(format_of(channels_last));
        return batch_norm_backward(grad, x, Tensor(), r.mean, r.invstd, NormActivation::relu()).input;
      };
      expect_close(backward(upstream), backward(dropped), 0);
    }
  }
}

// As relu_backward, a NaN output passes its gradient: with beta NaN in
// channel 1, every z there is NaN, so the fused ReLU's backward must equal
// the plain one in that channel (dropping the gradients would make all 0).
TEST_P(BatchNormActivationTest, ReluPassesGradientsOfNanOutputs) {
  const BackendScope scope(GetParam());
  for (DType dtype : {kFloat32, kFloat64}) {
    for (bool channels_last : {false, true}) {
      SCOPED_TRACE(::testing::Message() << dtype << (channels_last ? " channels-last" : " row-major"));
      const Tensor x = random_tensor({3, 4, 2, 3}, 33).astype(dtype).contiguous(format_of(channels_last));
      const Tensor beta = tensor({0, std::nan(""), 0, 0}, {4}, dtype);
      const Tensor upstream = random_tensor(x.shape(), 34).astype(dtype).contiguous(format_of(channels_last));
      const BatchNormForward r = batch_norm_training(x, Tensor(), beta, 1e-5, NormActivation::relu());
      EXPECT_TRUE(std::isnan(r.output.select(1, 1).astype(kFloat64).to_vector<double>()[0]));
      const BatchNormGrads fused =
          batch_norm_backward(upstream, x, Tensor(), r.mean, r.invstd, NormActivation::relu(), beta);
      const BatchNormGrads plain = batch_norm_backward(upstream, x, Tensor(), r.mean, r.invstd, NormActivation(), beta);
      expect_close(fused.input.select(1, 1), plain.input.select(1, 1), 0);
      EXPECT_EQ(fused.gamma.select(0, 1).item(), plain.gamma.select(0, 1).item());
      EXPECT_EQ(fused.beta.select(0, 1).item(), plain.beta.select(0, 1).item());
      EXPECT_NE(fused.beta.select(0, 1).item(), 0);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, BatchNormActivationTest, testing::kBothBackends);

// The channels-last loops' one-pass variance, E[d²] - E[d]² of d = x - a
// sample, on values 1e8 from 0, against the plane loops' two passes: E[x²]
// - E[x]² would lose every digit there, even in double.
TEST(BatchNormTest, ChannelsLastVarianceFarFromZero) {
  const BackendScope scope(Backend::kOneDnn);
  const Tensor x = random_tensor({8, 16, 6, 6}, 25) + 1e8;
  const Tensor gamma = random_tensor({16}, 26);
  const Tensor beta = random_tensor({16}, 27);
  const Tensor g = random_tensor(x.shape(), 28);
  const NormActivation activation = NormActivation::leaky_relu(0.2);
  const BatchNormForward planes = batch_norm_training(x, gamma, beta, 1e-5, activation);
  const Tensor x_last = x.contiguous(MemoryFormat::kChannelsLast);
  const BatchNormForward rows = batch_norm_training(x_last, gamma, beta, 1e-5, activation);
  EXPECT_TRUE(rows.output.is_contiguous(MemoryFormat::kChannelsLast));
  expect_close(rows.var, planes.var, 1e-6);
  expect_close(rows.mean, planes.mean, 1e-12);
  expect_close(rows.output, planes.output, 1e-6);
  const BatchNormGrads expected = batch_norm_backward(g, x, gamma, planes.mean, planes.invstd, activation, beta);
  const BatchNormGrads grads = batch_norm_backward(g, x_last, gamma, rows.mean, rows.invstd, activation, beta);
  expect_close(grads.input, expected.input, 1e-6);
  expect_close(grads.gamma, expected.gamma, 1e-6);
  expect_close(grads.beta, expected.beta, 1e-9);
}

template <typename F>
void expect_error(F&& f, const std::string& text) {
  EXPECT_THAT(f, ThrowsMessage<Error>(HasSubstr(text)));
}

TEST(BatchNormTest, RejectsBadArguments) {
  const Tensor x = zeros({4, 3, 2, 2});
  const Tensor c = ones({3});
  expect_error([&] { batch_norm_training(zeros({4}), Tensor(), Tensor(), 1e-5); },
               "batch_norm_training: x must be [N, C] or [N, C, ...], got [4]");
  expect_error([&] { batch_norm_training(x, ones({4}), Tensor(), 1e-5); },
               "gamma must be [3] (one per channel of x [4, 3, 2, 2]), got [4]");
  expect_error([&] { batch_norm_training(x, c, ones({3}, kFloat64), 1e-5); },
               "dtypes differ: x float32 [4, 3, 2, 2] vs beta float64 [3]");
  expect_error([&] { batch_norm_training(x, c, c, -1); }, "eps must be 0 or a normal float32");
  // oneDNN would take 1e-50 as 0 and give NaN where the reference gives 0.
  expect_error([&] { batch_norm_inference(x, c, c, c, c, 1e-50); },
               "batch_norm_inference: eps must be 0 or a normal float32 (1.2e-38 to 3.4e38), got 1e-50");
  expect_error([&] { batch_norm_training(x, c, c, std::numeric_limits<double>::infinity()); }, "got inf");
  expect_error([&] { batch_norm_training(zeros({0, 3}), c, c, 1e-5); },
               "needs at least one value per channel, got x [0, 3]");
  expect_error([&] { batch_norm_training(zeros({4, 3}, kInt64), Tensor(), Tensor(), 1e-5); },
               "x must be float32 or float64, got int64");
  expect_error([&] { batch_norm_inference(x, c, c, Tensor(), c, 1e-5); },
               "batch_norm_inference: running_mean is undefined");
  expect_error([&] { batch_norm_inference(x, c, c, c, ones({2}), 1e-5); }, "running_var must be [3]");
  expect_error([&] { batch_norm_backward(zeros({4, 3, 2, 1}), x, c, c, c); },
               "batch_norm_backward: grad_output [4, 3, 2, 1] and x [4, 3, 2, 2] differ in shape");
  expect_error([&] { batch_norm_backward(zeros({4, 3, 2, 2}), x, c, c, Tensor()); }, "invstd is undefined");
  expect_error([&] { batch_norm_backward(zeros({4, 3, 2, 2}, kFloat64), x, c, c, c); },
               "dtypes differ: grad_output float64 vs x float32");
  expect_error([&] { batch_norm_inference_backward(x, x, c, c, zeros({3, 1}), 1e-5); }, "running_var must be [3]");
  expect_error([&] { batch_norm_training(x, c, c, 1e-5, NormActivation::leaky_relu(NAN)); },
               "batch_norm_training: the leaky_relu slope must be finite, got nan");
  expect_error([&] { batch_norm_backward(x, x, c, c, c, NormActivation::leaky_relu(INFINITY)); },
               "batch_norm_backward: the leaky_relu slope must be finite, got inf");
}

}  // namespace
}  // namespace nabla::kernels
