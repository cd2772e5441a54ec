#ifndef NABLA_DATA_IDX_H_
#define NABLA_DATA_IDX_H_

/// The IDX format of MNIST and Fashion-MNIST, raw or gzip-compressed.
///
/// An IDX file is a 4-byte magic number (0x00 0x00, element type, number of
/// dimensions), one big-endian uint32 size per dimension, then the elements
/// in row-major order. nabla reads unsigned-byte files (type 0x08): images
/// with 3 dimensions [count, rows, columns] and labels with 1 [count].
///
///   Batch train = load_idx("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz");
///   // train.inputs: float32 [60000, 1, 28, 28] in [0, 1]; train.labels: int64 [60000]
///
/// Every loader checks the magic number, the element type, the number of
/// dimensions and that the file holds exactly the bytes its header announces,
/// and throws nabla::Error naming the file and what is wrong: a loader never
/// returns a partly filled tensor.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.h"
#include "tensor/tensor.h"

namespace nabla::data {

/// Images from IDX bytes (raw or gzip): float32 [count, 1, rows, columns],
/// pixel / 255. `source` names the bytes in error messages.
Tensor decode_idx_images(std::string_view bytes, const std::string& source);
/// Labels from IDX bytes (raw or gzip): int64 [count].
Tensor decode_idx_labels(std::string_view bytes, const std::string& source);

/// As the decode functions, reading the file at `path`.
Tensor load_idx_images(const std::string& path);
Tensor load_idx_labels(const std::string& path);
/// Images and labels of one dataset; throws when their counts differ.
Batch load_idx(const std::string& images_path, const std::string& labels_path);

/// Writes an unsigned-byte IDX file (uncompressed) atomically: `values`
/// holds numel(shape) bytes in row-major order. Throws when the sizes
/// disagree, a size does not fit in uint32, or the file cannot be written.
void write_idx(const std::string& path, const Shape& shape, const std::vector<std::uint8_t>& values);

}  // namespace nabla::data

#endif  // NABLA_DATA_IDX_H_
