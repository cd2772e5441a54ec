#include "io/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <future>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tensor/error.h"

namespace nabla::io {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// A fresh directory under TEST_TMPDIR for each test.
std::string test_dir() {
  const char* root = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(root != nullptr ? root : "/tmp") + "/" +
                          ::testing::UnitTest::GetInstance()->current_test_info()->name();
  ::mkdir(dir.c_str(), 0755);
  return dir;
}

std::set<std::string> entries(const std::string& dir) {
  std::set<std::string> names;
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) return names;
  while (const dirent* entry = ::readdir(handle)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.insert(name);
  }
  ::closedir(handle);
  return names;
}

void write_plain(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(WriteFileAtomic, CreatesAndReplacesWithoutLeavingTemporaryFiles) {
  const std::string dir = test_dir();
  const std::string path = dir + "/file.bin";
  write_file_atomic(path, std::string("first\0bytes", 11), "test");
  EXPECT_EQ(read_file(path, "test"), std::string("first\0bytes", 11));
  write_file_atomic(path, "second", "test");
  EXPECT_EQ(read_file(path, "test"), "second");
  write_file_atomic(path, "", "test");
  EXPECT_EQ(read_file(path, "test"), "");
  EXPECT_EQ(entries(dir), std::set<std::string>({"file.bin"}));
}

TEST(WriteFileAtomic, FailureJustBeforeRenameKeepsTheOldFile) {
  const std::string dir = test_dir();
  const std::string path = dir + "/file.bin";
  write_plain(path, "old contents");
  std::string seen_temp;
  auto fail = [&](const std::string& temp) {
    seen_temp = temp;
    // The new bytes are complete and beside the target at this point.
    EXPECT_EQ(read_file(temp, "test"), "new contents");
    throw Error("simulated failure");
  };
  EXPECT_THAT([&] { write_file_atomic(path, "new contents", "test", fail); },
              ThrowsMessage<Error>(HasSubstr("simulated failure")));
  EXPECT_THAT(seen_temp, HasSubstr(dir + "/file.bin.tmp."));
  EXPECT_EQ(read_file(path, "test"), "old contents");
  EXPECT_EQ(entries(dir), std::set<std::string>({"file.bin"}));
}

TEST(WriteFileAtomic, WriteErrorKeepsTheOldFile) {
  // A real mid-write failure: the file size limit makes write() fail with
  // EFBIG after the first 4 KiB.
  const std::string dir = test_dir();
  const std::string path = dir + "/file.bin";
  write_plain(path, "old contents");
  rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = saved;
  small.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  std::string message;
  try {
    write_file_atomic(path, std::string(1 << 20, 'x'), "save_test");
  } catch (const Error& error) {
    message = error.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, previous_handler);
  EXPECT_THAT(message, HasSubstr("save_test: cannot write '" + dir + "/file.bin.tmp."));
  EXPECT_THAT(message, HasSubstr("File too large"));
  EXPECT_EQ(read_file(path, "test"), "old contents");
  EXPECT_EQ(entries(dir), std::set<std::string>({"file.bin"}));
}

// The temporary name adds ".tmp.<pid>.<n>": cut to fit the 255-byte limit
// on a name, so that any legal target name can be written.
TEST(WriteFileAtomic, ANameNearTheLengthLimit) {
  const std::string dir = test_dir();
  const std::string name(255, 'a');
  write_file_atomic(dir + "/" + name, "bytes", "test");
  EXPECT_EQ(read_file(dir + "/" + name, "test"), "bytes");
  EXPECT_EQ(entries(dir), std::set<std::string>{name});
}

// Replacing a file keeps its permissions: a private checkpoint stays
// private. Not a setuid bit, which writing to the file would clear.
TEST(WriteFileAtomic, ReplacingKeepsThePermissions) {
  const std::string path = test_dir() + "/private.bin";
  auto mode_after_replacing = [&](mode_t mode) {
    write_file_atomic(path, "first", "test");
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    write_file_atomic(path, "second", "test");
    struct stat info;
    EXPECT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(read_file(path, "test"), "second");
    return info.st_mode & 07777;
  };
  EXPECT_EQ(mode_after_replacing(0600), 0600u);
  EXPECT_EQ(mode_after_replacing(04755), 0755u);
}

// A name cut to fit is not cut inside a UTF-8 character. One of the two
// names (a prefix of 1 or 2 bytes, then 2-byte 'é's) has a character across
// any cut.
TEST(WriteFileAtomic, ALongNameIsCutBetweenCharacters) {
  const std::string dir = test_dir();
  for (const std::string prefix : {"a", "ab"}) {
    std::string name = prefix;
    while (name.size() + 2 <= 255) name += "\xc3\xa9";
    std::string seen_temp;
    write_file_atomic(dir + "/" + name, "bytes", "test", [&](const std::string& temp) { seen_temp = temp; });
    const std::string stem = seen_temp.substr(0, seen_temp.find(".tmp."));
    ASSERT_GT(stem.size(), dir.size() + 1 + prefix.size());
    EXPECT_NE(static_cast<unsigned char>(stem.back()), 0xc3) << prefix;  // a lead byte without its continuation
    EXPECT_EQ(read_file(dir + "/" + name, "test"), "bytes");
  }
}

TEST(WriteFileAtomic, MissingDirectoryNamesTheFile) {
  const std::string path = test_dir() + "/no/such/dir/file.bin";
  EXPECT_THAT([&] { write_file_atomic(path, "x", "save_test"); },
              ThrowsMessage<Error>(HasSubstr("save_test: cannot create a temporary file beside '" + path +
                                             "': No such file or directory")));
}

TEST(WriteFileAtomic, RenameOntoADirectoryFailsCleanly) {
  const std::string dir = test_dir();
  const std::string target = dir + "/taken";
  ASSERT_EQ(::mkdir(target.c_str(), 0755), 0);
  write_plain(target + "/inside", "kept");
  EXPECT_THAT([&] { write_file_atomic(target, "x", "save_test"); },
              ThrowsMessage<Error>(HasSubstr("' to '" + target + "': Is a directory")));
  EXPECT_EQ(read_file(target + "/inside", "test"), "kept");
  EXPECT_EQ(entries(dir), std::set<std::string>({"taken"}));
}

TEST(WriteFileAtomic, RejectsADirectoryName) {
  EXPECT_THAT([] { write_file_atomic("some/dir/", "x", "save_test"); },
              ThrowsMessage<Error>(HasSubstr("save_test: invalid file name 'some/dir/'")));
}

TEST(WriteFileAtomic, RelativePathUsesTheCurrentDirectory) {
  const std::string dir = test_dir();
  char previous[4096];
  ASSERT_NE(::getcwd(previous, sizeof previous), nullptr);
  ASSERT_EQ(::chdir(dir.c_str()), 0);
  write_file_atomic("relative.bin", "abc", "test");
  ASSERT_EQ(::chdir(previous), 0);
  EXPECT_EQ(read_file(dir + "/relative.bin", "test"), "abc");
}

TEST(ReadFile, NamesTheFileAndTheReason) {
  const std::string dir = test_dir();
  EXPECT_THAT([&] { read_file(dir + "/missing", "load_test"); },
              ThrowsMessage<Error>(HasSubstr("load_test: cannot open '" + dir + "/missing': No such file")));
  EXPECT_THAT([&] { read_file(dir, "load_test"); },
              ThrowsMessage<Error>(HasSubstr("load_test: '" + dir + "' is not a regular file")));
}

// open() of a FIFO waits for a writer; the check must come first.
TEST(ReadFile, AFifoIsAnErrorAtOnce) {
  const std::string path = test_dir() + "/pipe";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  std::future<std::string> message = std::async(std::launch::async, [&] {
    try {
      read_file(path, "load_test");
    } catch (const Error& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  });
  const bool done = message.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  if (!done) ::close(::open(path.c_str(), O_WRONLY));  // lets the blocked reader go
  EXPECT_TRUE(done) << "read_file blocked on a FIFO";
  EXPECT_THAT(message.get(), HasSubstr("load_test: '" + path + "' is not a regular file"));
}

TEST(ReadFile, TooLargeForMemoryNamesTheFileAndItsSize) {
#ifdef __SANITIZE_ADDRESS__
  GTEST_SKIP() << "AddressSanitizer ends the process when operator new fails rather than throw std::bad_alloc";
#endif
  // A sparse 1 TiB file, and an address space limit that makes allocating
  // its size fail whatever the machine's memory and overcommit policy.
  const std::string path = test_dir() + "/sparse.bin";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  const bool sparse = ::ftruncate(fd, off_t{1} << 40) == 0;
  ::close(fd);
  if (!sparse) GTEST_SKIP() << "the file system holds no 1 TiB file";
  rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_AS, &saved), 0);
  rlimit small = saved;
  small.rlim_cur = std::min<rlim_t>(saved.rlim_cur, rlim_t{1} << 38);
  ASSERT_EQ(::setrlimit(RLIMIT_AS, &small), 0);
  std::string message;
  try {
    read_file(path, "load_test");
  } catch (const Error& error) {
    message = error.what();
  }
  ::setrlimit(RLIMIT_AS, &saved);
  EXPECT_THAT(message, HasSubstr("load_test: cannot allocate 1099511627776 bytes to read '" + path + "'"));
}

}  // namespace
}  // namespace nabla::io
