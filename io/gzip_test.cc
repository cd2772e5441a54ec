#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <new>
#include <random>
#include <stdexcept>

#include "io/file.h"
#include "tensor/error.h"

// The largest single allocation since the last reset, to check how much
// gunzip allocates without needing that much memory in the test.
std::atomic<std::size_t> largest_allocation{0};

void* operator new(std::size_t size) {
  std::size_t seen = largest_allocation.load();
  while (size > seen && !largest_allocation.compare_exchange_weak(seen, size)) {
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// GCC does not see that operator new above is malloc and warns at each
// inlined delete.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace nabla::io {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::string write_test_file(const std::string& name, const std::string& bytes) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write test file " + path);
  return path;
}

// `bytes` as a gzip stream, compressed by zlib directly.
std::string gzip(const std::string& bytes) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, bytes.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

TEST(GzipTest, ReadsWholeFiles) {
  const std::string text("a\0b\nc", 5);
  EXPECT_EQ(read_file(write_test_file("whole", text), "test"), text);
  EXPECT_EQ(read_file(write_test_file("nothing", ""), "test"), "");
}

TEST(GzipTest, GunzipsAndJoinsConcatenatedMembers) {
  EXPECT_TRUE(is_gzip(gzip("x")));
  EXPECT_FALSE(is_gzip("x"));
  EXPECT_EQ(gunzip(gzip("hello"), "one", "test"), "hello");
  EXPECT_EQ(gunzip(gzip("hello ") + gzip("world"), "two", "test"), "hello world");
  const std::string large(3 << 20, 'z');  // larger than the first buffer guess would be without the trailer
  EXPECT_EQ(gunzip(gzip(large), "large", "test"), large);
  EXPECT_EQ(maybe_gunzip("plain", "plain", "test"), "plain");
}

TEST(GzipTest, GunzipRejectsTrailingGarbageAndTruncation) {
  EXPECT_THAT([] { gunzip(gzip("data") + "junk", "tail.gz", "op"); },
              ThrowsMessage<Error>(HasSubstr("op: 'tail.gz' holds corrupt gzip data")));
  EXPECT_THAT([] { gunzip(gzip("data") + std::string(3, '\0') + "x", "tail.gz", "op"); },
              ThrowsMessage<Error>(HasSubstr("op: 'tail.gz' holds corrupt gzip data")));
  const std::string packed = gzip("some data to cut short");
  EXPECT_THAT([&] { gunzip(packed.substr(0, packed.size() - 4), "cut.gz", "op"); },
              ThrowsMessage<Error>(HasSubstr("op: 'cut.gz' is a truncated gzip file")));
}

// Zero bytes after the last member pad a file to a block size; gzip -d and
// Python's gzip module read through them.
TEST(GzipTest, GunzipIgnoresZeroPaddingAfterTheLastMember) {
  EXPECT_EQ(gunzip(gzip("data") + std::string(512, '\0'), "padded.gz", "test"), "data");
  EXPECT_EQ(gunzip(gzip("two ") + gzip("members") + std::string(1, '\0'), "padded.gz", "test"), "two members");
}

TEST(GzipTest, LyingTrailerSizeIsNotTrustedForTheFirstBuffer) {
  // 256 KiB that do not compress, whose trailer claims 4 GiB - 1.
  std::mt19937 random(7);
  std::string noise(256 << 10, '\0');
  for (char& c : noise) c = static_cast<char>(random());
  std::string packed = gzip(noise);
  packed.replace(packed.size() - 4, 4, "\xff\xff\xff\xff");
  largest_allocation = 0;
  EXPECT_THAT([&] { gunzip(packed, "liar.gz", "op"); },
              ThrowsMessage<Error>(HasSubstr("op: 'liar.gz' holds corrupt gzip data")));
  EXPECT_LT(largest_allocation.load(), std::size_t{32} << 20);
}

}  // namespace
}  // namespace nabla::io
