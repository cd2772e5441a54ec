#include "autodiff/ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "autodiff/grad_check.h"
#include "autodiff/graph.h"

namespace nabla {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// ---- Gradient checks of every op, in a table. ----
//
// Each entry names an op application and how its inputs are drawn; every
// entry is checked in float64 against central differences, define-by-run
// and build-once. Inputs stay away from kinks and singularities: log, sqrt,
// div and pow see positive bases; abs, relu and friends see |x| >= 0.2; clip
// sees no value near its bounds; max, min, maximum and minimum see
// continuous random values, so no ties.

using Args = const std::vector<Variable>&;

struct Input {
  Shape shape;
  double low = -1;
  double high = 1;
  bool random_sign = false;  // |x| uniform in [low, high], sign random
  Tensor fixed;              // used as is when defined (indices, hand-placed values)
  bool mask = false;         // random int64 zeros and ones: a where() condition
};

Input any(Shape shape) { return {std::move(shape), -1, 1, false, Tensor()}; }
Input in_range(Shape shape, double low, double high) { return {std::move(shape), low, high, false, Tensor()}; }
Input positive(Shape shape) { return {std::move(shape), 0.5, 2, false, Tensor()}; }
Input nonzero(Shape shape) { return {std::move(shape), 0.2, 1.5, true, Tensor()}; }
Input fixed(Tensor value) { return {value.shape(), 0, 0, false, std::move(value)}; }
Input indices(std::initializer_list<double> values, Shape shape) { return fixed(tensor(values, shape, kInt64)); }
Input mask(Shape shape) { return {std::move(shape), 0, 2, false, Tensor(), true}; }

struct OpCase {
  std::string name;
  std::vector<Input> inputs;
  DifferentiableFn fn;
};

void PrintTo(const OpCase& op, std::ostream* out) { *out << op.name; }

std::string shape_name(const Shape& shape) {
  if (shape.empty()) return "scalar";
  std::string name;
  for (std::size_t i = 0; i < shape.size(); ++i) name += (i ? "x" : "") + std::to_string(shape[i]);
  return name;
}

// The tinygrad broadcast pairs, scaled down for finite differences; each is
// also used the other way round.
std::vector<std::pair<Shape, Shape>> broadcast_pairs() {
  const std::vector<std::pair<Shape, Shape>> pairs = {
      {{4, 5}, {4, 1}}, {{4, 5}, {}}, {{2, 3, 4, 5}, {2, 1, 4, 1}}, {{3, 4}, {4}}, {{3, 1}, {1, 4}},
  };
  std::vector<std::pair<Shape, Shape>> both_ways;
  for (const auto& [a, b] : pairs) {
    both_ways.emplace_back(a, b);
    both_ways.emplace_back(b, a);
  }
  return both_ways;
}

struct BinaryOp {
  const char* name;
  Input (*lhs)(Shape);
  Input (*rhs)(Shape);
  DifferentiableFn fn;
};

Input exponent(Shape shape) { return in_range(std::move(shape), -2, 2); }

void add_binary_cases(std::vector<OpCase>& cases) {
  const std::vector<BinaryOp> ops = {
      {"add", any, any, [](Args x) { return add(x[0], x[1]); }},
      {"sub", any, any, [](Args x) { return sub(x[0], x[1]); }},
      {"mul", any, any, [](Args x) { return mul(x[0], x[1]); }},
      {"div", any, positive, [](Args x) { return div(x[0], x[1]); }},
      {"pow", positive, exponent, [](Args x) { return pow(x[0], x[1]); }},
      {"maximum", any, any, [](Args x) { return maximum(x[0], x[1]); }},
      {"minimum", any, any, [](Args x) { return minimum(x[0], x[1]); }},
      {"operator_plus", any, any, [](Args x) { return x[0] + x[1]; }},
      {"operator_minus", any, any, [](Args x) { return x[0] - x[1]; }},
      {"operator_times", any, any, [](Args x) { return x[0] * x[1]; }},
      {"operator_divide", any, positive, [](Args x) { return x[0] / x[1]; }},
  };
  for (const BinaryOp& op : ops) {
    for (const auto& [a, b] : broadcast_pairs()) {
      cases.push_back(
          {std::string(op.name) + "_" + shape_name(a) + "_" + shape_name(b), {op.lhs(a), op.rhs(b)}, op.fn});
    }
  }
  // where broadcasts three operands: the condition takes either side's shape.
  for (const auto& [a, b] : broadcast_pairs()) {
    const auto fn = [](Args x) { return where(x[0], x[1], x[2]); };
    cases.push_back(
        {"where_" + shape_name(a) + "_" + shape_name(a) + "_" + shape_name(b), {mask(a), any(a), any(b)}, fn});
    cases.push_back(
        {"where_" + shape_name(b) + "_" + shape_name(a) + "_" + shape_name(b), {mask(b), any(a), any(b)}, fn});
  }
}

void add_reduction_cases(std::vector<OpCase>& cases) {
  using Reduction = Variable (*)(const Variable&, const Axes&, bool);
  const std::vector<std::pair<const char*, Reduction>> reductions = {
      {"sum", sum}, {"mean", mean}, {"max", max}, {"min", min}, {"logsumexp", logsumexp},
  };
  const std::vector<std::pair<const char*, Axes>> axes_list = {
      {"all", {}}, {"axis0", {0}}, {"axis_minus1", {-1}}, {"axes0and2", {0, 2}}, {"axes_minus1and1", {-1, 1}},
  };
  for (const auto& [name, reduce] : reductions) {
    for (const auto& [axes_name, axes] : axes_list) {
      for (bool keepdims : {false, true}) {
        cases.push_back({std::string(name) + "_" + axes_name + (keepdims ? "_keepdims" : ""),
                         {any({2, 3, 4})},
                         [reduce = reduce, axes = axes, keepdims](Args x) { return reduce(x[0], axes, keepdims); }});
      }
    }
    cases.push_back(
        {std::string(name) + "_vector", {any({5})}, [reduce = reduce](Args x) { return reduce(x[0], {}, false); }});
  }
}

std::vector<OpCase> all_cases() {
  std::vector<OpCase> cases;
  add_binary_cases(cases);
  add_reduction_cases(cases);
  const Tensor constant = tensor({0.7, -1.3, 2.1}, {3}, kFloat64);
  const Tensor positive_constant = tensor({0.7, 1.3, 2.1}, {3}, kFloat64);
  const std::vector<OpCase> table = {
      // Binary ops where only one side needs a gradient.
      {"mul_constant_rhs", {any({2, 3})}, [constant](Args x) { return mul(x[0], Variable(constant)); }},
      {"sub_constant_lhs", {any({2, 3})}, [constant](Args x) { return sub(Variable(constant), x[0]); }},
      {"div_constant_lhs", {positive({2, 3})}, [constant](Args x) { return div(Variable(constant), x[0]); }},
      {"div_constant_rhs",
       {any({2, 3})},
       [positive_constant](Args x) { return div(x[0], Variable(positive_constant)); }},
      {"pow_constant_exponent", {positive({2, 3})}, [constant](Args x) { return pow(x[0], Variable(constant)); }},
      {"pow_constant_base",
       {any({2, 3})},
       [positive_constant](Args x) { return pow(Variable(positive_constant), x[0]); }},
      {"maximum_constant", {any({2, 3})}, [constant](Args x) { return maximum(x[0], Variable(constant)); }},
      {"same_input_twice", {any({2, 3})}, [](Args x) { return mul(x[0], x[0]); }},

      // Element-wise unary.
      {"neg", {any({3, 4})}, [](Args x) { return neg(x[0]); }},
      {"pow_scalar_3", {any({3, 4})}, [](Args x) { return pow(x[0], 3.0); }},
      {"pow_scalar_half", {positive({3, 4})}, [](Args x) { return pow(x[0], 0.5); }},
      {"pow_scalar_minus_1_5", {positive({3, 4})}, [](Args x) { return pow(x[0], -1.5); }},
      {"square", {any({3, 4})}, [](Args x) { return square(x[0]); }},
      {"exp", {any({3, 4})}, [](Args x) { return exp(x[0]); }},
      {"log", {positive({3, 4})}, [](Args x) { return log(x[0]); }},
      {"sqrt", {positive({3, 4})}, [](Args x) { return sqrt(x[0]); }},
      {"abs", {nonzero({3, 4})}, [](Args x) { return abs(x[0]); }},
      {"sin", {in_range({3, 4}, -3, 3)}, [](Args x) { return sin(x[0]); }},
      {"cos", {in_range({3, 4}, -3, 3)}, [](Args x) { return cos(x[0]); }},
      {"tanh", {in_range({3, 4}, -2, 2)}, [](Args x) { return tanh(x[0]); }},
      {"sigmoid", {in_range({3, 4}, -3, 3)}, [](Args x) { return sigmoid(x[0]); }},
      {"softplus", {in_range({3, 4}, -3, 3)}, [](Args x) { return softplus(x[0]); }},
      {"softplus_large", {fixed(tensor({-40, -5, 5, 40}, {4}, kFloat64))}, [](Args x) { return softplus(x[0]); }},
      {"relu", {nonzero({3, 4})}, [](Args x) { return relu(x[0]); }},
      {"leaky_relu", {nonzero({3, 4})}, [](Args x) { return leaky_relu(x[0]); }},
      {"leaky_relu_slope", {nonzero({3, 4})}, [](Args x) { return leaky_relu(x[0], 0.2); }},
      {"elu", {nonzero({3, 4})}, [](Args x) { return elu(x[0]); }},
      {"elu_alpha", {nonzero({3, 4})}, [](Args x) { return elu(x[0], 0.5); }},
      {"clip",
       {fixed(tensor({-1.2, -0.6, -0.4, -0.1, 0.0, 0.2, 0.45, 0.55, 0.9, 1.5}, {2, 5}, kFloat64))},
       [](Args x) { return clip(x[0], -0.5, 0.5); }},

      // Scalar operands on both sides.
      {"unary_minus", {any({3, 4})}, [](Args x) { return -x[0]; }},
      {"plus_scalar", {any({3, 4})}, [](Args x) { return x[0] + 2.5; }},
      {"scalar_plus", {any({3, 4})}, [](Args x) { return 2.5 + x[0]; }},
      {"minus_scalar", {any({3, 4})}, [](Args x) { return x[0] - 2.5; }},
      {"scalar_minus", {any({3, 4})}, [](Args x) { return 2.5 - x[0]; }},
      {"times_scalar", {any({3, 4})}, [](Args x) { return x[0] * 2.5; }},
      {"scalar_times", {any({3, 4})}, [](Args x) { return 2.5 * x[0]; }},
      {"divided_by_scalar", {any({3, 4})}, [](Args x) { return x[0] / 2.5; }},
      {"scalar_divided_by", {positive({3, 4})}, [](Args x) { return 2.5 / x[0]; }},
      {"scalar_expression", {any({3, 4})}, [](Args x) { return 1.0 - 3.0 * x[0] * x[0] / 2.0 + 0.5; }},

      // Linear algebra.
      {"matmul", {any({3, 4}), any({4, 2})}, [](Args x) { return matmul(x[0], x[1]); }},
      {"matmul_batched", {any({2, 3, 4}), any({2, 4, 5})}, [](Args x) { return matmul(x[0], x[1]); }},
      {"matmul_batch_times_matrix", {any({2, 3, 4}), any({4, 2})}, [](Args x) { return matmul(x[0], x[1]); }},
      {"matmul_matrix_times_batch", {any({3, 4}), any({2, 4, 2})}, [](Args x) { return matmul(x[0], x[1]); }},
      {"matmul_broadcast_batches", {any({2, 1, 3, 4}), any({3, 4, 2})}, [](Args x) { return matmul(x[0], x[1]); }},
      {"matmul_vector_matrix", {any({4}), any({4, 2})}, [](Args x) { return matmul(x[0], x[1]); }},
      {"matmul_matrix_vector", {any({3, 4}), any({4})}, [](Args x) { return matmul(x[0], x[1]); }},
      {"matmul_vector_vector", {any({4}), any({4})}, [](Args x) { return matmul(x[0], x[1]); }},
      {"matmul_vector_batch", {any({4}), any({2, 4, 3})}, [](Args x) { return matmul(x[0], x[1]); }},
      {"matmul_batch_vector", {any({2, 3, 4}), any({4})}, [](Args x) { return matmul(x[0], x[1]); }},
      {"matmul_method", {any({3, 4}), any({4, 2})}, [](Args x) { return x[0].matmul(x[1]); }},
      {"matmul_constant_weight", {any({3, 3})}, [constant](Args x) { return matmul(x[0], Variable(constant)); }},

      // Softmax family.
      {"softmax", {in_range({2, 3, 4}, -2, 2)}, [](Args x) { return softmax(x[0]); }},
      {"softmax_axis0", {in_range({2, 3, 4}, -2, 2)}, [](Args x) { return softmax(x[0], 0); }},
      {"softmax_axis1", {in_range({2, 3, 4}, -2, 2)}, [](Args x) { return softmax(x[0], 1); }},
      {"log_softmax", {in_range({2, 3, 4}, -2, 2)}, [](Args x) { return log_softmax(x[0]); }},
      {"log_softmax_axis0", {in_range({2, 3, 4}, -2, 2)}, [](Args x) { return log_softmax(x[0], 0); }},
      {"log_softmax_axis_minus2", {in_range({2, 3, 4}, -2, 2)}, [](Args x) { return log_softmax(x[0], -2); }},

      // Shape.
      {"broadcast_to_leading", {any({3, 1})}, [](Args x) { return broadcast_to(x[0], {2, 3, 4}); }},
      {"broadcast_to_rank", {any({4})}, [](Args x) { return broadcast_to(x[0], {3, 4}); }},
      {"broadcast_to_from_scalar", {any({})}, [](Args x) { return broadcast_to(x[0], {2, 3}); }},
      {"reshape", {any({2, 3, 4})}, [](Args x) { return reshape(x[0], {6, 4}); }},
      {"reshape_inferred", {any({2, 3, 4})}, [](Args x) { return reshape(x[0], {4, -1}); }},
      {"reshape_of_transpose", {any({3, 4})}, [](Args x) { return reshape(transpose(x[0], 0, 1), {12}); }},
      {"flatten", {any({2, 3, 4})}, [](Args x) { return flatten(x[0]); }},
      {"flatten_inner", {any({2, 3, 4})}, [](Args x) { return flatten(x[0], 1, 2); }},
      {"flatten_outer", {any({2, 3, 4})}, [](Args x) { return flatten(x[0], 0, -2); }},
      {"transpose", {any({3, 4})}, [](Args x) { return transpose(x[0], 0, 1); }},
      {"transpose_outer", {any({2, 3, 4})}, [](Args x) { return transpose(x[0], 0, 2); }},
      {"transpose_negative", {any({2, 3, 4})}, [](Args x) { return transpose(x[0], -1, -2); }},
      {"permute", {any({2, 3, 4})}, [](Args x) { return permute(x[0], {2, 0, 1}); }},
      {"permute_cycle", {any({2, 3, 4})}, [](Args x) { return permute(x[0], {1, 2, 0}); }},
      {"permute_negative", {any({2, 3, 4})}, [](Args x) { return permute(x[0], {-1, 0, -2}); }},
      {"concat", {any({2, 3}), any({2, 1}), any({2, 2})}, [](Args x) { return concat({x[0], x[1], x[2]}, 1); }},
      {"concat_axis0", {any({1, 3}), any({2, 3})}, [](Args x) { return concat({x[0], x[1]}, 0); }},
      {"concat_negative_axis", {any({2, 3}), any({2, 2})}, [](Args x) { return concat({x[0], x[1]}, -1); }},
      {"concat_same_input", {any({2, 3})}, [](Args x) { return concat({x[0], x[0]}, 0); }},
      {"stack", {any({2, 3}), any({2, 3}), any({2, 3})}, [](Args x) { return stack({x[0], x[1], x[2]}); }},
      {"stack_axis1", {any({2, 3}), any({2, 3})}, [](Args x) { return stack({x[0], x[1]}, 1); }},
      {"stack_negative_axis", {any({2, 3}), any({2, 3})}, [](Args x) { return stack({x[0], x[1]}, -1); }},
      {"slice", {any({5, 4})}, [](Args x) { return slice(x[0], 0, 1, 4); }},
      {"slice_step", {any({5, 4})}, [](Args x) { return slice(x[0], 0, 1, 5, 2); }},
      {"slice_step3_last_axis", {any({3, 7})}, [](Args x) { return slice(x[0], -1, 0, 7, 3); }},
      {"slice_negative_start", {any({3, 5})}, [](Args x) { return slice(x[0], 1, -3, 5); }},
      {"pad", {any({2, 3})}, [](Args x) { return pad(x[0], {{1, 2}}); }},
      {"pad_two_axes_value", {any({2, 3})}, [](Args x) { return pad(x[0], {{1, 0}, {0, 2}}, 1.5); }},
      {"pad_last_of_three", {any({2, 3, 2})}, [](Args x) { return pad(x[0], {{2, 1}}); }},

      // Indexing (int64 inputs are constants).
      {"index_select_2d_repeated",
       {any({5, 3}), indices({0, 2, 2, 4}, {2, 2})},
       [](Args x) { return index_select(x[0], 0, x[1]); }},
      {"index_select_all_same",
       {any({5, 3}), indices({1, 1, 1}, {3})},
       [](Args x) { return index_select(x[0], 0, x[1]); }},
      {"index_select_axis1",
       {any({3, 4}), indices({3, 0, 3}, {3})},
       [](Args x) { return index_select(x[0], 1, x[1]); }},
      {"index_select_axis1_2d",
       {any({2, 4, 2}), indices({3, 0, 3, 1, 1, 2}, {2, 3})},
       [](Args x) { return index_select(x[0], 1, x[1]); }},
      {"gather_axis1",
       {any({3, 4}), indices({0, 0, 3, 1, 2, 1, 3, 3, 0}, {3, 3})},
       [](Args x) { return gather(x[0], 1, x[1]); }},
      {"gather_axis0",
       {any({3, 4}), indices({2, 0, 1, 2, 2, 2, 0, 1}, {2, 4})},
       [](Args x) { return gather(x[0], 0, x[1]); }},
      {"where",
       {indices({1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1}, {3, 4}), any({3, 4}), any({3, 4})},
       [](Args x) { return where(x[0], x[1], x[2]); }},
      {"where_broadcast",
       {indices({1, 0, 1}, {3, 1}), any({3, 4}), any({4})},
       [](Args x) { return where(x[0], x[1], x[2]); }},
      {"where_broadcast_scalar",
       {indices({0, 1, 1, 0}, {4}), any({3, 1}), any({})},
       [](Args x) { return where(x[0], x[1], x[2]); }},
      {"where_constant_branch",
       {indices({1, 0, 1}, {3}), any({3})},
       [constant](Args x) { return where(x[0], x[1], Variable(constant)); }},

      // A composite through many ops at once.
      {"composite",
       {any({2, 3}), any({3, 4}), any({4})},
       [](Args x) { return mean(log_softmax(tanh(matmul(x[0], x[1]) + x[2]) * 2.0), {1}) + sum(square(x[2])); }},
  };
  cases.insert(cases.end(), table.begin(), table.end());
  return cases;
}

Tensors draw_inputs(const std::vector<Input>& specs, Generator& generator) {
  Tensors inputs;
  for (const Input& spec : specs) {
    if (spec.fixed.defined()) {
      inputs.push_back(spec.fixed);
      continue;
    }
    Tensor value = uniform(spec.shape, spec.low, spec.high, generator, kFloat64);
    if (spec.mask) {
      inputs.push_back(value.astype(kInt64));  // truncates [0, 2) to 0 or 1
      continue;
    }
    if (spec.random_sign) value = where(uniform(spec.shape, 0, 1, generator, kFloat64) < 0.5, -value, value);
    inputs.push_back(value);
  }
  return inputs;
}

class OpGradientTest : public ::testing::TestWithParam<std::tuple<OpCase, bool>> {};

TEST_P(OpGradientTest, MatchesFiniteDifferences) {
  const OpCase& op = std::get<0>(GetParam());
  GradientCheckOptions options;
  options.build_once = std::get<1>(GetParam());
  Generator generator(7);
  const GradientCheck result = check_gradients(op.fn, draw_inputs(op.inputs, generator), options);
  EXPECT_TRUE(result.passed) << op.name << (options.build_once ? " (build once)" : "") << ":\n" << result.report;
}

INSTANTIATE_TEST_SUITE_P(EveryOp, OpGradientTest,
                         ::testing::Combine(::testing::ValuesIn(all_cases()), ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<OpCase, bool>>& info) {
                           return std::get<0>(info.param).name +
                                  (std::get<1>(info.param) ? "_BuildOnce" : "_DefineByRun");
                         });

// ---- Forward values, worked out by hand. ----

std::vector<double> values(const Variable& v) { return v.value().to_vector<double>(); }
std::vector<double> grad_values(const Variable& v) { return v.grad().to_vector<double>(); }

TEST(OpValues, SoftmaxOfOneTwoThree) {
  // e^k / (e + e² + e³) for k = 1, 2, 3
  const std::vector<double> y = values(softmax(Variable(tensor({1, 2, 3}, {3}, kFloat64))));
  ASSERT_EQ(y.size(), 3u);
  EXPECT_NEAR(y[0], 0.09003057317038046, 1e-15);
  EXPECT_NEAR(y[1], 0.24472847105479764, 1e-15);
  EXPECT_NEAR(y[2], 0.6652409557748219, 1e-15);
}

TEST(OpValues, SoftmaxOfHugeLogitsIsFinite) {
  const std::vector<double> y = values(softmax(Variable(tensor({1000, 0, -1000}, {3}, kFloat64))));
  EXPECT_DOUBLE_EQ(y[0], 1.0);
  EXPECT_EQ(y[1], std::exp(-1000.0));
  EXPECT_EQ(y[2], 0.0);
}

TEST(OpValues, LogsumexpIsStableForLargeInputs) {
  Variable x = parameter(tensor({1000, 1000}, {2}, kFloat64));
  Variable y = logsumexp(x);
  EXPECT_DOUBLE_EQ(y.item(), 1000.0 + std::log(2.0));
  y.backward();
  EXPECT_NEAR(grad_values(x)[0], 0.5, 1e-12);
  EXPECT_NEAR(grad_values(x)[1], 0.5, 1e-12);
  // And far below zero, where a plain exp underflows to 0 and the log to -inf.
  EXPECT_DOUBLE_EQ(logsumexp(Variable(tensor({-1000, -1000}, {2}, kFloat64))).item(), -1000.0 + std::log(2.0));
}

TEST(OpValues, LogsumexpKeepsDimsPerRow) {
  const Variable y = logsumexp(Variable(tensor({0, 0, 1, 1}, {2, 2}, kFloat64)), {1}, true);
  EXPECT_EQ(y.shape(), (Shape{2, 1}));
  EXPECT_DOUBLE_EQ(values(y)[0], std::log(2.0));
  EXPECT_DOUBLE_EQ(values(y)[1], 1.0 + std::log(2.0));
}

// Values and gradients at the points where a formula meets 0·inf or
// inf - inf, as PyTorch's.
TEST(OpValues, SpecialPointsFollowPyTorch) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto grads_of = [](const std::vector<Variable>& leaves, const Variable& y) {
    y.backward();
    std::vector<double> all;
    for (const Variable& leaf : leaves) {
      for (double g : leaf.grad().contiguous().astype(kFloat64).to_vector<double>()) all.push_back(g);
    }
    return all;
  };
  // x^0 at x = 0: 1, gradient 0 (not 0·0^-1).
  Variable x = parameter(scalar(0.0, kFloat64));
  EXPECT_EQ(pow(x, 0.0).item(), 1.0);
  EXPECT_EQ(grads_of({x}, pow(x, 0.0)), (std::vector<double>{0}));
  // a^b at a = 0 for b = 0 and b = 2: both gradients 0 (not NaN, -inf).
  for (double exponent : {0.0, 2.0}) {
    Variable a = parameter(scalar(0.0, kFloat64)), b = parameter(scalar(exponent, kFloat64));
    EXPECT_EQ(grads_of({a, b}, pow(a, b)), (std::vector<double>{0, 0})) << "b = " << exponent;
  }
  // d(a/b)/db = -(a/b)/b: -1e30 and -1e-20 in float32, where b² leaves its range.
  for (double value : {1e-30, 1e20}) {
    Variable a = parameter(scalar(value)), b = parameter(scalar(value));
    EXPECT_NEAR(grads_of({a, b}, a / b)[1] * value, -1.0, 1e-5) << "a = b = " << value;
  }
  // Divided, not multiplied by the reciprocal: 49 / 49 is 1.
  EXPECT_EQ((Variable(scalar(49.0, kFloat64)) / 49.0).item(), 1.0);
  // maximum with a NaN on either side is NaN; both sides take the gradient.
  Variable p = parameter(tensor({nan, 1}, {2}, kFloat64)), q = parameter(tensor({1, nan}, {2}, kFloat64));
  const Variable top = maximum(p, q);
  EXPECT_TRUE(std::isnan(top.value().at({0})) && std::isnan(top.value().at({1})));
  EXPECT_EQ(grads_of({p, q}, sum(top)), (std::vector<double>{1, 1, 1, 1}));
  // max over everything attains the NaN: its gradient goes there.
  Variable m = parameter(tensor({1, nan, 2}, {3}, kFloat64));
  EXPECT_EQ(grads_of({m}, max(m)), (std::vector<double>{0, 1, 0}));
  // logsumexp of infinities and of nothing.
  EXPECT_EQ(logsumexp(Variable(tensor({-inf, -inf}, {2}, kFloat64))).item(), -inf);
  EXPECT_EQ(logsumexp(Variable(tensor({inf, 1}, {2}, kFloat64))).item(), inf);
  const Tensor rows = logsumexp(Variable(tensor({-inf, -inf, 0, 0}, {2, 2}, kFloat64)), {1}).value();
  EXPECT_EQ(rows.at({0}), -inf);
  EXPECT_NEAR(rows.at({1}), std::log(2.0), 1e-12);
  EXPECT_EQ(logsumexp(Variable(zeros({0, 3}, kFloat64)), {0}).value().to_vector<double>(),
            (std::vector<double>{-inf, -inf, -inf}));
}

TEST(OpValues, SoftplusIsStableAtBothEnds) {
  Variable x = parameter(tensor({100, -100}, {2}, kFloat64));
  Variable y = softplus(x);
  const std::vector<double> out = values(y);
  EXPECT_EQ(out[0], 100.0);
  EXPECT_NEAR(out[1], 3.720075976020836e-44, 1e-56);  // e^-100
  sum(y).backward();
  EXPECT_EQ(grad_values(x)[0], 1.0);
  EXPECT_NEAR(grad_values(x)[1], 3.720075976020836e-44, 1e-56);
  EXPECT_NEAR(softplus(Variable(scalar(0.0, kFloat64))).item(), std::log(2.0), 1e-15);
}

TEST(OpValues, LogSoftmaxIsStableForLargeLogits) {
  // log_softmax([0, 1, 2]) shifted by 1000: x - 2 - log(1 + e^-1 + e^-2)
  const double lse = std::log(1 + std::exp(-1.0) + std::exp(-2.0));
  const std::vector<double> y = values(log_softmax(Variable(tensor({1000, 1001, 1002}, {3}, kFloat64))));
  EXPECT_NEAR(y[0], -2 - lse, 1e-12);
  EXPECT_NEAR(y[1], -1 - lse, 1e-12);
  EXPECT_NEAR(y[2], -lse, 1e-12);
  EXPECT_NEAR(-2 - lse, -2.4076059644443806, 1e-15);
  // float32, with logits whose exp overflows float32.
  const std::vector<float> y32 = log_softmax(Variable(tensor({100, 200}, {2}))).value().to_vector<float>();
  EXPECT_FLOAT_EQ(y32[0], -100.0f);
  EXPECT_FLOAT_EQ(y32[1], 0.0f);
}

TEST(OpValues, ElementwiseActivations) {
  const Tensor x = tensor({-2, -0.5, 0.5, 3}, {4}, kFloat64);
  EXPECT_EQ(values(relu(Variable(x))), (std::vector<double>{0, 0, 0.5, 3}));
  const std::vector<double> leaky = values(leaky_relu(Variable(x)));
  EXPECT_DOUBLE_EQ(leaky[0], -0.02);
  EXPECT_DOUBLE_EQ(leaky[1], -0.005);
  EXPECT_DOUBLE_EQ(leaky[3], 3.0);
  const std::vector<double> elus = values(elu(Variable(x), 2.0));
  EXPECT_DOUBLE_EQ(elus[0], 2 * (std::exp(-2.0) - 1));
  EXPECT_DOUBLE_EQ(elus[2], 0.5);
  EXPECT_EQ(values(clip(Variable(x), -1, 1)), (std::vector<double>{-1, -0.5, 0.5, 1}));
  EXPECT_DOUBLE_EQ(values(sigmoid(Variable(x)))[3], 1 / (1 + std::exp(-3.0)));
  EXPECT_EQ(values(2.0 - Variable(x)), (std::vector<double>{4, 2.5, 1.5, -1}));
  EXPECT_EQ(values(2.0 / Variable(x)), (std::vector<double>{-1, -4, 4, 2.0 / 3}));
  EXPECT_EQ(values(pow(Variable(x), 2.0)), (std::vector<double>{4, 0.25, 0.25, 9}));
}

TEST(OpValues, ReductionsWithAndWithoutKeepdims) {
  const Variable x(tensor({1, 2, 3, 4, 5, 6}, {2, 3}, kFloat64));
  EXPECT_EQ(values(sum(x)), (std::vector<double>{21}));
  EXPECT_EQ(sum(x).shape(), Shape{});
  EXPECT_EQ(values(mean(x, {1})), (std::vector<double>{2, 5}));
  EXPECT_EQ(mean(x, {1}, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(values(max(x, {0})), (std::vector<double>{4, 5, 6}));
  EXPECT_EQ(values(min(x, {-1}, true)), (std::vector<double>{1, 4}));
  EXPECT_EQ(min(x, {-1}, true).shape(), (Shape{2, 1}));
}

TEST(OpValues, MatmulOfVectorsIsTheDotProduct) {
  Variable a = parameter(tensor({1, 2, 3}, {3}, kFloat64));
  Variable b = parameter(tensor({4, 5, 6}, {3}, kFloat64));
  Variable dot = matmul(a, b);
  EXPECT_EQ(dot.shape(), Shape{});
  EXPECT_DOUBLE_EQ(dot.item(), 32.0);
  dot.backward();
  EXPECT_EQ(grad_values(a), (std::vector<double>{4, 5, 6}));
  EXPECT_EQ(grad_values(b), (std::vector<double>{1, 2, 3}));
}

TEST(OpValues, ShapeOps) {
  const Variable x(arange(0, 6, 1, kFloat64).reshape({2, 3}));
  EXPECT_EQ(values(slice(Variable(arange(0, 6, 1, kFloat64)), 0, 1, 6, 2)), (std::vector<double>{1, 3, 5}));
  EXPECT_EQ(values(pad(x, {{1, 1}}, 9)), (std::vector<double>{9, 0, 1, 2, 9, 9, 3, 4, 5, 9}));
  EXPECT_THAT([&] { pad(x, {{std::numeric_limits<std::int64_t>::max(), 1}}); },
              ThrowsMessage<Error>(HasSubstr("pad: padding (9223372036854775807, 1) of axis 1 of shape [2, 3] is too large")));
  EXPECT_EQ(values(transpose(x, 0, 1)), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(permute(Variable(zeros({2, 3, 4})), {2, 0, 1}).shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(values(concat({x, x}, 1)), (std::vector<double>{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}));
  EXPECT_EQ(stack({x, x}, -1).shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(flatten(Variable(zeros({2, 3, 4})), 1).shape(), (Shape{2, 12}));
}

TEST(OpValues, BracedConcatPicksTensorOrVariableByItsElements) {
  const Tensor t = ones({2});
  const Variable v(t);
  static_assert(std::is_same_v<decltype(concat({t, t})), Tensor>);
  static_assert(std::is_same_v<decltype(stack({t, t}, 1)), Tensor>);
  static_assert(std::is_same_v<decltype(concat({v, v})), Variable>);
  static_assert(std::is_same_v<decltype(stack({v, v}, 1)), Variable>);
  EXPECT_EQ(concat({t, t * 2.0}).to_vector<float>(), (std::vector<float>{1, 1, 2, 2}));
  EXPECT_EQ(stack({v, v}, 1).shape(), (Shape{2, 2}));
}

// ---- Gradients at ties and kinks, as documented in ops.h. ----

TEST(OpGradients, MaxTiesShareTheGradient) {
  Variable x = parameter(tensor({1, 3, 3, 2}, {4}, kFloat64));
  max(x).backward();
  EXPECT_EQ(grad_values(x), (std::vector<double>{0, 0.5, 0.5, 0}));
  Variable y = parameter(tensor({2, 2, 1, 5}, {2, 2}, kFloat64));
  sum(min(y, {1})).backward();
  EXPECT_EQ(grad_values(y), (std::vector<double>{0.5, 0.5, 1, 0}));
}

TEST(OpGradients, MaximumAndMinimumSplitTies) {
  Variable a = parameter(tensor({1, 2, 3}, {3}, kFloat64));
  Variable b = parameter(tensor({2, 2, 2}, {3}, kFloat64));
  sum(maximum(a, b)).backward();
  EXPECT_EQ(grad_values(a), (std::vector<double>{0, 0.5, 1}));
  EXPECT_EQ(grad_values(b), (std::vector<double>{1, 0.5, 0}));
  a.zero_grad();
  b.zero_grad();
  sum(minimum(a, b)).backward();
  EXPECT_EQ(grad_values(a), (std::vector<double>{1, 0.5, 0}));
  EXPECT_EQ(grad_values(b), (std::vector<double>{0, 0.5, 1}));
}

TEST(OpGradients, AbsAndReluHaveZeroGradientAtZero) {
  Variable x = parameter(tensor({-1, 0, 2}, {3}, kFloat64));
  sum(abs(x)).backward();
  EXPECT_EQ(grad_values(x), (std::vector<double>{-1, 0, 1}));
  x.zero_grad();
  sum(relu(x)).backward();
  EXPECT_EQ(grad_values(x), (std::vector<double>{0, 0, 1}));
}

TEST(OpGradients, ClipPassesTheGradientAtItsBounds) {
  Variable x = parameter(tensor({-2, -1, 0, 1, 2}, {5}, kFloat64));
  sum(clip(x, -1, 1)).backward();
  EXPECT_EQ(grad_values(x), (std::vector<double>{0, 1, 1, 1, 0}));
}

TEST(OpGradients, RepeatedIndicesAddUp) {
  Variable table = parameter(zeros({4, 2}, kFloat64));
  const Variable ids(tensor({0, 2, 2, 2}, {2, 2}, kInt64));
  Variable rows = index_select(table, 0, ids);
  EXPECT_EQ(rows.shape(), (Shape{2, 2, 2}));
  sum(rows).backward();
  EXPECT_EQ(grad_values(table), (std::vector<double>{1, 1, 0, 0, 3, 3, 0, 0}));

  Variable x = parameter(zeros({2, 3}, kFloat64));
  sum(gather(x, 1, Variable(tensor({1, 1, 0, 2}, {2, 2}, kInt64)))).backward();
  EXPECT_EQ(grad_values(x), (std::vector<double>{0, 2, 0, 1, 0, 1}));
}

TEST(OpGradients, WhereRoutesTheGradientToTheChosenSide) {
  Variable a = parameter(tensor({1, 2, 3}, {3}, kFloat64));
  Variable b = parameter(scalar(0.0, kFloat64));
  sum(where(Variable(tensor({1, 0, 1}, {3}, kInt64)), a, b)).backward();
  EXPECT_EQ(grad_values(a), (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(b.grad().shape(), Shape{});
  EXPECT_DOUBLE_EQ(b.grad().item(), 1.0);
  // A float condition that requires grad gets a zero gradient.
  Variable condition = parameter(tensor({1, 0, 1}, {3}, kFloat64));
  sum(where(condition, a, b)).backward();
  EXPECT_EQ(grad_values(condition), (std::vector<double>{0, 0, 0}));
}

// ---- Errors name the op and the shapes. ----

TEST(OpErrors, MatmulInnerDimensionsDiffer) {
  const Variable a = parameter(zeros({2, 3}));
  const Variable b = parameter(zeros({4, 5}));
  EXPECT_THAT([&] { matmul(a, b); },
              ThrowsMessage<Error>(HasSubstr("matmul: inner dimensions differ: a [2, 3] vs b [4, 5]")));
  EXPECT_THAT(
      [&] {
        matmul(parameter(zeros({2, 3, 4})), parameter(zeros({3, 4, 2})));
      },
      ThrowsMessage<Error>(HasSubstr("matmul: batch dimensions do not broadcast: a [2, 3, 4] vs b [3, 4, 2]")));
  EXPECT_THAT([&] { matmul(parameter(scalar(1)), parameter(zeros({2}))); },
              ThrowsMessage<Error>(HasSubstr("matmul: operands need at least one dimension")));
}

TEST(OpErrors, ElementwiseShapesDoNotBroadcast) {
  const Variable a = parameter(zeros({2, 3}));
  const Variable b = parameter(zeros({4}));
  EXPECT_THAT([&] { add(a, b); }, ThrowsMessage<Error>(AllOf(HasSubstr("add"), HasSubstr("[2, 3]"), HasSubstr("[4]"))));
  EXPECT_THAT([&] { a* b; }, ThrowsMessage<Error>(AllOf(HasSubstr("mul"), HasSubstr("[2, 3]"), HasSubstr("[4]"))));
  EXPECT_THAT([&] { maximum(a, b); },
              ThrowsMessage<Error>(AllOf(HasSubstr("maximum"), HasSubstr("[2, 3]"), HasSubstr("[4]"))));
  EXPECT_THAT([&] { where(Variable(zeros({5})), a, a); },
              ThrowsMessage<Error>(AllOf(HasSubstr("where"), HasSubstr("[5]"), HasSubstr("[2, 3]"))));
}

TEST(OpErrors, DtypesDiffer) {
  EXPECT_THAT([] { add(parameter(zeros({2})), parameter(zeros({2}, kFloat64))); },
              ThrowsMessage<Error>(AllOf(HasSubstr("add: dtypes differ"), HasSubstr("float32"), HasSubstr("float64"))));
}

TEST(OpErrors, ReductionAndSoftmaxAxesOutOfRange) {
  const Variable x = parameter(zeros({2, 3}));
  EXPECT_THAT([&] { sum(x, {2}); },
              ThrowsMessage<Error>(AllOf(HasSubstr("sum"), HasSubstr("axis 2"), HasSubstr("[2, 3]"))));
  EXPECT_THAT([&] { max(x, {-3}); }, ThrowsMessage<Error>(AllOf(HasSubstr("max"), HasSubstr("[2, 3]"))));
  EXPECT_THAT([&] { softmax(x, 2); },
              ThrowsMessage<Error>(AllOf(HasSubstr("softmax"), HasSubstr("axis 2"), HasSubstr("[2, 3]"))));
  EXPECT_THAT([&] { log_softmax(x, 5); },
              ThrowsMessage<Error>(AllOf(HasSubstr("log_softmax"), HasSubstr("axis 5"), HasSubstr("[2, 3]"))));
  EXPECT_THAT([&] { logsumexp(x, {3}); },
              ThrowsMessage<Error>(AllOf(HasSubstr("logsumexp"), HasSubstr("axis 3"), HasSubstr("[2, 3]"))));
}

TEST(OpErrors, ShapeOps) {
  const Variable x = parameter(zeros({2, 3}));
  EXPECT_THAT([&] { reshape(x, {4, 2}); }, ThrowsMessage<Error>(AllOf(HasSubstr("reshape"), HasSubstr("[2, 3]"))));
  EXPECT_THAT(
      [&] {
        broadcast_to(x, {3, 3});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("broadcast_to"), HasSubstr("[2, 3]"), HasSubstr("[3, 3]"))));
  EXPECT_THAT([&] { permute(x, {0}); }, ThrowsMessage<Error>(AllOf(HasSubstr("permute"), HasSubstr("[2, 3]"))));
  EXPECT_THAT([&] { transpose(x, 0, 2); }, ThrowsMessage<Error>(AllOf(HasSubstr("transpose"), HasSubstr("[2, 3]"))));
  EXPECT_THAT(
      [&] {
        concat({x, parameter(zeros({2, 2}))}, 0);
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("concat"), HasSubstr("[2, 2]"), HasSubstr("[2, 3]"))));
  EXPECT_THAT(
      [&] {
        stack({x, parameter(zeros({3, 2}))});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("stack"), HasSubstr("[3, 2]"), HasSubstr("[2, 3]"))));
  EXPECT_THAT([&] { slice(x, 0, 0, 2, 0); }, ThrowsMessage<Error>(HasSubstr("slice: step must be positive")));
  EXPECT_THAT(
      [&] {
        pad(x, {{0, 0}, {0, 0}, {1, 1}});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("pad"), HasSubstr("[2, 3]"))));
  EXPECT_THAT(
      [&] {
        pad(x, {{-1, 0}});
      },
      ThrowsMessage<Error>(HasSubstr("pad: negative padding on axis 1 of shape [2, 3]")));
  EXPECT_THAT([&] { clip(x, 1, -1); }, ThrowsMessage<Error>(HasSubstr("clip: low 1 is above high -1")));
}

TEST(OpErrors, AxesOutOfRangeNameTheOp) {
  const Variable x = parameter(zeros({2, 3}));
  EXPECT_THAT([&] { flatten(x, 2); },
              ThrowsMessage<Error>(HasSubstr("flatten: axis 2 is out of range for shape [2, 3]")));
  EXPECT_THAT([&] { slice(x, -3, 0, 1); },
              ThrowsMessage<Error>(HasSubstr("slice: axis -3 is out of range for shape [2, 3]")));
  EXPECT_THAT(
      [&] {
        concat({x, x}, 2);
      },
      ThrowsMessage<Error>(HasSubstr("concat: axis 2 is out of range for shape [2, 3]")));
  EXPECT_THAT([&] { stack({x, x}, 3); }, ThrowsMessage<Error>(AllOf(HasSubstr("stack: axis 3"), HasSubstr("[2, 3]"))));
  EXPECT_THAT([&] { index_select(x, 2, Variable(tensor({0}, {1}, kInt64))); },
              ThrowsMessage<Error>(HasSubstr("index_select: axis 2 is out of range for shape [2, 3]")));
  EXPECT_THAT([&] { concat(std::vector<Variable>{}, 0); },
              ThrowsMessage<Error>(HasSubstr("concat: needs at least one tensor")));
  EXPECT_THAT([&] { add(x, Variable()); }, ThrowsMessage<Error>(HasSubstr("add: an input variable is undefined")));
}

TEST(OpErrors, IndexingOps) {
  const Variable table = parameter(zeros({4, 2}));
  EXPECT_THAT(
      [&] {
        index_select(table, 0, Variable(tensor({0, 7}, {2}, kInt64)));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("index_select"), HasSubstr("index 7"))));
  EXPECT_THAT(
      [&] {
        index_select(table, 0, Variable(tensor({0, 1}, {2})));
      },
      ThrowsMessage<Error>(HasSubstr("index_select: indices must be int64, got float32")));
  EXPECT_THAT(
      [&] {
        gather(table, 1, Variable(tensor({0, 1}, {2}, kInt64)));
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("gather"), HasSubstr("[2]"), HasSubstr("[4, 2]"))));
}

TEST(OpErrors, PlaceholderFedShapesFailAtRunNamingTheOp) {
  Graph graph;
  GraphScope scope(graph);
  Variable x = placeholder("x", {-1, -1});
  Variable w = parameter(zeros({4, 2}));
  Variable bias = parameter(zeros({2}));
  Variable y = matmul(x, w);  // only recorded: x's size is unknown until run
  Variable z = add(x, bias);
  EXPECT_THAT(
      [&] {
        graph.run({y}, {{x, zeros({2, 3})}});
      },
      ThrowsMessage<Error>(HasSubstr("matmul: inner dimensions differ: a [2, 3] vs b [4, 2]")));
  EXPECT_THAT(
      [&] {
        graph.run({z}, {{x, zeros({2, 3})}});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("add"), HasSubstr("[2, 3]"), HasSubstr("[2]"))));
  // A matching feed then works on the same graph.
  EXPECT_EQ(graph.run({y}, {{x, ones({3, 4})}})[0].shape(), (Shape{3, 2}));
  EXPECT_THAT(
      [&] {
        graph.run({y}, {{x, zeros({4})}});
      },
      ThrowsMessage<Error>(HasSubstr("placeholder 'x' expects shape [-1, -1], fed [4]")));
}

TEST(OpErrors, PlaceholderFedAxisErrorsNameTheOp) {
  Graph graph;
  GraphScope scope(graph);
  Variable x = placeholder("x", {-1});
  Variable y = softmax(x, 1);
  EXPECT_THAT(
      [&] {
        graph.run({y}, {{x, zeros({3})}});
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("softmax"), HasSubstr("axis 1"), HasSubstr("[3]"))));
}

}  // namespace
}  // namespace nabla
