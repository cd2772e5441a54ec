#include "nn/layers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "nn/sequential.h"
#include "tensor/backend.h"

namespace nabla::nn {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

Initializer constant(double value) {
  return [value](const Shape& shape, Generator&) { return full(shape, value); };
}

void expect_close(const Tensor& actual, const Tensor& expected, double tolerance) {
  ASSERT_EQ(actual.shape(), expected.shape());
  const std::vector<double> a = actual.to_vector<double>();
  const std::vector<double> e = expected.to_vector<double>();
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], e[i], tolerance) << "at flat index " << i;
}

std::vector<std::string> names(const Module& module) {
  std::vector<std::string> result;
  for (const auto& [name, parameter] : module.named_parameters()) result.push_back(name);
  return result;
}

TEST(Dense, ForwardIsXTimesWPlusB) {
  Dense dense(DenseOptions(2, 3).weight_init([](const Shape& shape, Generator&) {
    return tensor({1, 2, 3, 4, 5, 6}, shape);
  }).bias_init(constant(0.5)));
  // [1, 1]·[[1, 2, 3], [4, 5, 6]] + 0.5 = [5.5, 7.5, 9.5]
  EXPECT_EQ(dense(Variable(ones({1, 2}))).value().to_vector<float>(), (std::vector<float>{5.5, 7.5, 9.5}));
  EXPECT_EQ(names(dense), (std::vector<std::string>{"weight", "bias"}));
  EXPECT_EQ(dense.parameter_count(), 9);
}

TEST(Dense, DefaultInitIsUniformInPlusMinusOneOverSqrtFanIn) {
  manual_seed(3);
  Dense dense(DenseOptions(400, 300));
  const Tensor w = dense.weight().value();
  EXPECT_LE(max(w).item(), 0.05);
  EXPECT_GE(min(w).item(), -0.05);
  EXPECT_GT(max(w).item(), 0.049);
  EXPECT_NEAR(mean(w).item(), 0.0, 1e-3);
}

TEST(Dense, SameSeedSameWeights) {
  Generator a(7), b(7);
  Dense first(DenseOptions(4, 3).generator(&a));
  Dense second(DenseOptions(4, 3).generator(&b));
  EXPECT_EQ(first.weight().value().to_vector<float>(), second.weight().value().to_vector<float>());
}

TEST(Dense, WithoutBiasAndBadOptions) {
  Dense dense(DenseOptions(3, 2).bias(false));
  EXPECT_EQ(names(dense), (std::vector<std::string>{"weight"}));
  EXPECT_THAT([] { Dense(DenseOptions(0, 2)); }, ThrowsMessage<Error>(HasSubstr("Dense: in_features must be positive, got 0")));
  EXPECT_THAT([&] { dense(Variable(ones({1, 4}))); }, ThrowsMessage<Error>(HasSubstr("linear: x [1, 4] has 4 features where weight [3, 2] takes 3")));
}

TEST(Conv2D, SamePaddingKeepsTheSizeForOddAndEvenKernels) {
  for (std::int64_t kernel : {3, 4}) {
    Conv2D conv(Conv2DOptions(2, 5, kernel).padding_same(true));
    EXPECT_EQ(conv(Variable(ones({3, 2, 7, 6}))).shape(), (Shape{3, 5, 7, 6}));
  }
  EXPECT_THAT([] { Conv2D(Conv2DOptions(1, 1, 3).padding_same(true).stride({2, 2})); },
              ThrowsMessage<Error>(HasSubstr("\"same\" padding needs stride 1")));
}

TEST(Conv2D, ForwardOnHandValues) {
  Conv2D conv(Conv2DOptions(1, 1, 2).weight_init(constant(1)).bias_init(constant(0)));
  // Each output sums a 2x2 window of 1..9 arranged 3x3.
  EXPECT_EQ(conv(Variable(arange(1, 10).reshape({1, 1, 3, 3}))).value().to_vector<float>(),
            (std::vector<float>{12, 16, 24, 28}));
  EXPECT_EQ(conv.weight().shape(), (Shape{1, 1, 2, 2}));
  EXPECT_THAT([] { Conv2D(Conv2DOptions(3, 4, 3).groups(2)); },
              ThrowsMessage<Error>(HasSubstr("groups 2 must divide in_channels 3 and out_channels 4")));
}

TEST(Conv2D, ReluOptionClampsTheOutputOnHandValues) {
  // Windows of 1..9 summed, minus 20: -8, -4, 4, 8 before the ReLU.
  Conv2D conv(Conv2DOptions(1, 1, 2).relu(true).weight_init(constant(1)).bias_init(constant(-20)));
  EXPECT_EQ(conv(Variable(arange(1, 10).reshape({1, 1, 3, 3}))).value().to_vector<float>(),
            (std::vector<float>{0, 0, 4, 8}));
  EXPECT_THAT(conv.describe(), HasSubstr("relu"));
  // relu_slope: a LeakyReLU (-8, -4 times 0.5), which Sequential does not fuse into a pooling.
  Conv2D leaky(Conv2DOptions(1, 1, 2).relu(true).relu_slope(0.5).weight_init(constant(1)).bias_init(constant(-20)));
  EXPECT_EQ(leaky(Variable(arange(1, 10).reshape({1, 1, 3, 3}))).value().to_vector<float>(),
            (std::vector<float>{-4, -2, 4, 8}));
  EXPECT_THAT(leaky.describe(), HasSubstr("leaky_relu 0.5"));
  EXPECT_FALSE(leaky.ends_in_relu());
  EXPECT_THAT([] { Conv2D(Conv2DOptions(1, 1, 2).relu_slope(0.2)); },
              ThrowsMessage<Error>(HasSubstr("Conv2D: relu_slope must be finite, >= 0, and given with relu(true); got "
                                             "0.2 without relu")));
  EXPECT_THAT([] { Conv2D(Conv2DOptions(1, 1, 2).relu(true).relu_slope(-1)); },
              ThrowsMessage<Error>(HasSubstr("got -1")));
}

TEST(Conv1D, Shapes) {
  Conv1D conv(Conv1DOptions(3, 8, 5).padding_same(true));
  EXPECT_EQ(conv(Variable(ones({2, 3, 11}))).shape(), (Shape{2, 8, 11}));
  EXPECT_EQ(conv.weight().shape(), (Shape{8, 3, 5}));
}

TEST(ConvTranspose2D, DoublesTheSizeWithStrideTwo) {
  ConvTranspose2D up(ConvTranspose2DOptions(8, 4, 4).stride({2, 2}).padding({1, 1}));
  EXPECT_EQ(up(Variable(ones({2, 8, 7, 7}))).shape(), (Shape{2, 4, 14, 14}));
  EXPECT_EQ(up.weight().shape(), (Shape{8, 4, 4, 4}));
}

TEST(Pooling, Layers) {
  Variable x(arange(0, 16).reshape({1, 1, 4, 4}));
  EXPECT_EQ(MaxPool2D(Pool2DOptions(2))(x).value().to_vector<float>(), (std::vector<float>{5, 7, 13, 15}));
  EXPECT_EQ(AvgPool2D(Pool2DOptions(2))(x).value().to_vector<float>(), (std::vector<float>{2.5, 4.5, 10.5, 12.5}));
  EXPECT_EQ(GlobalAvgPool2D()(x).value().to_vector<float>(), (std::vector<float>{7.5}));
  EXPECT_THAT([] { GlobalAvgPool2D()(Variable(ones({1, 4, 4}))); },
              ThrowsMessage<Error>(HasSubstr("GlobalAvgPool2D: needs a rank-4 input [N, C, H, W], got [1, 4, 4]")));
  EXPECT_EQ(Flatten()(x).shape(), (Shape{1, 16}));
}

TEST(BatchNorm, TrainThenEvalUsesRunningStatistics) {
  BatchNorm1d norm(BatchNormOptions(1).momentum(1.0).eps(0));
  Variable x(tensor({1, 3}, {2, 1}));
  EXPECT_EQ(norm(x).value().to_vector<float>(), (std::vector<float>{-1, 1}));
  // momentum 1: running mean 2, running (unbiased) variance 2.
  std::vector<std::string> buffers;
  for (const auto& [name, buffer] : norm.named_buffers()) buffers.push_back(name);
  EXPECT_EQ(buffers, (std::vector<std::string>{"running_mean", "running_var"}));
  EXPECT_EQ(norm.named_buffers()[0].second.to_vector<float>(), (std::vector<float>{2}));
  norm.eval();
  const std::vector<float> y = norm(Variable(tensor({4}, {1, 1}))).value().to_vector<float>();
  EXPECT_NEAR(y[0], (4 - 2) / std::sqrt(2.0f), 1e-6);
  EXPECT_THAT([&] { norm(Variable(ones({2, 1, 3, 3}))); },
              ThrowsMessage<Error>(HasSubstr("BatchNorm1d: needs a rank-2 input [N, C], got [2, 1, 3, 3]")));
}

TEST(BatchNorm, FusedLeakyReluInTrainAndEval) {
  BatchNorm1d norm(BatchNormOptions(1).momentum(1.0).eps(0).activation(NormActivation::leaky_relu(0.5)));
  EXPECT_EQ(norm.describe(), "1 features, leaky_relu 0.5");
  EXPECT_EQ(norm(Variable(tensor({1, 3}, {2, 1}))).value().to_vector<float>(), (std::vector<float>{-0.5, 1}));
  norm.eval();  // running mean 2, variance 2
  const std::vector<float> y = norm(Variable(tensor({0, 4}, {2, 1}))).value().to_vector<float>();
  EXPECT_NEAR(y[0], -0.5 * 2 / std::sqrt(2.0f), 1e-6);
  EXPECT_NEAR(y[1], 2 / std::sqrt(2.0f), 1e-6);
}

TEST(Dropout, TrainAndEval) {
  Generator generator(1);
  Dropout drop(0.5, &generator);
  Variable x(ones({1000}));
  EXPECT_GT(sum(drop(x).value() == 0.0).item(), 400);
  drop.eval();
  EXPECT_EQ(drop(x).node(), x.node());
}

TEST(Embedding, LooksUpRows) {
  Embedding embedding(EmbeddingOptions(4, 2).weight_init([](const Shape& shape, Generator&) {
    return arange(0, 8).reshape(shape);
  }));
  Variable ids(tensor({3, 0, 3}, {1, 3}, kInt64));
  EXPECT_EQ(embedding(ids).shape(), (Shape{1, 3, 2}));
  EXPECT_EQ(embedding(ids).value().to_vector<float>(), (std::vector<float>{6, 7, 0, 1, 6, 7}));
}

// As torch.nn.Embedding(4, 2, padding_idx=-1): the last row starts at 0 and
// gets no gradient, while row 0, picked twice, gets twice 1.5 per element.
TEST(Embedding, PaddingRowStartsAtZeroAndIsNotTrained) {
  Generator generator(3);
  Embedding embedding(EmbeddingOptions(4, 2).padding_idx(-1).generator(&generator));
  EXPECT_EQ(embedding.weight().value().slice(0, 3, 4).to_vector<float>(), (std::vector<float>{0, 0}));
  sum(embedding(Variable(tensor({3, 0, 0, 3}, {2, 2}, kInt64))) * 1.5).backward();
  EXPECT_EQ(embedding.weight().grad().to_vector<float>(), (std::vector<float>{3, 3, 0, 0, 0, 0, 0, 0}));
  EXPECT_THAT(embedding.describe(), HasSubstr("padding_idx 3"));
  EXPECT_THAT([] { Embedding(EmbeddingOptions(4, 2).padding_idx(4)); },
              ThrowsMessage<Error>(HasSubstr("Embedding: padding_idx 4 is outside [-4, 4)")));
  EXPECT_THAT([&] { embedding(Variable(tensor({1, 4}, {2}, kInt64))); },
              ThrowsMessage<Error>(HasSubstr("embedding: index 4 is outside [0, 4) for weight [4, 2]")));
}

TEST(Sequential, NamesChainsAndSummarises) {
  Generator generator(0);
  Sequential model;
  model.add(std::make_shared<Dense>(DenseOptions(4, 8).generator(&generator)));
  model.add(ReLU());
  model.add(std::make_shared<Dropout>(0.5, &generator));
  model.add(std::make_shared<Dense>(DenseOptions(8, 3).generator(&generator)));
  EXPECT_EQ(names(model), (std::vector<std::string>{"0.weight", "0.bias", "3.weight", "3.bias"}));
  EXPECT_EQ(model.parameter_count(), 4 * 8 + 8 + 8 * 3 + 3);
  EXPECT_EQ(model(Variable(ones({5, 4}))).shape(), (Shape{5, 3}));
  const std::string table = summary(model, {4});
  EXPECT_THAT(table, HasSubstr("0 Dense (4 -> 8)"));
  EXPECT_THAT(table, HasSubstr("[-1, 8]"));
  EXPECT_THAT(table, HasSubstr("2 Dropout (p = 0.5)"));
  EXPECT_THAT(table, HasSubstr("Total params: 67"));
  EXPECT_TRUE(model.is_training());  // summary restores the mode
}

// Runs model on x as Sequential does (fusing layers) and layer by layer, and
// checks that both give the same values (within `tolerance`) and the same
// input and parameter gradients of sum(y · weights) (input within
// `tolerance`, parameters within `parameter_tolerance`). check_fused sees the
// fused output before backward frees its graph; the layer-by-layer output is
// returned.
Variable expect_fused_as_layers(Sequential& model, Variable& x, const Tensor& weights, double tolerance,
                                double parameter_tolerance, const std::function<void(const Variable&)>& check_fused) {
  const Variable fused = model(x);
  check_fused(fused);
  sum(fused * Variable(weights)).backward();
  const Tensor fused_input_grad = x.grad();
  std::vector<Tensor> fused_grads;
  for (const Variable& p : model.parameters()) fused_grads.push_back(p.grad());

  x.zero_grad();
  model.zero_grad();
  Variable one_by_one = x;
  for (const auto& [name, layer] : model.children()) one_by_one = layer->forward(one_by_one);
  sum(one_by_one * Variable(weights)).backward();
  expect_close(fused.value(), one_by_one.value(), tolerance);
  expect_close(fused_input_grad, x.grad(), tolerance);
  const std::vector<Variable> parameters = model.parameters();
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    SCOPED_TRACE("parameter " + std::to_string(i));
    expect_close(fused_grads[i], parameters[i].grad(), parameter_tolerance);
  }
  return one_by_one;
}

// A ReLU before a MaxPool2D, a layer's own or a Conv2D's fused one, runs
// inside the pooling ("max_pool2d_relu"): the values and gradients are those
// of the layers run one by one, with the ReLU on the unpooled tensor.
TEST(Sequential, RunsAReluBeforeMaxPoolingInsideThePooling) {
  for (Backend backend : {Backend::kReference, Backend::kOneDnn}) {
    const BackendScope scope(backend);
    Generator generator(3);
    Sequential model;
    model.add(std::make_shared<Conv2D>(Conv2DOptions(1, 4, 3).padding({1, 1}).relu(true).generator(&generator)));
    model.add(std::make_shared<MaxPool2D>(Pool2DOptions(2)));
    model.add(std::make_shared<Conv2D>(Conv2DOptions(4, 4, 3).padding({1, 1}).generator(&generator)));
    model.add(ReLU());
    model.add(std::make_shared<MaxPool2D>(Pool2DOptions(2)));
    Generator data(4);
    Variable x = parameter(uniform({2, 1, 8, 8}, -1, 1, data));
    const Tensor weights = uniform({2, 4, 2, 2}, -1, 1, data);

    const Variable one_by_one = expect_fused_as_layers(model, x, weights, 1e-6, 1e-5, [](const Variable& fused) {
      EXPECT_STREQ(fused.op(), "max_pool2d_relu");
      EXPECT_STREQ(fused.node()->inputs[0]->op, "conv2d");  // the ReLU layer is gone
    });
    EXPECT_STREQ(one_by_one.op(), "max_pool2d");
  }
}

TEST(Dense, ReluOptionOnHandValues) {
  // x·W + b = [2 - 3, 2 + 1]: -1 and 3 before the ReLU.
  Dense dense(DenseOptions(2, 2).relu(true).weight_init(constant(1)).bias_init([](const Shape&, Generator&) {
    return tensor({-3, 1});
  }));
  EXPECT_EQ(dense(Variable(tensor({1, 1}, {1, 2}))).value().to_vector<float>(), (std::vector<float>{0, 3}));
  EXPECT_EQ(dense.describe(), "2 -> 2, relu");
  EXPECT_TRUE(dense.ends_in_relu());
  EXPECT_FALSE(dense.absorbs_relu());
}

// A ReLU layer after a Dense, a BatchNorm or a Conv2D, not before a
// pooling, runs as the layer's fused one: the values and gradients are
// those of the layers run one by one.
TEST(Sequential, RunsAReluLayerAsTheFusedOneOfTheLayerBefore) {
  for (Backend backend : {Backend::kReference, Backend::kOneDnn}) {
    const BackendScope scope(backend);
    Generator generator(5);
    Sequential model;
    model.add(std::make_shared<Conv2D>(Conv2DOptions(2, 16, 3).padding({1, 1}).generator(&generator)));
    model.add(ReLU());
    model.add(std::make_shared<BatchNorm2d>(BatchNormOptions(16)));
    model.add(ReLU());
    model.add(std::make_shared<Flatten>());
    model.add(std::make_shared<Dense>(DenseOptions(16 * 4 * 4, 8).generator(&generator)));
    model.add(ReLU());
    model.add(std::make_shared<Dense>(DenseOptions(8, 3).generator(&generator)));
    Generator data(6);
    Variable x = parameter(uniform({4, 2, 4, 4}, -1, 1, data));
    const Tensor weights = uniform({4, 3}, -1, 1, data);

    expect_fused_as_layers(model, x, weights, 1e-5, 1e-4, [](const Variable& fused) {
      const nabla::internal::Node* dense = fused.node()->inputs[0].get();
      EXPECT_STREQ(dense->op, "linear_relu");
      const nabla::internal::Node* flattened = dense->inputs[0].get();
      EXPECT_STREQ(flattened->inputs[0]->op, "batch_norm_relu");
      EXPECT_STREQ(flattened->inputs[0]->inputs[0]->op, "conv2d");
    });
  }
}

TEST(Sequential, ForwardWithoutReluNeedsAModuleEndingInOne) {
  Dense dense(DenseOptions(2, 2));
  Conv2D conv(Conv2DOptions(1, 1, 1));
  EXPECT_FALSE(dense.ends_in_relu());
  EXPECT_FALSE(conv.ends_in_relu());
  EXPECT_TRUE(ReLU()->ends_in_relu());
  EXPECT_FALSE(LeakyReLU()->ends_in_relu());
  EXPECT_THAT([&] { dense.forward_without_relu(Variable(ones({1, 2}))); },
              ThrowsMessage<Error>(HasSubstr("Dense: forward_without_relu on a layer without a fused ReLU")));
  EXPECT_THAT([&] { conv.forward_without_relu(Variable(ones({1, 1, 2, 2}))); },
              ThrowsMessage<Error>(HasSubstr("Conv2D: forward_without_relu on a convolution without a fused ReLU")));
}

TEST(Module, TrainAndEvalReachEveryChild) {
  Sequential inner;
  inner.add(std::make_shared<Dropout>(0.1));
  Sequential outer({std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{std::make_shared<Dropout>(0.2)})});
  outer.eval();
  EXPECT_FALSE(outer.children()[0].second->children()[0].second->is_training());
  outer.train();
  EXPECT_TRUE(outer.children()[0].second->children()[0].second->is_training());
}

// A layer added twice shares its weights (tied): one set of parameters,
// named after its first place, so that an optimiser takes model.parameters().
TEST(Module, ASharedChildsParametersCountOnce) {
  auto dense = std::make_shared<Dense>(DenseOptions(2, 2));
  auto norm = std::make_shared<BatchNorm1d>(BatchNormOptions(2));
  Sequential model({dense, norm, dense, norm});
  EXPECT_EQ(model.parameter_count(), 6 + 4);
  std::vector<std::string> names;
  for (const auto& [name, parameter] : model.named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias"}));
  EXPECT_EQ(model.named_buffers().size(), 2u);
}

// summary() runs the model in evaluation mode; a failure must not leave it
// there, and a child kept in evaluation mode (a frozen BatchNorm) stays so.
TEST(Module, SummaryRestoresEachModulesModeAlsoOnAnError) {
  auto frozen = std::make_shared<BatchNorm1d>(BatchNormOptions(2));
  Sequential model({std::make_shared<Dense>(DenseOptions(4, 2)), frozen, std::make_shared<Dropout>(0.5)});
  frozen->eval();
  EXPECT_THAT([&] { summary(model, {5}); }, ThrowsMessage<Error>(HasSubstr("features")));
  EXPECT_TRUE(model.is_training());
  EXPECT_TRUE(model.children()[2].second->is_training());
  EXPECT_FALSE(frozen->is_training());
  summary(model, {4});
  EXPECT_TRUE(model.children()[2].second->is_training());
  EXPECT_FALSE(frozen->is_training());
}

TEST(Activations, Values) {
  Variable x(tensor({-1, 0, 2}));
  EXPECT_EQ(ReLU()->forward(x).value().to_vector<float>(), (std::vector<float>{0, 0, 2}));
  EXPECT_EQ(LeakyReLU(0.1)->forward(x).value().to_vector<float>(), (std::vector<float>{-0.1f, 0, 2}));
  EXPECT_NEAR(Sigmoid()->forward(x).value().at({2}), 1 / (1 + std::exp(-2.0)), 1e-6);
  EXPECT_NEAR(Tanh()->forward(x).value().at({0}), std::tanh(-1.0), 1e-6);
  EXPECT_NEAR(ELU()->forward(x).value().at({0}), std::exp(-1.0) - 1, 1e-6);
  EXPECT_NEAR(sum(Softmax()->forward(x)).item(), 1.0, 1e-6);
}

// oneDNN takes eps as a float32: the layer refuses what its kernels would.
TEST(BatchNorm, BadOptionsAreErrorsWhenBuilt) {
  EXPECT_THAT([] { BatchNorm2d(BatchNormOptions(3).eps(1e-40)); },
              ThrowsMessage<Error>(HasSubstr("BatchNorm2d: eps must be 0 or a normal float32 (1.2e-38 to 3.4e38), "
                                             "got 1e-40")));
  EXPECT_THAT([] { BatchNorm1d(BatchNormOptions(3).momentum(1.5)); },
              ThrowsMessage<Error>(HasSubstr("BatchNorm1d: momentum must be in [0, 1], got 1.5")));
}

TEST(BatchNorm, UndefinedInputIsAnError) {
  BatchNorm1d bn(BatchNormOptions(3));
  EXPECT_THAT([&] { bn.forward(Variable()); }, ThrowsMessage<Error>(HasSubstr("BatchNorm1d: the input variable is undefined")));
}

// Checked as the layer is built and named after it; a Conv1D runs as a 2-D
// convolution, whose own check would name conv2d and a pair.
TEST(Conv2D, BadGeometryIsAnErrorNamingTheLayer) {
  EXPECT_THAT([] { Conv1D(Conv1DOptions(1, 1, 3).stride(0)); },
              ThrowsMessage<Error>(HasSubstr("Conv1D: stride must be positive, got 0")));
  EXPECT_THAT([] { Conv1D(Conv1DOptions(1, 1, 3).dilation(-1)); },
              ThrowsMessage<Error>(HasSubstr("Conv1D: dilation must be positive, got -1")));
  EXPECT_THAT([] { Conv2D(Conv2DOptions(1, 1, 3).padding({0, -1})); },
              ThrowsMessage<Error>(HasSubstr("Conv2D: padding must not be negative, got [0, -1]")));
  EXPECT_THAT([] { ConvTranspose2D(ConvTranspose2DOptions(1, 1, 3).stride({1, 0})); },
              ThrowsMessage<Error>(HasSubstr("ConvTranspose2D: stride must be positive, got [1, 0]")));
  EXPECT_THAT([] { Conv2D(Conv2DOptions(1, 1, 3).padding_same(true).padding({2, 2})); },
              ThrowsMessage<Error>(HasSubstr("Conv2D: padding_same and a padding of [2, 2] are both given")));
  EXPECT_THAT([] { Conv1D(Conv1DOptions(1, 1, 3).padding(1).padding_same(true)); },
              ThrowsMessage<Error>(HasSubstr("Conv1D: padding_same and a padding of [1] are both given")));
}

TEST(Conv2D, SizesWhoseProductOverflowsAreAnError) {
  EXPECT_THAT([] { Conv2D conv(Conv2DOptions(1, 1, std::int64_t{1} << 32)); },
              ThrowsMessage<Error>(HasSubstr("Conv2D: the fan-in of sizes [1, 4294967296, 4294967296] is too large")));
  EXPECT_THAT([] { Conv1D conv(Conv1DOptions(1 << 30, 1, std::int64_t{1} << 40)); },
              ThrowsMessage<Error>(HasSubstr("Conv1D: the fan-in")));
  EXPECT_THAT([] { Conv1D conv(Conv1DOptions(1, 1, 3).padding_same(true).dilation(std::int64_t{1} << 62)); },
              ThrowsMessage<Error>(HasSubstr(
                  "Conv1D: \"same\" padding, dilation x (kernel_size - 1), of sizes [4611686018427387904, 2] is too large")));
}

TEST(Summary, ScalarOutput) {
  Sequential model({std::make_shared<Activation>("Sum", [](const Variable& x) { return sum(x); })});
  EXPECT_THAT(summary(model, {4}), HasSubstr("[]"));
}

TEST(Sequential, CannotContainItself) {
  auto model = std::make_shared<Sequential>();
  EXPECT_THAT([&] { model->add(model); }, ThrowsMessage<Error>(HasSubstr("a module cannot hold itself")));
  auto inner = std::make_shared<Sequential>();
  model->add(inner);
  EXPECT_THAT([&] { inner->add(model); }, ThrowsMessage<Error>(HasSubstr("a module cannot hold itself")));
  EXPECT_EQ(model->parameters().size(), 0u);
  inner->add(std::make_shared<Dense>(DenseOptions(2, 2)));
  EXPECT_NO_THROW(model->add(inner->children()[0].second));  // shared, not circular
}

}  // namespace
}  // namespace nabla::nn
