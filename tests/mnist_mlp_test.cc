#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/example_runner.h"
#include "tests/history_csv.h"

namespace nabla {
namespace {

using ::testing::HasSubstr;

std::string output_dir() { return std::string(std::getenv("TEST_TMPDIR")) + "/mnist_mlp"; }

std::vector<double> history_column(const std::string& name) {
  return testing::history_column(output_dir() + "/mnist_mlp_history.csv", name);
}

TEST(MnistMlp, LossFallsOnASmallSlice) {
  const testing::ExampleRun run = testing::run_example(
      "examples/mnist_mlp", "--epochs=3 --train_limit=512 --hidden=128 --batch_size=32 --threads=2 --output_dir=" + output_dir());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("test accuracy"));
  const std::vector<double> loss = history_column("loss");
  ASSERT_EQ(loss.size(), 3u) << run.output;
  EXPECT_LT(loss[2], loss[0]) << run.output;
  EXPECT_GT(history_column("val_accuracy").back(), 0.3) << run.output;
}

// No training at all: the learning-rate decay has nothing to span, and the
// untrained model is evaluated.
TEST(MnistMlp, ZeroEpochsEvaluatesTheUntrainedModel) {
  const testing::ExampleRun run = testing::run_example(
      "examples/mnist_mlp", "--epochs=0 --train_limit=64 --hidden=16 --output_dir=" + output_dir() + "_zero");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("test accuracy"));
}

TEST(MnistMlp, MissingDataNamesTheFileAndTheFetchCommand) {
  const testing::ExampleRun run = testing::run_example("examples/mnist_mlp", "--data_dir=/nonexistent/nabla");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("/nonexistent/nabla/mnist/"));
  EXPECT_THAT(run.output, HasSubstr("tools/fetch_data.sh"));
}

TEST(MnistMlp, InvalidFlagIsAnError) {
  const testing::ExampleRun run = testing::run_example("examples/mnist_mlp", "--batch_size=0");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("--batch_size must be positive, got 0"));
}

// "(0: all)" says the flag's help; a negative limit is a mistake, not "all".
TEST(MnistMlp, NegativeTrainLimitIsAnError) {
  const testing::ExampleRun run = testing::run_example(
      "examples/mnist_mlp", "--train_limit=-1 --epochs=0 --hidden=16 --output_dir=" + output_dir() + "_limit");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("--train_limit must not be negative, got -1"));
}

}  // namespace
}  // namespace nabla
