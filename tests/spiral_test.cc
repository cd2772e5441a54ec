#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/example_runner.h"
#include "tests/history_csv.h"

namespace nabla {
namespace {

using ::testing::HasSubstr;

std::string output_dir() { return std::string(std::getenv("TEST_TMPDIR")) + "/spiral"; }

std::vector<double> history(const std::string& column) {
  return testing::history_column(output_dir() + "/spiral_history.csv", column);
}

TEST(Spiral, LossFallsInAFewEpochs) {
  const testing::ExampleRun run =
      testing::run_example("examples/spiral", "--epochs=20 --points=50 --threads=1 --output_dir=" + output_dir());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("train accuracy"));
  const std::vector<double> loss = history("loss");
  ASSERT_EQ(loss.size(), 20u) << run.output;
  EXPECT_LT(loss.back(), loss.front()) << run.output;
}

TEST(Spiral, SameSeedSameResult) {
  const std::string arguments = "--epochs=3 --points=20 --threads=1 --seed=5 --output_dir=" + output_dir();
  const testing::ExampleRun first = testing::run_example("examples/spiral", arguments);
  const testing::ExampleRun second = testing::run_example("examples/spiral", arguments);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(first.output, second.output);
}

// `bazel run` starts the example in its runfiles tree and says where the user
// called it from in $BUILD_WORKING_DIRECTORY: a relative --output_dir means
// a directory there, as it would for any command-line tool.
TEST(Spiral, RelativeOutputDirIsInTheDirectoryBazelRunWasCalledFrom) {
  const std::string working = std::string(std::getenv("TEST_TMPDIR")) + "/spiral_working_dir";
  std::filesystem::create_directories(working);
  setenv("BUILD_WORKING_DIRECTORY", working.c_str(), 1);
  const testing::ExampleRun run =
      testing::run_example("examples/spiral", "--epochs=1 --points=10 --threads=1 --output_dir=relative_out");
  unsetenv("BUILD_WORKING_DIRECTORY");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(std::filesystem::exists(working + "/relative_out/spiral_history.csv")) << run.output;
  EXPECT_THAT(run.output, HasSubstr("history: " + working + "/relative_out/spiral_history.csv"));
}

}  // namespace
}  // namespace nabla
