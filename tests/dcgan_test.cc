// dcgan run end to end on a small slice of Fashion-MNIST, scored by a
// classifier that fashion_cnn trains on another small slice first.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "tests/example_runner.h"
#include "tests/history_csv.h"

namespace nabla {
namespace {

using ::testing::HasSubstr;

std::string output_dir() { return std::string(std::getenv("TEST_TMPDIR")) + "/dcgan"; }

TEST(Dcgan, DiscriminatorLearnsOnASmallSliceAndTheSamplesAreScored) {
  const testing::ExampleRun classifier = testing::run_example(
      "examples/fashion_cnn", "--epochs=1 --train_limit=512 --test_limit=500 --threads=2 --output_dir=" + output_dir());
  ASSERT_EQ(classifier.exit_code, 0) << classifier.output;

  const testing::ExampleRun run = testing::run_example(
      "examples/dcgan", "--epochs=3 --train_limit=512 --samples=200 --threads=2 --output_dir=" + output_dir());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  // Early on the discriminator wins: its loss falls while the generator's rises.
  const std::vector<double> d_loss = testing::history_column(output_dir() + "/dcgan_discriminator_history.csv", "loss");
  const std::vector<double> g_loss = testing::history_column(output_dir() + "/dcgan_generator_history.csv", "loss");
  ASSERT_EQ(d_loss.size(), 3u) << run.output;
  ASSERT_EQ(g_loss.size(), 3u) << run.output;
  EXPECT_LT(d_loss[2], d_loss[0]) << run.output;
  for (int epoch = 1; epoch <= 3; ++epoch) {
    EXPECT_TRUE(std::filesystem::exists(output_dir() + "/dcgan_epoch_0" + std::to_string(epoch) + ".png"))
        << run.output;
  }
  for (const char* kind : {"real test images:", "uniform noise:", "untrained generator:", "trained generator:"}) {
    EXPECT_THAT(run.output, HasSubstr(kind));
  }
  EXPECT_THAT(run.output, HasSubstr("inception score"));
}

TEST(Dcgan, MissingClassifierSaysToRunFashionCnnFirst) {
  const testing::ExampleRun run =
      testing::run_example("examples/dcgan", "--classifier=/nonexistent/fashion_cnn.safetensors");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("no classifier at /nonexistent/fashion_cnn.safetensors"));
  EXPECT_THAT(run.output, HasSubstr("bazel run //examples:fashion_cnn"));
}

TEST(Dcgan, MissingDataNamesTheFileAndTheFetchCommand) {
  const testing::ExampleRun run = testing::run_example("examples/dcgan", "--data_dir=/nonexistent/nabla");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("/nonexistent/nabla/fashion-mnist/"));
  EXPECT_THAT(run.output, HasSubstr("tools/fetch_data.sh"));
}

TEST(Dcgan, InvalidFlagsAreErrors) {
  testing::ExampleRun run = testing::run_example("examples/dcgan", "--samples=0");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("--samples must be positive, got 0"));
  run = testing::run_example("examples/dcgan", "--learning_rate=0");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.output, HasSubstr("--learning_rate must be positive, got 0"));
}

}  // namespace
}  // namespace nabla
