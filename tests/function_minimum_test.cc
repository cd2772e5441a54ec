#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/example_runner.h"

namespace nabla {
namespace {

TEST(FunctionMinimum, ReachesTheMinimumOfTheParabola) {
  const testing::ExampleRun run = testing::run_example("examples/function_minimum");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  // The example prints 4 decimals; the parabola's minimum is y = -74 at x = 4.
  EXPECT_THAT(run.output, ::testing::HasSubstr("minimum y = -74.0000 when x = 4.0000"));
}

}  // namespace
}  // namespace nabla
