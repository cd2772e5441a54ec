#ifndef NABLA_DATA_IMAGE_H_
#define NABLA_DATA_IMAGE_H_

/// Image files (PNG, JPEG and BMP, decoded by stb_image), image-folder
/// datasets, and PNG grids of images.
///
/// Images are float32 in [0, 1] (pixel / 255), channels first: one image is
/// [C, H, W], several are [N, C, H, W], with C = 1 (grayscale) or 3 (RGB).
///
///   Tensor photo = load_image("cat.jpg", ImageOptions().channels(3).size(32, 32));  // [3, 32, 32]
///   ImageFolder pets = load_image_folder("pets", ImageOptions().size(64, 64));
///   // pets/cat/*.png, pets/dog/*.jpg -> images [N, 3, 64, 64], labels cat = 0, dog = 1
///   save_image_grid("samples.png", generated);  // generated: [16, 1, 28, 28]
///
/// Errors (nabla::Error) name the file: unreadable, not an image, images of
/// different sizes in a folder without a target size, bad options.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tensor/tensor.h"

namespace nabla::data {

class ImageOptions {
 public:
  /// 1 for grayscale, 3 for RGB (default 3); files are converted as needed.
  /// Throws for any other value.
  ImageOptions& channels(std::int64_t value);
  /// Resize every image to height x width with stb's resampler (default:
  /// keep the file's size). Throws unless both are positive.
  ImageOptions& size(std::int64_t height, std::int64_t width);

  std::int64_t channels() const { return channels_; }
  std::int64_t height() const { return height_; }  ///< 0: the file's
  std::int64_t width() const { return width_; }    ///< 0: the file's

 private:
  std::int64_t channels_ = 3;
  std::int64_t height_ = 0;
  std::int64_t width_ = 0;
};

/// Decodes an image from its encoded bytes to float32 [C, H, W]; `source`
/// names it in error messages.
Tensor decode_image(std::string_view bytes, const std::string& source, const ImageOptions& options = ImageOptions());
Tensor load_image(const std::string& path, const ImageOptions& options = ImageOptions());

struct ImageFolder {
  Tensor images;  ///< float32 [N, C, H, W]
  Tensor labels;  ///< int64 [N]: index into class_names
  std::vector<std::string> class_names;  ///< the sub-folder names, sorted
  std::vector<std::string> files;        ///< path of each image
};

/// Every image under root/<class>/, in nested folders too (as torchvision's
/// ImageFolder), for each sub-folder <class> of `root`; classes in sorted
/// order, files sorted by folder, then name. Files whose extension is not .png,
/// .jpg, .jpeg or .bmp (any case) are skipped. Throws when `root` is not a
/// directory, holds no images, or an image cannot be decoded; without
/// options.size() all images must have the same size.
ImageFolder load_image_folder(const std::string& root, const ImageOptions& options = ImageOptions());

/// Writes images [N, C, H, W] or [N, H, W] (values clamped to [0, 1]) as
/// one PNG: a grid `columns` images wide, `padding` black pixels apart.
/// The write is atomic. Throws for C other than 1 or 3, an empty batch,
/// columns < 1, padding < 0, a grid too large for PNG, or a file that
/// cannot be written.
void save_image_grid(const std::string& path, const Tensor& images, std::int64_t columns = 8,
                     std::int64_t padding = 2);

}  // namespace nabla::data

#endif  // NABLA_DATA_IMAGE_H_
