// The seed library's "noisy digits": a generator net from one-hot codes
// corrupted by Gaussian noise to pixels, trained with binary cross-entropy
// against the real MNIST digits of each code's class, with fresh noise for
// every batch (a denoising task: the noise says nothing about the digit, so
// the net learns to see through it). It then generates 100 digits of each
// class from freshly corrupted codes, and an independent CNN judge, trained
// on the real digits, reports the share it recognises.
//
//   bazel run //examples:noisy_digits -- --threads=2

#include <cstdio>

#include "data/dataset.h"
#include "examples/common.h"
#include "examples/digit_generation.h"
#include "nn/model.h"
#include "nn/sequential.h"
#include "optim/adam.h"
#include "tensor/ops.h"

DEFINE_double(code_noise, 0.25, "stddev of the Gaussian noise added to each one-hot code");

namespace nabla::examples {
namespace {

Tensor noisy_codes(const Tensor& labels, std::uint64_t seed) {
  Generator generator(seed);
  return one_hot(labels, 10) + normal({labels.dim(0), 10}, 0.0, FLAGS_code_noise, generator);
}

std::shared_ptr<nn::Sequential> train_generator(const Digits& digits) {
  auto generator = generator_network(10);
  std::printf("%s", nn::summary(*generator, {10}).c_str());
  nn::Model model(generator);
  auto adam = std::make_shared<optim::Adam>(generator->parameters(), optim::AdamOptions(FLAGS_learning_rate));
  model.compile(pixel_loss(), adam);
  // The dataset pairs labels with pixels; the transform corrupts a new code
  // for each label of each batch.
  auto train_set = std::make_shared<data::TensorDataset>(digits.train.labels, digits.train.inputs.reshape({-1, 784}));
  auto test_set = std::make_shared<data::TensorDataset>(noisy_codes(digits.test.labels, FLAGS_seed + 1),
                                                        digits.test.inputs.reshape({-1, 784}));
  nn::FitOptions options;
  options.epochs(FLAGS_epochs).batch_size(FLAGS_batch_size).seed(FLAGS_seed).validation_data(test_set);
  options.transform([](data::Batch batch, std::uint64_t seed) {
    batch.inputs = noisy_codes(batch.inputs, seed);
    return batch;
  });
  options.callbacks(cosine_decay(*adam, FLAGS_epochs));
  save_history(model.fit(train_set, options), "noisy_digits_generator");
  return generator;
}

}  // namespace
}  // namespace nabla::examples

int main(int argc, char** argv) {
  using namespace nabla;
  return examples::run_example(argc, argv, "MNIST digits from noisy one-hot codes", {20, 64, 1e-3}, [] {
    NABLA_CHECK(FLAGS_code_noise >= 0, "--code_noise must not be negative, got ", FLAGS_code_noise);
    const examples::Digits digits = examples::load_digits();
    examples::Judge judge(digits, "noisy_digits_judge");

    std::printf("== generator from one-hot codes plus N(0, %g²) noise\n", FLAGS_code_noise);
    auto generator = examples::train_generator(digits);
    const Tensor labels = examples::class_labels(FLAGS_per_class);
    const Tensor codes = examples::noisy_codes(labels, FLAGS_seed + 2);
    // Where the noise has lifted another entry above the label's, the code
    // points at another digit: no generator can be blamed for those.
    std::printf("%.1f%% of the noisy codes keep their largest entry at their digit\n",
                100 * mean((argmax(codes, 1) == labels).astype(kFloat32)).item());
    const Tensor generated = examples::generate(*generator, codes);
    examples::save_digit_grid(generated, "noisy_digits");
    const double share = judge.recognised(generated, labels, "digits from noisy codes");

    std::printf("judge test accuracy %.4f, recognised: digits from noisy codes %.4f\n", judge.test_accuracy(), share);
  });
}
