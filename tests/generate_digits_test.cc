// generate_digits run end to end on a small slice.

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

std::string output_dir() { return std::string(std::getenv("TEST_TMPDIR")) + "/generate_digits"; }

std::vector<double> loss_of(const std::string& history) {
  return testing::history_column(output_dir() + "/generate_digits_" + history + "_history.csv", "loss");
}

bool is_png(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::string magic(8, '\0');
  file.read(magic.data(), 8);
  return file && magic == "\x89PNG\r\n\x1a\n";
}

TEST(GenerateDigits, BothWaysLearnOnASmallSlice) {
  const std::string short_run =
      "--epochs=3 --judge_epochs=1 --classifier_epochs=1 --inversion_steps=10 --train_limit=512 --per_class=4 "
      "--batch_size=32 --threads=2";
  const testing::ExampleRun run =
      testing::run_example("examples/generate_digits", short_run + " --output_dir=" + output_dir());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("judge recognises"));
  EXPECT_THAT(run.output, HasSubstr("recognised: generator"));
  const std::vector<double> generator = loss_of("generator");
  ASSERT_EQ(generator.size(), 3u) << run.output;
  EXPECT_LT(generator[2], generator[0]) << run.output;
  const std::vector<double> inversion = loss_of("inversion");
  ASSERT_EQ(inversion.size(), 10u) << run.output;
  EXPECT_LT(inversion.back(), inversion.front()) << run.output;
  EXPECT_TRUE(is_png(output_dir() + "/generate_digits_generator.png"));
  EXPECT_TRUE(is_png(output_dir() + "/generate_digits_reversed.png"));
}

TEST(GenerateDigits, MissingDataNamesTheFileAndTheFetchCommand) {
  const testing::ExampleRun run = testing::run_example("examples/generate_digits", "--data_dir=/nonexistent/nabla");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("/nonexistent/nabla/mnist/"));
  EXPECT_THAT(run.output, HasSubstr("tools/fetch_data.sh"));
}

TEST(GenerateDigits, InvalidFlagsAreErrors) {
  testing::ExampleRun run = testing::run_example("examples/generate_digits", "--per_class=0");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("--per_class must be positive, got 0"));
  run = testing::run_example("examples/generate_digits", "--inversion_steps=-1");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("--inversion_steps must be positive, got -1"));
}

}  // namespace
}  // namespace nabla
