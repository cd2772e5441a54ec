#include "data/paths.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "data/internal/test_files.h"
#include "tensor/error.h"

namespace nabla::data {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(PathsTest, DataDirFollowsTheEnvironment) {
  ASSERT_EQ(setenv("NABLA_DATA_DIR", "/some/where", 1), 0);
  EXPECT_EQ(data_dir(), "/some/where");
  ASSERT_EQ(setenv("NABLA_DATA_DIR", "", 1), 0);
  EXPECT_EQ(data_dir(), "/var/lib/nabla/data");
  ASSERT_EQ(unsetenv("NABLA_DATA_DIR"), 0);
  EXPECT_EQ(data_dir(), "/var/lib/nabla/data");
}

TEST(PathsTest, DatasetFileNamesTheMissingFileAndTheFetchCommand) {
  const std::string dir = internal::test_dir() + "/data-dir";
  std::filesystem::create_directories(dir + "/set");
  internal::write_test_file("data-dir/set/present.csv", "a\n1\n");
  ASSERT_EQ(setenv("NABLA_DATA_DIR", dir.c_str(), 1), 0);
  EXPECT_EQ(dataset_file("set/present.csv"), dir + "/set/present.csv");
  EXPECT_THAT([] { dataset_file("set/absent.csv"); },
              ThrowsMessage<Error>(HasSubstr("missing dataset file '" + dir + "/set/absent.csv'; fetch the datasets "
                                             "with `bash tools/fetch_data.sh`")));
  EXPECT_THAT([] { dataset_file("set"); }, ThrowsMessage<Error>(HasSubstr("missing dataset file")));
  ASSERT_EQ(unsetenv("NABLA_DATA_DIR"), 0);
}

}  // namespace
}  // namespace nabla::data
