// Every optimiser, with a cosine schedule, minimises a badly scaled
// quadratic: f(x) = Σ w_i (x_i - t_i)² with w = [1, 10, 0.1], minimum at t.

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autodiff/ops.h"
#include "optim/optim.h"

namespace nabla {
namespace optim {
namespace {

struct Case {
  std::string label;
  std::function<std::unique_ptr<Optimizer>(std::vector<Variable>)> make;
  int steps;
};

class Convergence : public ::testing::TestWithParam<Case> {};

TEST_P(Convergence, ReachesTheMinimumOfAQuadratic) {
  const Variable w(tensor({1, 10, 0.1}, {3}, kFloat64));
  const Variable target(tensor({1, -2, 3}, {3}, kFloat64));
  Variable x = parameter(zeros({3}, kFloat64), "x");
  std::unique_ptr<Optimizer> optimizer = GetParam().make({x});
  CosineAnnealingLR schedule(*optimizer, GetParam().steps);
  double first_loss = 0;
  for (int i = 0; i < GetParam().steps; ++i) {
    optimizer->zero_grad();
    Variable loss = sum(w * square(x - target));
    if (i == 0) first_loss = loss.item();
    loss.backward();
    optimizer->step();
    schedule.step();
  }
  EXPECT_DOUBLE_EQ(first_loss, 1 + 40 + 0.9);
  const std::vector<double> found = x.value().to_vector<double>();
  EXPECT_NEAR(found[0], 1, 1e-2);
  EXPECT_NEAR(found[1], -2, 1e-2);
  EXPECT_NEAR(found[2], 3, 1e-2);
}

INSTANTIATE_TEST_SUITE_P(
    EveryOptimizer, Convergence,
    ::testing::Values(
        Case{"SGD", [](auto p) { return std::make_unique<SGD>(std::move(p), SGDOptions(0.09)); }, 1000},
        Case{"SGDNesterov",
             [](auto p) { return std::make_unique<SGD>(std::move(p), SGDOptions(0.02).momentum(0.9).nesterov(true)); },
             500},
        Case{"Adam", [](auto p) { return std::make_unique<Adam>(std::move(p), AdamOptions(0.1)); }, 1000},
        Case{"AdamAmsgrad", [](auto p) { return std::make_unique<Adam>(std::move(p), AdamOptions(0.1).amsgrad(true)); },
             1000},
        Case{"AdamW", [](auto p) { return std::make_unique<AdamW>(std::move(p), AdamWOptions(0.1).weight_decay(0)); },
             1000},
        Case{"RMSProp", [](auto p) { return std::make_unique<RMSProp>(std::move(p), RMSPropOptions(0.05)); }, 1000},
        Case{"RMSPropCentered",
             [](auto p) {
               return std::make_unique<RMSProp>(std::move(p), RMSPropOptions(0.02).centered(true).momentum(0.5));
             },
             1000},
        Case{"Adagrad", [](auto p) { return std::make_unique<Adagrad>(std::move(p), AdagradOptions(1.0)); }, 1000},
        Case{"Adadelta", [](auto p) { return std::make_unique<Adadelta>(std::move(p), AdadeltaOptions(10.0)); }, 2000}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.label; });

}  // namespace
}  // namespace optim
}  // namespace nabla
