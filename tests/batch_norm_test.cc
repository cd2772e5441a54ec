#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/example_runner.h"
#include "tests/history_csv.h"

namespace nabla {
namespace {

TEST(BatchNorm, BothCurvesAreWrittenAndTheNormalisedOneFalls) {
  const std::string output = std::string(std::getenv("TEST_TMPDIR")) + "/batch_norm";
  const testing::ExampleRun run = testing::run_example(
      "examples/batch_norm", "--epochs=3 --train_limit=1024 --threads=2 --output_dir=" + output);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, ::testing::HasSubstr("final val_accuracy: without BatchNorm"));
  const std::vector<double> with = testing::history_column(output + "/batch_norm_with_history.csv", "loss");
  const std::vector<double> without = testing::history_column(output + "/batch_norm_without_history.csv", "loss");
  ASSERT_EQ(with.size(), 3u);
  ASSERT_EQ(without.size(), 3u);
  EXPECT_LT(with[2], with[0]) << run.output;
  EXPECT_LT(with[2], without[2]) << run.output;
}

// The example compares two learning curves, which zero epochs do not have.
TEST(BatchNorm, ZeroEpochsIsAFlagError) {
  const std::string output = std::string(std::getenv("TEST_TMPDIR")) + "/batch_norm_zero";
  const testing::ExampleRun run =
      testing::run_example("examples/batch_norm", "--epochs=0 --train_limit=64 --output_dir=" + output);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, ::testing::HasSubstr("--epochs must be positive for batch_norm's learning curves, got 0"));
}

}  // namespace
}  // namespace nabla
