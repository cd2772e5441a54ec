#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/example_runner.h"
#include "tests/history_csv.h"

namespace nabla {
namespace {

using ::testing::HasSubstr;

TEST(Lstm, LossFallsOnASmallSlice) {
  const std::string output = std::string(std::getenv("TEST_TMPDIR")) + "/lstm";
  const testing::ExampleRun run = testing::run_example(
      "examples/lstm", "--epochs=3 --train_limit=1024 --batch_size=32 --threads=2 --output_dir=" + output);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("test accuracy"));
  const std::vector<double> loss = testing::history_column(output + "/lstm_history.csv", "loss");
  ASSERT_EQ(loss.size(), 3u) << run.output;
  EXPECT_LT(loss[2], loss[0]) << run.output;
  EXPECT_GT(testing::history_column(output + "/lstm_history.csv", "val_accuracy").back(), 0.5) << run.output;
}

TEST(Lstm, MissingDataNamesTheFileAndTheFetchCommand) {
  const testing::ExampleRun run = testing::run_example("examples/lstm", "--data_dir=/nonexistent/nabla");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("/nonexistent/nabla/fashion-mnist/"));
  EXPECT_THAT(run.output, HasSubstr("tools/fetch_data.sh"));
}

}  // namespace
}  // namespace nabla
