#include "io/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "tensor/error.h"

namespace nabla::io {
namespace {

// zlib counts bytes in 32-bit uInt: feed it at most this much at a time.
constexpr std::size_t kZlibChunk = std::size_t{1} << 30;
// The first output buffer trusts a gzip trailer's size up to 16 times the
// compressed size (at least 16 MiB): a corrupt or crafted trailer must not
// make a small file allocate gigabytes before inflate finds the lie. Larger
// outputs grow the buffer by doubling.
constexpr std::size_t kTrustedRatio = 16;
constexpr std::size_t kTrustedMinimum = std::size_t{16} << 20;

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

// The temporary file's name for a target: the target's plus
// ".tmp.<pid>.<n>", its last component cut to the 255 bytes a name may have
// (so that a legal target name near the limit can be written too), and not
// inside a UTF-8 character, which some file systems refuse.
std::string temporary_name(const std::string& path, unsigned n) {
  constexpr std::size_t kNameMax = 255;  // NAME_MAX on Linux file systems
  const std::string suffix = ".tmp." + std::to_string(::getpid()) + "." + std::to_string(n);
  const std::size_t slash = path.rfind('/');
  const std::size_t name_start = slash == std::string::npos ? 0 : slash + 1;
  std::size_t kept = std::min(path.size() - name_start, kNameMax - suffix.size());
  while (kept > 0 && name_start + kept < path.size() && (path[name_start + kept] & 0xC0) == 0x80) --kept;
  return path.substr(0, name_start + kept) + suffix;
}

}  // namespace

std::string read_file(const std::string& path, const char* op) {
  // O_NONBLOCK so that opening a FIFO returns (a blocking open waits for a
  // writer) and the check below rejects it; cleared again for the reads.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  NABLA_CHECK(fd.get() >= 0, op, ": cannot open '", path, "': ", std::strerror(errno));
  struct stat info;
  NABLA_CHECK(::fstat(fd.get(), &info) == 0, op, ": cannot stat '", path, "': ", std::strerror(errno));
  NABLA_CHECK(S_ISREG(info.st_mode), op, ": '", path, "' is not a regular file");
  const int flags = ::fcntl(fd.get(), F_GETFL);
  NABLA_CHECK(flags >= 0 && ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) == 0, op, ": cannot read '", path,
              "' blocking: ", std::strerror(errno));
  // A file larger than memory (or a huge sparse one) must fail naming the
  // file, not with a bare std::bad_alloc or std::length_error.
  std::string bytes;
  try {
    bytes.resize(static_cast<std::size_t>(info.st_size));
  } catch (const std::exception& error) {
    NABLA_CHECK(false, op, ": cannot allocate ", info.st_size, " bytes to read '", path, "': ", error.what());
  }
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

bool is_gzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

std::string gunzip(std::string_view bytes, const std::string& source, const char* op) {
  z_stream stream{};
  // 16 + MAX_WBITS: expect a gzip header and trailer (and check the CRC).
  NABLA_CHECK(inflateInit2(&stream, 16 + MAX_WBITS) == Z_OK, op, ": cannot start zlib for '", source, "'");
  struct End {
    z_stream* stream;
    ~End() { inflateEnd(stream); }
  } end{&stream};

  // The trailer holds the uncompressed size modulo 2^32: a hint, not a promise.
  std::size_t hint = bytes.size();
  if (bytes.size() >= 18) {
    const auto* tail = reinterpret_cast<const unsigned char*>(bytes.data() + bytes.size() - 4);
    const std::size_t trailer_size = tail[0] | tail[1] << 8 | tail[2] << 16 | std::size_t{tail[3]} << 24;
    hint = std::min(trailer_size, std::max(bytes.size() * kTrustedRatio, kTrustedMinimum));
  }
  std::string out(std::max<std::size_t>(hint, 1024), '\0');
  std::size_t in_done = 0;
  std::size_t out_done = 0;
  for (;;) {
    if (out_done == out.size()) out.resize(out.size() * 2);
    const std::size_t in_chunk = std::min(bytes.size() - in_done, kZlibChunk);
    const std::size_t out_chunk = std::min(out.size() - out_done, kZlibChunk);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data() + in_done));
    stream.avail_in = static_cast<uInt>(in_chunk);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + out_done);
    stream.avail_out = static_cast<uInt>(out_chunk);
    const int status = inflate(&stream, Z_NO_FLUSH);
    in_done += in_chunk - stream.avail_in;
    out_done += out_chunk - stream.avail_out;
    if (status == Z_STREAM_END) {
      // Zero padding after the last member (tape blocks) is accepted, as by gzip(1) and Python's gzip.
      const std::string_view rest = bytes.substr(in_done);
      if (rest.find_first_not_of('\0') == std::string_view::npos) break;
      NABLA_CHECK(inflateReset(&stream) == Z_OK, op, ": cannot restart zlib for '", source, "'");
      continue;
    }
    NABLA_CHECK(status != Z_DATA_ERROR && status != Z_NEED_DICT, op, ": '", source,
                "' holds corrupt gzip data at compressed byte ", in_done,
                stream.msg != nullptr ? std::string(" (") + stream.msg + ")" : std::string());
    NABLA_CHECK(status != Z_MEM_ERROR, op, ": out of memory while decompressing '", source, "'");
    NABLA_CHECK(status == Z_OK || status == Z_BUF_ERROR, op, ": zlib error ", status, " in '", source, "'");
    // No progress with all input consumed: the stream stops before its end.
    NABLA_CHECK(!(in_done == bytes.size() && stream.avail_out > 0), op, ": '", source,
                "' is a truncated gzip file (", bytes.size(), " bytes end before the compressed stream does)");
  }
  out.resize(out_done);
  return out;
}

std::string maybe_gunzip(std::string bytes, const std::string& source, const char* op) {
  if (is_gzip(bytes)) return gunzip(bytes, source, op);
  return bytes;
}

void write_file_atomic(const std::string& path, std::string_view bytes, const char* op,
                       const std::function<void(const std::string& temp_path)>& before_rename) {
  NABLA_CHECK(!path.empty() && path.back() != '/', op, ": invalid file name '", path, "'");
  // The temporary file lives beside the target so that rename() stays
  // within one file system (and is atomic); O_EXCL with a per-process
  // counter keeps concurrent writers apart. Mode 0666 minus the umask, as
  // for any new file, or the permissions of the file it replaces (not its
  // setuid, setgid and sticky bits, which a write clears).
  static std::atomic<unsigned> counter{0};
  std::string temp_path;
  int raw_fd = -1;
  for (int attempt = 0; attempt < 100 && raw_fd < 0; ++attempt) {
    temp_path = temporary_name(path, counter++);
    raw_fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (raw_fd < 0 && errno != EEXIST) break;
  }
  NABLA_CHECK(raw_fd >= 0, op, ": cannot create a temporary file beside '", path, "': ", std::strerror(errno));
  Fd fd(raw_fd);
  TempFile temp(temp_path);
  struct stat replaced;
  if (::stat(path.c_str(), &replaced) == 0 && S_ISREG(replaced.st_mode)) {
    NABLA_CHECK(::fchmod(fd.get(), replaced.st_mode & 0777) == 0, op, ": cannot give '", temp.path(),
                "' the permissions of '", path, "': ", std::strerror(errno));
  }

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

}  // namespace nabla::io
