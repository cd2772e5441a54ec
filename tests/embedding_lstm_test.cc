#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/example_runner.h"
#include "tests/history_csv.h"

namespace nabla {
namespace {

TEST(EmbeddingLstm, LossFallsOnAShortRun) {
  const std::string output = std::string(std::getenv("TEST_TMPDIR")) + "/embedding_lstm";
  const testing::ExampleRun run = testing::run_example(
      "examples/embedding_lstm", "--epochs=3 --train_size=2000 --threads=2 --output_dir=" + output);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, ::testing::HasSubstr("test accuracy"));
  const std::vector<double> loss = testing::history_column(output + "/embedding_lstm_history.csv", "loss");
  ASSERT_EQ(loss.size(), 3u) << run.output;
  EXPECT_LT(loss[2], loss[0]) << run.output;
}

TEST(EmbeddingLstm, InvalidFlagIsAnError) {
  const testing::ExampleRun run = testing::run_example("examples/embedding_lstm", "--train_size=0");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, ::testing::HasSubstr("must be positive"));
}

}  // namespace
}  // namespace nabla
