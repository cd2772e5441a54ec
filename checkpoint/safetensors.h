#ifndef NABLA_CHECKPOINT_SAFETENSORS_H_
#define NABLA_CHECKPOINT_SAFETENSORS_H_

/// Named tensors in the safetensors format (https://github.com/huggingface/safetensors),
/// readable by its reference implementation and by PyTorch, NumPy, JAX ...:
///
///   bytes 0..7      N, the header length: unsigned 64-bit little-endian
///   bytes 8..8+N    the header: UTF-8 JSON, padded with spaces to make N a
///                   multiple of 8 (as the reference implementation does)
///                     {"__metadata__": {"format": "pt"},
///                      "weight": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
///                      "step":   {"dtype": "I64", "shape": [],     "data_offsets": [24, 32]}}
///   bytes 8+N..     the data: every tensor's elements, row-major and
///                   little-endian, contiguous and in order; data_offsets
///                   are [begin, end) relative to the start of the data.
///
/// nabla writes and reads the dtypes F32, F64 and I64 (float32, float64,
/// int64). "__metadata__" (string -> string) is written only when there is
/// metadata, first, as the reference implementation does.
///
///   save_tensors("/tmp/w.safetensors", {{"w", w}, {"b", b}}, {{"epoch", "3"}});
///   TensorFile file = load_tensors("/tmp/w.safetensors");  // file.tensors[0] == {"w", ...}
///
/// Writes are atomic (internal/file_io.h): a temporary file beside the
/// target, fsync, rename; a failed save leaves the old file intact.
/// Reading validates everything and throws nabla::Error naming the file and
/// the tensor or the problem: a file shorter than 8 bytes, a header length
/// beyond the file or above 100 MB, a header that is not a JSON object
/// starting with '{', duplicate names, missing, unknown or mistyped fields,
/// an unsupported dtype, negative or overflowing shapes, data_offsets
/// outside the data or not matching shape x dtype size, overlapping ranges,
/// holes between ranges and bytes after the last one.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace nabla::checkpoint {

/// Named tensors in a fixed order.
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

/// The contents of a safetensors file.
struct TensorFile {
  /// In the order of their data in the file (the order they were saved in).
  NamedTensors tensors;
  /// The header's "__metadata__"; empty when there is none.
  std::map<std::string, std::string> metadata;
};

/// The largest header load_tensors accepts, in bytes (the reference
/// implementation's limit).
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

/// The safetensors bytes of `tensors` (any strides; written row-major) and
/// `metadata`. Throws nabla::Error for an undefined tensor, a
/// duplicate name, the name "__metadata__", or a name or metadata string
/// that is not valid UTF-8.
std::string serialize_safetensors(const NamedTensors& tensors, const std::map<std::string, std::string>& metadata = {});

/// Parses safetensors bytes; `source` (a file name) prefixes every error.
/// The tensors own fresh storage. Throws nabla::Error as described above.
TensorFile parse_safetensors(std::string_view bytes, const std::string& source);

/// serialize_safetensors, written atomically to `path`.
void save_tensors(const std::string& path, const NamedTensors& tensors,
                  const std::map<std::string, std::string>& metadata = {});

/// Reads and parses a safetensors file.
TensorFile load_tensors(const std::string& path);

}  // namespace nabla::checkpoint

#endif  // NABLA_CHECKPOINT_SAFETENSORS_H_
