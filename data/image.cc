#include "data/image.h"

// Debian's libstb holds every stb_image decoder, and 2.27's HDR one loops
// forever on crafted input: compile a private copy that decodes only the
// formats nabla promises, so the others are not even linked.
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_NO_STDIO
#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <filesystem>
#include <memory>
#include <utility>

#include "io/file.h"

namespace nabla::data {
namespace {

namespace fs = std::filesystem;

// stb counts pixels and bytes in int.
bool fits_int(std::int64_t height, std::int64_t width, std::int64_t channels) {
  return height > 0 && width > 0 && height <= INT_MAX / width && height * width <= INT_MAX / channels;
}

// Sets extent = count * (size + padding) + padding unless that overflows.
bool grid_extent_overflows(std::int64_t count, std::int64_t size, std::int64_t padding, std::int64_t& extent) {
  return __builtin_add_overflow(size, padding, &extent) || __builtin_mul_overflow(count, extent, &extent) ||
         __builtin_add_overflow(extent, padding, &extent);
}

bool is_image_file(const fs::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".png" || extension == ".jpg" || extension == ".jpeg" || extension == ".bmp";
}

// The sorted sub-folders of `dir`.
std::vector<fs::path> list_folders(const fs::path& dir) {
  std::vector<fs::path> paths;
  std::error_code error;
  fs::directory_iterator it(dir, error);
  for (; !error && it != fs::directory_iterator(); it.increment(error)) {
    if (it->is_directory(error)) paths.push_back(it->path());
  }
  NABLA_CHECK(!error, "image folder: cannot list '", dir.string(), "': ", error.message());
  std::sort(paths.begin(), paths.end());
  return paths;
}

// The image files anywhere under `dir`, nested folders included, as
// torchvision's ImageFolder and Keras's image_dataset_from_directory walk
// it: sorted by folder, then by name.
std::vector<fs::path> list_images(const fs::path& dir) {
  std::vector<fs::path> paths;
  std::error_code error;
  fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    const bool is_folder = it->is_directory(error);
    if (!error && !is_folder && is_image_file(it->path())) paths.push_back(it->path());
  }
  NABLA_CHECK(!error, "image folder: cannot list '", dir.string(), "': ", error.message());
  std::sort(paths.begin(), paths.end(), [](const fs::path& a, const fs::path& b) {
    return std::make_pair(a.parent_path().string(), a.filename().string()) <
           std::make_pair(b.parent_path().string(), b.filename().string());
  });
  return paths;
}

}  // namespace

ImageOptions& ImageOptions::channels(std::int64_t value) {
  NABLA_CHECK(value == 1 || value == 3, "ImageOptions: channels must be 1 (grayscale) or 3 (RGB), got ", value);
  channels_ = value;
  return *this;
}

ImageOptions& ImageOptions::size(std::int64_t height, std::int64_t width) {
  NABLA_CHECK(fits_int(height, width, 3), "ImageOptions: size ", height, " x ", width,
              " must be positive and at most 2^31 bytes of pixels");
  height_ = height;
  width_ = width;
  return *this;
}

Tensor decode_image(std::string_view bytes, const std::string& source, const ImageOptions& options) {
  NABLA_CHECK(!bytes.empty(), "image: '", source, "' is empty");
  NABLA_CHECK(bytes.size() <= INT_MAX, "image: '", source, "' is larger than 2 GiB");
  const int channels = static_cast<int>(options.channels());
  int width = 0;
  int height = 0;
  int file_channels = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), static_cast<int>(bytes.size()), &width,
                            &height, &file_channels, channels),
      stbi_image_free);
  if (pixels == nullptr) {
    const char* reason = stbi_failure_reason();
    NABLA_CHECK(false, "image: cannot decode '", source, "': ", reason != nullptr ? reason : "unknown format",
                " (PNG, JPEG and BMP are supported)");
  }

  const std::int64_t out_height = options.height() > 0 ? options.height() : height;
  const std::int64_t out_width = options.width() > 0 ? options.width() : width;
  std::vector<stbi_uc> resized;
  const stbi_uc* source_pixels = pixels.get();
  if (out_height != height || out_width != width) {
    resized.resize(static_cast<std::size_t>(out_height * out_width * channels));
    NABLA_CHECK(stbir_resize_uint8(pixels.get(), width, height, 0, resized.data(), static_cast<int>(out_width),
                                   static_cast<int>(out_height), 0, channels) == 1,
                "image: cannot resize '", source, "' from ", height, " x ", width, " to ", out_height, " x ",
                out_width);
    source_pixels = resized.data();
  }
  // stb gives interleaved HWC; nabla wants CHW.
  Tensor image({channels, out_height, out_width}, kFloat32);
  float* out = image.data<float>();
  const std::int64_t plane = out_height * out_width;
  for (std::int64_t p = 0; p < plane; ++p) {
    for (int c = 0; c < channels; ++c) out[c * plane + p] = static_cast<float>(source_pixels[p * channels + c]) / 255.0f;
  }
  return image;
}

Tensor load_image(const std::string& path, const ImageOptions& options) {
  return decode_image(io::read_file(path, "image"), path, options);
}

ImageFolder load_image_folder(const std::string& root, const ImageOptions& options) {
  std::error_code error;
  NABLA_CHECK(fs::is_directory(root, error), "image folder: '", root, "' is not a directory");
  ImageFolder folder;
  std::vector<Tensor> images;
  std::vector<std::int64_t> labels;
  for (const fs::path& dir : list_folders(root)) {
    const auto label = static_cast<std::int64_t>(folder.class_names.size());
    folder.class_names.push_back(dir.filename().string());
    for (const fs::path& file : list_images(dir)) {
      images.push_back(load_image(file.string(), options));
      NABLA_CHECK(images.back().shape() == images.front().shape(), "image folder: '", file.string(), "' is ",
                  images.back().dim(1), " x ", images.back().dim(2), " pixels but '", folder.files.front(), "' is ",
                  images.front().dim(1), " x ", images.front().dim(2), "; set ImageOptions().size(height, width)");
      folder.files.push_back(file.string());
      labels.push_back(label);
    }
  }
  NABLA_CHECK(!images.empty(), "image folder: '", root,
              "' holds no .png, .jpg, .jpeg or .bmp files in sub-folders (one sub-folder per class)");

  Shape shape = images.front().shape();
  shape.insert(shape.begin(), static_cast<std::int64_t>(images.size()));
  folder.images = Tensor(shape, kFloat32);
  const std::int64_t image_size = images.front().numel();
  float* out = folder.images.data<float>();
  for (std::size_t i = 0; i < images.size(); ++i) {
    std::copy_n(images[i].data<float>(), image_size, out + static_cast<std::int64_t>(i) * image_size);
  }
  folder.labels = Tensor({static_cast<std::int64_t>(labels.size())}, kInt64);
  std::copy(labels.begin(), labels.end(), folder.labels.data<std::int64_t>());
  return folder;
}

void save_image_grid(const std::string& path, const Tensor& images, std::int64_t columns, std::int64_t padding) {
  NABLA_CHECK(images.defined() && (images.rank() == 3 || images.rank() == 4), "save_image_grid: '", path,
              "': needs images [N, C, H, W] or [N, H, W], got ",
              images.defined() ? images.shape() : Shape{});
  const Tensor batch = (images.rank() == 3 ? images.unsqueeze(1) : images).astype(kFloat32);
  const std::int64_t count = batch.dim(0);
  const std::int64_t channels = batch.dim(1);
  const std::int64_t height = batch.dim(2);
  const std::int64_t width = batch.dim(3);
  NABLA_CHECK(channels == 1 || channels == 3, "save_image_grid: '", path, "': needs 1 or 3 channels, got shape ",
              images.shape());
  NABLA_CHECK(count > 0 && height > 0 && width > 0, "save_image_grid: '", path, "': no pixels in shape ",
              images.shape());
  NABLA_CHECK(columns >= 1 && padding >= 0, "save_image_grid: '", path, "': columns (", columns,
              ") must be at least 1 and padding (", padding, ") at least 0");
  columns = std::min(columns, count);
  const std::int64_t rows = (count + columns - 1) / columns;
  std::int64_t grid_width = 0;
  std::int64_t grid_height = 0;
  NABLA_CHECK(!grid_extent_overflows(columns, width, padding, grid_width) &&
                  !grid_extent_overflows(rows, height, padding, grid_height) &&
                  fits_int(grid_height, grid_width, channels),
              "save_image_grid: '", path, "': a grid of ", rows, " x ", columns, " images of ", height, " x ", width,
              " pixels with padding ", padding, " is too large for PNG");

  std::vector<unsigned char> grid(static_cast<std::size_t>(grid_height * grid_width * channels), 0);
  const float* in = batch.data<float>();
  for (std::int64_t n = 0; n < count; ++n) {
    const std::int64_t top = padding + (n / columns) * (height + padding);
    const std::int64_t left = padding + (n % columns) * (width + padding);
    for (std::int64_t c = 0; c < channels; ++c) {
      for (std::int64_t y = 0; y < height; ++y) {
        for (std::int64_t x = 0; x < width; ++x) {
          const float value = in[((n * channels + c) * height + y) * width + x];
          // NaN fails both comparisons and becomes 0.
          const float clamped = value > 1.0f ? 1.0f : (value > 0.0f ? value : 0.0f);
          grid[((top + y) * grid_width + left + x) * channels + c] =
              static_cast<unsigned char>(std::lround(clamped * 255.0f));
        }
      }
    }
  }
  std::string png;
  const int written = stbi_write_png_to_func(
      [](void* context, void* data, int size) { static_cast<std::string*>(context)->append(static_cast<char*>(data), size); },
      &png, static_cast<int>(grid_width), static_cast<int>(grid_height), static_cast<int>(channels), grid.data(),
      static_cast<int>(grid_width * channels));
  NABLA_CHECK(written != 0, "save_image_grid: '", path, "': stb could not encode the PNG");
  io::write_file_atomic(path, png, "save_image_grid");
}

}  // namespace nabla::data
