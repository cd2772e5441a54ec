#include "data/idx.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "io/file.h"
#include "data/internal/test_files.h"

namespace nabla::data {
namespace {

using internal::gzip;
using internal::write_test_file;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

// Two 2 x 3 images, written byte by byte.
const std::string kImages = bytes({0x00, 0x00, 0x08, 0x03,  // magic: unsigned bytes, 3 dimensions
                                   0x00, 0x00, 0x00, 0x02,  // 2 images
                                   0x00, 0x00, 0x00, 0x02,  // 2 rows
                                   0x00, 0x00, 0x00, 0x03,  // 3 columns
                                   0, 255, 51, 102, 153, 204,
                                   255, 0, 0, 0, 0, 1});
const std::string kLabels = bytes({0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00, 0x02, 7, 9});

TEST(IdxTest, ReadsRawImagesScaledToUnitRange) {
  const Tensor images = load_idx_images(write_test_file("raw-images", kImages));
  EXPECT_EQ(images.shape(), (Shape{2, 1, 2, 3}));
  EXPECT_EQ(images.dtype(), kFloat32);
  EXPECT_FLOAT_EQ(images.at({0, 0, 0, 0}), 0.0f);
  EXPECT_FLOAT_EQ(images.at({0, 0, 0, 1}), 1.0f);
  EXPECT_FLOAT_EQ(images.at({0, 0, 0, 2}), 0.2f);
  EXPECT_FLOAT_EQ(images.at({0, 0, 1, 0}), 0.4f);
  EXPECT_FLOAT_EQ(images.at({0, 0, 1, 2}), 0.8f);
  EXPECT_FLOAT_EQ(images.at({1, 0, 0, 0}), 1.0f);
  EXPECT_FLOAT_EQ(images.at({1, 0, 1, 2}), 1.0f / 255.0f);
}

TEST(IdxTest, ReadsGzipLikeRaw) {
  const Tensor raw = load_idx_images(write_test_file("raw-images", kImages));
  const Tensor packed = load_idx_images(write_test_file("images.gz", gzip(kImages)));
  EXPECT_EQ(packed.shape(), raw.shape());
  EXPECT_EQ(packed.to_vector<float>(), raw.to_vector<float>());
}

TEST(IdxTest, ReadsLabels) {
  const Tensor labels = load_idx_labels(write_test_file("labels", kLabels));
  EXPECT_EQ(labels.shape(), (Shape{2}));
  EXPECT_EQ(labels.dtype(), kInt64);
  EXPECT_EQ(labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{7, 9}));
  EXPECT_EQ(load_idx_labels(write_test_file("labels.gz", gzip(kLabels))).to_vector<std::int64_t>(),
            (std::vector<std::int64_t>{7, 9}));
}

TEST(IdxTest, LoadsImagesWithTheirLabels) {
  const Batch batch = load_idx(write_test_file("pair-images", kImages), write_test_file("pair-labels", kLabels));
  EXPECT_EQ(batch.inputs.shape(), (Shape{2, 1, 2, 3}));
  EXPECT_EQ(batch.labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{7, 9}));
}

TEST(IdxTest, EmptyFileAndEmptyCountAreDistinct) {
  EXPECT_THAT([] { load_idx_images(write_test_file("empty", "")); },
              ThrowsMessage<Error>(HasSubstr("' is empty")));
  const Tensor none = decode_idx_labels(bytes({0, 0, 8, 1, 0, 0, 0, 0}), "no-labels");
  EXPECT_EQ(none.shape(), (Shape{0}));
}

TEST(IdxTest, RejectsCountMismatch) {
  const std::string three_labels = bytes({0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3});
  const std::string images = write_test_file("mismatch-images", kImages);
  const std::string labels = write_test_file("mismatch-labels", three_labels);
  EXPECT_THAT([&] { load_idx(images, labels); },
              ThrowsMessage<Error>(HasSubstr("holds 2 images but '" + labels + "' holds 3 labels")));
}

TEST(IdxTest, RejectsBadHeaders) {
  const auto images = [](const std::string& data) { return [data] { decode_idx_images(data, "bad.idx"); }; };
  EXPECT_THAT(images(bytes({0, 0, 8})), ThrowsMessage<Error>(HasSubstr("'bad.idx' is too short for an IDX header (3 bytes)")));
  EXPECT_THAT(images(bytes({0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0})),
              ThrowsMessage<Error>(HasSubstr("bad magic number 0x12345678")));
  EXPECT_THAT(images(bytes({0, 0, 0x0D, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1})),
              ThrowsMessage<Error>(HasSubstr("element type 0xd; only unsigned bytes (0x08)")));
  EXPECT_THAT(images(kLabels), ThrowsMessage<Error>(HasSubstr("has 1 dimensions, expected 3")));
  EXPECT_THAT([] { decode_idx_labels(kImages, "images-as-labels"); },
              ThrowsMessage<Error>(HasSubstr("has 3 dimensions, expected 1")));
  EXPECT_THAT(images(bytes({0, 0, 8, 3, 0, 0, 0, 2, 0, 0})),
              ThrowsMessage<Error>(HasSubstr("its header needs 16 bytes, the file has 10")));
  EXPECT_THAT(images(bytes({0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5})),
              ThrowsMessage<Error>(HasSubstr("announces images of 0 x 5 pixels")));
}

TEST(IdxTest, RejectsTruncatedAndOverlongData) {
  const std::string short_data = kImages.substr(0, kImages.size() - 1);
  EXPECT_THAT([&] { decode_idx_images(short_data, "short"); },
              ThrowsMessage<Error>(HasSubstr("announces shape [2, 2, 3] (12 bytes of data), but only 11 bytes follow")));
  EXPECT_THAT([&] { decode_idx_images(kImages + "xy", "long"); },
              ThrowsMessage<Error>(HasSubstr("'long' has 2 bytes after the data")));
  const std::string huge = bytes({0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  EXPECT_THAT([&] { decode_idx_images(huge, "huge"); },
              ThrowsMessage<Error>(HasSubstr("'huge' announces shape [4294967295, 4294967295, 4294967295], "
                                             "whose sizes (0 counted as 1) multiply past 2^62")));
  // No images, but rows x columns past 2^62: no tensor has that shape.
  const std::string empty_huge = bytes({0, 0, 8, 3, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  EXPECT_THAT([&] { decode_idx_images(empty_huge, "empty_huge"); },
              ThrowsMessage<Error>(HasSubstr("'empty_huge' announces shape [0, 4294967295, 4294967295], whose sizes")));
}

TEST(IdxTest, RejectsBrokenGzip) {
  const std::string packed = gzip(kImages);
  EXPECT_THAT([&] { decode_idx_images(packed.substr(0, packed.size() / 2), "half.gz"); },
              ThrowsMessage<Error>(HasSubstr("'half.gz' is a truncated gzip file")));
  std::string corrupt = packed;
  corrupt[3] = static_cast<char>(0xE0);  // reserved flag bits: not a valid gzip header
  EXPECT_THAT([&] { decode_idx_images(corrupt, "corrupt.gz"); },
              ThrowsMessage<Error>(HasSubstr("'corrupt.gz' holds corrupt gzip data")));
}

TEST(IdxTest, MissingFileOrDirectoryIsNamed) {
  const std::string missing = internal::test_dir() + "/no-such-file";
  EXPECT_THAT([&] { load_idx_images(missing); },
              ThrowsMessage<Error>(HasSubstr("cannot open '" + missing + "': No such file or directory")));
  EXPECT_THAT([] { load_idx_labels(internal::test_dir()); },
              ThrowsMessage<Error>(HasSubstr("is not a regular file")));
}

TEST(IdxTest, WritesTheBytesOfTheFormat) {
  const std::string path = internal::test_dir() + "/written";
  write_idx(path, {2}, {7, 9});
  EXPECT_EQ(io::read_file(path, "test"), kLabels);
  write_idx(path, {2, 2, 3}, {0, 255, 51, 102, 153, 204, 255, 0, 0, 0, 0, 1});
  EXPECT_EQ(io::read_file(path, "test"), kImages);
}

TEST(IdxTest, WriteRejectsInconsistentShapes) {
  const std::string path = internal::test_dir() + "/unwritten";
  EXPECT_THAT([&] { write_idx(path, {3}, {1, 2}); },
              ThrowsMessage<Error>(HasSubstr("shape [3] does not match the 2 values given")));
  EXPECT_THAT([&] { write_idx(path, {1LL << 33}, {}); }, ThrowsMessage<Error>(HasSubstr("does not fit in uint32")));
  EXPECT_THAT([&] { write_idx(path, {}, {}); }, ThrowsMessage<Error>(HasSubstr("needs 1 to 255 dimensions")));
  EXPECT_THAT([] { write_idx("/nonexistent-dir/x", {1}, {1}); }, ThrowsMessage<Error>(HasSubstr("cannot create")));
}

}  // namespace
}  // namespace nabla::data
