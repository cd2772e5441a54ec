#include "checkpoint/internal/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "tensor/error.h"

namespace nabla::checkpoint::internal {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and reports whether close succeeded (it can report a delayed
  // write error, e.g. on NFS).
  bool close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Removes the temporary file unless released, so that every exit path
// (a throw from any step, or from the caller's hook) cleans up.
class TempFile {
 public:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }
  void release() { path_.clear(); }

 private:
  std::string path_;
};

}  // namespace

std::string read_file(const std::string& path, const char* op) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  NABLA_CHECK(fd.get() >= 0, op, ": cannot open '", path, "': ", std::strerror(errno));
  struct stat info;
  NABLA_CHECK(::fstat(fd.get(), &info) == 0, op, ": cannot stat '", path, "': ", std::strerror(errno));
  NABLA_CHECK(S_ISREG(info.st_mode), op, ": '", path, "' is not a regular file");
  std::string bytes(static_cast<std::size_t>(info.st_size), '\0');
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    NABLA_CHECK(n >= 0, op, ": cannot read '", path, "': ", std::strerror(errno));
    NABLA_CHECK(n > 0, op, ": '", path, "' shrank while being read");
    done += static_cast<std::size_t>(n);
  }
  return bytes;
}

void write_file_atomic(const std::string& path, std::string_view bytes, const char* op,
                       const std::function<void(const std::string& temp_path)>& before_rename) {
  NABLA_CHECK(!path.empty() && path.back() != '/', op, ": invalid file name '", path, "'");
  // The temporary file lives beside the target so that rename() stays
  // within one file system (and is atomic); O_EXCL with a per-process
  // counter keeps concurrent writers apart. Mode 0666 minus the umask, as
  // for any new file.
  static std::atomic<unsigned> counter{0};
  std::string temp_path;
  int raw_fd = -1;
  for (int attempt = 0; attempt < 100 && raw_fd < 0; ++attempt) {
    temp_path = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    raw_fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (raw_fd < 0 && errno != EEXIST) break;
  }
  NABLA_CHECK(raw_fd >= 0, op, ": cannot create a temporary file beside '", path, "': ", std::strerror(errno));
  Fd fd(raw_fd);
  TempFile temp(temp_path);

  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    NABLA_CHECK(n > 0, op, ": cannot write '", temp.path(), "' (for '", path, "') after ", done, " of ",
                bytes.size(), " bytes: ", n < 0 ? std::strerror(errno) : "no progress");
    done += static_cast<std::size_t>(n);
  }
  NABLA_CHECK(::fsync(fd.get()) == 0, op, ": cannot sync '", temp.path(), "': ", std::strerror(errno));
  NABLA_CHECK(fd.close(), op, ": cannot close '", temp.path(), "': ", std::strerror(errno));
  if (before_rename) before_rename(temp.path());
  NABLA_CHECK(::rename(temp.path().c_str(), path.c_str()) == 0, op, ": cannot rename '", temp.path(), "' to '", path,
              "': ", std::strerror(errno));
  temp.release();

  // Makes the rename itself durable. The new file is already in place, so a
  // failure here (some file systems refuse fsync on directories) is not
  // reported.
  Fd directory(::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (directory.get() >= 0) static_cast<void>(::fsync(directory.get()));
}

}  // namespace nabla::checkpoint::internal
