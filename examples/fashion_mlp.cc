// An MLP on Fashion-MNIST (60,000 training, 10,000 test images of clothes):
// 784-512-256-10 with ReLU and dropout, softmax cross-entropy, Adam with a
// cosine schedule and L2 weight decay.
//
//   bazel run //examples:fashion_mlp -- --threads=2

#include <cstdio>

#include "data/datasets.h"
#include "examples/common.h"
#include "nn/layers.h"
#include "nn/sequential.h"
#include "optim/adam.h"

DEFINE_double(dropout, 0.2, "dropout probability after each hidden layer");
DEFINE_double(weight_decay, 1e-5, "L2 weight decay (Adam's, coupled to the gradient)");
DEFINE_int64(train_limit, 0, "train on the first N images only (0: all); for smoke tests");

int main(int argc, char** argv) {
  using namespace nabla;
  return examples::run_example(argc, argv, "MLP on Fashion-MNIST", {12, 128, 1e-3}, [] {
    NABLA_CHECK(FLAGS_train_limit >= 0, "--train_limit must not be negative, got ", FLAGS_train_limit);
    data::Batch train = data::load_fashion_mnist(data::Part::kTrain);
    const data::Batch test = data::load_fashion_mnist(data::Part::kTest);
    if (FLAGS_train_limit > 0) {
      train.inputs = train.inputs.slice(0, 0, FLAGS_train_limit);
      train.labels = train.labels.slice(0, 0, FLAGS_train_limit);
    }
    std::printf("Fashion-MNIST: %lld training, %lld test images\n", static_cast<long long>(train.inputs.dim(0)),
                static_cast<long long>(test.inputs.dim(0)));

    auto network = std::make_shared<nn::Sequential>();
    network->add(std::make_shared<nn::Flatten>());
    network->add(std::make_shared<nn::Dense>(nn::DenseOptions(784, 512)));
    network->add(nn::ReLU());
    network->add(std::make_shared<nn::Dropout>(FLAGS_dropout));
    network->add(std::make_shared<nn::Dense>(nn::DenseOptions(512, 256)));
    network->add(nn::ReLU());
    network->add(std::make_shared<nn::Dropout>(FLAGS_dropout));
    network->add(std::make_shared<nn::Dense>(nn::DenseOptions(256, 10)));
    std::printf("%s", nn::summary(*network, {1, 28, 28}).c_str());

    nn::Model model(network);
    auto adam = std::make_shared<optim::Adam>(
        network->parameters(), optim::AdamOptions(FLAGS_learning_rate).weight_decay(FLAGS_weight_decay));
    model.compile(nn::cross_entropy_loss(), adam, {nn::accuracy()});
    auto test_set = std::make_shared<data::TensorDataset>(test);
    nn::FitOptions options;
    options.epochs(FLAGS_epochs).batch_size(FLAGS_batch_size).seed(FLAGS_seed).validation_data(test_set);
    options.callbacks(examples::cosine_decay(*adam, FLAGS_epochs));
    const nn::History history = model.fit(std::make_shared<data::TensorDataset>(train), options);
    examples::save_history(history, "fashion_mlp");
    const nn::Logs result = model.evaluate(test_set);
    std::printf("test accuracy %.4f, test loss %.4f\n", result.at("accuracy"), result.at("loss"));
  });
}
