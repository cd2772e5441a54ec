#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "tests/example_runner.h"

namespace nabla {
namespace {

TEST(FunctionMinimum, ReachesTheMinimumOfTheParabola) {
  const testing::ExampleRun run = testing::run_example(
      "examples/function_minimum", "--output_dir=" + std::string(std::getenv("TEST_TMPDIR")) + "/fm");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  // The example prints 4 decimals; the parabola's minimum is y = -74 at x = 4.
  EXPECT_THAT(run.output, ::testing::HasSubstr("minimum y = -74.0000 when x = 4.0000"));
  EXPECT_THAT(run.output, ::testing::HasSubstr("Variable 'x' (leaf, requires_grad)\n- value: tensor(4"));
}

// One step at lr 0.05 from x = 0, where dy/dx = -32: x = 1.6 and
// y = 4·2.56 - 32·1.6 - 10 = -50.96.
TEST(FunctionMinimum, EpochsAndLearningRateSetTheSteps) {
  const testing::ExampleRun run = testing::run_example(
      "examples/function_minimum",
      "--epochs=1 --learning_rate=0.05 --output_dir=" + std::string(std::getenv("TEST_TMPDIR")) + "/fm");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, ::testing::HasSubstr("minimum y = -50.9600 when x = 1.6000"));
}

}  // namespace
}  // namespace nabla
