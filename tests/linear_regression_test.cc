#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/example_runner.h"

namespace nabla {
namespace {

// The data are y = 2·x₁ - 3.4·x₂ + 4.2 + N(0, 0.01²) on 1,000 standard normal
// x: least squares recovers the weights to within a few 1e-4, and 100 steps
// of gradient descent at 0.1 shrink the start's error by 0.8^100 ≈ 2e-10.
TEST(LinearRegression, RecoversTheTrueWeights) {
  const testing::ExampleRun run = testing::run_example(
      "examples/linear_regression", "--output_dir=" + std::string(std::getenv("TEST_TMPDIR")) + "/lr");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto at = run.output.find("learned w = ");
  ASSERT_NE(at, std::string::npos) << run.output;
  double w1 = 0, w2 = 0, b = 0;
  ASSERT_EQ(std::sscanf(run.output.c_str() + at, "learned w = [%lf, %lf], b = %lf", &w1, &w2, &b), 3) << run.output;
  EXPECT_NEAR(w1, 2.0, 0.01) << run.output;
  EXPECT_NEAR(w2, -3.4, 0.01) << run.output;
  EXPECT_NEAR(b, 4.2, 0.01) << run.output;
}

TEST(LinearRegression, ZeroEpochsLeaveTheStartingWeights) {
  const testing::ExampleRun run = testing::run_example(
      "examples/linear_regression", "--epochs=0 --output_dir=" + std::string(std::getenv("TEST_TMPDIR")) + "/lr");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, ::testing::HasSubstr("learned w = [0.0000, 0.0000], b = 0.0000"));
}

TEST(LinearRegression, HelpDescribesTheExample) {
  const testing::ExampleRun run = testing::run_example("examples/linear_regression", "--help");
  EXPECT_THAT(run.output, ::testing::HasSubstr("Linear regression by gradient descent"));
  EXPECT_THAT(run.output, ::testing::Not(::testing::HasSubstr("learned w")));
}

}  // namespace
}  // namespace nabla
