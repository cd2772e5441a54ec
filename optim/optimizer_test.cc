// The behaviour every optimiser shares (optimizer.h): checks on parameters,
// groups and learning rates, zero_grad, and checkpoints through state().

#include "optim/optimizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "autodiff/ops.h"
#include "optim/optim.h"

namespace nabla {
namespace optim {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// Gives `p` the gradient `g`: d/dp sum(p * g) = g.
void set_grad(Variable p, std::initializer_list<double> g) {
  p.zero_grad();
  sum(p * Variable(tensor(g, {-1}, p.dtype()))).backward();
}

TEST(Optimizer, RejectsAnEmptyParameterList) {
  EXPECT_THAT([] { SGD(std::vector<Variable>{}, SGDOptions(0.1)); },
              ThrowsMessage<Error>(HasSubstr("SGD: got an empty parameter list")));
  EXPECT_THAT([] { Adam(std::vector<ParamGroup>{}); },
              ThrowsMessage<Error>(HasSubstr("Adam: got an empty parameter list")));
}

TEST(Optimizer, RejectsAnEmptyGroup) {
  Variable p = parameter(zeros({2}));
  EXPECT_THAT(
      [&] {
        SGD({ParamGroup{{p}}, ParamGroup{}}, SGDOptions(0.1));
      },
      ThrowsMessage<Error>(HasSubstr("SGD: parameter group 1 is empty")));
}

TEST(Optimizer, RejectsAParameterListedTwice) {
  Variable w = parameter(zeros({2}), "w");
  Variable b = parameter(zeros({2}));
  EXPECT_THAT(
      [&] {
        SGD({w, b, w}, SGDOptions(0.1));
      },
      ThrowsMessage<Error>(
          HasSubstr("SGD: parameter 2 of group 0 ('w') is listed twice: it is also parameter 0 of group 0 ('w')")));
  EXPECT_THAT(
      [&] {
        Adam({ParamGroup{{b}}, ParamGroup{{w, b}}});
      },
      ThrowsMessage<Error>(
          HasSubstr("Adam: parameter 1 of group 1 is listed twice: it is also parameter 0 of group 0")));
}

TEST(Optimizer, RejectsNonFloatParameters) {
  Variable ids(tensor({1, 2}, {2}, kInt64));
  ids.set_name("ids");
  EXPECT_THAT([&] { RMSProp({ids}); },
              ThrowsMessage<Error>(HasSubstr("RMSProp: parameter 0 of group 0 ('ids') is int64; only float32 and "
                                             "float64 parameters can be optimised")));
}

TEST(Optimizer, RejectsNonLeafParameters) {
  Variable w = parameter(ones({2}), "w");
  Variable doubled = w * 2.0;
  EXPECT_THAT(
      [&] {
        Adagrad({w, doubled});
      },
      ThrowsMessage<Error>(HasSubstr("Adagrad: parameter 1 of group 0 is not a leaf: it is the result of "
                                     "'mul_scalar'")));
}

// A broadcast view cannot be updated element by element: accepted, its step
// threw from copy_ after the parameters before it had moved.
TEST(Optimizer, RejectsABroadcastViewParameter) {
  Variable w = parameter(ones({2}), "w");
  Variable b = parameter(ones({1}).broadcast_to({3}), "b");
  EXPECT_THAT(
      [&] {
        SGD({w, b}, SGDOptions(0.1));
      },
      ThrowsMessage<Error>(
          HasSubstr("SGD: parameter 1 of group 0 ('b') is a broadcast view (shape [3], strides [0])")));
  // A broadcast size-1 dimension repeats nothing.
  Variable row = parameter(ones({2}).broadcast_to({1, 2}));
  SGD sgd({row}, SGDOptions(0.5));
  set_grad(row, {1, 2});
  sgd.step();
  EXPECT_EQ(row.value().to_vector<float>(), (std::vector<float>{0.5, 0}));
}

TEST(Optimizer, RejectsUndefinedParameters) {
  EXPECT_THAT([] { Adadelta({Variable()}); },
              ThrowsMessage<Error>(HasSubstr("Adadelta: parameter 0 of group 0 is undefined")));
}

TEST(Optimizer, RejectsANegativeGroupLearningRateOrWeightDecay) {
  Variable a = parameter(zeros({2}));
  Variable b = parameter(zeros({2}));
  EXPECT_THAT(
      [&] {
        SGD({ParamGroup{{a}}, ParamGroup{{b}, -1.0}}, SGDOptions(0.1));
      },
      ThrowsMessage<Error>(HasSubstr("SGD: lr must be >= 0, got -1 for group 1")));
  EXPECT_THAT(
      [&] {
        SGD({ParamGroup{{a}, {}, -0.5}}, SGDOptions(0.1));
      },
      ThrowsMessage<Error>(HasSubstr("SGD: weight_decay must be >= 0, got -0.5 for group 0")));
}

TEST(Optimizer, AcceptsALeafThatDoesNotRequireGradAndSkipsIt) {
  Variable frozen(ones({2}));
  Variable w = parameter(ones({2}));
  SGD sgd({frozen, w}, SGDOptions(0.5));
  set_grad(w, {1, 1});
  sgd.step();
  EXPECT_EQ(frozen.value().to_vector<float>(), (std::vector<float>{1, 1}));
  EXPECT_EQ(w.value().to_vector<float>(), (std::vector<float>{0.5, 0.5}));
}

TEST(Optimizer, ZeroGradForgetsEveryGradient) {
  Variable a = parameter(ones({2}));
  Variable b = parameter(ones({3}));
  Adam adam({ParamGroup{{a}}, ParamGroup{{b}}});
  sum(a).backward();
  sum(b).backward();
  adam.zero_grad();
  EXPECT_FALSE(a.grad().defined());
  EXPECT_FALSE(b.grad().defined());
}

TEST(Optimizer, ParamsAndGroups) {
  Variable a = parameter(ones({2}));
  Variable b = parameter(ones({3}));
  Variable c = parameter(ones({4}));
  SGD sgd({ParamGroup{{a, b}}, ParamGroup{{c}, 0.01, 0.1}}, SGDOptions(0.1).weight_decay(1e-4));
  EXPECT_EQ(sgd.name(), "SGD");
  ASSERT_EQ(sgd.num_groups(), 2u);
  ASSERT_EQ(sgd.params(0).size(), 2u);
  EXPECT_EQ(sgd.params(0)[1].node(), b.node());
  EXPECT_EQ(sgd.params(1)[0].node(), c.node());
  EXPECT_DOUBLE_EQ(sgd.weight_decay(0), 1e-4);
  EXPECT_DOUBLE_EQ(sgd.weight_decay(1), 0.1);
  EXPECT_THAT([&] { sgd.learning_rate(2); },
              ThrowsMessage<Error>(HasSubstr("SGD: learning_rate: group 2 out of range for 2 groups")));
  EXPECT_THAT([&] { sgd.params(5); }, ThrowsMessage<Error>(HasSubstr("SGD: params: group 5 out of range")));
  EXPECT_THAT([&] { sgd.base_learning_rate(3); },
              ThrowsMessage<Error>(HasSubstr("SGD: base_learning_rate: group 3 out of range for 2 groups")));
  EXPECT_THAT([&] { sgd.weight_decay(2); },
              ThrowsMessage<Error>(HasSubstr("SGD: weight_decay: group 2 out of range for 2 groups")));
}

TEST(Optimizer, SetLearningRateSetsOneGroup) {
  Variable a = parameter(ones({1}));
  Variable b = parameter(ones({1}));
  SGD sgd({ParamGroup{{a}}, ParamGroup{{b}, 0.01}}, SGDOptions(0.1));
  sgd.set_learning_rate(1, 0.05);
  EXPECT_DOUBLE_EQ(sgd.learning_rate(0), 0.1);
  EXPECT_DOUBLE_EQ(sgd.learning_rate(1), 0.05);
  EXPECT_DOUBLE_EQ(sgd.base_learning_rate(1), 0.01);
  EXPECT_THAT([&] { sgd.set_learning_rate(0, -1); },
              ThrowsMessage<Error>(HasSubstr("SGD: set_learning_rate: lr must be >= 0 and finite, got -1 (group 0)")));
  EXPECT_THAT([&] { sgd.set_learning_rate(2, 0.1); },
              ThrowsMessage<Error>(HasSubstr("SGD: set_learning_rate: group 2 out of range for 2 groups")));
}

TEST(Optimizer, MixedFloat32AndFloat64Parameters) {
  Variable a = parameter(tensor({1, 2}, {2}, kFloat32));
  Variable b = parameter(tensor({1, 2}, {2}, kFloat64));
  Adam adam({a, b}, AdamOptions(0.1));
  set_grad(a, {1, -2});
  set_grad(b, {1, -2});
  adam.step();
  EXPECT_EQ(a.dtype(), kFloat32);
  EXPECT_EQ(b.dtype(), kFloat64);
  for (const auto& [name, value] : adam.state()) {
    if (name == "group0.param0.exp_avg") {
      EXPECT_EQ(value.dtype(), kFloat32);
    }
    if (name == "group0.param1.exp_avg_sq") {
      EXPECT_EQ(value.dtype(), kFloat64);
    }
  }
  EXPECT_NEAR(a.value().at({0}), b.value().at({0}), 1e-6);
}

TEST(Optimizer, RejectsAGradientOfAnotherShape) {
  Variable v = parameter(ones({2}), "v");
  Variable w = parameter(ones({2}), "w");
  SGD sgd({v, w}, SGDOptions(0.1));
  v.node()->grad = ones({2});
  w.node()->grad = ones({3});  // only a broken custom op could do this
  EXPECT_THAT([&] { sgd.step(); },
              ThrowsMessage<Error>(
                  HasSubstr("SGD: parameter 1 of group 0 ('w') is float32 [2] but its gradient is float32 [3]")));
  EXPECT_EQ(v.value().to_vector<float>(), (std::vector<float>{1, 1}));  // nothing was updated
  EXPECT_EQ(sgd.steps(), 0);
}

// ---- Checkpoints. ----

struct Case {
  std::string label;
  std::function<std::unique_ptr<Optimizer>(std::vector<ParamGroup>)> make;
};

std::vector<Case> every_optimizer() {
  return {
      {"SGD", [](auto g) { return std::make_unique<SGD>(std::move(g), SGDOptions(0.1)); }},
      {"SGDMomentum",
       [](auto g) { return std::make_unique<SGD>(std::move(g), SGDOptions(0.1).momentum(0.9).dampening(0.1)); }},
      {"SGDNesterov",
       [](auto g) {
         return std::make_unique<SGD>(std::move(g), SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(0.01));
       }},
      {"Adam", [](auto g) { return std::make_unique<Adam>(std::move(g), AdamOptions(0.1).weight_decay(0.01)); }},
      {"AdamAmsgrad", [](auto g) { return std::make_unique<Adam>(std::move(g), AdamOptions(0.1).amsgrad(true)); }},
      {"AdamW", [](auto g) { return std::make_unique<AdamW>(std::move(g), AdamWOptions(0.1)); }},
      {"RMSProp", [](auto g) { return std::make_unique<RMSProp>(std::move(g), RMSPropOptions(0.01)); }},
      {"RMSPropCenteredMomentum",
       [](auto g) {
         return std::make_unique<RMSProp>(std::move(g), RMSPropOptions(0.01).centered(true).momentum(0.5));
       }},
      {"Adagrad",
       [](auto g) {
         return std::make_unique<Adagrad>(std::move(g),
                                          AdagradOptions(0.1).lr_decay(0.1).initial_accumulator_value(0.1));
       }},
      {"Adadelta", [](auto g) { return std::make_unique<Adadelta>(std::move(g), AdadeltaOptions(1.0)); }},
  };
}

class Checkpoint : public ::testing::TestWithParam<Case> {};

// Two parameters in two groups, float32 and float64, whose gradients depend
// on their values: d/da sum(w · (a - 3)²) = 2w(a - 3), d/db sum(b³) = 3b².
struct Model {
  Variable a;
  Variable b;
  std::vector<ParamGroup> groups() const { return {ParamGroup{{a}}, ParamGroup{{b}, 0.05, 0.001}}; }
};

Model make_model(const Tensor& a, const Tensor& b) { return {parameter(a.clone(), "a"), parameter(b.clone(), "b")}; }

void train(Optimizer& optimizer, const Model& model, int steps) {
  const Variable w(tensor({1, 2, 3, 4, 5, 6}, {2, 3}));
  for (int i = 0; i < steps; ++i) {
    optimizer.zero_grad();
    sum(w * square(model.a - 3.0)).backward();
    sum(square(model.b) * model.b).backward();
    optimizer.step();
  }
}

TEST_P(Checkpoint, ResumingContinuesBitForBit) {
  const Tensor a0 = tensor({0.5, -1, 2, 0, 1.5, -0.25}, {2, 3}, kFloat32);
  const Tensor b0 = tensor({1, -2, 0.5}, {3}, kFloat64);

  Model first = make_model(a0, b0);
  std::unique_ptr<Optimizer> uninterrupted = GetParam().make(first.groups());
  train(*uninterrupted, first, 3);
  for (std::size_t group = 0; group < uninterrupted->num_groups(); ++group) {
    uninterrupted->set_learning_rate(group, uninterrupted->learning_rate(group) * 0.5);
  }
  const NamedTensors saved = uninterrupted->state();
  const Tensor a_saved = first.a.value().clone();
  const Tensor b_saved = first.b.value().clone();
  train(*uninterrupted, first, 3);

  Model second = make_model(a_saved, b_saved);
  std::unique_ptr<Optimizer> resumed = GetParam().make(second.groups());
  resumed->load_state(saved);
  EXPECT_EQ(resumed->steps(), 3);
  EXPECT_DOUBLE_EQ(resumed->learning_rate(1), uninterrupted->learning_rate(1));
  train(*resumed, second, 3);

  EXPECT_EQ(second.a.value().to_vector<float>(), first.a.value().to_vector<float>());
  EXPECT_EQ(second.b.value().to_vector<double>(), first.b.value().to_vector<double>());
  const NamedTensors state_first = uninterrupted->state();
  const NamedTensors state_second = resumed->state();
  ASSERT_EQ(state_first.size(), state_second.size());
  for (std::size_t i = 0; i < state_first.size(); ++i) {
    EXPECT_EQ(state_first[i].first, state_second[i].first);
    EXPECT_EQ(state_first[i].second.to_vector<double>(), state_second[i].second.to_vector<double>())
        << state_first[i].first;
  }
  // The parameters moved: the test is not vacuous.
  EXPECT_NE(first.a.value().to_vector<float>(), a0.to_vector<float>());
}

TEST_P(Checkpoint, StateIsASnapshot) {
  Model model = make_model(ones({2, 3}), ones({3}, kFloat64));
  std::unique_ptr<Optimizer> optimizer = GetParam().make(model.groups());
  train(*optimizer, model, 1);
  const NamedTensors before = optimizer->state();
  std::vector<std::vector<double>> values;
  for (const auto& [name, value] : before) values.push_back(value.to_vector<double>());
  train(*optimizer, model, 2);
  for (std::size_t i = 0; i < before.size(); ++i) EXPECT_EQ(before[i].second.to_vector<double>(), values[i]);
}

// Every optimiser updates a strided view (the transpose of its storage)
// element by element, as the same values stored densely.
TEST_P(Checkpoint, StridedParameterStepsAsItsDenseCopy) {
  const Tensor storage = tensor({0.5, -1, 2, 0, 1.5, -0.25}, {2, 3}, kFloat64);
  Variable strided = parameter(storage.clone().transpose(0, 1));
  Variable dense = parameter(storage.transpose(0, 1).contiguous());
  std::unique_ptr<Optimizer> strided_optimizer = GetParam().make({ParamGroup{{strided}}});
  std::unique_ptr<Optimizer> dense_optimizer = GetParam().make({ParamGroup{{dense}}});
  const Variable w(tensor({1, 2, 3, 4, 5, 6}, {3, 2}, kFloat64));
  for (int step = 0; step < 3; ++step) {
    for (auto [p, optimizer] : {std::pair{strided, strided_optimizer.get()}, std::pair{dense, dense_optimizer.get()}}) {
      optimizer->zero_grad();
      sum(w * square(p - 3.0)).backward();
      optimizer->step();
    }
  }
  EXPECT_EQ(strided.value().strides(), (Strides{1, 3}));
  EXPECT_EQ(strided.value().to_vector<double>(), dense.value().to_vector<double>());
}

INSTANTIATE_TEST_SUITE_P(EveryOptimizer, Checkpoint, ::testing::ValuesIn(every_optimizer()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.label; });

TEST(Checkpoint, NamesTheState) {
  Variable a = parameter(ones({2}));
  Variable b = parameter(ones({3}));
  Adam adam({ParamGroup{{a}}, ParamGroup{{b}}}, AdamOptions().amsgrad(true));
  std::vector<std::string> names;
  for (const auto& [name, value] : adam.state()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "step", "group0.lr", "group1.lr", "group0.param0.step", "group0.param0.exp_avg",
                       "group0.param0.exp_avg_sq", "group0.param0.max_exp_avg_sq", "group1.param0.step",
                       "group1.param0.exp_avg", "group1.param0.exp_avg_sq", "group1.param0.max_exp_avg_sq"}));
  const NamedTensors state = adam.state();
  EXPECT_EQ(state[0].second.dtype(), kInt64);
  EXPECT_EQ(state[0].second.shape(), Shape{});
  EXPECT_EQ(state[1].second.dtype(), kFloat64);
  EXPECT_EQ(state[8].second.shape(), Shape{3});

  SGD plain({a}, SGDOptions(0.1));
  EXPECT_EQ(plain.state().size(), 2u);  // "step", "group0.lr": plain SGD keeps no per-parameter state
}

class LoadState : public ::testing::Test {
 protected:
  LoadState() : adam_({a_, b_}, AdamOptions(0.1)) {
    set_grad(a_, {1, 2});
    set_grad(b_, {3, 4, 5});
    adam_.step();
    good_ = adam_.state();
  }

  // Expects load_state(state) to throw `message` and leave adam_ unchanged.
  void expect_rejected(const NamedTensors& state, const std::string& message) {
    EXPECT_THAT([&] { adam_.load_state(state); }, ThrowsMessage<Error>(HasSubstr(message)));
    const NamedTensors after = adam_.state();
    ASSERT_EQ(after.size(), good_.size());
    for (std::size_t i = 0; i < after.size(); ++i) {
      EXPECT_EQ(after[i].second.to_vector<double>(), good_[i].second.to_vector<double>()) << after[i].first;
    }
  }

  // good_ with every tensor plus 1: valid, and different from the optimiser's state.
  NamedTensors shifted() const { return changed("", Tensor()); }

  // shifted() with the entry `name` replaced by `replacement`.
  NamedTensors changed(const std::string& name, const Tensor& replacement) const {
    NamedTensors state;
    for (const auto& [entry, value] : good_) {
      state.emplace_back(entry, entry == name ? replacement : value + scalar(1, value.dtype()));
    }
    return state;
  }

  Variable a_ = parameter(zeros({2}), "a");
  Variable b_ = parameter(zeros({3}), "b");
  Adam adam_;
  NamedTensors good_;
};

TEST_F(LoadState, RejectsAMissingTensor) {
  NamedTensors state = shifted();
  state.erase(state.begin() + 5);  // group0.param1.step
  expect_rejected(state, "Adam: load_state: tensor 'group0.param1.step' is missing");
}

TEST_F(LoadState, RejectsAWrongShape) {
  expect_rejected(changed("group0.param1.exp_avg", zeros({2})),
                  "Adam: load_state: tensor 'group0.param1.exp_avg' is float32 [2], expected float32 [3]");
}

TEST_F(LoadState, RejectsAWrongDtype) {
  expect_rejected(changed("group0.param0.exp_avg_sq", zeros({2}, kFloat64)),
                  "Adam: load_state: tensor 'group0.param0.exp_avg_sq' is float64 [2], expected float32 [2]");
  expect_rejected(changed("step", scalar(1, kFloat32)), "tensor 'step' is float32 [], expected int64 []");
}

TEST_F(LoadState, RejectsAnUnexpectedTensor) {
  NamedTensors state = shifted();
  state.emplace_back("group0.param0.momentum_buffer", zeros({2}));
  expect_rejected(state, "Adam: load_state: unexpected tensor 'group0.param0.momentum_buffer'");
}

TEST_F(LoadState, RejectsARepeatedTensor) {
  NamedTensors state = shifted();
  state.push_back(state[0]);
  expect_rejected(state, "Adam: load_state: tensor 'step' appears twice");
}

TEST_F(LoadState, RejectsUndefinedTensorsAndNegativeCounts) {
  expect_rejected(changed("group0.param0.exp_avg", Tensor()), "tensor 'group0.param0.exp_avg' is undefined");
  expect_rejected(changed("group0.param0.step", scalar(-1, kInt64)),
                  "tensor 'group0.param0.step' must be >= 0, got -1");
  expect_rejected(changed("group0.lr", scalar(-0.5, kFloat64)),
                  "tensor 'group0.lr' must be >= 0 and finite, got -0.5");
  expect_rejected(changed("group0.lr", scalar(std::numeric_limits<double>::infinity(), kFloat64)),
                  "tensor 'group0.lr' must be >= 0 and finite, got inf");
  expect_rejected(changed("group0.lr", scalar(std::nan(""), kFloat64)), "tensor 'group0.lr' must be >= 0 and finite");
}

// Counts are read and saved as int64, not through a double: 2^53 + 1 and
// 2^63 - 1 make the round trip exactly.
TEST_F(LoadState, ReadsCountsExactly) {
  for (const std::int64_t count : {(std::int64_t{1} << 53) + 1, std::numeric_limits<std::int64_t>::max()}) {
    Tensor step({}, kInt64);
    step.data<std::int64_t>()[0] = count;
    NamedTensors state = changed("step", step);
    for (auto& [name, value] : state) {
      if (name == "group0.param1.step") value = step;
    }
    adam_.load_state(state);
    EXPECT_EQ(adam_.steps(), count);
    for (const auto& [name, value] : adam_.state()) {
      if (name == "group0.param1.step") {
        EXPECT_EQ(value.data<std::int64_t>()[0], count);
      }
    }
  }
}

// A loaded count of 2^63 - 1 cannot be incremented: step() says so and
// changes nothing, where ++count would be signed overflow.
TEST_F(LoadState, StepAfterTheLastCountInt64HoldsIsAnError) {
  Tensor last({}, kInt64);
  last.data<std::int64_t>()[0] = std::numeric_limits<std::int64_t>::max();
  for (const char* entry : {"step", "group0.param1.step"}) {
    adam_.load_state(changed(entry, last));
    const std::vector<float> before = b_.value().to_vector<float>();
    set_grad(b_, {3, 4, 5});
    EXPECT_THAT([&] { adam_.step(); }, ThrowsMessage<Error>(HasSubstr("is the last int64 holds")));
    EXPECT_EQ(b_.value().to_vector<float>(), before) << entry;
  }
}

TEST_F(LoadState, AcceptsAnyOrderAndCopiesTheTensorsIn) {
  NamedTensors state = shifted();
  std::reverse(state.begin(), state.end());
  adam_.load_state(state);
  EXPECT_EQ(adam_.steps(), 2);
  EXPECT_DOUBLE_EQ(adam_.learning_rate(), 1.1);
  // Writing to the loaded tensors afterwards does not reach the optimiser.
  for (auto& [name, value] : state) value.fill_(7);
  for (const auto& [name, value] : adam_.state()) {
    if (name == "group0.param1.exp_avg") {
      EXPECT_NE(value.to_vector<double>()[0], 7);
    }
  }
}

}  // namespace
}  // namespace optim
}  // namespace nabla
