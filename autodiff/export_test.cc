#include "autodiff/export.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "autodiff/graph.h"
#include "autodiff/ops.h"

namespace nabla {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Export, DotShowsOpsShapesEdgesAndGradFlags) {
  Variable x(ones({4, 3}));
  Variable w = parameter(ones({3, 2}), "w");
  Variable y = relu(matmul(x, w));
  const std::string dot = to_dot({y});
  EXPECT_THAT(dot, HasSubstr("digraph nabla {"));
  // Nodes in dependency order: x, w, matmul, relu.
  EXPECT_THAT(dot, HasSubstr("n0 [label=\"leaf\\n[4, 3]\""));
  EXPECT_THAT(dot, HasSubstr("n1 [label=\"w\\n[3, 2]\\nrequires grad\""));
  EXPECT_THAT(dot, HasSubstr("n2 [label=\"matmul\\n[4, 2]\\nrequires grad\""));
  EXPECT_THAT(dot, HasSubstr("n3 [label=\"relu\\n[4, 2]\\nrequires grad\""));
  EXPECT_THAT(dot, HasSubstr("n0 -> n2;\n  n1 -> n2;\n  n2 -> n3;"));
}

TEST(Export, PlaceholdersShowTheirDeclaredShapeBeforeRun) {
  Graph graph;
  GraphScope scope(graph);
  Variable x = placeholder("images", {-1, 784});
  Variable y = x * 2.0;
  const std::string dot = to_dot({y});
  EXPECT_THAT(dot, HasSubstr("images\\n[-1, 784]"));
  EXPECT_THAT(dot, HasSubstr("mul_scalar\\n(not run)"));
}

// Graphviz reads "\\n" in a label as a line break: a name's backslash is
// doubled, and its own line break written as one.
TEST(Export, DotEscapesBackslashesAndLineBreaksInNames) {
  const std::string dot = to_dot({sum(parameter(ones({2}), "C:\\new") * parameter(ones({2}), "two\nlines"))});
  EXPECT_THAT(dot, HasSubstr("label=\"C:\\\\new\\n[2]"));
  EXPECT_THAT(dot, HasSubstr("label=\"two\\nlines\\n[2]"));
  EXPECT_THAT(dot, Not(HasSubstr("two\nlines")));
}

TEST(Export, HtmlIsSelfContainedSvg) {
  Variable w = parameter(ones({3, 2}), "weights<1>");
  Variable y = sum(w * 2.0);
  const std::string html = to_html({y}, "Tiny & small");
  EXPECT_THAT(html, HasSubstr("<title>Tiny &amp; small</title>"));
  EXPECT_THAT(html, HasSubstr("<svg"));
  EXPECT_THAT(html, HasSubstr("weights&lt;1&gt;"));  // names are escaped
  EXPECT_THAT(html, HasSubstr("3 nodes"));
  EXPECT_THAT(html, Not(HasSubstr("http://cdn")));
  EXPECT_THAT(html, Not(HasSubstr("<script src")));
  // Two edges: w -> mul_scalar -> sum.
  std::size_t edges = 0;
  for (std::size_t at = html.find("marker-end"); at != std::string::npos; at = html.find("marker-end", at + 1)) {
    ++edges;
  }
  EXPECT_EQ(edges, 2u);
}

}  // namespace
}  // namespace nabla
