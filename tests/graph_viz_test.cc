#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/example_runner.h"

namespace nabla {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string output_dir() { return std::string(std::getenv("TEST_TMPDIR")) + "/graph_viz"; }

std::string contents(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(GraphViz, WritesDotAndHtmlAndTrainsOnTheSameGraph) {
  const testing::ExampleRun run =
      testing::run_example("examples/graph_viz", "--epochs=10 --threads=1 --output_dir=" + output_dir());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string dot_path = output_dir() + "/graph_viz.dot";
  const std::string html_path = output_dir() + "/graph_viz.html";
  EXPECT_THAT(run.output, HasSubstr("DOT: " + dot_path));
  EXPECT_THAT(run.output, HasSubstr("HTML: " + html_path));
  const std::string dot = contents(dot_path);
  EXPECT_THAT(dot, StartsWith("digraph"));
  EXPECT_THAT(dot, HasSubstr("labels"));  // the placeholders are drawn
  const std::string html = contents(html_path);
  EXPECT_THAT(html, HasSubstr("<svg"));
  EXPECT_THAT(html, HasSubstr("MLP 4-8-3 loss"));

  double before = 0, after = 0;
  const auto at = run.output.find("loss ");
  ASSERT_NE(at, std::string::npos) << run.output;
  ASSERT_EQ(std::sscanf(run.output.c_str() + at, "loss %lf before training, %lf after", &before, &after), 2)
      << run.output;
  EXPECT_LT(after, before) << run.output;
}

// --batch_size, which every example takes, sets the batch that is fed: the
// placeholders' rows in the exported graph.
TEST(GraphViz, BatchSizeFlagSetsTheFedBatch) {
  const std::string output = output_dir() + "_batch";
  const testing::ExampleRun run =
      testing::run_example("examples/graph_viz", "--epochs=1 --batch_size=16 --threads=1 --output_dir=" + output);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string dot = contents(output + "/graph_viz.dot");
  EXPECT_THAT(dot, HasSubstr("[16, 4]"));
  EXPECT_THAT(dot, ::testing::Not(HasSubstr("[64, 4]")));
}

}  // namespace
}  // namespace nabla
