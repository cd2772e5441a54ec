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

std::string output_dir() { return std::string(std::getenv("TEST_TMPDIR")) + "/curve_fit"; }

std::vector<double> history(const std::string& column) {
  return testing::history_column(output_dir() + "/curve_fit_history.csv", column);
}

TEST(CurveFit, LossFallsInAFewEpochs) {
  const testing::ExampleRun run =
      testing::run_example("examples/curve_fit", "--epochs=20 --threads=1 --output_dir=" + output_dir());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("train MSE"));
  EXPECT_THAT(run.output, HasSubstr("x^2"));
  const std::vector<double> loss = history("loss");
  ASSERT_EQ(loss.size(), 20u) << run.output;
  EXPECT_LT(loss.back(), loss.front()) << run.output;
  EXPECT_LT(history("val_loss").back(), history("val_loss").front()) << run.output;
}

// The table of predictions and the train and test MSE that curve_fit prints last.
std::string predictions(const std::string& output) {
  const std::size_t begin = output.find("     x   prediction");
  return begin == std::string::npos ? "" : output.substr(begin);
}

// DeepNetLib's save and restore: the JSON the run writes, read back without
// further training, predicts exactly as the trained net did.
TEST(CurveFit, RestoredJsonPredictsAsTheSavedNet) {
  const testing::ExampleRun trained =
      testing::run_example("examples/curve_fit", "--epochs=5 --threads=1 --output_dir=" + output_dir() + "_saved");
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const std::string json = output_dir() + "_saved/curve_fit.json";
  EXPECT_THAT(trained.output, HasSubstr("model: " + json));
  const testing::ExampleRun restored = testing::run_example(
      "examples/curve_fit", "--epochs=0 --threads=1 --restore=" + json + " --output_dir=" + output_dir() + "_restored");
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  ASSERT_NE(predictions(trained.output), "") << trained.output;
  EXPECT_EQ(predictions(restored.output), predictions(trained.output)) << restored.output;
}

}  // namespace
}  // namespace nabla
