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

std::string output_dir() { return std::string(std::getenv("TEST_TMPDIR")) + "/iris_svm"; }

std::vector<double> history(const std::string& column) {
  return testing::history_column(output_dir() + "/iris_svm_history.csv", column);
}

TEST(IrisSvm, HingeLossFallsInAFewEpochs) {
  const testing::ExampleRun run =
      testing::run_example("examples/iris_svm", "--epochs=10 --threads=1 --output_dir=" + output_dir());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("test hinge loss"));
  const std::vector<double> loss = history("loss");
  ASSERT_EQ(loss.size(), 10u) << run.output;
  EXPECT_LT(loss.back(), loss.front()) << run.output;
  EXPECT_GT(history("val_accuracy").back(), 0.7) << run.output;
}

}  // namespace
}  // namespace nabla
