// An MLP on scikit-learn's 8 x 8 digits (1,797 images, pixel values 0 to
// 16, 10 classes): Dense(64 -> 128), ReLU, dropout, Dense(128 -> 10),
// softmax cross-entropy, Adam with a small L2 penalty. The pixels are
// standardised with the training split's statistics; 20% are held out.
//
//   bazel run //examples:digits_mlp

#include <cstdio>

#include "data/datasets.h"
#include "examples/common.h"
#include "examples/small_data.h"
#include "nn/layers.h"
#include "nn/regularizers.h"
#include "nn/sequential.h"
#include "optim/adam.h"

DEFINE_int32(hidden, 128, "units in the hidden layer");
DEFINE_double(dropout, 0.2, "dropout probability after the hidden layer");
DEFINE_double(weight_decay, 1e-4, "L2 penalty added to the loss");
DEFINE_double(test_fraction, 0.2, "share of the digits held out for testing");
DEFINE_uint64(split_seed, 1, "seeds the stratified train/test split (--seed: initial weights, shuffling)");

int main(int argc, char** argv) {
  using namespace nabla;
  return examples::run_example(argc, argv, "MLP on scikit-learn's 8x8 digits", {40, 32, 1e-3}, [] {
    const data::CsvTable table = data::load_digits();
    const examples::StandardizedSplit split = examples::standardized_split(table, FLAGS_test_fraction, FLAGS_split_seed);

    auto network = std::make_shared<nn::Sequential>();
    network->add(std::make_shared<nn::Dense>(nn::DenseOptions(table.features.dim(1), FLAGS_hidden)));
    network->add(nn::ReLU());
    network->add(std::make_shared<nn::Dropout>(FLAGS_dropout));
    network->add(std::make_shared<nn::Dense>(nn::DenseOptions(FLAGS_hidden, 10)));
    std::printf("%s", nn::summary(*network, {table.features.dim(1)}).c_str());

    nn::Model model(network);
    const std::vector<Variable> parameters = network->parameters();
    model.compile(nn::cross_entropy_loss(),
                  std::make_shared<optim::Adam>(parameters, optim::AdamOptions(FLAGS_learning_rate)),
                  {nn::accuracy()}, [parameters] { return nn::l2(parameters, FLAGS_weight_decay); });
    nn::FitOptions options;
    options.epochs(FLAGS_epochs).batch_size(FLAGS_batch_size).seed(FLAGS_seed).validation_data(split.test).verbose(0);
    options.callbacks({examples::print_every(5, FLAGS_epochs)});
    const nn::History history = model.fit(split.train, options);
    examples::save_history(history, "digits_mlp");

    const nn::Logs train = model.evaluate(split.train);
    const nn::Logs test = model.evaluate(split.test);
    std::printf("train accuracy %.4f, test accuracy %.4f, test loss %.4f\n", train.at("accuracy"), test.at("accuracy"),
                test.at("loss"));
  });
}
