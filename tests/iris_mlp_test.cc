#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "tests/example_runner.h"
#include "tests/history_csv.h"

namespace nabla {
namespace {

using ::testing::HasSubstr;

std::string output_dir() { return std::string(std::getenv("TEST_TMPDIR")) + "/iris_mlp"; }

std::vector<double> history(const std::string& column) {
  return testing::history_column(output_dir() + "/iris_mlp_history.csv", column);
}

TEST(IrisMlp, LossFallsInAFewEpochs) {
  const testing::ExampleRun run =
      testing::run_example("examples/iris_mlp", "--epochs=10 --threads=1 --output_dir=" + output_dir());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("120 training rows, 30 test rows, 4 features"));
  EXPECT_THAT(run.output, HasSubstr("test accuracy"));
  const std::vector<double> loss = history("loss");
  ASSERT_EQ(loss.size(), 10u) << run.output;
  EXPECT_LT(loss.back(), loss.front()) << run.output;
  EXPECT_GT(history("val_accuracy").back(), 0.7) << run.output;
}

// 150 flowers, 50 of each species: a fraction that rounds every species'
// quota to all of it (1) or to none of it (0, 0.009) leaves a part empty.
TEST(IrisMlp, TestFractionThatEmptiesAPartIsAnError) {
  testing::ExampleRun run =
      testing::run_example("examples/iris_mlp", "--test_fraction=1 --output_dir=" + output_dir() + "_fraction");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("standardized_split: test_fraction 1 leaves 0 training and 150 test rows"));
  run = testing::run_example("examples/iris_mlp", "--test_fraction=0.009 --output_dir=" + output_dir() + "_fraction");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("standardized_split: test_fraction 0.009 leaves 150 training and 0 test rows"));
}

TEST(IrisMlp, MissingDataNamesTheFileAndTheFetchCommand) {
  const testing::ExampleRun run = testing::run_example("examples/iris_mlp", "--data_dir=/nonexistent/nabla");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("/nonexistent/nabla/sklearn/iris.csv"));
  EXPECT_THAT(run.output, HasSubstr("tools/fetch_data.sh"));
}

}  // namespace
}  // namespace nabla
