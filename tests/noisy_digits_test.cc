// noisy_digits run end to end on a small slice.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "tests/example_runner.h"
#include "tests/history_csv.h"

namespace nabla {
namespace {

using ::testing::HasSubstr;

std::string output_dir() { return std::string(std::getenv("TEST_TMPDIR")) + "/noisy_digits"; }

bool is_png(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::string magic(8, '\0');
  file.read(magic.data(), 8);
  return file && magic == "\x89PNG\r\n\x1a\n";
}

TEST(NoisyDigits, LossFallsOnASmallSlice) {
  const std::string short_run =
      "--epochs=3 --judge_epochs=1 --train_limit=512 --per_class=4 --batch_size=32 --threads=2";
  const testing::ExampleRun run =
      testing::run_example("examples/noisy_digits", short_run + " --output_dir=" + output_dir());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("judge recognises"));
  const std::string history = output_dir() + "/noisy_digits_generator_history.csv";
  const std::vector<double> loss = testing::history_column(history, "loss");
  ASSERT_EQ(loss.size(), 3u) << run.output;
  EXPECT_LT(loss[2], loss[0]) << run.output;
  EXPECT_LT(testing::history_column(history, "val_loss").back(), loss[0]) << run.output;
  EXPECT_TRUE(is_png(output_dir() + "/noisy_digits.png"));
}

TEST(NoisyDigits, MissingDataNamesTheFileAndTheFetchCommand) {
  const testing::ExampleRun run = testing::run_example("examples/noisy_digits", "--data_dir=/nonexistent/nabla");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("/nonexistent/nabla/mnist/"));
  EXPECT_THAT(run.output, HasSubstr("tools/fetch_data.sh"));
}

TEST(NoisyDigits, InvalidFlagsAreErrors) {
  testing::ExampleRun run = testing::run_example("examples/noisy_digits", "--code_noise=-0.5");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("--code_noise must not be negative, got -0.5"));
  run = testing::run_example("examples/noisy_digits", "--judge_epochs=0");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("--judge_epochs must be positive, got 0"));
}

}  // namespace
}  // namespace nabla
