#include "autodiff/graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <sstream>

#include "autodiff/engine.h"
#include "autodiff/nn_ops.h"
#include "autodiff/ops.h"

namespace nabla {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(Graph, PlaceholderOpsAreRecordedNotRun) {
  Graph graph;
  GraphScope scope(graph);
  Variable x = placeholder("x", {-1, 2});
  Variable y = x * 2.0 + 1.0;
  EXPECT_THAT([&] { y.value(); }, ThrowsMessage<Error>(HasSubstr("has not been computed; call Graph::run")));
  const Tensors out = graph.run({y}, {{x, tensor({1, 2, 3, 4}, {2, 2})}});
  EXPECT_EQ(out[0].to_vector<float>(), (std::vector<float>{3, 5, 7, 9}));
}

// Graph::run tells each forward what record() would: whether backward can run.
TEST(Graph, ForwardKnowsWhetherBackwardCanRun) {
  Graph graph;
  GraphScope scope(graph);
  Variable x = placeholder("x", {2});
  Variable w = parameter(tensor({1, 2}));
  std::vector<bool> seen;
  auto probe = [&seen](const Variable& v) {
    return record(
        "probe", {v},
        [&seen](const Tensors& in, Context& c) {
          seen.push_back(c.requires_grad);
          return in[0];
        },
        [](const Tensor& g, const Context&) { return Tensors{g}; });
  };
  const Variable constant_side = probe(x);
  const Variable trained_side = probe(x * w);
  graph.run({constant_side, trained_side}, {{x, tensor({3, 4})}});
  EXPECT_EQ(seen, (std::vector<bool>{false, true}));
}

// The check runs at once on known values, and in Graph::run on fed ones;
// the gradient reaches the first input only (the second gets zeros).
TEST(Graph, CheckedIdentityChecksWhenValuesExist) {
  auto same_size = [](const Variable& a, const Variable& b) {
    return checked_identity("same_size", {a, b}, [](const Tensors& in) {
      NABLA_CHECK(in[0].numel() == in[1].numel(), "same_size: ", in[0].shape(), " vs ", in[1].shape());
    });
  };
  Variable a = parameter(tensor({1, 2}));
  Variable b = parameter(tensor({5, 6}));
  EXPECT_THAT([&] { same_size(a, parameter(tensor({1, 2, 3}))); },
              ThrowsMessage<Error>(HasSubstr("same_size: [2] vs [3]")));
  sum(same_size(a, b) * 3.0).backward();
  EXPECT_EQ(a.grad().to_vector<float>(), (std::vector<float>{3, 3}));
  EXPECT_EQ(b.grad().to_vector<float>(), (std::vector<float>{0, 0}));

  Graph graph;
  GraphScope scope(graph);
  Variable x = placeholder("x", {-1});
  const Variable y = same_size(x, b) + 1.0;
  EXPECT_EQ(graph.run({y}, {{x, tensor({7, 8})}})[0].to_vector<float>(), (std::vector<float>{8, 9}));
  EXPECT_THAT([&] { graph.run({y}, {{x, tensor({7, 8, 9})}}); },
              ThrowsMessage<Error>(HasSubstr("same_size: [3] vs [2]")));
}

// pytensor's print(v): the name and op, the value, the gradient.
TEST(Graph, PrintsAVariableWithItsValueAndGradient) {
  auto text = [](const Variable& v) {
    std::ostringstream out;
    out << v;
    return out.str();
  };
  Variable w = parameter(tensor({1, 2}), "w");
  EXPECT_EQ(text(w), "Variable 'w' (leaf, requires_grad)\n- value: tensor([1, 2], dtype=float32)\n- grad:  none");
  sum(w * 0.5).backward();
  EXPECT_EQ(text(w),
            "Variable 'w' (leaf, requires_grad)\n- value: tensor([1, 2], dtype=float32)\n"
            "- grad:  tensor([0.5, 0.5], dtype=float32)");
  EXPECT_EQ(text(Variable()), "Variable(undefined)");
  Graph graph;
  GraphScope scope(graph);
  const Variable y = placeholder("x", {2}) * 2.0;
  EXPECT_EQ(text(y), "Variable (mul_scalar)\n- value: not computed (call Graph::run)\n- grad:  none");
}

TEST(Graph, RunsManyTimesWithoutNewNodes) {
  Graph graph;
  GraphScope scope(graph);
  Variable w = parameter(tensor({1, 2}, {2, 1}));
  Variable x = placeholder("x", {-1, 2});
  Variable loss = sum(matmul(x, w));
  const std::int64_t nodes = internal::Node::live_count.load();
  for (int batch = 1; batch <= 3; ++batch) {
    // Batch size varies through the -1 wildcard; the result is Σ_rows (1·1 + 2·1) = 3·batch.
    EXPECT_DOUBLE_EQ(graph.run({loss}, {{x, ones({batch, 2})}})[0].item(), 3.0 * batch);
    loss.backward();
    EXPECT_EQ(w.grad().to_vector<float>(), (std::vector<float>{static_cast<float>(batch), static_cast<float>(batch)}));
    w.zero_grad();
  }
  EXPECT_EQ(internal::Node::live_count.load(), nodes);
}

TEST(Graph, BuildOnceGradientsMatchDefineByRun) {
  Generator generator(1);
  const Tensor input = normal({4, 3}, 0, 1, generator);
  Variable w = parameter(normal({3, 2}, 0, 1, generator));
  Variable b = parameter(normal({2}, 0, 1, generator));
  sum(tanh(matmul(Variable(input), w) + b)).backward();
  const Tensor eager_w = w.grad(), eager_b = b.grad();
  w.zero_grad();
  b.zero_grad();

  Graph graph;
  GraphScope scope(graph);
  Variable x = placeholder("x", {-1, 3});
  Variable loss = sum(tanh(matmul(x, w) + b));
  graph.run({loss}, {{x, input}});
  loss.backward();
  EXPECT_EQ(w.grad().to_vector<float>(), eager_w.to_vector<float>());
  EXPECT_EQ(b.grad().to_vector<float>(), eager_b.to_vector<float>());
}

TEST(Graph, FedShapeMustMatchPlaceholder) {
  Graph graph;
  Variable x = graph.placeholder("images", {-1, 784});
  Variable y = x * 2.0;
  EXPECT_THAT([&] { graph.run({y}, {{x, zeros({32, 783})}}); },
              ThrowsMessage<Error>(HasSubstr("placeholder 'images' expects shape [-1, 784], fed [32, 783]")));
  EXPECT_THAT([&] { graph.run({y}, {{x, zeros({784})}}); },
              ThrowsMessage<Error>(HasSubstr("placeholder 'images' expects shape [-1, 784], fed [784]")));
  EXPECT_THAT([&] { graph.run({y}, {{x, zeros({2, 784}, kFloat64)}}); },
              ThrowsMessage<Error>(HasSubstr("placeholder 'images' expects float32, fed float64")));
}

TEST(Graph, MissingFeedNamesThePlaceholder) {
  Graph graph;
  Variable x = graph.placeholder("x", {2});
  Variable labels = graph.placeholder("labels", {2}, kInt64);
  Variable y = x * 2.0 + gather(x, 0, labels);
  EXPECT_THAT([&] { graph.run({y}, {{x, ones({2})}}); },
              ThrowsMessage<Error>(HasSubstr("placeholder 'labels' is needed but not fed")));
}

TEST(Graph, EarlierFeedsDoNotLeakIntoLaterRuns) {
  Graph graph;
  Variable x = graph.placeholder("x", {1});
  Variable y = x + 1.0;
  graph.run({y}, {{x, ones({1})}});
  EXPECT_THAT([&] { graph.run({y}, {}); }, ThrowsMessage<Error>(HasSubstr("placeholder 'x' is needed but not fed")));
}

TEST(Graph, OpErrorsSurfaceAtRunNamingTheOp) {
  Graph graph;
  Variable a = graph.placeholder("a", {-1, 3});
  Variable b = graph.placeholder("b", {-1, 3});
  Variable c = matmul(a, b);
  EXPECT_THAT([&] { graph.run({c}, {{a, ones({2, 3})}, {b, ones({2, 3})}}); },
              ThrowsMessage<Error>(HasSubstr("matmul: inner dimensions differ: a [2, 3] vs b [2, 3]")));
}

// The gather fails on the second feed; its inputs are a parameter and a
// placeholder, so no check of inputs' runs would notice its missing values.
TEST(Graph, AFailedRunLeavesNoValuesOfTheRunBefore) {
  Graph graph;
  Variable w = parameter(tensor({1, 2, 3}, {3}));
  Variable labels = graph.placeholder("labels", {2}, kInt64);
  Variable loss = sum(gather(w, 0, labels));
  EXPECT_DOUBLE_EQ(graph.run({loss}, {{labels, tensor({0, 2}, {2}, kInt64)}})[0].item(), 4.0);
  EXPECT_THROW(graph.run({loss}, {{labels, tensor({0, 5}, {2}, kInt64)}}), Error);
  EXPECT_THAT([&] { loss.value(); }, ThrowsMessage<Error>(HasSubstr("has not been computed")));
  EXPECT_THAT([&] { loss.backward(); },
              ThrowsMessage<Error>(HasSubstr("has no value: the Graph::run that computes it failed")));
  EXPECT_FALSE(w.grad().defined());
  EXPECT_DOUBLE_EQ(graph.run({loss}, {{labels, tensor({1, 1}, {2}, kInt64)}})[0].item(), 4.0);
  loss.backward();
  EXPECT_EQ(w.grad().to_vector<float>(), (std::vector<float>{0, 2, 0}));
}

TEST(Graph, APlaceholderFedTwiceIsAnError) {
  Graph graph;
  Variable x = graph.placeholder("x", {-1});
  Variable y = sum(x);
  EXPECT_THAT([&] { graph.run({y}, {{x, ones({2})}, {x, ones({3})}}); },
              ThrowsMessage<Error>(HasSubstr("run: placeholder 'x' is fed twice")));
}

TEST(Graph, PlaceholdersOfTwoGraphsDoNotMix) {
  Graph first, second;
  Variable a = first.placeholder("a", {1});
  Variable b = second.placeholder("b", {1});
  EXPECT_THAT([&] { a + b; }, ThrowsMessage<Error>(HasSubstr("placeholders of two different graphs")));
  Variable c = a * 2.0;
  EXPECT_THAT([&] { second.run({c}, {{a, ones({1})}}); }, ThrowsMessage<Error>(HasSubstr("another graph")));
}

TEST(Graph, OnlyPlaceholdersCanBeFed) {
  Graph graph;
  Variable x = graph.placeholder("x", {1});
  Variable w = parameter(ones({1}));
  Variable y = x * w;
  EXPECT_THAT([&] { graph.run({y}, {{w, ones({1})}}); }, ThrowsMessage<Error>(HasSubstr("only placeholders")));
}

TEST(Graph, DefaultGraphAndScopes) {
  Graph graph;
  EXPECT_EQ(&current_graph(), &default_graph());
  {
    GraphScope scope(graph);
    EXPECT_EQ(&current_graph(), &graph);
    Variable x = placeholder("x", {1});
    EXPECT_EQ(graph.nodes().size(), 1u);
  }
  EXPECT_EQ(&current_graph(), &default_graph());
  Variable z = placeholder("z", {1});
  EXPECT_EQ(default_graph().run({z * 3.0}, {{z, ones({1})}})[0].item(), 3.0);
}

TEST(Graph, NodesListsPlaceholdersAndOps) {
  Graph graph;
  GraphScope scope(graph);
  Variable x = placeholder("x", {-1, 2});
  Variable y = relu(x) * 2.0;
  std::vector<std::string> ops;
  for (const Variable& node : graph.nodes()) ops.emplace_back(node.op());
  EXPECT_EQ(ops, (std::vector<std::string>{"placeholder", "relu", "mul_scalar"}));
}

// A backward without retain_graph releases what the ops saved (dropout's
// mask here): a second one before the next run must not read it.
TEST(Graph, SecondBackwardWithoutRunIsAnError) {
  Graph graph;
  GraphScope scope(graph);
  Variable x = placeholder("x", {-1, 3});
  Variable w = parameter(ones({3}));
  Generator generator(1);
  Variable loss = sum(dropout(x * w, 0.5, generator));
  graph.run({loss}, {{x, ones({2, 3})}});
  loss.backward();
  EXPECT_THAT([&] { loss.backward(); }, ThrowsMessage<Error>(HasSubstr("freed by an earlier backward()")));
  graph.run({loss}, {{x, ones({2, 3})}});
  EXPECT_NO_THROW(loss.backward());
}

TEST(Graph, RetainedGraphGoesBackwardTwice) {
  Graph graph;
  GraphScope scope(graph);
  Variable x = placeholder("x", {2});
  Variable w = parameter(tensor({3, 4}));
  Variable loss = sum(x * w);
  graph.run({loss}, {{x, tensor({1, 2})}});
  loss.backward(Tensor(), /*retain_graph=*/true);
  loss.backward();
  EXPECT_EQ(w.grad().to_vector<float>(), (std::vector<float>{2, 4}));
}

// A run that fetched only the prediction recomputed it for another batch;
// the loss still holds the first batch's values.
TEST(Graph, BackwardThroughNodesNotInTheLastRunIsAnError) {
  Graph graph;
  GraphScope scope(graph);
  Variable x = placeholder("x", {-1, 1}), y = placeholder("y", {-1, 1});
  Variable w = parameter(ones({1, 1}));
  Variable prediction = matmul(x, w);
  Variable loss = sum(square(prediction - y));
  graph.run({loss}, {{x, tensor({1.0f}, {1, 1})}, {y, tensor({0.0f}, {1, 1})}});
  graph.run({prediction}, {{x, tensor({10.0f}, {1, 1})}});
  EXPECT_THAT([&] { loss.backward(); },
              ThrowsMessage<Error>(HasSubstr("its input 'matmul' was recomputed by a later Graph::run than 'sub'")));
  EXPECT_FALSE(w.grad().defined());
}

// A run of another part of the graph leaves the loss's batch whole.
TEST(Graph, BackwardAfterARunOfAnotherPartOfTheGraph) {
  Graph graph;
  GraphScope scope(graph);
  Variable x = placeholder("x", {-1, 1}), validation_x = placeholder("validation_x", {-1, 1});
  Variable w = parameter(tensor({3.0f}, {1, 1}));
  Variable loss = sum(square(matmul(x, w)));
  Variable validation = sum(matmul(validation_x, w));
  graph.run({loss}, {{x, tensor({2.0f}, {1, 1})}});
  graph.run({validation}, {{validation_x, tensor({10.0f}, {1, 1})}});
  loss.backward();
  EXPECT_EQ(w.grad().to_vector<float>(), (std::vector<float>{24}));  // d(2w)^2/dw = 8w
}

TEST(Graph, VariablesOfADestroyedGraphCannotBeUsed) {
  Variable x, y;
  Variable w = parameter(ones({2}));
  {
    auto graph = std::make_unique<Graph>();
    x = graph->placeholder("x", {2});
    y = sum(x * w);
    graph->run({y}, {{x, ones({2})}});
  }
  EXPECT_THAT([&] { x * 2.0; }, ThrowsMessage<Error>(HasSubstr("a Graph that no longer exists")));
  EXPECT_THAT([&] { y.backward(); }, ThrowsMessage<Error>(HasSubstr("belongs to a Graph that no longer exists")));
}

}  // namespace
}  // namespace nabla
