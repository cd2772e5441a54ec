#include "autodiff/grad_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "autodiff/ops.h"

namespace nabla {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::ThrowsMessage;

using Args = const std::vector<Variable>&;

// x², recorded with a backward that forgets the factor 2: g·x instead of 2·g·x.
Variable wrong_square(const Variable& x) {
  return record(
      "wrong_square", {x},
      [](const Tensors& in, Context& c) {
        c.saved = {in[0]};
        return in[0] * in[0];
      },
      [](const Tensor& g, const Context& c) { return Tensors{g * c.saved[0]}; });
}

// 3x, recorded with a backward that ignores the upstream gradient: right only
// when every output element is weighted by 1, as in sum(y).
Variable ignores_upstream(const Variable& x) {
  return record(
      "ignores_upstream", {x}, [](const Tensors& in, Context&) { return in[0] * 3.0; },
      [](const Tensor& g, const Context&) { return Tensors{ones_like(g) * 3.0}; });
}

// x·(1 + 1e-3): a backward off by a relative 1e-3.
Variable slightly_off(const Variable& x) {
  return record(
      "slightly_off", {x}, [](const Tensors& in, Context&) { return in[0] * 1.0; },
      [](const Tensor& g, const Context&) { return Tensors{g * 1.001}; });
}

Tensors composite_inputs() {
  Generator generator(3);
  return {normal({3, 4}, 0, 1, generator), normal({4, 2}, 0, 1, generator), normal({2}, 0, 1, generator)};
}

Variable composite(Args x) { return tanh(matmul(x[0], x[1]) + x[2]); }

TEST(CheckGradients, PassesForACorrectComposite) {
  const GradientCheck result = check_gradients(composite, composite_inputs());
  EXPECT_TRUE(result.passed) << result.report;
  EXPECT_LT(result.max_abs_error, 1e-7);
  EXPECT_THAT(result.report, AllOf(HasSubstr("input 0 [3, 4]: ok"), HasSubstr("input 1 [4, 2]: ok"),
                                   HasSubstr("input 2 [2]: ok"), Not(HasSubstr("FAILED"))));
}

TEST(CheckGradients, PassesForACorrectCompositeBuiltOnce) {
  GradientCheckOptions options;
  options.build_once = true;
  const GradientCheck result = check_gradients(composite, composite_inputs(), options);
  EXPECT_TRUE(result.passed) << result.report;
  EXPECT_LT(result.max_abs_error, 1e-7);
}

TEST(CheckGradients, FailsForAWrongBackwardAndNamesTheInput) {
  Generator generator(1);
  const Tensor y = uniform({3}, 0.5, 1.5, generator, kFloat64);
  for (bool build_once : {false, true}) {
    GradientCheckOptions options;
    options.build_once = build_once;
    const GradientCheck result = check_gradients([](Args x) { return sum(x[0] * 2.0) + sum(wrong_square(x[1])); },
                                                 {ones({2}, kFloat64), y}, options);
    EXPECT_FALSE(result.passed) << result.report;
    EXPECT_THAT(result.report, AllOf(HasSubstr("input 0 [2]: ok"), HasSubstr("input 1 [3]: FAILED at flat index")))
        << (build_once ? "build once" : "define by run");
    EXPECT_GT(result.max_abs_error, 0.1);  // half the true gradient 2·x·r is missing
  }
}

TEST(CheckGradients, ReportsBothGradientsOfTheWorstElement) {
  // d/dx of x² at x = 3 with one output element: backward says 3·r, the
  // difference says 6·r; r lies in [0.5, 1.5].
  const GradientCheck result = check_gradients([](Args x) { return wrong_square(x[0]); }, {scalar(3.0, kFloat64)});
  EXPECT_FALSE(result.passed);
  EXPECT_THAT(result.report,
              AllOf(HasSubstr("input 0 []: FAILED at flat index 0 (backward "), HasSubstr(", finite difference ")));
  EXPECT_GT(result.max_abs_error, 1.4);
  EXPECT_LT(result.max_abs_error, 4.6);
}

TEST(CheckGradients, ProjectsNonScalarOutputsWithUnequalWeights) {
  // Summing the output would weight every element by 1 and hide this bug.
  const Tensor x = tensor({1, 2, 3, 4, 5, 6}, {2, 3}, kFloat64);
  const GradientCheck wrong = check_gradients([](Args v) { return ignores_upstream(v[0]); }, {x});
  EXPECT_FALSE(wrong.passed) << wrong.report;
  const GradientCheck right = check_gradients([](Args v) { return v[0] * 3.0; }, {x});
  EXPECT_TRUE(right.passed) << right.report;
}

TEST(CheckGradients, PassesInt64InputsAsConstants) {
  Generator generator(2);
  const Tensor table = normal({5, 3}, 0, 1, generator, kFloat64);
  const Tensor ids = tensor({4, 0, 4, 1}, {2, 2}, kInt64);
  bool saw_constant_ids = false;
  const GradientCheck result = check_gradients(
      [&](Args x) {
        saw_constant_ids = x[1].dtype() == kInt64 && !x[1].requires_grad();
        return index_select(x[0], 0, x[1]);
      },
      {table, ids});
  EXPECT_TRUE(result.passed) << result.report;
  EXPECT_TRUE(saw_constant_ids);
  EXPECT_THAT(result.report, AllOf(HasSubstr("input 0 [5, 3]: ok"), Not(HasSubstr("input 1"))));
}

TEST(CheckGradients, ConvertsFloat32InputsToFloat64) {
  bool saw_float64 = true;
  const GradientCheck result = check_gradients(
      [&](Args x) {
        saw_float64 = saw_float64 && x[0].dtype() == kFloat64;
        return exp(x[0]);
      },
      {tensor({0.5f, -0.25f}, {2})});
  EXPECT_TRUE(result.passed) << result.report;
  EXPECT_TRUE(saw_float64);
}

TEST(CheckGradients, BuildOnceRunsTheSameGraphWithoutRebuildingIt) {
  int define_by_run_calls = 0;
  int build_once_calls = 0;
  const Tensor x = tensor({0.3, -0.7, 1.1}, {3}, kFloat64);
  const GradientCheck eager = check_gradients(
      [&](Args v) {
        ++define_by_run_calls;
        return sigmoid(v[0]) * v[0];
      },
      {x});
  GradientCheckOptions options;
  options.build_once = true;
  const GradientCheck built = check_gradients(
      [&](Args v) {
        ++build_once_calls;
        // Inputs are fed through placeholders: nothing is computed here.
        EXPECT_THROW(v[0].value(), Error);
        return sigmoid(v[0]) * v[0];
      },
      {x}, options);
  EXPECT_TRUE(eager.passed) << eager.report;
  EXPECT_TRUE(built.passed) << built.report;
  EXPECT_EQ(define_by_run_calls, 1 + 2 * 3);  // once for backward, twice per element
  EXPECT_EQ(build_once_calls, 1);
}

TEST(CheckGradients, BuildOnceCatchesAWrongBackwardInsideAGraph) {
  GradientCheckOptions options;
  options.build_once = true;
  const GradientCheck result = check_gradients([](Args x) { return sum(wrong_square(tanh(x[0]))); },
                                               {tensor({0.5, -1.0, 2.0}, {3}, kFloat64)}, options);
  EXPECT_FALSE(result.passed);
  EXPECT_THAT(result.report, HasSubstr("input 0 [3]: FAILED"));
}

TEST(CheckGradients, TolerancesComeFromTheOptions) {
  const Tensor x = tensor({1, 2}, {2}, kFloat64);
  const auto fn = [](Args v) { return slightly_off(v[0]); };
  EXPECT_FALSE(check_gradients(fn, {x}).passed);  // 1e-3 relative > default rtol 1e-4
  GradientCheckOptions loose;
  loose.rtol = 1e-2;
  const GradientCheck result = check_gradients(fn, {x}, loose);
  EXPECT_TRUE(result.passed) << result.report;
  EXPECT_NEAR(result.max_rel_error, 1e-3, 1e-5);
}

TEST(CheckGradients, RejectsAStepThatIsNotPositive) {
  const Tensor x = tensor({1, 2, 3}, {3}, kFloat64);
  const auto fn = [](Args v) { return sum(wrong_square(v[0])); };
  for (double eps : {0.0, -1e-6, std::nan("")}) {
    GradientCheckOptions options;
    options.eps = eps;
    EXPECT_THAT([&] { check_gradients(fn, {x}, options); },
                ThrowsMessage<Error>(HasSubstr("check_gradients: eps must be positive and finite")));
  }
  GradientCheckOptions options;
  options.rtol = std::nan("");
  EXPECT_THAT([&] { check_gradients(fn, {x}, options); },
              ThrowsMessage<Error>(HasSubstr("atol and rtol must be non-negative")));
}

TEST(CheckGradients, ANaNGradientFails) {
  const auto nan_backward = [](Args v) {
    return sum(record(
        "nan_backward", {v[0]}, [](const Tensors& in, Context&) { return in[0] * 2.0; },
        [](const Tensor& g, const Context&) { return Tensors{g * std::nan("")}; }));
  };
  const GradientCheck result = check_gradients(nan_backward, {tensor({1.0, 2.0}, {2}, kFloat64)});
  EXPECT_FALSE(result.passed);
  EXPECT_THAT(result.report, HasSubstr("input 0 [2]: FAILED at flat index 0"));
}

// sqrt at 0: x - eps gives NaN, so the finite difference is NaN there,
// whatever the backward says.
TEST(CheckGradients, ANaNFiniteDifferenceFails) {
  const auto sqrt_sum = [](Args v) { return sum(sqrt(v[0])); };
  const GradientCheck result = check_gradients(sqrt_sum, {tensor({4.0, 0.0}, {2}, kFloat64)});
  EXPECT_FALSE(result.passed);
  EXPECT_THAT(result.report, HasSubstr("input 0 [2]: FAILED at flat index 1"));
  EXPECT_EQ(result.max_rel_error, std::numeric_limits<double>::infinity());
}

TEST(CheckGradients, RejectsAFunctionThatLeavesFloat64) {
  const auto to_float32 = [](Args x) {
    return record(
        "to_float32", {x[0]}, [](const Tensors& in, Context&) { return in[0].astype(kFloat32); },
        [](const Tensor& g, const Context&) { return Tensors{g.astype(kFloat64)}; });
  };
  EXPECT_THAT(
      [&] {
        check_gradients(to_float32, {tensor({1, 2}, {2}, kFloat64)});
      },
      ThrowsMessage<Error>(HasSubstr("check_gradients: the function returned float32")));
}

}  // namespace
}  // namespace nabla
