#include "nn/recurrent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "autodiff/grad_check.h"
#include "autodiff/graph.h"
#include "autodiff/ops.h"
#include "autodiff/recurrent_ops.h"

namespace nabla::nn {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::vector<std::string> names(const Module& module) {
  std::vector<std::string> result;
  for (const auto& [name, parameter] : module.named_parameters()) result.push_back(name);
  return result;
}

Variable random_input(const Shape& shape, std::uint64_t seed) {
  Generator generator(seed);
  return Variable(normal(shape, 0, 1, generator));
}

void expect_near(const Tensor& actual, const Tensor& expected, double tolerance = 1e-5) {
  ASSERT_EQ(actual.shape(), expected.shape());
  EXPECT_LE(max(abs(actual - expected)).item(), tolerance) << "actual " << actual << "\nexpected " << expected;
}

Variable parameter_named(const Module& module, const std::string& name) {
  for (const auto& [n, p] : module.named_parameters()) {
    if (n == name) return p;
  }
  ADD_FAILURE() << "no parameter " << name;
  return Variable();
}

TEST(LSTM, ParametersAreNamedAndCountedWithOneBiasPerLayer) {
  LSTM lstm(LSTMOptions(64, 128));
  EXPECT_EQ(names(lstm), (std::vector<std::string>{"weight_ih_l0", "weight_hh_l0", "bias_l0"}));
  EXPECT_EQ(lstm.parameter_count(), 4 * 128 * (64 + 128) + 4 * 128);
  EXPECT_EQ(parameter_named(lstm, "weight_ih_l0").shape(), (Shape{64, 512}));
  EXPECT_EQ(parameter_named(lstm, "weight_hh_l0").shape(), (Shape{128, 512}));
  EXPECT_EQ(lstm.type_name(), "LSTM");
  EXPECT_EQ(lstm.describe(), "64 -> 128");

  LSTM stacked(LSTMOptions(10, 8).num_layers(2).bias(false));
  EXPECT_EQ(names(stacked), (std::vector<std::string>{"weight_ih_l0", "weight_hh_l0", "weight_ih_l1", "weight_hh_l1"}));
  EXPECT_EQ(parameter_named(stacked, "weight_ih_l1").shape(), (Shape{8, 32}));
  EXPECT_EQ(stacked.describe(), "10 -> 8, 2 layers, no bias");
}

TEST(GRU, HasTwoBiasesPerLayer) {
  GRU gru(GRUOptions(5, 4).num_layers(2));
  EXPECT_EQ(names(gru), (std::vector<std::string>{"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                                  "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"}));
  EXPECT_EQ(gru.parameter_count(), 3 * 4 * (5 + 4) + 2 * 3 * 4 + 3 * 4 * (4 + 4) + 2 * 3 * 4);
}

TEST(RNN, ParameterNamesAndCount) {
  RNN rnn(RNNOptions(3, 6));
  EXPECT_EQ(names(rnn), (std::vector<std::string>{"weight_ih_l0", "weight_hh_l0", "bias_l0"}));
  EXPECT_EQ(rnn.parameter_count(), 6 * (3 + 6) + 6);
}

TEST(Recurrent, DefaultInitIsUniformInPlusMinusOneOverSqrtHidden) {
  manual_seed(5);
  LSTM lstm(LSTMOptions(30, 100));
  for (const Variable& p : lstm.parameters()) {
    EXPECT_LE(max(p.value()).item(), 0.1);
    EXPECT_GE(min(p.value()).item(), -0.1);
  }
  EXPECT_GT(max(parameter_named(lstm, "weight_hh_l0").value()).item(), 0.099);
}

TEST(LSTM, ForgetBiasSetsTheSecondQuarter) {
  LSTM lstm(LSTMOptions(3, 4).forget_bias(1.0).bias_init([](const Shape& shape, Generator&) { return zeros(shape); }));
  EXPECT_EQ(parameter_named(lstm, "bias_l0").value().to_vector<float>(),
            (std::vector<float>{0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(Recurrent, SameSeedSameWeights) {
  Generator a(7), b(7);
  GRU first(GRUOptions(4, 3).generator(&a));
  GRU second(GRUOptions(4, 3).generator(&b));
  for (std::size_t k = 0; k < first.parameters().size(); ++k) {
    EXPECT_EQ(first.parameters()[k].value().to_vector<float>(), second.parameters()[k].value().to_vector<float>());
  }
}

TEST(LSTM, ForwardShapesAndFinalState) {
  LSTM lstm(LSTMOptions(5, 4).num_layers(3));
  const Variable x = random_input({2, 6, 5}, 1);
  EXPECT_EQ(lstm.forward(x).shape(), (Shape{2, 6, 4}));
  const RecurrentOutput out = lstm.forward_with_state(x);
  EXPECT_EQ(out.output.shape(), (Shape{2, 6, 4}));
  EXPECT_EQ(out.h.shape(), (Shape{3, 2, 4}));
  EXPECT_EQ(out.c.shape(), (Shape{3, 2, 4}));
  // The last layer's final h is the output's last step.
  expect_near(slice(out.h, 0, 2, 3).value().reshape({2, 4}), slice(out.output, 1, 5, 6).value().reshape({2, 4}), 0);
}

TEST(GRU, AndRNNHaveNoCellState) {
  GRU gru(GRUOptions(5, 4));
  RNN rnn(RNNOptions(5, 4).num_layers(2));
  const Variable x = random_input({3, 2, 5}, 2);
  const RecurrentOutput g = gru.forward_with_state(x), r = rnn.forward_with_state(x);
  EXPECT_EQ(g.output.shape(), (Shape{3, 2, 4}));
  EXPECT_EQ(g.h.shape(), (Shape{1, 3, 4}));
  EXPECT_FALSE(g.c.defined());
  EXPECT_EQ(r.h.shape(), (Shape{2, 3, 4}));
  EXPECT_FALSE(r.c.defined());
}

TEST(LSTM, StackedLayersFeedEachLayersHiddenStatesToTheNext) {
  LSTM lstm(LSTMOptions(3, 4).num_layers(2));
  const Variable x = random_input({2, 5, 3}, 3);
  Variable expected = x;
  for (const char* l : {"l0", "l1"}) {
    const std::string suffix = l;
    expected = slice(nabla::lstm(expected, Variable(), Variable(), parameter_named(lstm, "weight_ih_" + suffix),
                                 parameter_named(lstm, "weight_hh_" + suffix), parameter_named(lstm, "bias_" + suffix)),
                     1, 0, 5);  // the hidden states h_1 .. h_5 of [N, T + 1, H]
  }
  expect_near(lstm.forward(x).value(), expected.value(), 0);
}

// Running a sequence in two halves, carrying the state, equals running it whole.
template <typename Layer>
void expect_stateful_halves_match_whole(Layer& layer, std::int64_t input_size) {
  const Variable x = random_input({3, 8, input_size}, 4);
  const RecurrentOutput whole = layer.forward_with_state(x);
  const RecurrentOutput first = layer.forward_with_state(slice(x, 1, 0, 5));
  const RecurrentOutput second = layer.forward_with_state(slice(x, 1, 5, 8), {first.h, first.c});
  expect_near(concat({first.output, second.output}, 1).value(), whole.output.value());
  expect_near(second.h.value(), whole.h.value());
  if (whole.c.defined()) expect_near(second.c.value(), whole.c.value());
}

TEST(Recurrent, StatefulForwardCarriesTheState) {
  LSTM lstm(LSTMOptions(3, 5).num_layers(2));
  GRU gru(GRUOptions(3, 5).num_layers(2));
  RNN rnn(RNNOptions(3, 5).num_layers(2));
  expect_stateful_halves_match_whole(lstm, 3);
  expect_stateful_halves_match_whole(gru, 3);
  expect_stateful_halves_match_whole(rnn, 3);
}

TEST(Recurrent, BackwardReachesEveryParameterAndTheInitialState) {
  LSTM lstm(LSTMOptions(3, 4).num_layers(2));
  const Variable x = parameter(random_input({2, 5, 3}, 5).value());
  const Variable h0 = parameter(zeros({2, 2, 4})), c0 = parameter(zeros({2, 2, 4}));
  const RecurrentOutput out = lstm.forward_with_state(x, {h0, c0});
  (sum(out.output * out.output) + sum(out.c)).backward();
  for (const auto& [name, p] : lstm.named_parameters()) {
    ASSERT_TRUE(p.grad().defined()) << name;
    EXPECT_EQ(p.grad().shape(), p.shape()) << name;
    EXPECT_GT(max(abs(p.grad())).item(), 0) << name;
  }
  EXPECT_EQ(x.grad().shape(), (Shape{2, 5, 3}));
  EXPECT_EQ(h0.grad().shape(), (Shape{2, 2, 4}));
  EXPECT_GT(max(abs(c0.grad())).item(), 0);
}

TEST(Recurrent, DropoutBetweenLayersOnlyInTraining) {
  Generator generator(1);
  GRU gru(GRUOptions(3, 16).num_layers(2).dropout(0.5).generator(&generator));
  EXPECT_EQ(gru.describe(), "3 -> 16, 2 layers, dropout 0.5");
  const Variable x = random_input({4, 3, 3}, 6);
  const Tensor trained = gru.forward(x).value();
  gru.eval();
  const Tensor evaluated = gru.forward(x).value();
  expect_near(gru.forward(x).value(), evaluated, 0);
  EXPECT_GT(max(abs(trained - evaluated)).item(), 1e-3);
}

TEST(LSTM, WorksInABuildOnceGraph) {
  LSTM lstm(LSTMOptions(3, 4).num_layers(2));
  Graph graph;
  GraphScope scope(graph);
  const Variable x = placeholder("x", {-1, -1, 3});
  const RecurrentOutput out = lstm.forward_with_state(x);
  const Variable loss = sum(out.output) + sum(out.c);
  for (std::int64_t steps : {2, 5}) {
    const Variable input = random_input({3, steps, 3}, 7);
    const Tensors values = graph.run({out.output, out.h}, {{x, input.value()}});
    expect_near(values[0], lstm.forward(input).value(), 0);
    EXPECT_EQ(values[1].shape(), (Shape{2, 3, 4}));
  }
  graph.run({loss}, {{x, random_input({3, 4, 3}, 8).value()}});
  loss.backward();
  EXPECT_EQ(parameter_named(lstm, "weight_hh_l1").grad().shape(), (Shape{4, 16}));
}

// The state's shape is known only when it is fed; each layer's op sees
// one slice of it, so extra layers would go unread.
TEST(Recurrent, BuildOnceGraphChecksTheFedStatesShape) {
  GRU gru(GRUOptions(3, 4));
  LSTM lstm(LSTMOptions(3, 4).num_layers(2));
  Graph graph;
  GraphScope scope(graph);
  const Variable x = placeholder("x", {-1, -1, 3});
  const Variable h = placeholder("h", {-1, -1, -1});
  const Variable c = placeholder("c", {-1, -1, -1});
  const Variable gru_output = gru.forward_with_state(x, {h, Variable()}).output;
  const Variable lstm_output = lstm.forward_with_state(x, {h, c}).output;
  const Tensor input = random_input({2, 5, 3}, 1).value();
  EXPECT_THAT([&] { graph.run({gru_output}, {{x, input}, {h, zeros({3, 2, 4})}}); },
              ThrowsMessage<Error>(HasSubstr("GRU: the initial state must be [num_layers, N, hidden_size] = "
                                             "[1, N, 4], got [3, 2, 4]")));
  EXPECT_THAT([&] { graph.run({lstm_output}, {{x, input}, {h, zeros({2, 2, 4})}, {c, zeros({1, 2, 4})}}); },
              ThrowsMessage<Error>(HasSubstr("LSTM: the initial state must be [num_layers, N, hidden_size] = "
                                             "[2, N, 4], got [1, 2, 4]")));
  const Tensor h0 = random_input({1, 2, 4}, 2).value();
  expect_near(graph.run({gru_output}, {{x, input}, {h, h0}})[0],
              gru.forward_with_state(Variable(input), {Variable(h0), Variable()}).output.value(), 0);
}

// A fed state passes through the op that checks its shape in Graph::run:
// the gradient with respect to it, in float64 weights, by finite differences.
TEST(Recurrent, GradientThroughAFedStateInABuildOnceGraph) {
  const Initializer float64 = [](const Shape& shape, Generator& generator) {
    return uniform(shape, -0.5, 0.5, generator, kFloat64);
  };
  GRU gru(GRUOptions(3, 4).weight_ih_init(float64).weight_hh_init(float64).bias_init(float64));
  Generator generator(3);
  GradientCheckOptions options;
  options.build_once = true;
  const GradientCheck check = check_gradients(
      [&](const std::vector<Variable>& in) { return sum(gru.forward_with_state(in[0], {in[1], Variable()}).output); },
      {normal({2, 3, 3}, 0, 1, generator, kFloat64), normal({1, 2, 4}, 0, 1, generator, kFloat64)}, options);
  EXPECT_TRUE(check.passed) << check.report;
}

TEST(Recurrent, BadOptionsAndInputs) {
  EXPECT_THAT([] { LSTM(LSTMOptions(0, 4)); }, ThrowsMessage<Error>(HasSubstr("LSTM: input_size must be positive, got 0")));
  EXPECT_THAT([] { GRU(GRUOptions(3, 4).num_layers(0)); },
              ThrowsMessage<Error>(HasSubstr("GRU: num_layers must be positive, got 0")));
  EXPECT_THAT([] { RNN(RNNOptions(3, 4).dropout(1.5)); },
              ThrowsMessage<Error>(HasSubstr("RNN: dropout must be in [0, 1], got 1.5")));
  EXPECT_THAT([] { LSTM(LSTMOptions(3, 4).bias(false).forget_bias(1.0)); },
              ThrowsMessage<Error>(HasSubstr("LSTM: forget_bias 1 is set but bias is off")));
  EXPECT_THAT([] { LSTM(LSTMOptions(3, 4).weight_hh_init([](const Shape&, Generator&) { return zeros({2}); })); },
              ThrowsMessage<Error>(HasSubstr("LSTM: the initializer returned shape [2] for a parameter of shape [4, 16]")));

  LSTM lstm(LSTMOptions(3, 4).num_layers(2));
  EXPECT_THAT([&] { lstm.forward(Variable(zeros({2, 5, 7}))); },
              ThrowsMessage<Error>(HasSubstr("lstm: shapes do not fit: expected input [N, T, I], h0 and c0 [N, H], "
                                             "w_ih [I, 4H], w_hh [H, 4H], bias [4H]; got input [2, 5, 7], h0 none, "
                                             "c0 none, w_ih [3, 16], w_hh [4, 16], bias [16]")));
  EXPECT_THAT([&] { lstm.forward_with_state(Variable(zeros({2, 5, 3})), {Variable(zeros({1, 2, 4})), Variable()}); },
              ThrowsMessage<Error>(HasSubstr("LSTM: the initial state must be [num_layers, N, hidden_size] = "
                                             "[2, N, 4], got [1, 2, 4]")));
  GRU gru(GRUOptions(3, 4));
  EXPECT_THAT([&] { gru.forward_with_state(Variable(zeros({2, 5, 3})), {Variable(), Variable(zeros({1, 2, 4}))}); },
              ThrowsMessage<Error>(HasSubstr("GRU: only an LSTM has a cell state c")));
}

TEST(LSTM, HiddenSizeWhoseGatesOverflowIsAnError) {
  EXPECT_THAT([] { LSTM lstm(LSTMOptions(1, std::int64_t{1} << 62)); },
              ThrowsMessage<Error>(HasSubstr("hidden_size 4611686018427387904 is too large")));
}

}  // namespace
}  // namespace nabla::nn
