#ifndef NABLA_DATA_INTERNAL_FILE_IO_H_
#define NABLA_DATA_INTERNAL_FILE_IO_H_

// Whole-file reads, gzip decoding and atomic writes shared by the loaders.
// Every failure throws nabla::Error naming `op` and the file.

#include <string>
#include <string_view>

namespace nabla::data::internal {

// The bytes of a regular file.
std::string read_file(const std::string& path, const char* op);

// True when `bytes` start with the gzip magic 1f 8b.
bool is_gzip(std::string_view bytes);

// The decompressed contents of gzip data (concatenated members are joined,
// as gzip -d does). `source` names the data in error messages.
std::string gunzip(std::string_view bytes, const std::string& source, const char* op);

// `bytes` gunzipped when they are gzip data, else unchanged.
std::string maybe_gunzip(std::string bytes, const std::string& source, const char* op);

// Writes `bytes` to a temporary file beside `path`, then renames it over
// `path`, so that readers see the old file or the new one, never a part.
void write_file_atomic(const std::string& path, std::string_view bytes, const char* op);

}  // namespace nabla::data::internal

#endif  // NABLA_DATA_INTERNAL_FILE_IO_H_
