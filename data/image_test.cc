#include "data/image.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "data/internal/test_files.h"

namespace nabla::data {
namespace {

using internal::test_dir;
using internal::write_test_file;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

void put32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// A 24-bit BMP written byte by byte. `rgb` lists the pixels top row first.
std::string bmp(int width, int height, const std::vector<std::array<int, 3>>& rgb) {
  const int row_bytes = (3 * width + 3) / 4 * 4;
  std::string out = "BM";
  put32(out, 54 + row_bytes * height);  // file size
  put32(out, 0);                        // reserved
  put32(out, 54);                       // offset of the pixels
  put32(out, 40);                       // BITMAPINFOHEADER
  put32(out, width);
  put32(out, height);
  out += std::string("\x01\x00\x18\x00", 4);  // 1 plane, 24 bits per pixel
  put32(out, 0);                              // no compression
  put32(out, row_bytes * height);
  put32(out, 2835);
  put32(out, 2835);
  put32(out, 0);
  put32(out, 0);
  for (int y = height - 1; y >= 0; --y) {  // rows bottom-up, pixels BGR
    for (int x = 0; x < width; ++x) {
      const auto& p = rgb[y * width + x];
      out += {static_cast<char>(p[2]), static_cast<char>(p[1]), static_cast<char>(p[0])};
    }
    out.append(row_bytes - 3 * width, '\0');
  }
  return out;
}

// Top-left red, top-right green, bottom-left blue, bottom-right white.
const std::string kFourColours = bmp(2, 2, {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}});

TEST(ImageTest, DecodesBmpChannelsFirst) {
  const Tensor rgb = load_image(write_test_file("four.bmp", kFourColours));
  EXPECT_EQ(rgb.shape(), (Shape{3, 2, 2}));
  EXPECT_EQ(rgb.to_vector<float>(), (std::vector<float>{1, 0, 0, 1,    // red
                                                        0, 1, 0, 1,    // green
                                                        0, 0, 1, 1}));  // blue
  // stb's luma: (77 r + 150 g + 29 b) >> 8.
  const Tensor gray = decode_image(kFourColours, "four.bmp", ImageOptions().channels(1));
  EXPECT_EQ(gray.shape(), (Shape{1, 2, 2}));
  EXPECT_THAT(gray.to_vector<float>(), ElementsAre(76 / 255.0f, 149 / 255.0f, 28 / 255.0f, 1.0f));
}

TEST(ImageTest, ResizesWithStb) {
  const std::string white = bmp(2, 2, {{255, 255, 255}, {255, 255, 255}, {255, 255, 255}, {255, 255, 255}});
  const Tensor big = decode_image(white, "white.bmp", ImageOptions().size(5, 3));
  EXPECT_EQ(big.shape(), (Shape{3, 5, 3}));
  for (float v : big.to_vector<float>()) EXPECT_EQ(v, 1.0f);
}

TEST(ImageTest, GridRoundTripsThroughPng) {
  // Three 2 x 2 gray images, two per row, one pixel apart: a 7 x 7 grid.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor images = tensor({0, 0.5, 1, 2, -1, 0.2, 0.4, 0.6, 1, 1, 1, 1}, {3, 1, 2, 2});
  images.data<float>()[4] = nan;
  const std::string path = test_dir() + "/grid.png";
  save_image_grid(path, images, 2, 1);
  const Tensor grid = load_image(path, ImageOptions().channels(1));
  ASSERT_EQ(grid.shape(), (Shape{1, 7, 7}));
  const auto pixel = [&](int y, int x) { return std::lround(grid.at({0, y, x}) * 255); };
  EXPECT_EQ(pixel(0, 0), 0);  // padding
  EXPECT_EQ(pixel(1, 1), 0);
  EXPECT_EQ(pixel(1, 2), 128);  // 0.5 * 255 = 127.5 rounds up
  EXPECT_EQ(pixel(2, 1), 255);
  EXPECT_EQ(pixel(2, 2), 255);  // 2 is clamped to 1
  EXPECT_EQ(pixel(1, 4), 0);    // NaN becomes 0
  EXPECT_EQ(pixel(1, 5), 51);
  EXPECT_EQ(pixel(2, 5), 153);
  EXPECT_EQ(pixel(4, 1), 255);  // third image starts the second row
  EXPECT_EQ(pixel(5, 2), 255);
  EXPECT_EQ(pixel(4, 4), 0);    // no fourth image
  // [N, H, W] and RGB work too.
  save_image_grid(path, zeros({2, 3, 3}));
  EXPECT_EQ(load_image(path).shape(), (Shape{3, 7, 12}));
  save_image_grid(path, ones({1, 3, 2, 2}), 8, 0);
  EXPECT_EQ(load_image(path).to_vector<float>(), std::vector<float>(12, 1.0f));
}

TEST(ImageTest, SaveRejectsBadArguments) {
  const std::string path = test_dir() + "/never.png";
  EXPECT_THAT([&] { save_image_grid(path, zeros({2, 2})); },
              ThrowsMessage<Error>(HasSubstr("needs images [N, C, H, W] or [N, H, W], got [2, 2]")));
  EXPECT_THAT([&] { save_image_grid(path, zeros({1, 2, 3, 3})); },
              ThrowsMessage<Error>(HasSubstr("needs 1 or 3 channels, got shape [1, 2, 3, 3]")));
  EXPECT_THAT([&] { save_image_grid(path, zeros({0, 1, 3, 3})); }, ThrowsMessage<Error>(HasSubstr("no pixels")));
  EXPECT_THAT([&] { save_image_grid(path, zeros({1, 1, 3, 3}), 0); },
              ThrowsMessage<Error>(HasSubstr("columns (0) must be at least 1")));
  EXPECT_THAT([] { save_image_grid("/nonexistent-dir/grid.png", zeros({1, 1, 3, 3})); },
              ThrowsMessage<Error>(HasSubstr("save_image_grid: cannot create a temporary file beside '/nonexistent-dir/grid.png'")));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ImageTest, SaveRejectsPaddingThatOverflows) {
  const std::string path = test_dir() + "/never.png";
  EXPECT_THAT([&] { save_image_grid(path, zeros({1, 1, 1, 1}), 1, std::numeric_limits<std::int64_t>::max()); },
              ThrowsMessage<Error>(HasSubstr("a grid of 1 x 1 images of 1 x 1 pixels with padding 9223372036854775807 "
                                             "is too large for PNG")));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ImageTest, BadFilesAreNamed) {
  EXPECT_THAT([] { load_image(write_test_file("text.png", "not an image at all")); },
              ThrowsMessage<Error>(HasSubstr("image: cannot decode '" + test_dir() + "/text.png': ")));
  EXPECT_THAT([] { load_image(write_test_file("empty.png", "")); }, ThrowsMessage<Error>(HasSubstr("is empty")));
  EXPECT_THAT([] { load_image(write_test_file("cut.bmp", kFourColours.substr(0, 40))); },
              ThrowsMessage<Error>(HasSubstr("cannot decode")));
  EXPECT_THAT([] { load_image(test_dir() + "/missing.png"); }, ThrowsMessage<Error>(HasSubstr("cannot open")));
  // stb 2.27's HDR decoder loops forever on this run-length header; nabla
  // builds stb with only its PNG, JPEG and BMP decoders.
  const std::string hdr = "#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 1 +X 8\n" + std::string("\x02\x02\x00\x08", 4);
  EXPECT_THAT([&] { decode_image(hdr, "hang.hdr"); },
              ThrowsMessage<Error>(HasSubstr("image: cannot decode 'hang.hdr': ")));
  EXPECT_THAT([&] { decode_image(hdr, "hang.hdr"); },
              ThrowsMessage<Error>(HasSubstr("(PNG, JPEG and BMP are supported)")));
  EXPECT_THAT([] { ImageOptions().channels(2); }, ThrowsMessage<Error>(HasSubstr("channels must be 1 (grayscale) or 3")));
  EXPECT_THAT([] { ImageOptions().size(0, 4); }, ThrowsMessage<Error>(HasSubstr("size 0 x 4 must be positive")));
}

class ImageFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = test_dir() + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::create_directories(root_ + "/cat");
    std::filesystem::create_directories(root_ + "/dog");
    write("cat/b.BMP", bmp(2, 2, {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}}));
    write("cat/a.bmp", kFourColours);
    write("dog/c.bmp", bmp(2, 2, {{255, 255, 255}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}}));
    write("dog/notes.txt", "skipped: not an image extension");
    write("readme.txt", "skipped: not a class folder");
  }
  void write(const std::string& name, const std::string& bytes) {
    write_test_file(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "/" + name, bytes);
  }
  std::string root_;
};

TEST_F(ImageFolderTest, OneClassPerSubFolderInSortedOrder) {
  const ImageFolder folder = load_image_folder(root_, ImageOptions().channels(1));
  EXPECT_EQ(folder.images.shape(), (Shape{3, 1, 2, 2}));
  EXPECT_THAT(folder.class_names, ElementsAre("cat", "dog"));
  EXPECT_EQ(folder.labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 0, 1}));
  EXPECT_THAT(folder.files, ElementsAre(root_ + "/cat/a.bmp", root_ + "/cat/b.BMP", root_ + "/dog/c.bmp"));
  EXPECT_EQ(folder.images.at({0, 0, 1, 1}), 1.0f);  // a.bmp's white corner
  EXPECT_EQ(folder.images.at({1, 0, 1, 1}), 0.0f);
  EXPECT_EQ(folder.images.at({2, 0, 0, 0}), 1.0f);
}

TEST_F(ImageFolderTest, NestedFoldersBelongToTheirClass) {
  // torchvision's ImageFolder walks each class folder with os.walk: root/cat
  // before root/cat/2019, and names sorted within each.
  std::filesystem::create_directories(root_ + "/cat/2019/june");
  write("cat/2019/e.bmp", kFourColours);
  write("cat/2019/june/f.bmp", kFourColours);
  write("cat/2019/notes.txt", "skipped: not an image extension");
  const ImageFolder folder = load_image_folder(root_);
  EXPECT_THAT(folder.files, ElementsAre(root_ + "/cat/a.bmp", root_ + "/cat/b.BMP", root_ + "/cat/2019/e.bmp",
                                        root_ + "/cat/2019/june/f.bmp", root_ + "/dog/c.bmp"));
  EXPECT_EQ(folder.labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 0, 0, 0, 1}));
  EXPECT_THAT(folder.class_names, ElementsAre("cat", "dog"));
  EXPECT_EQ(folder.images.shape(), (Shape{5, 3, 2, 2}));
}

TEST_F(ImageFolderTest, MixedSizesNeedATargetSize) {
  write("dog/d.bmp", bmp(3, 1, {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}));
  EXPECT_THAT([&] { load_image_folder(root_); },
              ThrowsMessage<Error>(HasSubstr("d.bmp' is 1 x 3 pixels but '" + root_ + "/cat/a.bmp' is 2 x 2")));
  EXPECT_EQ(load_image_folder(root_, ImageOptions().size(4, 4)).images.shape(), (Shape{4, 3, 4, 4}));
}

TEST_F(ImageFolderTest, BadImagesAndEmptyFoldersAreNamed) {
  write("dog/broken.png", "PNG? no");
  EXPECT_THAT([&] { load_image_folder(root_); },
              ThrowsMessage<Error>(HasSubstr("cannot decode '" + root_ + "/dog/broken.png'")));
  const std::string empty = test_dir() + "/empty-folder";
  std::filesystem::create_directories(empty + "/class");
  EXPECT_THAT([&] { load_image_folder(empty); }, ThrowsMessage<Error>(HasSubstr("holds no .png, .jpg, .jpeg or .bmp")));
  EXPECT_THAT([&] { load_image_folder(root_ + "/readme.txt"); },
              ThrowsMessage<Error>(HasSubstr("readme.txt' is not a directory")));
}

}  // namespace
}  // namespace nabla::data
