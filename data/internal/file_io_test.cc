#include "data/internal/file_io.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "data/internal/test_files.h"
#include "tensor/error.h"

namespace nabla::data::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(FileIoTest, ReadsWholeFiles) {
  const std::string text("a\0b\nc", 5);
  EXPECT_EQ(read_file(write_test_file("whole", text), "test"), text);
  EXPECT_EQ(read_file(write_test_file("nothing", ""), "test"), "");
}

TEST(FileIoTest, GunzipsAndJoinsConcatenatedMembers) {
  EXPECT_TRUE(is_gzip(gzip("x")));
  EXPECT_FALSE(is_gzip("x"));
  EXPECT_EQ(gunzip(gzip("hello"), "one", "test"), "hello");
  EXPECT_EQ(gunzip(gzip("hello ") + gzip("world"), "two", "test"), "hello world");
  const std::string large(3 << 20, 'z');  // larger than the first buffer guess would be without the trailer
  EXPECT_EQ(gunzip(gzip(large), "large", "test"), large);
  EXPECT_EQ(maybe_gunzip("plain", "plain", "test"), "plain");
}

TEST(FileIoTest, GunzipRejectsTrailingGarbageAndTruncation) {
  EXPECT_THAT([] { gunzip(gzip("data") + "junk", "tail.gz", "op"); },
              ThrowsMessage<Error>(HasSubstr("op: 'tail.gz' holds corrupt gzip data")));
  const std::string packed = gzip("some data to cut short");
  EXPECT_THAT([&] { gunzip(packed.substr(0, packed.size() - 4), "cut.gz", "op"); },
              ThrowsMessage<Error>(HasSubstr("op: 'cut.gz' is a truncated gzip file")));
}

TEST(FileIoTest, AtomicWriteReplacesAndLeavesNoTemporaryFile) {
  const std::string dir = test_dir() + "/atomic";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/file";
  write_file_atomic(path, "first", "test");
  write_file_atomic(path, "second", "test");
  EXPECT_EQ(read_file(path, "test"), "second");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
}

TEST(FileIoTest, AtomicWriteOverADirectoryFailsCleanly) {
  const std::string dir = test_dir() + "/occupied";
  std::filesystem::create_directories(dir + "/target/inside");
  EXPECT_THAT([&] { write_file_atomic(dir + "/target", "x", "op"); },
              ThrowsMessage<Error>(HasSubstr("op: cannot rename")));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
}

}  // namespace
}  // namespace nabla::data::internal
