#ifndef NABLA_CHECKPOINT_INTERNAL_FILE_IO_H_
#define NABLA_CHECKPOINT_INTERNAL_FILE_IO_H_

// Whole-file reads and durable, atomic whole-file writes for //checkpoint.
// Every failure throws nabla::Error naming `op`, the file and the system's
// reason.

#include <functional>
#include <string>
#include <string_view>

namespace nabla::checkpoint::internal {

// The bytes of a regular file.
std::string read_file(const std::string& path, const char* op);

// Writes `bytes` to a new temporary file in the directory of `path`, fsyncs
// it, renames it over `path` and fsyncs the directory. Readers see the old
// file or the new one, never a part; after a failure the old file is intact
// and the temporary file is removed. `before_rename`, when set, runs after
// the temporary file is complete and synced and before the rename (tests
// throw from it to simulate a failure at the last moment).
void write_file_atomic(const std::string& path, std::string_view bytes, const char* op,
                       const std::function<void(const std::string& temp_path)>& before_rename = {});

}  // namespace nabla::checkpoint::internal

#endif  // NABLA_CHECKPOINT_INTERNAL_FILE_IO_H_
