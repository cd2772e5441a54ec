// The examples trained on Fashion-MNIST, run end to end on a small slice.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/example_runner.h"
#include "tests/history_csv.h"

namespace nabla {
namespace {

using ::testing::HasSubstr;

struct FashionExample {
  const char* name;
  const char* arguments;  // a short run
};

class FashionExampleTest : public ::testing::TestWithParam<FashionExample> {};

TEST_P(FashionExampleTest, LossFallsOnASmallSlice) {
  const std::string name = GetParam().name;
  const std::string output = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  const testing::ExampleRun run =
      testing::run_example("examples/" + name, std::string(GetParam().arguments) + " --output_dir=" + output);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("test accuracy"));
  const std::string history = output + "/" + name + "_history.csv";
  const std::vector<double> loss = testing::history_column(history, "loss");
  ASSERT_EQ(loss.size(), 3u) << run.output;
  EXPECT_LT(loss[2], loss[0]) << run.output;
  EXPECT_GT(testing::history_column(history, "val_accuracy").back(), 0.5) << run.output;
}

TEST_P(FashionExampleTest, MissingDataNamesTheFileAndTheFetchCommand) {
  const testing::ExampleRun run =
      testing::run_example(std::string("examples/") + GetParam().name, "--data_dir=/nonexistent/nabla");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("/nonexistent/nabla/fashion-mnist/"));
  EXPECT_THAT(run.output, HasSubstr("tools/fetch_data.sh"));
}

INSTANTIATE_TEST_SUITE_P(
    Examples, FashionExampleTest,
    ::testing::Values(FashionExample{"fashion_mlp", "--epochs=3 --train_limit=1024 --batch_size=64 --threads=2"},
                      FashionExample{"lstm", "--epochs=3 --train_limit=1024 --batch_size=32 --threads=2"}),
    [](const ::testing::TestParamInfo<FashionExample>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace nabla
