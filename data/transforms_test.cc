#include "data/transforms.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nabla::data {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(TransformsTest, MomentsPerChannel) {
  // Channel 0 holds 1, 2, 3, 6 (mean 3, variance 3.5); channel 1 holds 10 four times.
  const Tensor x = tensor({1, 2, 10, 10, 3, 6, 10, 10}, {2, 2, 2});
  const Moments m = channel_moments(x);
  EXPECT_THAT(m.mean, ElementsAre(3.0, 10.0));
  EXPECT_THAT(m.stddev, ElementsAre(DoubleNear(std::sqrt(3.5), 1e-12), 0.0));
}

TEST(TransformsTest, NormalizeUsesEachChannelsStatistics) {
  const Tensor x = tensor({1, 3, 5, 7}, {2, 2});  // [N = 2, F = 2]
  const Tensor y = normalize(x, {1, 5}, {2, 0.5});
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{0, -4, 2, 4}));
  EXPECT_EQ(x.to_vector<float>(), (std::vector<float>{1, 3, 5, 7}));  // unchanged
  EXPECT_THAT([&] { normalize(x, {1}, {1}); },
              ThrowsMessage<Error>(HasSubstr("1 means and 1 standard deviations for 2 channels of shape [2, 2]")));
  EXPECT_THAT([&] { normalize(x, {0, 0}, {1, 0}); },
              ThrowsMessage<Error>(HasSubstr("channel 1 has mean 0 and standard deviation 0")));
  EXPECT_THAT([] { normalize(tensor({1, 2}, {2}, kInt64).reshape({1, 2}), {0, 0}, {1, 1}); },
              ThrowsMessage<Error>(HasSubstr("normalize: needs a float32 or float64 tensor")));
  EXPECT_THAT([] { channel_moments(tensor({1, 2})); }, ThrowsMessage<Error>(HasSubstr("rank >= 2, got [2]")));
}

TEST(TransformsTest, NormalizeDividesAsTorchvision) {
  // torchvision's Normalize((0.1307,), (0.3081,)) on MNIST's 256 pixel values
  // v / 255: (x - 0.1307f) / 0.3081f in float32.
  Tensor pixels({256, 1}, kFloat32);
  for (int v = 0; v < 256; ++v) pixels.data<float>()[v] = static_cast<float>(v) / 255.0f;
  const std::vector<float> y = normalize(pixels, {0.1307}, {0.3081}).to_vector<float>();
  for (int v = 0; v < 256; ++v) {
    EXPECT_EQ(y[v], (pixels.data<float>()[v] - 0.1307f) / 0.3081f) << "pixel " << v;
  }
  EXPECT_EQ(y[255], 2.821486711502075f);  // worked out with Python's struct module
  const Tensor wide = pixels.astype(kFloat64);
  const std::vector<double> z = normalize(wide, {0.1307}, {0.3081}).to_vector<double>();
  for (int v = 0; v < 256; ++v) EXPECT_EQ(z[v], (wide.data<double>()[v] - 0.1307) / 0.3081) << "pixel " << v;
  // torchvision raises when std becomes 0 in the tensor's dtype.
  EXPECT_THAT([&] { normalize(pixels, {0}, {1e-50}); },
              ThrowsMessage<Error>(HasSubstr("channel 0 has standard deviation 1e-50, which is 0 in float32")));
  EXPECT_EQ(normalize(wide.slice(0, 1, 2), {0}, {1e-50}).item(), static_cast<double>(1.0f / 255.0f) / 1e-50);
}

TEST(TransformsTest, ScaleRange) {
  EXPECT_EQ(scale_range(tensor({0, 0.25, 1}), 0, 1, -1, 1).to_vector<float>(), (std::vector<float>{-1, -0.5, 1}));
  EXPECT_EQ(scale_range(tensor({0, 255}), 0, 255, 0, 1).to_vector<float>(), (std::vector<float>{0, 1}));
  EXPECT_THAT([] { scale_range(tensor({1}), 2, 2, 0, 1); }, ThrowsMessage<Error>(HasSubstr("cannot map [2, 2]")));
}

TEST(TransformsTest, RandomCropShiftsWithinThePadding) {
  // One 3 x 3 image holding 1..9: every crop is the image shifted by at
  // most one pixel, zeros coming in from the padding.
  const Tensor image = tensor({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  int identical = 0;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    const Tensor crop = random_crop(image, 1, seed);
    ASSERT_EQ(crop.shape(), image.shape());
    // The centre pixel of the crop is image[1 + dy][1 + dx] for some shift.
    const double centre = crop.at({0, 0, 1, 1});
    ASSERT_GE(centre, 1);
    const int source = static_cast<int>(centre) - 1;
    const int dy = source / 3 - 1;
    const int dx = source % 3 - 1;
    for (int y = 0; y < 3; ++y) {
      for (int x = 0; x < 3; ++x) {
        const int sy = y + dy;
        const int sx = x + dx;
        const double expected = sy >= 0 && sy < 3 && sx >= 0 && sx < 3 ? 1 + sy * 3 + sx : 0;
        EXPECT_EQ(crop.at({0, 0, y, x}), expected) << "seed " << seed;
      }
    }
    identical += dy == 0 && dx == 0;
  }
  EXPECT_GT(identical, 0);
  EXPECT_LT(identical, 40);
  EXPECT_EQ(random_crop(image, 0, 3).to_vector<float>(), image.to_vector<float>());
  EXPECT_EQ(random_crop(image, 2, 5).to_vector<float>(), random_crop(image, 2, 5).to_vector<float>());
  EXPECT_THAT([&] { random_crop(image, -1, 0); }, ThrowsMessage<Error>(HasSubstr("padding must be in [0, 2^30]")));
  EXPECT_THAT([] { random_crop(tensor({1, 2}, {1, 2}), 1, 0); },
              ThrowsMessage<Error>(HasSubstr("needs images [N, C, H, W] or [N, H, W], got [1, 2]")));
}

TEST(TransformsTest, HorizontalFlip) {
  const Tensor images = tensor({1, 2, 3, 4, 5, 6}, {2, 1, 3});  // [N = 2, H = 1, W = 3]
  EXPECT_EQ(horizontal_flip(images, 1.0, 0).to_vector<float>(), (std::vector<float>{3, 2, 1, 6, 5, 4}));
  EXPECT_EQ(horizontal_flip(images, 0.0, 0).to_vector<float>(), images.to_vector<float>());
  int flipped = 0;
  for (std::uint64_t seed = 0; seed < 100; ++seed) flipped += horizontal_flip(images, 0.5, seed).at({0, 0, 0}) == 3;
  EXPECT_GT(flipped, 25);
  EXPECT_LT(flipped, 75);
  EXPECT_THAT([&] { horizontal_flip(images, 1.5, 0); },
              ThrowsMessage<Error>(HasSubstr("probability must be in [0, 1], got 1.5")));
}

}  // namespace
}  // namespace nabla::data
