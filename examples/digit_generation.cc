#include "examples/digit_generation.h"

#include <cstdio>
#include <vector>

#include "data/datasets.h"
#include "data/image.h"
#include "data/transforms.h"
#include "examples/common.h"
#include "nn/layers.h"
#include "nn/losses.h"
#include "optim/adam.h"
#include "tensor/ops.h"

DEFINE_int32(judge_epochs, 15, "epochs of the independent judge CNN");
DEFINE_int32(per_class, 100, "digits generated of each class");
DEFINE_int64(train_limit, 0, "train on the first N digits only (0: all); for smoke tests");

namespace nabla::examples {
namespace {

constexpr std::int64_t kPixels = 28 * 28;

// The judge's seed differs from every other model's of the example.
std::uint64_t judge_seed() { return FLAGS_seed + 0x9e3779b97f4a7c15ULL; }

std::shared_ptr<nn::Sequential> judge_network(Generator& generator) {
  auto network = std::make_shared<nn::Sequential>();
  network->add(std::make_shared<nn::Conv2D>(nn::Conv2DOptions(1, 32, 5).generator(&generator)));
  network->add(nn::ReLU());
  network->add(std::make_shared<nn::MaxPool2D>(nn::Pool2DOptions(2)));
  network->add(std::make_shared<nn::Conv2D>(nn::Conv2DOptions(32, 64, 5).generator(&generator)));
  network->add(nn::ReLU());
  network->add(std::make_shared<nn::MaxPool2D>(nn::Pool2DOptions(2)));
  network->add(std::make_shared<nn::Flatten>());
  network->add(std::make_shared<nn::Dense>(nn::DenseOptions(64 * 4 * 4, 128).generator(&generator)));
  network->add(nn::ReLU());
  network->add(std::make_shared<nn::Dropout>(0.3, &generator));
  network->add(std::make_shared<nn::Dense>(nn::DenseOptions(128, 10).generator(&generator)));
  return network;
}

}  // namespace

Digits load_digits() {
  NABLA_CHECK(FLAGS_per_class > 0, "--per_class must be positive, got ", FLAGS_per_class);
  NABLA_CHECK(FLAGS_judge_epochs > 0, "--judge_epochs must be positive, got ", FLAGS_judge_epochs);
  NABLA_CHECK(FLAGS_train_limit >= 0, "--train_limit must not be negative, got ", FLAGS_train_limit);
  Digits digits{data::load_mnist(data::Part::kTrain), data::load_mnist(data::Part::kTest)};
  if (FLAGS_train_limit > 0) {
    digits.train.inputs = digits.train.inputs.slice(0, 0, FLAGS_train_limit);
    digits.train.labels = digits.train.labels.slice(0, 0, FLAGS_train_limit);
  }
  std::printf("MNIST: %lld training, %lld test digits\n", static_cast<long long>(digits.train.inputs.dim(0)),
              static_cast<long long>(digits.test.inputs.dim(0)));
  return digits;
}

Tensor class_labels(std::int64_t per_class) {
  return arange(0, 10 * per_class, 1, kInt64) / static_cast<double>(per_class);
}

std::shared_ptr<nn::Sequential> generator_network(std::int64_t code_size) {
  auto network = std::make_shared<nn::Sequential>();
  network->add(std::make_shared<nn::Dense>(nn::DenseOptions(code_size, 256)));
  network->add(nn::ReLU());
  network->add(std::make_shared<nn::Dense>(nn::DenseOptions(256, 512)));
  network->add(nn::ReLU());
  network->add(std::make_shared<nn::Dense>(nn::DenseOptions(512, kPixels)));
  return network;
}

nn::LossFunction pixel_loss() {
  return [](const Variable& logits, const Variable& pixels) {
    return nn::binary_cross_entropy_with_logits(logits, pixels);
  };
}

Tensor generate(nn::Module& generator, const Tensor& codes) {
  const bool was_training = generator.is_training();
  generator.eval();
  NoGradGuard no_grad;
  const Tensor pixels = sigmoid(generator.forward(Variable(codes)).value());
  generator.train(was_training);
  return pixels.reshape({-1, 1, 28, 28});
}

Judge::Judge(const Digits& digits, const std::string& name)
    : generator_(judge_seed()), network_(judge_network(generator_)), model_(network_) {
  std::printf("== judge: a CNN trained on the real digits\n%s", nn::summary(*network_, {1, 28, 28}).c_str());
  auto adam = std::make_shared<optim::Adam>(network_->parameters(), optim::AdamOptions(3e-3));
  model_.compile(nn::cross_entropy_loss(), adam, {nn::accuracy()});
  auto test_set = std::make_shared<data::TensorDataset>(digits.test);
  nn::FitOptions options;
  options.epochs(FLAGS_judge_epochs).batch_size(64).seed(judge_seed()).validation_data(test_set);
  options.callbacks(cosine_decay(*adam, FLAGS_judge_epochs));
  options.transform([](data::Batch batch, std::uint64_t seed) {
    batch.inputs = data::random_crop(batch.inputs, 2, seed);
    return batch;
  });
  save_history(model_.fit(std::make_shared<data::TensorDataset>(digits.train), options), name);
  test_accuracy_ = model_.evaluate(test_set).at("accuracy");
  std::printf("judge: test accuracy %.4f on the real digits (spread %.3f)\n", test_accuracy_,
              spread(digits.test.inputs, digits.test.labels));
}

double Judge::recognised(const Tensor& images, const Tensor& labels, const std::string& what) {
  const std::vector<std::int64_t> predicted = argmax(model_.predict(images), 1).to_vector<std::int64_t>();
  const std::vector<std::int64_t> wanted = labels.to_vector<std::int64_t>();
  std::vector<std::int64_t> hits(10, 0), counts(10, 0);
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    ++counts[wanted[i]];
    hits[wanted[i]] += predicted[i] == wanted[i];
  }
  std::int64_t total = 0;
  std::string per_digit;
  for (int digit = 0; digit < 10; ++digit) {
    total += hits[digit];
    if (counts[digit] > 0) {
      per_digit += " " + std::to_string(digit) + ":" + std::to_string(100 * hits[digit] / counts[digit]) + "%";
    }
  }
  const double share = static_cast<double>(total) / static_cast<double>(wanted.size());
  std::printf("judge recognises %.1f%% of the %zu %s (per digit%s; spread %.3f)\n", 100 * share, wanted.size(),
              what.c_str(), per_digit.c_str(), spread(images, labels));
  return share;
}

double spread(const Tensor& images, const Tensor& labels) {
  const Tensor pixels = images.reshape({-1, kPixels});
  double total = 0;
  int classes = 0;
  for (int digit = 0; digit < 10; ++digit) {
    const Tensor in_class = (labels == static_cast<double>(digit)).astype(kFloat32).reshape({-1, 1});
    const double count = sum(in_class).item();
    if (count == 0) continue;
    const Tensor class_mean = sum(pixels * in_class, {0}) / count;
    total += mean(sqrt(sum(square(pixels - class_mean) * in_class, {0}) / count)).item();
    ++classes;
  }
  return total / classes;
}

void save_digit_grid(const Tensor& digits, const std::string& name) {
  const std::string path = FLAGS_output_dir + "/" + name + ".png";
  // Each digit's samples fill whole rows, at most 50 wide when halving allows.
  std::int64_t columns = digits.dim(0) / 10;
  while (columns > 50 && columns % 2 == 0) columns /= 2;
  data::save_image_grid(path, digits, columns);
  std::printf("grid: %s\n", path.c_str());
}

}  // namespace nabla::examples
