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

}  // namespace
}  // namespace nabla
