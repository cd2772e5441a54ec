// fashion_cnn run end to end on a small slice of Fashion-MNIST.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "tests/example_runner.h"
#include "tests/history_csv.h"

namespace nabla {
namespace {

using ::testing::HasSubstr;

std::string output_dir() { return std::string(std::getenv("TEST_TMPDIR")) + "/fashion_cnn"; }

std::vector<double> history_column(const std::string& name) {
  return testing::history_column(output_dir() + "/fashion_cnn_history.csv", name);
}

TEST(FashionCnn, LossFallsOnASmallSliceAndTheModelIsSaved) {
  const testing::ExampleRun run = testing::run_example(
      "examples/fashion_cnn",
      "--epochs=3 --train_limit=1024 --test_limit=1000 --batch_size=64 --threads=2 --output_dir=" + output_dir());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("test accuracy"));
  const std::vector<double> loss = history_column("loss");
  ASSERT_EQ(loss.size(), 3u) << run.output;
  EXPECT_LT(loss[2], loss[0]) << run.output;
  EXPECT_GT(history_column("val_accuracy").back(), 0.5) << run.output;
  EXPECT_TRUE(std::filesystem::exists(output_dir() + "/fashion_cnn.safetensors")) << run.output;
}

TEST(FashionCnn, MissingDataNamesTheFileAndTheFetchCommand) {
  const testing::ExampleRun run = testing::run_example("examples/fashion_cnn", "--data_dir=/nonexistent/nabla");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("/nonexistent/nabla/fashion-mnist/"));
  EXPECT_THAT(run.output, HasSubstr("tools/fetch_data.sh"));
}

TEST(FashionCnn, InvalidFlagsAreErrors) {
  testing::ExampleRun run = testing::run_example("examples/fashion_cnn", "--epochs=-1");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("--epochs must not be negative, got -1"));
  run = testing::run_example("examples/fashion_cnn", "--dropout=0.5");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("--dropout must be in [0, 0.5), got 0.5"));
}

}  // namespace
}  // namespace nabla
