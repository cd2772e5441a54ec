// A CNN on Fashion-MNIST (60,000 training, 10,000 test images of clothes):
// two blocks of 3x3 convolutions with BatchNorm, max pooling and dropout,
// then a dense layer (examples/fashion_classifier.h); softmax cross-entropy,
// Adam with a cosine schedule, random shifts and mirroring as augmentation.
// Saves the trained network to <output_dir>/fashion_cnn.safetensors, the
// classifier that dcgan scores its samples with.
//
//   bazel run //examples:fashion_cnn -- --threads=2

#include <cstdio>

#include "checkpoint/checkpoint.h"
#include "data/datasets.h"
#include "data/transforms.h"
#include "examples/common.h"
#include "examples/fashion_classifier.h"
#include "nn/model.h"
#include "nn/sequential.h"
#include "optim/adam.h"

DEFINE_double(dropout, 0.1, "dropout probability after each conv block (twice that before the last layer)");
DEFINE_double(weight_decay, 5e-5, "L2 weight decay (Adam's, coupled to the gradient)");
DEFINE_int32(shift, 1, "random shifts of up to this many pixels (0: none)");
DEFINE_bool(flip, true, "mirror half the training images left to right");
DEFINE_int64(train_limit, 0, "train on the first N images only (0: all); for smoke tests");
DEFINE_int64(test_limit, 0, "test on the first N images only (0: all); for smoke tests");

int main(int argc, char** argv) {
  using namespace nabla;
  return examples::run_example(argc, argv, "CNN on Fashion-MNIST", {10, 128, 2e-3}, [] {
    NABLA_CHECK(FLAGS_dropout >= 0 && FLAGS_dropout < 0.5, "--dropout must be in [0, 0.5), got ", FLAGS_dropout);
    NABLA_CHECK(FLAGS_weight_decay >= 0, "--weight_decay must not be negative, got ", FLAGS_weight_decay);
    NABLA_CHECK(FLAGS_shift >= 0, "--shift must not be negative, got ", FLAGS_shift);
    NABLA_CHECK(FLAGS_train_limit >= 0, "--train_limit must not be negative, got ", FLAGS_train_limit);
    NABLA_CHECK(FLAGS_test_limit >= 0, "--test_limit must not be negative, got ", FLAGS_test_limit);
    data::Batch train = data::load_fashion_mnist(data::Part::kTrain);
    data::Batch test = data::load_fashion_mnist(data::Part::kTest);
    const auto keep_first = [](data::Batch& batch, std::int64_t n) {
      if (n == 0) return;
      batch.inputs = batch.inputs.slice(0, 0, n);
      batch.labels = batch.labels.slice(0, 0, n);
    };
    keep_first(train, FLAGS_train_limit);
    keep_first(test, FLAGS_test_limit);
    std::printf("Fashion-MNIST: %lld training, %lld test images\n", static_cast<long long>(train.inputs.dim(0)),
                static_cast<long long>(test.inputs.dim(0)));

    auto network = examples::make_fashion_cnn(FLAGS_dropout);
    std::printf("%s", nn::summary(*network, {1, 28, 28}).c_str());

    nn::Model model(network);
    auto adam = std::make_shared<optim::Adam>(network->parameters(),
                                              optim::AdamOptions(FLAGS_learning_rate).weight_decay(FLAGS_weight_decay));
    model.compile(nn::cross_entropy_loss(), adam, {nn::accuracy()});
    auto test_set = std::make_shared<data::TensorDataset>(test);
    nn::FitOptions options;
    options.epochs(FLAGS_epochs).batch_size(FLAGS_batch_size).seed(FLAGS_seed).validation_data(test_set);
    options.callbacks(examples::cosine_decay(*adam, FLAGS_epochs));
    options.transform([](data::Batch batch, std::uint64_t seed) {
      if (FLAGS_shift > 0) batch.inputs = data::random_crop(batch.inputs, FLAGS_shift, seed);
      // Clothes are left-right symmetric enough that a mirror image keeps its label.
      if (FLAGS_flip) batch.inputs = data::horizontal_flip(batch.inputs, 0.5, seed ^ 1);
      return batch;
    });
    const nn::History history = model.fit(std::make_shared<data::TensorDataset>(train), options);
    examples::save_history(history, "fashion_cnn");
    const std::string saved = FLAGS_output_dir + "/" + examples::kFashionCnnCheckpoint;
    checkpoint::save(saved, *network);
    std::printf("model: %s\n", saved.c_str());
    const nn::Logs result = model.evaluate(test_set);
    std::printf("test accuracy %.4f, test loss %.4f\n", result.at("accuracy"), result.at("loss"));
  });
}
