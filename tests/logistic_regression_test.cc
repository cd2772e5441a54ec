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

std::string output_dir() { return std::string(std::getenv("TEST_TMPDIR")) + "/logistic_regression"; }

std::vector<double> history(const std::string& column) {
  return testing::history_column(output_dir() + "/logistic_regression_history.csv", column);
}

TEST(LogisticRegression, LossFallsInAFewEpochs) {
  const testing::ExampleRun run =
      testing::run_example("examples/logistic_regression", "--epochs=5 --threads=1 --output_dir=" + output_dir());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("456 training rows, 113 test rows, 30 features"));
  EXPECT_THAT(run.output, HasSubstr("test accuracy"));
  const std::vector<double> loss = history("loss");
  ASSERT_EQ(loss.size(), 5u) << run.output;
  EXPECT_LT(loss.back(), loss.front()) << run.output;
  EXPECT_GT(history("val_accuracy").back(), 0.9) << run.output;
}

TEST(LogisticRegression, MissingDataNamesTheFileAndTheFetchCommand) {
  const testing::ExampleRun run = testing::run_example("examples/logistic_regression", "--data_dir=/nonexistent/nabla");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("/nonexistent/nabla/sklearn/breast_cancer.csv"));
  EXPECT_THAT(run.output, HasSubstr("tools/fetch_data.sh"));
}

}  // namespace
}  // namespace nabla
