// Logistic regression on the Wisconsin breast cancer table (569 tumours, 30
// features, malignant 0 / benign 1): a single Dense(30 -> 1) giving a logit,
// binary cross-entropy on logits, Adam. The features are standardised with
// the training split's mean and standard deviation; 20% are held out.
//
//   bazel run //examples:logistic_regression

#include <cstdio>

#include "data/datasets.h"
#include "examples/common.h"
#include "examples/small_data.h"
#include "nn/layers.h"
#include "nn/losses.h"
#include "optim/adam.h"

DEFINE_double(test_fraction, 0.2, "share of the rows held out for testing");
DEFINE_uint64(split_seed, 1, "seeds the stratified train/test split (--seed: initial weights, shuffling)");
DEFINE_double(weight_decay, 1e-3, "L2 penalty on the weights (Adam's weight_decay)");

int main(int argc, char** argv) {
  using namespace nabla;
  return examples::run_example(argc, argv, "Logistic regression on the breast cancer table", {100, 32, 1e-2}, [] {
    const data::CsvTable table = data::load_breast_cancer();
    const examples::StandardizedSplit split = examples::standardized_split(table, FLAGS_test_fraction, FLAGS_split_seed);

    auto dense = std::make_shared<nn::Dense>(nn::DenseOptions(table.features.dim(1), 1));
    nn::Model model(dense);
    // The dataset keeps int64 labels [N] (what the accuracy metric reads); the
    // loss wants float targets shaped like the logits [N, 1].
    const nn::LossFunction loss = [](const Variable& logits, const Variable& labels) {
      return nn::binary_cross_entropy_with_logits(logits, Variable(labels.value().astype(kFloat32).reshape({-1, 1})));
    };
    model.compile(loss,
                  std::make_shared<optim::Adam>(dense->parameters(),
                                                optim::AdamOptions(FLAGS_learning_rate).weight_decay(FLAGS_weight_decay)),
                  {nn::accuracy()});

    nn::FitOptions options;
    options.epochs(FLAGS_epochs).batch_size(FLAGS_batch_size).seed(FLAGS_seed).validation_data(split.test).verbose(0);
    options.callbacks({examples::print_every(10, FLAGS_epochs)});
    const nn::History history = model.fit(split.train, options);
    examples::save_history(history, "logistic_regression");

    const nn::Logs train = model.evaluate(split.train);
    const nn::Logs test = model.evaluate(split.test);
    std::printf("train accuracy %.4f, test accuracy %.4f, test loss %.4f\n", train.at("accuracy"), test.at("accuracy"),
                test.at("loss"));
  });
}
