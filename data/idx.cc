#include "data/idx.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "io/file.h"

namespace nabla::data {
namespace {

constexpr unsigned char kUnsignedByte = 0x08;

// The parsed header of an IDX array and a pointer to its elements.
struct IdxView {
  Shape shape;
  const unsigned char* values;
};

std::uint32_t read_big_endian(const unsigned char* bytes) {
  return std::uint32_t{bytes[0]} << 24 | std::uint32_t{bytes[1]} << 16 | std::uint32_t{bytes[2]} << 8 | bytes[3];
}

// `layout` describes the expected dimensions for messages, e.g. "[count, rows, columns]".
IdxView parse_idx(std::string_view bytes, const std::string& source, std::size_t rank, const char* layout) {
  NABLA_CHECK(!bytes.empty(), "idx: '", source, "' is empty");
  NABLA_CHECK(bytes.size() >= 4, "idx: '", source, "' is too short for an IDX header (", bytes.size(), " bytes)");
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  NABLA_CHECK(data[0] == 0 && data[1] == 0, "idx: '", source, "' has bad magic number 0x", std::hex,
              read_big_endian(data), std::dec, ": not an IDX file (the first two bytes must be 0)");
  NABLA_CHECK(data[2] == kUnsignedByte, "idx: '", source, "' holds element type 0x", std::hex, int{data[2]}, std::dec,
              "; only unsigned bytes (0x08) are supported");
  NABLA_CHECK(data[3] == rank, "idx: '", source, "' has ", int{data[3]}, " dimensions, expected ", rank, " ", layout);
  const std::size_t header_size = 4 + 4 * rank;
  NABLA_CHECK(bytes.size() >= header_size, "idx: '", source, "' is truncated: its header needs ", header_size,
              " bytes, the file has ", bytes.size());
  IdxView view{Shape(rank), data + header_size};
  // Each size is below 2^32, so a product over 2^62 can only come from a
  // corrupt header. Sizes of 0 count as 1 there, as in a tensor's strides:
  // [0, 2^32 - 1, 2^32 - 1] holds no data but could not be a tensor.
  std::uint64_t count = 1;
  std::uint64_t extent = 1;
  bool too_large = false;
  for (std::size_t d = 0; d < rank; ++d) {
    const std::uint32_t size = read_big_endian(data + 4 + 4 * d);
    view.shape[d] = size;
    too_large = too_large || __builtin_mul_overflow(extent, std::uint64_t{std::max(size, 1u)}, &extent) ||
                extent > (1ULL << 62);
    if (!too_large) count *= size;  // count <= extent <= 2^62
  }
  NABLA_CHECK(!too_large, "idx: '", source, "' announces shape ", view.shape,
              ", whose sizes (0 counted as 1) multiply past 2^62: the header is corrupt");
  const std::size_t available = bytes.size() - header_size;
  NABLA_CHECK(count <= available, "idx: '", source, "' is truncated: its header announces shape ", view.shape, " (",
              count, " bytes of data), but only ", available, " bytes follow");
  NABLA_CHECK(count == available, "idx: '", source, "' has ", available - count,
              " bytes after the data that its header announces (shape ", view.shape, ")");
  return view;
}

// The bytes of an IDX array: gunzipped when compressed, else viewed as given.
class IdxBytes {
 public:
  IdxBytes(std::string_view bytes, const std::string& source) : view_(bytes) {
    if (io::is_gzip(bytes)) {
      storage_ = io::gunzip(bytes, source, "idx");
      view_ = storage_;
    }
  }
  std::string_view view() const { return view_; }

 private:
  std::string storage_;
  std::string_view view_;
};

}  // namespace

Tensor decode_idx_images(std::string_view bytes, const std::string& source) {
  const IdxBytes raw(bytes, source);
  const IdxView view = parse_idx(raw.view(), source, 3, "[count, rows, columns] for images");
  NABLA_CHECK(view.shape[1] > 0 && view.shape[2] > 0, "idx: '", source, "' announces images of ", view.shape[1],
              " x ", view.shape[2], " pixels");
  Tensor images({view.shape[0], 1, view.shape[1], view.shape[2]}, kFloat32);
  // A table gives exactly pixel / 255.0f and vectorises better than a divide.
  std::array<float, 256> scale;
  for (int v = 0; v < 256; ++v) scale[v] = static_cast<float>(v) / 255.0f;
  float* out = images.data<float>();
  const std::int64_t n = images.numel();
  for (std::int64_t i = 0; i < n; ++i) out[i] = scale[view.values[i]];
  return images;
}

Tensor decode_idx_labels(std::string_view bytes, const std::string& source) {
  const IdxBytes raw(bytes, source);
  const IdxView view = parse_idx(raw.view(), source, 1, "[count] for labels");
  Tensor labels({view.shape[0]}, kInt64);
  std::int64_t* out = labels.data<std::int64_t>();
  for (std::int64_t i = 0; i < view.shape[0]; ++i) out[i] = view.values[i];
  return labels;
}

Tensor load_idx_images(const std::string& path) { return decode_idx_images(io::read_file(path, "idx"), path); }

Tensor load_idx_labels(const std::string& path) { return decode_idx_labels(io::read_file(path, "idx"), path); }

Batch load_idx(const std::string& images_path, const std::string& labels_path) {
  Batch batch{load_idx_images(images_path), load_idx_labels(labels_path)};
  NABLA_CHECK(batch.inputs.dim(0) == batch.labels.dim(0), "idx: '", images_path, "' holds ", batch.inputs.dim(0),
              " images but '", labels_path, "' holds ", batch.labels.dim(0), " labels");
  return batch;
}

void write_idx(const std::string& path, const Shape& shape, const std::vector<std::uint8_t>& values) {
  NABLA_CHECK(!shape.empty() && shape.size() <= 255, "write_idx: '", path, "': shape ", shape,
              " needs 1 to 255 dimensions");
  std::string bytes = {0, 0, static_cast<char>(kUnsignedByte), static_cast<char>(shape.size())};
  std::uint64_t count = 1;
  bool too_large = false;
  for (std::int64_t size : shape) {
    NABLA_CHECK(size >= 0 && size <= 0xFFFFFFFFLL, "write_idx: '", path, "': size ", size, " of shape ", shape,
                " does not fit in uint32");
    too_large = too_large || __builtin_mul_overflow(count, static_cast<std::uint64_t>(size), &count);
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>((size >> shift) & 0xFF));
  }
  NABLA_CHECK(!too_large && count == values.size(), "write_idx: '", path, "': shape ", shape, " does not match the ",
              values.size(), " values given");
  bytes.append(reinterpret_cast<const char*>(values.data()), values.size());
  io::write_file_atomic(path, bytes, "write_idx");
}

}  // namespace nabla::data
