#include "data/synthetic.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

namespace nabla::data {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(SyntheticTest, SpiralPointsLieAtTheirRadius) {
  const Batch spiral = make_spiral(5, 3, 0.3, 1);
  EXPECT_EQ(spiral.inputs.shape(), (Shape{15, 2}));
  EXPECT_EQ(spiral.labels.to_vector<std::int64_t>(),
            (std::vector<std::int64_t>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2}));
  for (std::int64_t row = 0; row < 15; ++row) {
    const double radius = static_cast<double>(row % 5) / 4.0;
    EXPECT_NEAR(std::hypot(spiral.inputs.at({row, 0}), spiral.inputs.at({row, 1})), radius, 1e-6) << row;
  }
  // Without noise, arm 0's last point is at angle 4: (sin 4, cos 4).
  const Batch clean = make_spiral(5, 1, 0.0, 1);
  EXPECT_NEAR(clean.inputs.at({4, 0}), std::sin(4.0), 1e-6);
  EXPECT_NEAR(clean.inputs.at({4, 1}), std::cos(4.0), 1e-6);
}

TEST(SyntheticTest, XorLabelsFollowTheQuadrant) {
  const Batch xor_set = make_xor(200, 0.0, 2);
  EXPECT_EQ(xor_set.inputs.shape(), (Shape{200, 2}));
  std::int64_t ones = 0;
  for (std::int64_t i = 0; i < 200; ++i) {
    const double x = xor_set.inputs.at({i, 0});
    const double y = xor_set.inputs.at({i, 1});
    EXPECT_LE(std::abs(x), 1.0);
    EXPECT_EQ(xor_set.labels.at({i}), (x > 0) != (y > 0) ? 1 : 0);
    ones += static_cast<std::int64_t>(xor_set.labels.at({i}));
  }
  EXPECT_GT(ones, 60);
  EXPECT_LT(ones, 140);
}

TEST(SyntheticTest, BlobsWithoutSpreadSitOnTheirCentres) {
  const Batch blobs = make_blobs(9, 3, 4, 0.0, 3);
  EXPECT_EQ(blobs.inputs.shape(), (Shape{9, 4}));
  for (std::int64_t i = 0; i < 9; ++i) {
    EXPECT_EQ(blobs.labels.at({i}), i % 3);
    for (std::int64_t f = 0; f < 4; ++f) {
      EXPECT_EQ(blobs.inputs.at({i, f}), blobs.inputs.at({i % 3, f}));
      EXPECT_LE(std::abs(blobs.inputs.at({i, f})), 10.0);
    }
  }
  EXPECT_NE(blobs.inputs.at({0, 0}), blobs.inputs.at({1, 0}));
}

TEST(SyntheticTest, CurveTargetsAreTheFunction) {
  const Batch curve = make_curve(50, [](double x) { return x * x; }, -2, 3, 0.0, 4);
  EXPECT_EQ(curve.inputs.shape(), (Shape{50, 1}));
  EXPECT_EQ(curve.labels.shape(), (Shape{50, 1}));
  EXPECT_EQ(curve.labels.dtype(), kFloat32);
  for (std::int64_t i = 0; i < 50; ++i) {
    const double x = curve.inputs.at({i, 0});
    EXPECT_GE(x, -2);
    EXPECT_LE(x, 3);
    EXPECT_NEAR(curve.labels.at({i, 0}), x * x, 1e-5);
  }
}

TEST(SyntheticTest, AddingProblemMarksOneStepPerHalf) {
  const Batch adding = make_adding_problem(20, 7, 5);
  EXPECT_EQ(adding.inputs.shape(), (Shape{20, 7, 2}));
  EXPECT_EQ(adding.labels.shape(), (Shape{20, 1}));
  for (std::int64_t i = 0; i < 20; ++i) {
    int first_half = 0;
    int second_half = 0;
    double sum = 0;
    for (std::int64_t t = 0; t < 7; ++t) {
      const double value = adding.inputs.at({i, t, 0});
      EXPECT_GE(value, 0);
      EXPECT_LT(value, 1);
      if (adding.inputs.at({i, t, 1}) == 1.0) {
        (t < 3 ? first_half : second_half) += 1;
        sum += value;
      }
    }
    EXPECT_EQ(first_half, 1);
    EXPECT_EQ(second_half, 1);
    EXPECT_NEAR(adding.labels.at({i, 0}), sum, 1e-6);
  }
}

TEST(SyntheticTest, SeedsDecide) {
  const auto values = [](const Batch& b) { return b.inputs.to_vector<float>(); };
  EXPECT_EQ(values(make_spiral(10, 2, 0.2, 7)), values(make_spiral(10, 2, 0.2, 7)));
  EXPECT_NE(values(make_spiral(10, 2, 0.2, 7)), values(make_spiral(10, 2, 0.2, 8)));
  EXPECT_EQ(values(make_blobs(10, 2, 2, 1.0, 7)), values(make_blobs(10, 2, 2, 1.0, 7)));
  EXPECT_NE(values(make_xor(10, 0.1, 7)), values(make_xor(10, 0.1, 8)));
  EXPECT_NE(values(make_adding_problem(3, 4, 7)), values(make_adding_problem(3, 4, 8)));
}

TEST(SyntheticTest, RejectsBadArguments) {
  EXPECT_THAT([] { make_spiral(0, 3, 0.1, 1); },
              ThrowsMessage<Error>(HasSubstr("make_spiral: points_per_class must be at least 1, got 0")));
  EXPECT_THAT([] { make_xor(10, -1, 1); }, ThrowsMessage<Error>(HasSubstr("make_xor: noise must be finite and >= 0")));
  EXPECT_THAT([] { make_blobs(10, 2, 1LL << 62, 1, 1); }, ThrowsMessage<Error>(HasSubstr("is too large")));
  EXPECT_THAT([] { make_curve(10, nullptr, 0, 1, 0, 1); }, ThrowsMessage<Error>(HasSubstr("f is empty")));
  EXPECT_THAT([] { make_curve(10, [](double x) { return x; }, 1, 0, 0, 1); },
              ThrowsMessage<Error>(HasSubstr("the x range [1, 0] must be finite and ordered")));
  EXPECT_THAT([] { make_adding_problem(1, 1, 1); },
              ThrowsMessage<Error>(HasSubstr("length must be at least 2, got 1")));
}

}  // namespace
}  // namespace nabla::data
