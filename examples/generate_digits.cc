// Digits generated two ways from the MNIST training digits (8,000):
//   (a) a generator net from a one-hot label and a little noise to pixels,
//       trained with binary cross-entropy against real digits of the label's
//       class (the seed library's "generating digits"), here as the decoder
//       of a conditional VAE so that the noise picks a style;
//   (b) a trained MLP classifier run in reverse: frozen, it scores images
//       whose pixels Adam moves, from noise, toward each class, under a
//       smoothness prior and an L2 prior toward the mean training digit.
// A judge, a CNN trained on the real digits with its own seed, reports the
// share of the 100 digits of each class generated each way that it
// recognises as the intended digit (the reversed classifier itself agrees on
// almost all of its own, which proves nothing), and its accuracy on the
// 2,000 real test digits. PNG grids of both ways go to --output_dir.
//
//   bazel run //examples:generate_digits -- --threads=2

#include <cstdio>

#include "data/transforms.h"
#include "examples/common.h"
#include "examples/digit_generation.h"
#include "nn/layers.h"
#include "nn/losses.h"
#include "optim/adam.h"
#include "tensor/ops.h"

DEFINE_int32(latent, 4, "noise values fed to the generator beside the one-hot label");
DEFINE_double(kl_weight, 4.0, "weight of the VAE's KL term (above 1 keeps the noise from also coding the class)");
DEFINE_int32(classifier_epochs, 8, "epochs of the classifier run in reverse");
DEFINE_double(classifier_noise, 0.5, "stddev of the Gaussian noise added to the classifier's training digits");
DEFINE_int32(inversion_steps, 200, "Adam steps on the images optimised against the classifier");
DEFINE_double(tv_weight, 1.0, "weight of the smoothness prior (squared differences of neighbouring pixels)");
DEFINE_double(prior_weight, 5.0, "weight of the L2 prior toward the mean training digit");

namespace nabla::examples {
namespace {

constexpr double kInversionLearningRate = 0.1;  // Adam's, on the pixel logits
constexpr std::int64_t kJitter = 2;             // pixels of random shift
constexpr double kInversionNoise = 0.3;         // stddev of the noise on the images the classifier sees

// Way (a) as a conditional variational autoencoder. Fed noise that says
// nothing about the digit, a generator can only learn each class's mean
// digit; here an encoder infers from each training digit the noise z that
// the generator should turn into it, held close to N(0, 1) by a KL term, so
// that noise drawn from N(0, 1) later picks a style (slant, width, stroke).
class DigitVae : public nn::Module {
 public:
  DigitVae()
      : encoder_(register_module("encoder", std::make_shared<nn::Dense>(nn::DenseOptions(784 + 10, 256)))),
        mean_(register_module("mean", std::make_shared<nn::Dense>(nn::DenseOptions(256, FLAGS_latent)))),
        log_variance_(
            register_module("log_variance", std::make_shared<nn::Dense>(nn::DenseOptions(256, FLAGS_latent)))),
        generator_(register_module("generator", generator_network(10 + FLAGS_latent))),
        noise_(FLAGS_seed + 5) {}

  // input [N, 794]: a digit's pixels, then its one-hot label -> pixel logits [N, 784].
  Variable forward(const Variable& input) override {
    const Variable hidden = relu(encoder_->forward(input));
    const Variable mean_z = mean_->forward(hidden), log_variance = log_variance_->forward(hidden);
    kl_ = 0.5 * mean(sum(exp(log_variance) + square(mean_z) - 1.0 - log_variance, {1}));
    // Evaluation reconstructs from the most likely z.
    Variable z = mean_z;
    if (is_training()) z = mean_z + exp(0.5 * log_variance) * Variable(normal(mean_z.shape(), 0.0, 1.0, noise_));
    return generator_->forward(concat({slice(input, 1, 784, 794), z}, 1));
  }
  std::string type_name() const override { return "DigitVae"; }

  // KL(q(z | digit) || N(0, 1)) of the last forward pass, per digit.
  const Variable& kl() const { return kl_; }
  nn::Module& generator() { return *generator_; }

 private:
  std::shared_ptr<nn::Dense> encoder_, mean_, log_variance_;
  std::shared_ptr<nn::Sequential> generator_;
  Generator noise_;
  Variable kl_;
};

// The one-hot label followed by --latent standard normal values.
Tensor one_hot_and_noise(const Tensor& labels, std::uint64_t seed) {
  Generator generator(seed);
  return concat(std::vector<Tensor>{one_hot(labels, 10), normal({labels.dim(0), FLAGS_latent}, 0.0, 1.0, generator)},
                1);
}

std::shared_ptr<DigitVae> train_vae(const Digits& digits) {
  auto vae = std::make_shared<DigitVae>();
  nn::Model model(vae);
  auto adam = std::make_shared<optim::Adam>(vae->parameters(), optim::AdamOptions(FLAGS_learning_rate));
  // The KL term per pixel, as the loss is the mean over pixels.
  model.compile(pixel_loss(), adam, {}, [vae] { return FLAGS_kl_weight * vae->kl() / 784.0; });
  const auto pairs = [](const data::Batch& part) {
    const Tensor pixels = part.inputs.reshape({-1, 784});
    return std::make_shared<data::TensorDataset>(concat(std::vector<Tensor>{pixels, one_hot(part.labels, 10)}, 1),
                                                 pixels);
  };
  nn::FitOptions options;
  options.epochs(FLAGS_epochs).batch_size(FLAGS_batch_size).seed(FLAGS_seed).validation_data(pairs(digits.test));
  options.callbacks(cosine_decay(*adam, FLAGS_epochs));
  save_history(model.fit(pairs(digits.train), options), "generate_digits_generator");
  return vae;
}

std::shared_ptr<nn::Sequential> train_classifier(const Digits& digits) {
  auto network = std::make_shared<nn::Sequential>();
  network->add(std::make_shared<nn::Flatten>());
  network->add(std::make_shared<nn::Dense>(nn::DenseOptions(784, 256)));
  network->add(nn::ReLU());
  network->add(std::make_shared<nn::Dense>(nn::DenseOptions(256, 10)));
  std::printf("== classifier to run in reverse\n%s", nn::summary(*network, {1, 28, 28}).c_str());
  nn::Model model(network);
  auto adam = std::make_shared<optim::Adam>(network->parameters(), optim::AdamOptions(1e-3));
  model.compile(nn::cross_entropy_loss(), adam, {nn::accuracy()});
  nn::FitOptions options;
  options.epochs(FLAGS_classifier_epochs).batch_size(64).seed(FLAGS_seed);
  options.validation_data(std::make_shared<data::TensorDataset>(digits.test));
  options.callbacks(cosine_decay(*adam, FLAGS_classifier_epochs));
  // Noisy training digits make the classifier's input gradients point at
  // strokes rather than at imperceptible patterns.
  options.transform([](data::Batch batch, std::uint64_t seed) {
    Generator generator(seed);
    batch.inputs =
        data::random_crop(batch.inputs, 2, seed) + normal(batch.inputs.shape(), 0.0, FLAGS_classifier_noise, generator);
    return batch;
  });
  save_history(model.fit(std::make_shared<data::TensorDataset>(digits.train), options), "generate_digits_classifier");
  return network;
}

// Mean squared difference of vertically and of horizontally neighbouring pixels.
Variable roughness(const Variable& images) {
  return mean(square(slice(images, 2, 1, 28) - slice(images, 2, 0, 27))) +
         mean(square(slice(images, 3, 1, 28) - slice(images, 3, 0, 27)));
}

// Way (b): images [N, 1, 28, 28] that the frozen classifier takes for
// `labels`, from dark noise. Its history has one row per step.
Tensor invert(nn::Module& classifier, const Tensor& labels, const Tensor& mean_digit) {
  classifier.eval();
  for (Variable parameter : classifier.parameters()) parameter.set_requires_grad(false);
  Generator generator(FLAGS_seed + 4);
  // Pixels are the sigmoid of free logits, so they stay in [0, 1].
  Variable logits = parameter(normal({labels.dim(0), 1, 28, 28}, -2.0, 0.5, generator), "pixel_logits");
  optim::Adam adam({logits}, optim::AdamOptions(kInversionLearningRate));
  nn::History history;
  for (int step = 1; step <= FLAGS_inversion_steps; ++step) {
    const Variable images = sigmoid(logits);
    // The classifier sees each step's images shifted at random and noisy, as
    // it saw its training digits: what satisfies it then is strokes, not one
    // exact pixel pattern.
    const std::int64_t dy = generator.below(2 * kJitter + 1), dx = generator.below(2 * kJitter + 1);
    const Variable shifted =
        slice(slice(pad(images, {{kJitter, kJitter}, {kJitter, kJitter}}), 2, dy, dy + 28), 3, dx, dx + 28);
    const Variable scores = classifier(shifted + Variable(normal(images.shape(), 0.0, kInversionNoise, generator)));
    // The L2 pull toward the mean training digit is the prior of Simonyan et
    // al.'s class visualisations (which regularise the mean-subtracted image):
    // it keeps ink where digits have it, and the classifier moves it.
    const Variable loss = nn::cross_entropy(scores, Variable(labels)) + FLAGS_tv_weight * roughness(images) +
                          FLAGS_prior_weight * mean(square(images - Variable(mean_digit)));
    adam.zero_grad();
    loss.backward();
    adam.step();
    history.metrics["loss"].push_back(loss.item());
    history.metrics["accuracy"].push_back(mean((argmax(scores.value(), 1) == labels).astype(kFloat32)).item());
    if (step % 20 == 0 || step == FLAGS_inversion_steps) {
      std::printf("inversion step %d/%d - loss %.4f - the classifier agrees on %.4f\n", step, FLAGS_inversion_steps,
                  history.metrics["loss"].back(), history.metrics["accuracy"].back());
    }
  }
  save_history(history, "generate_digits_inversion");
  return sigmoid(logits.value());
}

}  // namespace
}  // namespace nabla::examples

int main(int argc, char** argv) {
  using namespace nabla;
  return examples::run_example(argc, argv, "Generate MNIST digits two ways", {20, 64, 1e-3}, [] {
    NABLA_CHECK(FLAGS_latent > 0, "--latent must be positive, got ", FLAGS_latent);
    NABLA_CHECK(FLAGS_classifier_epochs > 0, "--classifier_epochs must be positive, got ", FLAGS_classifier_epochs);
    NABLA_CHECK(FLAGS_classifier_noise >= 0, "--classifier_noise must not be negative, got ", FLAGS_classifier_noise);
    NABLA_CHECK(FLAGS_inversion_steps > 0, "--inversion_steps must be positive, got ", FLAGS_inversion_steps);
    NABLA_CHECK(FLAGS_kl_weight >= 0, "--kl_weight must not be negative, got ", FLAGS_kl_weight);
    NABLA_CHECK(FLAGS_tv_weight >= 0, "--tv_weight must not be negative, got ", FLAGS_tv_weight);
    NABLA_CHECK(FLAGS_prior_weight >= 0, "--prior_weight must not be negative, got ", FLAGS_prior_weight);
    const examples::Digits digits = examples::load_digits();
    examples::Judge judge(digits, "generate_digits_judge");
    const Tensor labels = examples::class_labels(FLAGS_per_class);

    std::printf("== (a) generator from one-hot labels and %d noise values, trained as a conditional VAE\n",
                FLAGS_latent);
    auto vae = examples::train_vae(digits);
    const Tensor codes = examples::one_hot_and_noise(labels, FLAGS_seed + 3);
    const Tensor from_labels = examples::generate(vae->generator(), codes);
    examples::save_digit_grid(from_labels, "generate_digits_generator");
    const double generator_share = judge.recognised(from_labels, labels, "digits from the generator");

    std::printf("== (b) classifier run in reverse\n");
    auto classifier = examples::train_classifier(digits);
    const Tensor reversed = examples::invert(*classifier, labels, mean(digits.train.inputs, {0}));
    examples::save_digit_grid(reversed, "generate_digits_reversed");
    const double reversed_share = judge.recognised(reversed, labels, "digits from the reversed classifier");

    std::printf("judge test accuracy %.4f, recognised: generator %.4f, reversed classifier %.4f\n",
                judge.test_accuracy(), generator_share, reversed_share);
  });
}
