// The same deep MLP trained twice on the MNIST digits, without and with
// BatchNorm after every hidden Dense layer, printing both learning curves:
// with sigmoid activations and plain SGD the deep net barely moves without
// normalisation, while BatchNorm lets it learn at once.
//
//   bazel run //examples:batch_norm

#include <cstdio>

#include "data/datasets.h"
#include "examples/common.h"
#include "nn/layers.h"
#include "nn/sequential.h"
#include "optim/sgd.h"

DEFINE_int32(depth, 6, "hidden layers");
DEFINE_int32(width, 128, "units per hidden layer");
DEFINE_int64(train_limit, 0, "train on the first N digits only (0: all); for smoke tests");

namespace nabla::examples {
namespace {

std::shared_ptr<nn::Sequential> deep_mlp(bool batch_norm) {
  Generator generator(FLAGS_seed);  // the same initial weights for both runs
  auto network = std::make_shared<nn::Sequential>();
  network->add(std::make_shared<nn::Flatten>());
  std::int64_t in = 784;
  for (int layer = 0; layer < FLAGS_depth; ++layer) {
    network->add(std::make_shared<nn::Dense>(nn::DenseOptions(in, FLAGS_width).generator(&generator)));
    if (batch_norm) network->add(std::make_shared<nn::BatchNorm1d>(nn::BatchNormOptions(FLAGS_width)));
    network->add(nn::Sigmoid());
    in = FLAGS_width;
  }
  network->add(std::make_shared<nn::Dense>(nn::DenseOptions(in, 10).generator(&generator)));
  return network;
}

nn::History train(bool batch_norm, const data::Batch& train_set, const data::Batch& test_set) {
  auto network = deep_mlp(batch_norm);
  nn::Model model(network);
  model.compile(nn::cross_entropy_loss(),
                std::make_shared<optim::SGD>(network->parameters(), optim::SGDOptions(FLAGS_learning_rate)),
                {nn::accuracy()});
  std::printf("== %s BatchNorm\n", batch_norm ? "with" : "without");
  nn::FitOptions options;
  options.epochs(FLAGS_epochs).batch_size(FLAGS_batch_size).seed(FLAGS_seed);
  options.validation_data(std::make_shared<data::TensorDataset>(test_set));
  nn::History history = model.fit(std::make_shared<data::TensorDataset>(train_set), options);
  save_history(history, batch_norm ? "batch_norm_with" : "batch_norm_without");
  return history;
}

}  // namespace
}  // namespace nabla::examples

int main(int argc, char** argv) {
  using namespace nabla;
  return examples::run_example(argc, argv, "A deep MLP with and without BatchNorm", {10, 64, 0.1}, [] {
    NABLA_CHECK(FLAGS_train_limit >= 0, "--train_limit must not be negative, got ", FLAGS_train_limit);
    NABLA_CHECK(FLAGS_epochs > 0, "--epochs must be positive for batch_norm's learning curves, got ", FLAGS_epochs);
    data::Batch train = data::load_mnist(data::Part::kTrain);
    const data::Batch test = data::load_mnist(data::Part::kTest);
    if (FLAGS_train_limit > 0) {
      train.inputs = train.inputs.slice(0, 0, FLAGS_train_limit);
      train.labels = train.labels.slice(0, 0, FLAGS_train_limit);
    }
    const nn::History plain = examples::train(false, train, test);
    const nn::History normalised = examples::train(true, train, test);
    std::printf("\nepoch  loss without  loss with  val_accuracy without  val_accuracy with\n");
    for (std::size_t e = 0; e < plain.metrics.at("loss").size(); ++e) {
      std::printf("%5zu  %12.4f  %9.4f  %20.4f  %17.4f\n", e + 1, plain.metrics.at("loss")[e],
                  normalised.metrics.at("loss")[e], plain.metrics.at("val_accuracy")[e],
                  normalised.metrics.at("val_accuracy")[e]);
    }
    std::printf("final val_accuracy: without BatchNorm %.4f, with BatchNorm %.4f\n",
                plain.metrics.at("val_accuracy").back(), normalised.metrics.at("val_accuracy").back());
  });
}
