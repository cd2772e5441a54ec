#include "data/mnist_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <set>

#include "data/idx.h"
#include "io/file.h"
#include "data/internal/test_files.h"
#include "tensor/error.h"

namespace nabla::data {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// Byte p of image k of digit d in the test files.
std::uint8_t pixel(int digit, int image, int p) { return static_cast<std::uint8_t>((digit * 16 + image * 3 + p) % 256); }

// The package's format: pixel / 255 with three decimals.
std::string digit_json(int digit, int images) {
  std::string json = "{\"data\": [";
  char value[16];
  for (int k = 0; k < images; ++k) {
    for (int p = 0; p < kMnistPixels; ++p) {
      std::snprintf(value, sizeof value, "%.3f", pixel(digit, k, p) / 255.0);
      json += (k == 0 && p == 0 ? "" : ",") + std::string(value);
    }
  }
  return json + "]}";
}

TEST(MnistJsonTest, ThreeDecimalsRecoverTheBytes) {
  const std::vector<std::uint8_t> pixels = parse_mnist_digit_json(digit_json(4, 2), "4.json");
  ASSERT_EQ(pixels.size(), 2u * kMnistPixels);
  for (int k = 0; k < 2; ++k) {
    for (int p = 0; p < kMnistPixels; ++p) ASSERT_EQ(pixels[k * kMnistPixels + p], pixel(4, k, p)) << k << " " << p;
  }
}

TEST(MnistJsonTest, SplitIsStratifiedAndExact) {
  // Digits 0-8 have 3 images, digit 9 has 6: 33 in all, round(6.6) = 7 to test.
  // Shares 3 * 7 / 33 = 0.64 (floor 0) and 6 * 7 / 33 = 1.27 (floor 1); the
  // six leftover places go to the largest remainders, digits 0-5.
  const std::string dir = internal::test_dir() + "/json";
  std::filesystem::create_directories(dir);
  for (int d = 0; d < 10; ++d) internal::write_test_file("json/" + std::to_string(d) + ".json", digit_json(d, d == 9 ? 6 : 3));
  const std::string out = internal::test_dir() + "/mnist-out";
  convert_mnist_json(dir, out);
  const Batch train = load_idx(out + "/train-images-idx3-ubyte", out + "/train-labels-idx1-ubyte");
  const Batch test = load_idx(out + "/t10k-images-idx3-ubyte", out + "/t10k-labels-idx1-ubyte");
  ASSERT_EQ(train.inputs.shape(), (Shape{26, 1, 28, 28}));
  ASSERT_EQ(test.inputs.shape(), (Shape{7, 1, 28, 28}));

  // Identify each written image by its digit and index; each appears once.
  std::set<std::pair<int, int>> seen;
  const auto identify = [&](const Batch& batch, std::set<std::pair<int, int>>& part) {
    const std::vector<float> images = batch.inputs.to_vector<float>();
    const std::vector<std::int64_t> labels = batch.labels.to_vector<std::int64_t>();
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const int digit = static_cast<int>(labels[i]);
      const int first = static_cast<int>(std::lround(images[i * kMnistPixels] * 255));
      const int k = ((first - digit * 16) % 256 + 256) % 256 / 3;
      for (int p = 0; p < kMnistPixels; ++p) {
        ASSERT_EQ(std::lround(images[i * kMnistPixels + p] * 255), pixel(digit, k, p));
      }
      EXPECT_TRUE(seen.insert({digit, k}).second) << digit << " " << k;
      part.insert({digit, k});
    }
  };
  std::set<std::pair<int, int>> train_ids;
  std::set<std::pair<int, int>> test_ids;
  identify(train, train_ids);
  identify(test, test_ids);
  EXPECT_EQ(seen.size(), 33u);
  // One test image of q = 1 among n is the last: floor((i + 1) / n) steps at i = n - 1.
  EXPECT_EQ(test_ids, (std::set<std::pair<int, int>>{{0, 2}, {1, 2}, {2, 2}, {3, 2}, {4, 2}, {5, 2}, {9, 5}}));
  // Deterministic: a second run writes the same bytes.
  const std::string again = internal::test_dir() + "/mnist-again";
  convert_mnist_json(dir, again);
  EXPECT_EQ(io::read_file(again + "/train-images-idx3-ubyte", "test"),
            io::read_file(out + "/train-images-idx3-ubyte", "test"));
}

TEST(MnistJsonTest, SplitFractions) {
  std::array<std::vector<std::uint8_t>, 10> digits;
  for (auto& images : digits) images.assign(5 * kMnistPixels, 0);
  EXPECT_EQ(split_mnist(digits, 0.0).test_labels.size(), 0u);
  EXPECT_EQ(split_mnist(digits, 1.0).train_labels.size(), 0u);
  EXPECT_EQ(split_mnist(digits, 0.2).test_labels.size(), 10u);
  EXPECT_THAT([&] { split_mnist(digits, -0.1); }, ThrowsMessage<Error>(HasSubstr("test_fraction must be in [0, 1]")));
  digits[3].push_back(1);
  EXPECT_THAT([&] { split_mnist(digits, 0.2); }, ThrowsMessage<Error>(HasSubstr("digit 3 has 3921 bytes")));
}

TEST(MnistJsonTest, BadFilesAreNamed) {
  const auto parse = [](std::string text) { return [text] { parse_mnist_digit_json(text, "7.json"); }; };
  EXPECT_THAT(parse(""), ThrowsMessage<Error>(HasSubstr("'7.json' is not valid JSON")));
  EXPECT_THAT(parse("{\"data\": [0.1,"), ThrowsMessage<Error>(HasSubstr("is not valid JSON")));
  EXPECT_THAT(parse("[1, 2]"), ThrowsMessage<Error>(HasSubstr("'7.json' has no \"data\" array")));
  EXPECT_THAT(parse("{\"data\": 3}"), ThrowsMessage<Error>(HasSubstr("has no \"data\" array")));
  EXPECT_THAT(parse("{\"data\": [0.5, 1]}"),
              ThrowsMessage<Error>(HasSubstr("holds 2 values, not a multiple of 784 (28 x 28 pixels per image)")));
  std::string bad = digit_json(0, 1);
  bad.replace(bad.find('[') + 1, 5, "1.500");
  EXPECT_THAT(parse(bad), ThrowsMessage<Error>(HasSubstr("value 0 (pixel 0 of image 0) is 1.5, not a number in [0, 1]")));
  bad.replace(bad.find('[') + 1, 5, "\"0.1\"");
  EXPECT_THAT(parse(bad), ThrowsMessage<Error>(HasSubstr("is string, not a number")));
  // Printing a value this deeply nested would recurse once per level and
  // overflow the stack; the message names its type instead.
  const std::string nested = "{\"data\": [" + std::string(100000, '[') + std::string(100000, ']');
  std::string tail;
  for (int i = 1; i < kMnistPixels; ++i) tail += ",0";
  EXPECT_THAT(parse(nested + tail + "]}"),
              ThrowsMessage<Error>(HasSubstr("value 0 (pixel 0 of image 0) is array, not a number in [0, 1]")));
  EXPECT_THAT([] { convert_mnist_json("/nonexistent", internal::test_dir()); },
              ThrowsMessage<Error>(HasSubstr("cannot open '/nonexistent/0.json'")));
}

}  // namespace
}  // namespace nabla::data
