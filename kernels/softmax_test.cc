#include "kernels/softmax.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "kernels/internal/test_util.h"
#include "tensor/backend.h"
#include "tensor/ops.h"

namespace nabla::kernels {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// The row [1, 2, 3] and grad_output [1, 0, 0], worked out by hand:
// softmax = e^x / (e + e² + e³); backward y·(g - Σ g·y) and g - softmax·Σ g.
const std::vector<double> kSoftmax{0.09003057, 0.24472847, 0.66524096};
const std::vector<double> kLogSoftmax{-2.40760596, -1.40760596, -0.40760596};
const std::vector<double> kSoftmaxGrad{0.08192507, -0.02203304, -0.05989202};
const std::vector<double> kLogSoftmaxGrad{0.90996943, -0.24472847, -0.66524096};

// `rows` copies of a row: 6,000 take oneDNN's path.
Tensor rows_of(const std::vector<double>& row, std::int64_t rows) {
  std::vector<double> all;
  for (std::int64_t i = 0; i < rows; ++i) all.insert(all.end(), row.begin(), row.end());
  return from_vector(all, {rows, 3}).astype(kFloat32);
}

class SoftmaxTest : public testing::BackendTest<std::int64_t> {};

TEST_P(SoftmaxTest, MatchesHandWorkedValuesAlongEitherAxis) {
  const std::int64_t rows = param();
  const Tensor x = rows_of({1, 2, 3}, rows);
  const Tensor g = rows_of({1, 0, 0}, rows);
  // oneDNN's vectorised exp and log are off by up to ~2e-6 (about 20 ulp
  // at 0.4); the composition by about 1e-7.
  constexpr double kTolerance = 5e-6;
  for (bool log : {false, true}) {
    const Tensor y = softmax(x, -1, log);
    testing::expect_close(y, rows_of(log ? kLogSoftmax : kSoftmax, rows), kTolerance);
    testing::expect_close(softmax_backward(g, y, 1, log), rows_of(log ? kLogSoftmaxGrad : kSoftmaxGrad, rows),
                          kTolerance);
    // The same along axis 0 of the transpose.
    const Tensor xt = x.transpose(0, 1).contiguous();
    const Tensor yt = softmax(xt, 0, log);
    testing::expect_close(yt, y.transpose(0, 1), kTolerance);
    testing::expect_close(softmax_backward(g.transpose(0, 1).contiguous(), yt, 0, log),
                          softmax_backward(g, y, 1, log).transpose(0, 1), kTolerance);
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, SoftmaxTest, ::testing::Combine(::testing::Values(1, 6000), testing::kBothBackends));

TEST(SoftmaxTest, RejectsBadArguments) {
  EXPECT_THAT([] { softmax(zeros({2, 3}), 2, false); }, ThrowsMessage<Error>(HasSubstr("softmax: axis 2")));
  EXPECT_THAT([] { softmax(zeros({2}, kInt64), 0, true); },
              ThrowsMessage<Error>(HasSubstr("log_softmax: x must be float32 or float64, got int64 [2]")));
  EXPECT_THAT([] { softmax_backward(zeros({2, 3}), zeros({3, 2}), 0, false); },
              ThrowsMessage<Error>(HasSubstr("softmax_backward: grad_output float32 [2, 3] and y float32 [3, 2] differ")));
}

TEST(SoftmaxTest, AlongAnEmptyAxis) {
  for (bool log : {false, true}) EXPECT_EQ(softmax(zeros({3, 0}), 1, log).shape(), (Shape{3, 0}));
}

// Row 0 holds +inf, row 1 a NaN, row 2 only -inf: NaN throughout those
// rows on both backends (as PyTorch's), the other rows untouched: 1/512
// each. Along axis 1, and along axis 0 of the transpose.
TEST(SoftmaxTest, RowsWithInfOrNaNAreNaNOnBothBackends) {
  Tensor x = zeros({64, 512});  // 32K elements: oneDNN's path
  x.select(0, 0).select(0, 3).fill_(std::numeric_limits<double>::infinity());
  x.select(0, 1).select(0, 7).fill_(std::numeric_limits<double>::quiet_NaN());
  x.select(0, 2).fill_(-std::numeric_limits<double>::infinity());
  for (Backend backend : {Backend::kOneDnn, Backend::kReference}) {
    const BackendScope scope(backend);
    for (bool log : {false, true}) {
      for (int axis : {1, 0}) {
        const Tensor y = axis == 1 ? softmax(x, 1, log) : softmax(x.transpose(0, 1).contiguous(), 0, log).transpose(0, 1);
        const std::vector<float> values = y.to_vector<float>();
        for (std::int64_t j = 0; j < 512; ++j) {
          ASSERT_TRUE(std::isnan(values[j]) && std::isnan(values[512 + j]) && std::isnan(values[1024 + j]))
              << j << " axis " << axis;
          ASSERT_NEAR(values[3 * 512 + j], log ? -std::log(512.0) : 1.0 / 512, log ? 1e-5 : 1e-7) << j << " axis " << axis;
        }
      }
    }
  }
}

}  // namespace
}  // namespace nabla::kernels
