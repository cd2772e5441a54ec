#ifndef NABLA_IO_FILE_H_
#define NABLA_IO_FILE_H_

/// Whole-file reads, gzip decoding and durable atomic writes, shared by the
/// dataset readers, checkpoints and examples. Every failure throws
/// nabla::Error naming `op`, the file and the system's reason.
///
///   std::string bytes = io::maybe_gunzip(io::read_file(path, "load_idx"), path, "load_idx");
///   io::write_file_atomic("/tmp/model.safetensors", bytes, "save");

#include <functional>
#include <string>
#include <string_view>

namespace nabla::io {

/// The bytes of a regular file.
std::string read_file(const std::string& path, const char* op);

/// True when `bytes` start with the gzip magic 1f 8b.
bool is_gzip(std::string_view bytes);

/// The decompressed contents of gzip data (concatenated members are joined,
/// as gzip -d does). `source` names the data in error messages.
std::string gunzip(std::string_view bytes, const std::string& source, const char* op);

/// `bytes` gunzipped when they are gzip data, else unchanged.
std::string maybe_gunzip(std::string bytes, const std::string& source, const char* op);

/// Writes `bytes` to a new temporary file in the directory of `path`, fsyncs
/// it, renames it over `path` and fsyncs the directory. Readers see the old
/// file or the new one, never a part; after a failure the old file is intact
/// and the temporary file is removed. `before_rename`, when set, runs after
/// the temporary file is complete and synced and before the rename (tests
/// throw from it to simulate a failure at the last moment).
void write_file_atomic(const std::string& path, std::string_view bytes, const char* op,
                       const std::function<void(const std::string& temp_path)>& before_rename = {});

}  // namespace nabla::io

#endif  // NABLA_IO_FILE_H_
