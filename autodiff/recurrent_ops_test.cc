#include "autodiff/recurrent_ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <tuple>

#include "autodiff/engine.h"
#include "autodiff/grad_check.h"
#include "autodiff/graph.h"
#include "autodiff/ops.h"
#include "tensor/backend.h"

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
  std::vector<Variable> hs;
  for (std::int64_t t = 0; t < steps; ++t) {
    const Variable gates = matmul(step(in[0], t), in[3]) + matmul(h, in[4]) + in[5];
    const Variable i = sigmoid(slice(gates, 1, 0, h_size));
    const Variable f = sigmoid(slice(gates, 1, h_size, 2 * h_size));
    const Variable g = tanh(slice(gates, 1, 2 * h_size, 3 * h_size));
    const Variable o = sigmoid(slice(gates, 1, 3 * h_size, 4 * h_size));
    c = f * c + i * g;
    h = o * tanh(c);
    hs.push_back(h);
  }
  return concat({stack(hs, 1), stack({c}, 1)}, 1);  // h_1 .. h_T, then c_T
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

Tensors astype(const Tensors& values, DType dtype) {
  Tensors result;
  for (const Tensor& value : values) result.push_back(value.astype(dtype));
  return result;
}

// Values and the gradients of sum(y · projection) for every input agree
// between the fused op (on `values` in `dtype`) and the unrolled cell (in
// float64). The projection defaults to random weights on every output.
void expect_same_as_unrolled(const DifferentiableFn& fused, const DifferentiableFn& unrolled, const Tensors& values,
                             DType dtype = kFloat64, double tolerance = 1e-12, Tensor projection = Tensor()) {
  const Tensors exact = astype(astype(values, dtype), kFloat64);
  const std::vector<Variable> a = leaves(astype(values, dtype)), b = leaves(exact);
  const Variable fused_out = fused(a), unrolled_out = unrolled(b);
  EXPECT_EQ(fused_out.dtype(), dtype);
  expect_near(fused_out.value(), unrolled_out.value(), tolerance);
  if (!projection.defined()) {
    Generator generator(9);
    projection = uniform(fused_out.shape(), -1, 1, generator, kFloat64);
  }
  const Tensors fused_grads = gradients(fused_out, a, projection.astype(dtype));
  const Tensors unrolled_grads = gradients(unrolled_out, b, projection);
  for (std::size_t k = 0; k < values.size(); ++k) {
    SCOPED_TRACE("input " + std::to_string(k));
    expect_near(fused_grads[k], unrolled_grads[k], tolerance);
  }
}

// ---- LSTM ----

TEST(Lstm, ForwardOnHandValues) {
  // One sample, one step, I = H = 1, all weights 0 and bias [0, 0, 0, 0]:
  // i = f = o = 0.5, g = 0, so c = 0.5·c0 and h = 0.5·tanh(c).
  const Variable x(zeros({1, 1, 1}, kFloat64)), h0(ones({1, 1}, kFloat64)), c0(full({1, 1}, 2.0, kFloat64));
  const Variable w_ih(zeros({1, 4}, kFloat64)), w_hh(zeros({1, 4}, kFloat64)), bias(zeros({4}, kFloat64));
  const Tensor y = lstm(x, h0, c0, w_ih, w_hh, bias).value();
  EXPECT_EQ(y.shape(), (Shape{1, 2, 1}));  // h_1, then c_1
  EXPECT_DOUBLE_EQ(y.at({0, 0, 0}), 0.5 * std::tanh(1.0));
  EXPECT_DOUBLE_EQ(y.at({0, 1, 0}), 1.0);
}

// The fused op under each backend: float32 runs oneDNN's primitives on the
// oneDNN backend, float64 always the reference loops.
class LstmOnBothBackends : public ::testing::TestWithParam<std::tuple<Backend, DType>> {
 protected:
  void SetUp() override { scope_.emplace(std::get<0>(GetParam())); }
  void TearDown() override { scope_.reset(); }
  DType dtype() const { return std::get<1>(GetParam()); }
  // Against the unrolled cell in float64: float32 keeps about 6 digits.
  double tolerance() const { return dtype() == kFloat32 ? 2e-5 : 1e-12; }

 private:
  std::optional<BackendScope> scope_;
};

// in: x, w_ih, w_hh, then h0 and c0 when with_state, then bias when with_bias.
DifferentiableFn lstm_with(bool with_state, bool with_bias) {
  return [with_state, with_bias](const std::vector<Variable>& in) {
    const std::size_t bias_at = with_state ? 5 : 3;
    return lstm(in[0], with_state ? in[3] : Variable(), with_state ? in[4] : Variable(), in[1], in[2],
                with_bias ? in[bias_at] : Variable());
  };
}

// The unrolled cell with zeros for what lstm_with leaves out.
DifferentiableFn unrolled_lstm_with(bool with_state, bool with_bias) {
  return [with_state, with_bias](const std::vector<Variable>& in) {
    const std::int64_t n = in[0].shape()[0], h = in[2].shape()[0];
    const Variable zero_state(zeros({n, h}, kFloat64));
    const std::size_t bias_at = with_state ? 5 : 3;
    return unrolled_lstm({in[0], with_state ? in[3] : zero_state, with_state ? in[4] : zero_state, in[1], in[2],
                          with_bias ? in[bias_at] : Variable(zeros({4 * h}, kFloat64))});
  };
}

// lstm_inputs reordered for lstm_with.
Tensors lstm_with_inputs(bool with_state, bool with_bias, std::int64_t n, std::int64_t t, std::int64_t i,
                         std::int64_t h) {
  const Tensors all = lstm_inputs(n, t, i, h);
  Tensors values{all[0], all[3], all[4]};
  if (with_state) values.insert(values.end(), {all[1], all[2]});
  if (with_bias) values.push_back(all[5]);
  return values;
}

TEST_P(LstmOnBothBackends, MatchesTheUnrolledCellInValuesAndGradients) {
  for (bool with_state : {true, false}) {
    for (bool with_bias : {true, false}) {
      SCOPED_TRACE(std::string(with_state ? "with" : "without") + " state, " + (with_bias ? "with" : "without") +
                   " bias");
      for (const Shape& size : {Shape{kN, kT, kI, kH}, Shape{3, 7, 5, 4}}) {
        expect_same_as_unrolled(lstm_with(with_state, with_bias), unrolled_lstm_with(with_state, with_bias),
                                lstm_with_inputs(with_state, with_bias, size[0], size[1], size[2], size[3]), dtype(),
                                tolerance());
      }
    }
  }
}

TEST_P(LstmOnBothBackends, GradientsFromTheFinalCellStateOnly) {
  // Weight 1 on every element of c_T, 0 on the hidden states.
  const std::int64_t n = 3, t = 5, h = 4;
  const Tensor projection = zeros({n, t + 1, h}, kFloat64);
  projection.select(1, t).fill_(1);
  expect_same_as_unrolled(lstm_with(true, true), unrolled_lstm_with(true, true),
                          lstm_with_inputs(true, true, n, t, 2, h), dtype(), tolerance(), projection);
}

TEST_P(LstmOnBothBackends, WithoutGradientsGivesTheSameValues) {
  const Tensors values = astype(lstm_inputs(3, 4, 2, 5), dtype());
  const Tensor expected = fused_lstm(leaves(values)).value();
  NoGradGuard no_grad;
  std::vector<Variable> constants;
  for (const Tensor& value : values) constants.emplace_back(value);
  // oneDNN's inference primitive may order its sums differently.
  expect_near(fused_lstm(constants).value(), expected, dtype() == kFloat32 ? 1e-6 : 0);
}

INSTANTIATE_TEST_SUITE_P(Lstm, LstmOnBothBackends,
                         ::testing::Combine(::testing::Values(Backend::kOneDnn, Backend::kReference),
                                            ::testing::Values(kFloat32, kFloat64)),
                         [](const auto& info) {
                           return std::string(backend_name(std::get<0>(info.param))) +
                                  (std::get<1>(info.param) == kFloat32 ? "_float32" : "_float64");
                         });

TEST(Lstm, OneDnnAgreesWithTheReferenceInFloat32) {
  const Tensors values = astype(lstm_inputs(4, 7, 5, 16), kFloat32);
  Generator generator(10);
  const Tensor projection = uniform({4, 8, 16}, -1, 1, generator, kFloat32);
  auto run = [&](Backend backend) {
    const BackendScope scope(backend);
    const std::vector<Variable> in = leaves(values);
    const Variable y = fused_lstm(in);
    Tensors results = gradients(y, in, projection);
    results.insert(results.begin(), y.value());
    return results;
  };
  const Tensors onednn = run(Backend::kOneDnn), reference = run(Backend::kReference);
  for (std::size_t k = 0; k < onednn.size(); ++k) {
    SCOPED_TRACE(k == 0 ? std::string("output") : "gradient of input " + std::to_string(k - 1));
    expect_near(onednn[k], reference[k], 1e-4);
  }
}

TEST(Lstm, Gradients) { expect_gradients(fused_lstm, lstm_inputs(kN, kT, kI, kH)); }

TEST(Lstm, GradientsFromTheFinalCellStateOnly) {
  expect_gradients([](const std::vector<Variable>& in) { return last_step(fused_lstm(in)); },
                   lstm_inputs(kN, kT, kI, kH));
}

TEST(Lstm, GradientsFromTheFinalHiddenStateOnly) {
  expect_gradients([](const std::vector<Variable>& in) { return flatten(slice(fused_lstm(in), 1, -2, -1), 1, 2); },
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

// With zero weights, gate pre-activations -10 (b_ih + b_hh for r and z), n = 0
// and h0 = 1, h_1 = z = σ(-10) = 1 / (1 + e^10) = 4.5397868702434395e-05 in
// every unit: Eigen's float32 logistic gave e^-10 = 4.53999e-05 in whole SIMD
// packets (16 units and more).
TEST(Gru, Float32GatesAreSigmoidsBelowMinusNine) {
  constexpr std::int64_t kUnits = 32;
  const Tensor bias = concat({full({2 * kUnits}, -5.0), zeros({kUnits})}, 0);
  const Tensor h = gru(Variable(ones({1, 1, 2})), Variable(ones({1, kUnits})), Variable(zeros({2, 3 * kUnits})),
                       Variable(zeros({kUnits, 3 * kUnits})), Variable(bias), Variable(bias))
                       .value();
  for (double unit : h.to_vector<double>()) EXPECT_NEAR(unit, 4.5397868702434395e-05, 1e-11);
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
