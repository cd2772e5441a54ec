// The main job: an MLP on the MNIST digits (8,000 to train on, 2,000 held
// out), softmax cross-entropy, Adam with a cosine schedule and L2 weight decay (the gradient of
// (wd/2)·Σw², fused into Adam's update), dropout, and random shifts of up
// to 2 pixels as augmentation.
//
//   bazel run //examples:mnist_mlp -- --epochs=30 --threads=2

#include <cstdio>

#include "data/datasets.h"
#include "data/transforms.h"
#include "examples/common.h"
#include "nn/layers.h"
#include "nn/sequential.h"
#include "optim/adam.h"

DEFINE_int32(hidden, 1024, "units in each of the two hidden layers");
DEFINE_double(dropout, 0.3, "dropout probability after each hidden layer");
DEFINE_double(weight_decay, 1e-5, "L2 weight decay (Adam's, coupled to the gradient)");
DEFINE_int32(shift, 2, "random shifts of up to this many pixels (0: none)");
DEFINE_int64(train_limit, 0, "train on the first N examples only (0: all); for smoke tests");

int main(int argc, char** argv) {
  using namespace nabla;
  return examples::run_example(argc, argv, "MLP on MNIST digits", {30, 64, 1e-3}, [] {
    NABLA_CHECK(FLAGS_train_limit >= 0, "--train_limit must not be negative, got ", FLAGS_train_limit);
    data::Batch train = data::load_mnist(data::Part::kTrain);
    data::Batch test = data::load_mnist(data::Part::kTest);
    if (FLAGS_train_limit > 0) {
      train.inputs = train.inputs.slice(0, 0, FLAGS_train_limit);
      train.labels = train.labels.slice(0, 0, FLAGS_train_limit);
    }
    std::printf("MNIST: %lld training, %lld test digits\n", static_cast<long long>(train.inputs.dim(0)),
                static_cast<long long>(test.inputs.dim(0)));

    auto network = std::make_shared<nn::Sequential>();
    network->add(std::make_shared<nn::Flatten>());
    network->add(std::make_shared<nn::Dense>(nn::DenseOptions(784, FLAGS_hidden)));
    network->add(nn::ReLU());
    network->add(std::make_shared<nn::Dropout>(FLAGS_dropout));
    network->add(std::make_shared<nn::Dense>(nn::DenseOptions(FLAGS_hidden, FLAGS_hidden)));
    network->add(nn::ReLU());
    network->add(std::make_shared<nn::Dropout>(FLAGS_dropout));
    network->add(std::make_shared<nn::Dense>(nn::DenseOptions(FLAGS_hidden, 10)));
    std::printf("%s", nn::summary(*network, {1, 28, 28}).c_str());

    nn::Model model(network);
    auto adam = std::make_shared<optim::Adam>(
        network->parameters(), optim::AdamOptions(FLAGS_learning_rate).weight_decay(FLAGS_weight_decay));
    model.compile(nn::cross_entropy_loss(), adam, {nn::accuracy()});

    auto test_set = std::make_shared<data::TensorDataset>(test);
    nn::FitOptions options;
    options.epochs(FLAGS_epochs).batch_size(FLAGS_batch_size).seed(FLAGS_seed).validation_data(test_set);
    options.callbacks(examples::cosine_decay(*adam, FLAGS_epochs));
    if (FLAGS_shift > 0) {
      options.transform([](data::Batch batch, std::uint64_t seed) {
        batch.inputs = data::random_crop(batch.inputs, FLAGS_shift, seed);
        return batch;
      });
    }
    const nn::History history = model.fit(std::make_shared<data::TensorDataset>(train), options);
    examples::save_history(history, "mnist_mlp");
    const nn::Logs result = model.evaluate(test_set);
    std::printf("test accuracy %.4f, test loss %.4f\n", result.at("accuracy"), result.at("loss"));
  });
}
