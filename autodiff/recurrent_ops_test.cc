#include "autodiff/recurrent_ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "autodiff/engine.h"
#include "autodiff/grad_check.h"
#include "autodiff/graph.h"
#include "autodiff/ops.h"

namespace nabla {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// The tiny sizes of every gradient check: N sequences of T steps, I inputs, H hidden.
constexpr std::int64_t kN = 2, kT = 3, kI = 3, kH = 2;

Tensor random(const Shape& shape, std::uint64_t seed, DType dtype = kFloat64) {
  Generator generator(seed);
  return normal(shape, 0, 0.7, generator, dtype);
}

// Checks define-by-run and build-once gradients of fn at inputs.
void expect_gradients(const DifferentiableFn& fn, const Tensors& inputs) {
  for (bool build_once : {false, true}) {
    GradientCheckOptions options;
    options.build_once = build_once;
    const GradientCheck check = check_gradients(fn, inputs, options);
    EXPECT_TRUE(check.passed) << (build_once ? "build once\n" : "define by run\n") << check.report;
  }
}

void expect_near(const Tensor& actual, const Tensor& expected, double tolerance) {
  ASSERT_EQ(actual.shape(), expected.shape());
  EXPECT_LE(max(abs(actual.astype(kFloat64) - expected.astype(kFloat64))).item(), tolerance)
      << "actual " << actual << "\nexpected " << expected;
}

// x[:, t] as [N, I].
Variable step(const Variable& x, std::int64_t t) { return flatten(slice(x, 1, t, t + 1), 1, 2); }

// [N, T, F] -> [N, F] at the last step; no shapes asked, so it works on build-once graphs too.
Variable last_step(const Variable& y) {
  return flatten(slice(y, 1, -1, std::numeric_limits<std::int64_t>::max()), 1, 2);
}

// ---- The cells unrolled with the primitive ops: the independent reference. ----

Variable unrolled_lstm(const std::vector<Variable>& in) {  // x, h0, c0, w_ih, w_hh, bias
  const std::int64_t steps = in[0].shape()[1], h_size = in[4].shape()[0];
  Variable h = in[1], c = in[2];
  std::vector<Variable> hs, cs;
  for (std::int64_t t = 0; t < steps; ++t) {
    const Variable gates = matmul(step(in[0], t), in[3]) + matmul(h, in[4]) + in[5];
    const Variable i = sigmoid(slice(gates, 1, 0, h_size));
    const Variable f = sigmoid(slice(gates, 1, h_size, 2 * h_size));
    const Variable g = tanh(slice(gates, 1, 2 * h_size, 3 * h_size));
    const Variable o = sigmoid(slice(gates, 1, 3 * h_size, 4 * h_size));
    c = f * c + i * g;
    h = o * tanh(c);
    hs.push_back(h);
    cs.push_back(c);
  }
  return concat({stack(hs, 1), stack(cs, 1)}, 2);
}

Variable unrolled_gru(const std::vector<Variable>& in) {  // x, h0, w_ih, w_hh, b_ih, b_hh
  const std::int64_t steps = in[0].shape()[1], h_size = in[3].shape()[0];
  Variable h = in[1];
  std::vector<Variable> hs;
  for (std::int64_t t = 0; t < steps; ++t) {
    const Variable a = matmul(step(in[0], t), in[2]) + in[4];
    const Variable b = matmul(h, in[3]) + in[5];
    auto part = [h_size](const Variable& v, int k) { return slice(v, 1, k * h_size, (k + 1) * h_size); };
    const Variable r = sigmoid(part(a, 0) + part(b, 0));
    const Variable z = sigmoid(part(a, 1) + part(b, 1));
    const Variable n = tanh(part(a, 2) + r * part(b, 2));
    h = (1.0 - z) * n + z * h;
    hs.push_back(h);
  }
  return stack(hs, 1);
}

Variable unrolled_rnn(const std::vector<Variable>& in) {  // x, h0, w_ih, w_hh, bias
  Variable h = in[1];
  std::vector<Variable> hs;
  for (std::int64_t t = 0; t < in[0].shape()[1]; ++t) {
    h = tanh(matmul(step(in[0], t), in[2]) + matmul(h, in[3]) + in[4]);
    hs.push_back(h);
  }
  return stack(hs, 1);
}

Variable fused_lstm(const std::vector<Variable>& in) { return lstm(in[0], in[1], in[2], in[3], in[4], in[5]); }
Variable fused_gru(const std::vector<Variable>& in) { return gru(in[0], in[1], in[2], in[3], in[4], in[5]); }
Variable fused_rnn(const std::vector<Variable>& in) { return rnn_tanh(in[0], in[1], in[2], in[3], in[4]); }

Tensors lstm_inputs(std::int64_t n, std::int64_t t, std::int64_t i, std::int64_t h, DType dtype = kFloat64) {
  return {random({n, t, i}, 1, dtype), random({n, h}, 2, dtype),     random({n, h}, 3, dtype),
          random({i, 4 * h}, 4, dtype), random({h, 4 * h}, 5, dtype), random({4 * h}, 6, dtype)};
}

Tensors gru_inputs(std::int64_t n, std::int64_t t, std::int64_t i, std::int64_t h) {
  return {random({n, t, i}, 11), random({n, h}, 12),     random({i, 3 * h}, 13),
          random({h, 3 * h}, 14), random({3 * h}, 15), random({3 * h}, 16)};
}

Tensors rnn_inputs(std::int64_t n, std::int64_t t, std::int64_t i, std::int64_t h) {
  return {random({n, t, i}, 21), random({n, h}, 22), random({i, h}, 23), random({h, h}, 24), random({h}, 25)};
}

std::vector<Variable> leaves(const Tensors& values) {
  std::vector<Variable> result;
  for (const Tensor& value : values) result.push_back(parameter(value));
  return result;
}

// Values and the gradients of sum(y · r) for every input agree between the
// fused op and the unrolled cell.
void expect_same_as_unrolled(const DifferentiableFn& fused, const DifferentiableFn& unrolled, const Tensors& values) {
  const std::vector<Variable> a = leaves(values), b = leaves(values);
  const Variable fused_out = fused(a), unrolled_out = unrolled(b);
  expect_near(fused_out.value(), unrolled_out.value(), 1e-12);
  Generator generator(9);
  const Tensor projection = uniform(fused_out.shape(), -1, 1, generator, kFloat64);
  const Tensors fused_grads = gradients(fused_out, a, projection);
  const Tensors unrolled_grads = gradients(unrolled_out, b, projection);
  for (std::size_t k = 0; k < values.size(); ++k) {
    SCOPED_TRACE("input " + std::to_string(k));
    expect_near(fused_grads[k], unrolled_grads[k], 1e-12);
  }
}

// ---- LSTM ----

TEST(Lstm, ForwardOnHandValues) {
  // One sample, one step, I = H = 1, all weights 0 and bias [0, 0, 0, 0]:
  // i = f = o = 0.5, g = 0, so c = 0.5·c0 and h = 0.5·tanh(c).
  const Variable x(zeros({1, 1, 1}, kFloat64)), h0(ones({1, 1}, kFloat64)), c0(full({1, 1}, 2.0, kFloat64));
  const Variable w_ih(zeros({1, 4}, kFloat64)), w_hh(zeros({1, 4}, kFloat64)), bias(zeros({4}, kFloat64));
  const Tensor y = lstm(x, h0, c0, w_ih, w_hh, bias).value();
  EXPECT_EQ(y.shape(), (Shape{1, 1, 2}));
  EXPECT_DOUBLE_EQ(y.at({0, 0, 1}), 1.0);
  EXPECT_DOUBLE_EQ(y.at({0, 0, 0}), 0.5 * std::tanh(1.0));
}

TEST(Lstm, MatchesTheUnrolledCellInValuesAndGradients) {
  expect_same_as_unrolled(fused_lstm, unrolled_lstm, lstm_inputs(kN, kT, kI, kH));
  expect_same_as_unrolled(fused_lstm, unrolled_lstm, lstm_inputs(3, 7, 5, 4));
}

TEST(Lstm, Gradients) { expect_gradients(fused_lstm, lstm_inputs(kN, kT, kI, kH)); }

TEST(Lstm, GradientsFromTheFinalCellStateOnly) {
  expect_gradients([](const std::vector<Variable>& in) { return slice(last_step(fused_lstm(in)), 1, kH, 2 * kH); },
                   lstm_inputs(kN, kT, kI, kH));
}

TEST(Lstm, GradientsFromTheFinalHiddenStateOnly) {
  expect_gradients([](const std::vector<Variable>& in) { return slice(last_step(fused_lstm(in)), 1, 0, kH); },
                   lstm_inputs(kN, kT, kI, kH));
}

TEST(Lstm, WithoutStateOrBiasStartsFromZeros) {
  Tensors values = lstm_inputs(kN, kT, kI, kH);
  const Tensor zero_state = zeros({kN, kH}, kFloat64);
  const Tensor reference =
      unrolled_lstm({Variable(values[0]), Variable(zero_state), Variable(zero_state), Variable(values[3]),
                     Variable(values[4]), Variable(zeros({4 * kH}, kFloat64))})
          .value();
  expect_near(lstm(Variable(values[0]), Variable(), Variable(), Variable(values[3]), Variable(values[4])).value(),
              reference, 1e-12);
  expect_gradients([](const std::vector<Variable>& in) { return lstm(in[0], Variable(), Variable(), in[1], in[2]); },
                   {values[0], values[3], values[4]});
}

TEST(Lstm, OnlyTheInputsThatNeedGradientsGetThem) {
  const Tensors values = lstm_inputs(kN, kT, kI, kH);
  const Variable x(values[0]), h0(values[1]), c0(values[2]);  // constants
  const Variable w_ih = parameter(values[3]), w_hh = parameter(values[4]), bias = parameter(values[5]);
  sum(lstm(x, h0, c0, w_ih, w_hh, bias)).backward();
  const std::vector<Variable> all = leaves(values);
  const Tensors expected = gradients(sum(unrolled_lstm(all)), {all[3], all[4], all[5]});
  expect_near(w_ih.grad(), expected[0], 1e-12);
  expect_near(w_hh.grad(), expected[1], 1e-12);
  expect_near(bias.grad(), expected[2], 1e-12);
  EXPECT_FALSE(x.grad().defined());
}

TEST(Lstm, Float32AgreesWithFloat64) {
  const Tensors doubles = lstm_inputs(4, 6, 5, 8);
  Tensors floats;
  for (const Tensor& t : doubles) floats.push_back(t.astype(kFloat32));
  const std::vector<Variable> a = leaves(floats), b = leaves(doubles);
  const Variable y32 = fused_lstm(a), y64 = fused_lstm(b);
  EXPECT_EQ(y32.dtype(), kFloat32);
  expect_near(y32.value(), y64.value(), 1e-5);
  sum(y32).backward();
  sum(y64).backward();
  for (std::size_t k = 0; k < a.size(); ++k) expect_near(a[k].grad(), b[k].grad(), 1e-4);
}

TEST(Lstm, BuildOnceGraphRunsForAnyBatch) {
  const Tensors values = lstm_inputs(kN, kT, kI, kH);
  Graph graph;
  GraphScope scope(graph);
  const Variable x = placeholder("x", {-1, kT, kI}, kFloat64);
  const Variable w_ih = parameter(values[3]), w_hh = parameter(values[4]);
  const Variable y = lstm(x, Variable(), Variable(), w_ih, w_hh);
  for (std::int64_t batch : {1, 4}) {
    const Tensor input = random({batch, kT, kI}, 40 + batch);
    const Tensor out = graph.run({y}, {{x, input}})[0];
    expect_near(out, lstm(Variable(input), Variable(), Variable(), w_ih, w_hh).value(), 0);
  }
}

TEST(Lstm, BadShapesNameEveryShape) {
  const Variable x(zeros({2, 3, 4})), h(zeros({2, 5})), w_ih(zeros({4, 20})), w_hh(zeros({5, 20}));
  EXPECT_THAT([&] { lstm(x, h, h, w_ih, w_hh, Variable(zeros({16}))); },
              ThrowsMessage<Error>(AllOf(HasSubstr("lstm: shapes do not fit"), HasSubstr("bias [4H]"),
                                         HasSubstr("input [2, 3, 4], h0 [2, 5], c0 [2, 5], w_ih [4, 20], "
                                                   "w_hh [5, 20], bias [16]"))));
  EXPECT_THAT([&] { lstm(x, Variable(zeros({3, 5})), Variable(), w_ih, w_hh); },
              ThrowsMessage<Error>(HasSubstr("h0 [3, 5], c0 none")));
  EXPECT_THAT([&] { lstm(Variable(zeros({2, 4})), h, h, w_ih, w_hh); },
              ThrowsMessage<Error>(HasSubstr("input [2, 4]")));
  EXPECT_THAT([&] { lstm(x, h, h, Variable(zeros({4, 20}, kFloat64)), w_hh); },
              ThrowsMessage<Error>(HasSubstr("needs one float dtype (float32 or float64) for every tensor, got input "
                                             "[2, 3, 4] float32, h0 [2, 5] float32, c0 [2, 5] float32, w_ih [4, 20] "
                                             "float64")));
  EXPECT_THAT([&] { lstm(Variable(zeros({2, 0, 4})), h, h, w_ih, w_hh); },
              ThrowsMessage<Error>(HasSubstr("lstm: the sequence is empty (T = 0)")));
}

// ---- GRU ----

TEST(Gru, ForwardOnHandValues) {
  // All weights and biases 0: r = z = 0.5, n = 0, so h = 0.5·h0.
  const Variable x(ones({1, 1, 2}, kFloat64)), h0(full({1, 1}, 3.0, kFloat64));
  const Tensor y = gru(x, h0, Variable(zeros({2, 3}, kFloat64)), Variable(zeros({1, 3}, kFloat64))).value();
  EXPECT_EQ(y.shape(), (Shape{1, 1, 1}));
  EXPECT_DOUBLE_EQ(y.item(), 1.5);
}

TEST(Gru, MatchesTheUnrolledCellInValuesAndGradients) {
  expect_same_as_unrolled(fused_gru, unrolled_gru, gru_inputs(kN, kT, kI, kH));
  expect_same_as_unrolled(fused_gru, unrolled_gru, gru_inputs(3, 6, 4, 5));
}

TEST(Gru, Gradients) { expect_gradients(fused_gru, gru_inputs(kN, kT, kI, kH)); }

TEST(Gru, GradientsFromTheFinalStateOnly) {
  expect_gradients([](const std::vector<Variable>& in) { return last_step(fused_gru(in)); },
                   gru_inputs(kN, kT, kI, kH));
}

TEST(Gru, WithoutStateOrBiases) {
  const Tensors values = gru_inputs(kN, kT, kI, kH);
  expect_gradients([](const std::vector<Variable>& in) { return gru(in[0], Variable(), in[1], in[2]); },
                   {values[0], values[2], values[3]});
}

TEST(Gru, BadInputs) {
  const Variable x(zeros({2, 3, 4})), h(zeros({2, 5})), w_ih(zeros({4, 15})), w_hh(zeros({5, 15}));
  EXPECT_THAT([&] { gru(x, h, w_ih, w_hh, Variable(zeros({15})), Variable()); },
              ThrowsMessage<Error>(HasSubstr("gru: give both b_ih and b_hh, or neither")));
  EXPECT_THAT([&] { gru(x, h, w_ih, Variable(zeros({5, 20}))); },
              ThrowsMessage<Error>(AllOf(HasSubstr("gru: shapes do not fit: expected input [N, T, I], h0 [N, H], "
                                                   "w_ih [I, 3H]"),
                                         HasSubstr("w_hh [5, 20], b_ih none, b_hh none"))));
}

// ---- RNN ----

TEST(RnnTanh, ForwardOnHandValues) {
  // h1 = tanh(1·2 + 0.5·(-1) + 0.25) = tanh(1.75); h2 = tanh(3·2 + h1·(-1) + 0.25).
  const Variable x(tensor({1, 3}, {1, 2, 1}, kFloat64)), h0(tensor({0.5}, {1, 1}, kFloat64));
  const Tensor y = rnn_tanh(x, h0, Variable(tensor({2}, {1, 1}, kFloat64)), Variable(tensor({-1}, {1, 1}, kFloat64)),
                            Variable(tensor({0.25}, {1}, kFloat64)))
                       .value();
  const double h1 = std::tanh(1.75);
  EXPECT_DOUBLE_EQ(y.at({0, 0, 0}), h1);
  EXPECT_DOUBLE_EQ(y.at({0, 1, 0}), std::tanh(6.25 - h1));
}

TEST(RnnTanh, MatchesTheUnrolledCellInValuesAndGradients) {
  expect_same_as_unrolled(fused_rnn, unrolled_rnn, rnn_inputs(kN, kT, kI, kH));
  expect_same_as_unrolled(fused_rnn, unrolled_rnn, rnn_inputs(4, 5, 3, 6));
}

TEST(RnnTanh, Gradients) { expect_gradients(fused_rnn, rnn_inputs(kN, kT, kI, kH)); }

TEST(RnnTanh, GradientsFromTheFinalStateOnlyWithoutState) {
  const Tensors values = rnn_inputs(kN, kT, kI, kH);
  expect_gradients(
      [](const std::vector<Variable>& in) { return last_step(rnn_tanh(in[0], Variable(), in[1], in[2], in[3])); },
      {values[0], values[2], values[3], values[4]});
}

TEST(RnnTanh, BadShapes) {
  EXPECT_THAT([] { rnn_tanh(Variable(zeros({2, 3, 4})), Variable(), Variable(zeros({4, 5})), Variable(zeros({5, 6}))); },
              ThrowsMessage<Error>(HasSubstr("rnn_tanh: shapes do not fit: expected input [N, T, I], h0 [N, H], "
                                             "w_ih [I, H], w_hh [H, H], bias [H]; got input [2, 3, 4], h0 none, "
                                             "w_ih [4, 5], w_hh [5, 6], bias none")));
}

}  // namespace
}  // namespace nabla
