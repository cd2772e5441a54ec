#include "checkpoint/safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "checkpoint/internal/json_structure.h"
#include "io/file.h"

// Tensor data is copied with memcpy in the host's byte order, which the
// format fixes as little-endian.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "checkpoint: safetensors I/O assumes a little-endian host");

namespace nabla::checkpoint {
namespace {

// Objects as std::map: O(log n) per key, where nlohmann's ordered_json is
// O(n) and a header of a million names would take hours. parse_strict_json
// records the keys' order in the document instead.
using Json = nlohmann::json;

constexpr std::size_t kLengthBytes = 8;
constexpr const char* kMetadataKey = "__metadata__";
// A valid header nests three deep: the top object, a tensor's entry or the
// metadata, a shape or offsets.
constexpr int kMaxHeaderDepth = 3;

const char* dtype_code(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return "F32";
    case DType::kFloat64:
      return "F64";
    case DType::kInt64:
      return "I64";
  }
  throw Error("safetensors: invalid dtype");
}

// Every dtype of the safetensors specification that nabla has no element
// type for: recognised, so the error says "unsupported" rather than "unknown".
bool is_other_safetensors_dtype(const std::string& code) {
  static const std::set<std::string> kOthers = {"BOOL", "U8",  "I8",  "F8_E5M2", "F8_E4M3", "I16", "U16",
                                                "F16",  "BF16", "I32", "U32",     "U64",     "F4",  "F6_E2M3",
                                                "F6_E3M2", "F8_E8M0"};
  return kOthers.count(code) > 0;
}

// The first byte of a dense tensor's elements.
const char* raw_bytes(const Tensor& tensor) {
  return dispatch(tensor.dtype(), [&](auto tag) {
    using T = decltype(tag);
    return reinterpret_cast<const char*>(tensor.data<T>());
  });
}

char* raw_bytes(Tensor& tensor) {
  return const_cast<char*>(raw_bytes(static_cast<const Tensor&>(tensor)));
}

// One tensor's entry in the header, checked on its own.
struct Entry {
  std::string name;
  DType dtype = kFloat32;
  Shape shape;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

// Parse state and error prefix for one file.
class Parser {
 public:
  Parser(std::string_view bytes, const std::string& source) : bytes_(bytes), source_(source) {}

  TensorFile parse() {
    check(bytes_.size() >= kLengthBytes, "the file is ", bytes_.size(), " bytes, too short for the ", kLengthBytes,
          "-byte header length");
    std::uint64_t header_length = 0;
    for (std::size_t i = 0; i < kLengthBytes; ++i) {
      header_length |= std::uint64_t{static_cast<unsigned char>(bytes_[i])} << (8 * i);
    }
    const std::uint64_t after_length = bytes_.size() - kLengthBytes;
    check(header_length <= kMaxHeaderBytes, "the header length ", header_length, " is absurd (the limit is ",
          kMaxHeaderBytes, " bytes); not a safetensors file?");
    check(header_length <= after_length, "the header length ", header_length, " exceeds the ", after_length,
          " bytes after the length field; truncated file?");
    const std::string_view header = bytes_.substr(kLengthBytes, header_length);
    const std::string_view data = bytes_.substr(kLengthBytes + header_length);
    check(!header.empty() && header.front() == '{', "the header does not start with '{'");

    TensorFile file;
    std::vector<Entry> entries;
    std::vector<std::string> names;  // top-level keys in document order
    const Json json =
        internal::parse_strict_json(header, {prefix(), "the header", "a safetensors header", kMaxHeaderDepth}, &names);
    check(json.is_object(), "the header is not a JSON object");
    for (const std::string& name : names) {
      const Json& value = json.at(name);
      if (name == kMetadataKey) {
        file.metadata = parse_metadata(value);
      } else {
        entries.push_back(parse_entry(name, value, data.size()));
      }
    }
    check_layout(entries, data.size());

    file.tensors.reserve(entries.size());
    for (const Entry& entry : entries) {
      Tensor tensor(entry.shape, entry.dtype);
      const std::uint64_t size = entry.end - entry.begin;
      if (size > 0) std::memcpy(raw_bytes(tensor), data.data() + entry.begin, size);
      file.tensors.emplace_back(entry.name, std::move(tensor));
    }
    return file;
  }

 private:
  template <typename... Parts>
  void check(bool ok, const Parts&... parts) const {
    NABLA_CHECK(ok, prefix(), parts...);
  }

  std::string prefix() const { return "load_tensors: '" + source_ + "': "; }

  std::map<std::string, std::string> parse_metadata(const Json& value) const {
    check(value.is_object(), "\"", kMetadataKey, "\" is not an object of strings but ", value.type_name());
    std::map<std::string, std::string> metadata;
    for (const auto& [key, text] : value.items()) {
      check(text.is_string(), "\"", kMetadataKey, "\" entry '", key, "' is not a string but ", text.type_name());
      metadata.emplace(key, text.get<std::string>());
    }
    return metadata;
  }

  // Checks `value` as the header entry of tensor `name`, against the size of
  // the data section.
  Entry parse_entry(const std::string& name, const Json& value, std::uint64_t data_size) const {
    Entry entry;
    entry.name = name;
    check(value.is_object(), "tensor '", name, "': the entry is not an object but ", value.type_name());
    for (const auto& [field, ignored] : value.items()) {
      check(field == "dtype" || field == "shape" || field == "data_offsets", "tensor '", name, "': unknown field '",
            field, "'");
    }
    for (const char* field : {"dtype", "shape", "data_offsets"}) {
      check(value.contains(field), "tensor '", name, "': missing field \"", field, "\"");
    }

    const Json& dtype = value.at("dtype");
    check(dtype.is_string(), "tensor '", name, "': \"dtype\" is not a string but ", dtype.type_name());
    const std::string& code = dtype.get_ref<const std::string&>();
    if (code == "F32") {
      entry.dtype = kFloat32;
    } else if (code == "F64") {
      entry.dtype = kFloat64;
    } else if (code == "I64") {
      entry.dtype = kInt64;
    } else {
      check(!is_other_safetensors_dtype(code), "tensor '", name, "': dtype '", code,
            "' is not supported (nabla reads F32, F64 and I64)");
      check(false, "tensor '", name, "': unknown dtype '", code, "'");
    }

    const Json& shape = value.at("shape");
    check(shape.is_array(), "tensor '", name, "': \"shape\" is not an array but ", shape.type_name());
    std::uint64_t elements = 1;
    std::uint64_t extent = 1;  // the product with 0 counted as 1: what a tensor's strides must hold
    for (const Json& size : shape) {
      check(size.is_number_integer(), "tensor '", name, "': \"shape\" ", shape.dump(), " holds ", size.dump(),
            ", not an integer");
      check(size.is_number_unsigned() || size.get<std::int64_t>() >= 0, "tensor '", name, "': \"shape\" ",
            shape.dump(), " has a negative size");
      const std::uint64_t n = size.get<std::uint64_t>();
      check(n <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) &&
                !__builtin_mul_overflow(elements, n, &elements) &&
                elements <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()),
            "tensor '", name, "': \"shape\" ", shape.dump(), " has more elements than fit in 64 bits");
      check(!__builtin_mul_overflow(extent, std::max<std::uint64_t>(n, 1), &extent) &&
                extent <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()),
            "tensor '", name, "': \"shape\" ", shape.dump(),
            " has sizes (0 counted as 1) that multiply past 64 bits, too large for a tensor");
      entry.shape.push_back(static_cast<std::int64_t>(n));
    }
    std::uint64_t expected_bytes = 0;
    check(!__builtin_mul_overflow(elements, dtype_size(entry.dtype), &expected_bytes), "tensor '", name,
          "': \"shape\" ", shape.dump(), " of ", code, " has more bytes than fit in 64 bits");

    const Json& offsets = value.at("data_offsets");
    check(offsets.is_array() && offsets.size() == 2, "tensor '", name,
          "': \"data_offsets\" is not an array of two offsets but ", offsets.dump());
    for (const Json& offset : offsets) {
      check(offset.is_number_integer() && (offset.is_number_unsigned() || offset.get<std::int64_t>() >= 0),
            "tensor '", name, "': \"data_offsets\" ", offsets.dump(), " holds ", offset.dump(),
            ", not a non-negative integer");
    }
    entry.begin = offsets[0].get<std::uint64_t>();
    entry.end = offsets[1].get<std::uint64_t>();
    check(entry.begin <= entry.end, "tensor '", name, "': \"data_offsets\" ", offsets.dump(),
          " are out of order (begin after end)");
    check(entry.end <= data_size, "tensor '", name, "': \"data_offsets\" ", offsets.dump(), " lie outside the ",
          data_size, " data bytes; truncated file?");
    check(entry.end - entry.begin == expected_bytes, "tensor '", name, "': \"data_offsets\" ", offsets.dump(),
          " hold ", entry.end - entry.begin, " bytes, but ", code, " ", entry.shape, " needs ", expected_bytes);
    return entry;
  }

  // Sorts the entries by offset and checks that they tile the data exactly:
  // no overlap, no hole, nothing after the last tensor.
  void check_layout(std::vector<Entry>& entries, std::uint64_t data_size) const {
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    std::uint64_t next = 0;
    const Entry* previous = nullptr;
    for (const Entry& entry : entries) {
      check(entry.begin >= next, "tensor '", entry.name, "': data [", entry.begin, ", ", entry.end,
            ") overlaps tensor '", previous ? previous->name : "", "' at [", previous ? previous->begin : 0, ", ",
            next, ")");
      check(entry.begin == next, "data bytes [", next, ", ", entry.begin, ") before tensor '", entry.name,
            "' belong to no tensor");
      next = entry.end;
      previous = &entry;
    }
    check(next == data_size, data_size - next, " trailing bytes after the last tensor's data (the data is ",
          data_size, " bytes, the tensors cover ", next, ")");
  }

  std::string_view bytes_;
  const std::string& source_;
};

}  // namespace

std::string serialize_safetensors(const NamedTensors& tensors, const std::map<std::string, std::string>& metadata) {
  // The header is assembled entry by entry (in the tensors' order, with
  // "__metadata__" first, as the reference implementation writes it) rather
  // than as one ordered JSON object, whose inserts are O(n) each.
  std::string text = "{";
  std::set<std::string> names;
  std::vector<Tensor> dense;
  dense.reserve(tensors.size());
  std::uint64_t offset = 0;
  try {
    if (!metadata.empty()) text += Json(kMetadataKey).dump() + ":" + Json(metadata).dump();
    for (const auto& [name, tensor] : tensors) {
      NABLA_CHECK(name != kMetadataKey, "save_tensors: a tensor cannot be named '", kMetadataKey, "'");
      NABLA_CHECK(tensor.defined(), "save_tensors: tensor '", name, "' is undefined");
      NABLA_CHECK(names.insert(name).second, "save_tensors: the name '", name, "' appears twice");
      dense.push_back(tensor.contiguous());
      const std::uint64_t size = static_cast<std::uint64_t>(tensor.numel()) * dtype_size(tensor.dtype());
      // ordered_json keeps the reference's field order: dtype, shape, data_offsets.
      nlohmann::ordered_json entry = nlohmann::ordered_json::object();
      entry["dtype"] = dtype_code(tensor.dtype());
      entry["shape"] = tensor.shape();
      entry["data_offsets"] = nlohmann::ordered_json::array({offset, offset + size});
      if (text.size() > 1) text += ",";
      text += Json(name).dump() + ":" + entry.dump();
      offset += size;
    }
  } catch (const nlohmann::json::exception& error) {
    NABLA_CHECK(false, "save_tensors: a tensor name or metadata string is not valid UTF-8: ", error.what());
  }
  text += "}";
  // Spaces up to a multiple of 8, so that the data starts 8-byte aligned.
  text.append((kLengthBytes - text.size() % kLengthBytes) % kLengthBytes, ' ');

  std::string bytes;
  bytes.reserve(kLengthBytes + text.size() + offset);
  for (std::size_t i = 0; i < kLengthBytes; ++i) {
    bytes.push_back(static_cast<char>((std::uint64_t{text.size()} >> (8 * i)) & 0xff));
  }
  bytes += text;
  for (const Tensor& tensor : dense) {
    const std::size_t size = static_cast<std::size_t>(tensor.numel()) * dtype_size(tensor.dtype());
    if (size > 0) bytes.append(raw_bytes(tensor), size);
  }
  return bytes;
}

TensorFile parse_safetensors(std::string_view bytes, const std::string& source) {
  return Parser(bytes, source).parse();
}

void save_tensors(const std::string& path, const NamedTensors& tensors,
                  const std::map<std::string, std::string>& metadata) {
  io::write_file_atomic(path, serialize_safetensors(tensors, metadata), "save_tensors");
}

TensorFile load_tensors(const std::string& path) {
  return parse_safetensors(io::read_file(path, "load_tensors"), path);
}

}  // namespace nabla::checkpoint
