#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

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

// pytensor's other recurrent layers in the LSTM's place.
TEST(EmbeddingLstm, GruAndRnnCellsLearnToo) {
  for (const std::string cell : {"gru", "rnn"}) {
    const std::string output = std::string(std::getenv("TEST_TMPDIR")) + "/embedding_" + cell;
    const testing::ExampleRun run =
        testing::run_example("examples/embedding_lstm",
                             "--cell=" + cell + " --epochs=3 --train_size=2000 --threads=2 --output_dir=" + output);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const std::vector<double> loss = testing::history_column(output + "/embedding_lstm_history.csv", "loss");
    ASSERT_EQ(loss.size(), 3u) << run.output;
    EXPECT_LT(loss[2], loss[0]) << cell << "\n" << run.output;
  }
}

TEST(EmbeddingLstm, UnknownCellIsAnError) {
  const testing::ExampleRun run = testing::run_example("examples/embedding_lstm", "--cell=transformer");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, ::testing::HasSubstr("--cell must be lstm, gru or rnn, got 'transformer'"));
}

TEST(EmbeddingLstm, InvalidFlagIsAnError) {
  const testing::ExampleRun run = testing::run_example("examples/embedding_lstm", "--train_size=0");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, ::testing::HasSubstr("must be positive"));
}

}  // namespace
}  // namespace nabla
