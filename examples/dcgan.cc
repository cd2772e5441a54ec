// A DCGAN on Fashion-MNIST (Radford et al.; the anchors' dcgan_step), its
// generator and discriminator in dcgan_nets.h, trained with binary cross-entropy on logits and Adam (2e-4, betas 0.5 and
// 0.999) for both. Each epoch writes a grid of samples from fixed noise
// (dcgan_epoch_NN.png) and the discriminator's and generator's loss curves.
//
// The samples are scored, not just shown: the classifier that fashion_cnn
// saved labels them, and the example prints the mean top-class confidence,
// the entropy of the mean class distribution and an inception score for
// real test images, uniform noise, the untrained and the trained generator.
//
//   bazel run //examples:fashion_cnn -- --threads=2    # the classifier, once
//   bazel run //examples:dcgan -- --threads=2

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "autodiff/ops.h"
#include "checkpoint/checkpoint.h"
#include "data/datasets.h"
#include "data/image.h"
#include "data/transforms.h"
#include "examples/common.h"
#include "examples/dcgan_nets.h"
#include "examples/fashion_classifier.h"
#include "nn/layers.h"
#include "nn/losses.h"
#include "nn/model.h"
#include "optim/adam.h"
#include "tensor/ops.h"

DEFINE_string(classifier, "", "fashion_cnn's saved classifier (default: <output_dir>/fashion_cnn.safetensors)");
DEFINE_int32(samples, 1000, "generated images the classifier scores");
DEFINE_int64(train_limit, 0, "train on the first N images only (0: all); for smoke tests");

namespace nabla {
namespace {

using examples::DiscriminatorNet;
using examples::GeneratorNet;

constexpr std::int64_t kNoise = examples::kDcganNoise;
constexpr double kBeta1 = 0.5;  // DCGAN's: with the default 0.9 the two-player game oscillates more
constexpr std::int64_t kGridImages = 64;

// The discriminator's half of a GAN step as a Module, so that nn::Model::fit
// drives the training (seeded batches, progress bar, history): forward(real)
// returns D's logits for the real batch, then for as many fakes from G.
// D sees the fakes detached, so its loss leaves G alone; the fakes are kept,
// with G's graph, for the generator's half (GeneratorStep).
class DiscriminatorStep : public nn::Module {
 public:
  DiscriminatorStep(std::shared_ptr<GeneratorNet> generator, std::shared_ptr<DiscriminatorNet> discriminator)
      : generator_(register_module("generator", std::move(generator))),
        discriminator_(register_module("discriminator", std::move(discriminator))) {}

  // Noise from the default random generator, which --seed seeds (the initial weights come from it too).
  Variable forward(const Variable& real) override {
    fake_ = generator_->forward(Variable(normal({real.shape()[0], kNoise}, 0, 1, default_generator())));
    // Two passes, not one over both halves: BatchNorm sees batches that are
    // all real or all fake, as in the DCGAN paper.
    return concat({discriminator_->forward(real), discriminator_->forward(fake_.detach())}, 0);
  }
  std::string type_name() const override { return "DCGAN discriminator step"; }
  const Variable& fake() const { return fake_; }

 private:
  std::shared_ptr<GeneratorNet> generator_;
  std::shared_ptr<DiscriminatorNet> discriminator_;
  Variable fake_;
};

// logits [2N, 1] from DiscriminatorStep: the first N should say real, the
// rest fake. The labels fit passes (the clothes' classes) are not used.
Variable discriminator_loss(const Variable& logits, const Variable&) {
  const std::int64_t n = logits.shape()[0] / 2;
  const Tensor target = concat(std::vector<Tensor>{ones({n, 1}), zeros({n, 1})}, 0);
  // The mean over both halves, doubled: the sum of the two halves' means.
  return 2.0 * nn::binary_cross_entropy_with_logits(logits, Variable(target));
}

// DCGAN's Adam for either network.
std::shared_ptr<optim::Adam> gan_adam(const std::vector<Variable>& parameters) {
  return std::make_shared<optim::Adam>(parameters, optim::AdamOptions(FLAGS_learning_rate).betas(kBeta1, 0.999));
}

// G's images for `noise` in evaluation mode, as pixels in [0, 1] (what the
// classifier was trained on) rather than tanh's [-1, 1].
Tensor generate(const std::shared_ptr<GeneratorNet>& generator, const Tensor& noise) {
  return data::scale_range(nn::Model(generator).predict(noise), -1, 1, 0, 1);
}

// The generator's half of each step, after fit has updated D: G learns to
// make D say "real" for the fakes of that step (the non-saturating loss).
// Every epoch it also writes the sample grid and records G's loss and the
// classifier's scores of G's images for `score_noise`.
class GeneratorStep : public nn::Callback {
 public:
  GeneratorStep(std::shared_ptr<GeneratorNet> generator, std::shared_ptr<DiscriminatorNet> discriminator,
                std::shared_ptr<const DiscriminatorStep> step, std::shared_ptr<nn::Module> classifier,
                Tensor grid_noise, Tensor score_noise)
      : generator_(std::move(generator)),
        discriminator_(std::move(discriminator)),
        step_(std::move(step)),
        classifier_(std::move(classifier)),
        grid_noise_(std::move(grid_noise)),
        score_noise_(std::move(score_noise)),
        adam_(gan_adam(generator_->parameters())) {}

  void on_epoch_begin(nn::Model&, int) override {
    loss_sum_ = 0;
    count_ = 0;
  }

  void on_batch_end(nn::Model&, std::int64_t, const nn::Logs&) override {
    const Variable logits = discriminator_->forward(step_->fake());
    const Variable loss = nn::binary_cross_entropy_with_logits(logits, Variable(ones_like(logits.value())));
    adam_->zero_grad();
    loss.backward();  // also leaves gradients in D, which fit clears before D's next step
    adam_->step();
    loss_sum_ += loss.item() * static_cast<double>(logits.shape()[0]);
    count_ += logits.shape()[0];
  }

  void on_epoch_end(nn::Model&, int epoch, const nn::Logs&) override {
    const double loss = loss_sum_ / static_cast<double>(count_);
    const examples::ClassifierScores scores = examples::score_images(classifier_, generate(generator_, score_noise_));
    history_.metrics["loss"].push_back(loss);
    history_.metrics["confidence"].push_back(scores.confidence);
    history_.metrics["class_entropy"].push_back(scores.class_entropy);
    history_.metrics["inception_score"].push_back(scores.inception_score);
    char name[64];
    std::snprintf(name, sizeof name, "dcgan_epoch_%02d.png", epoch + 1);
    const std::string grid = FLAGS_output_dir + "/" + name;
    data::save_image_grid(grid, generate(generator_, grid_noise_));
    std::printf("generator loss %.4f, inception score %.2f, samples: %s\n", loss, scores.inception_score, grid.c_str());
    std::fflush(stdout);
  }

  const nn::History& history() const { return history_; }

 private:
  std::shared_ptr<GeneratorNet> generator_;
  std::shared_ptr<DiscriminatorNet> discriminator_;
  std::shared_ptr<const DiscriminatorStep> step_;
  std::shared_ptr<nn::Module> classifier_;
  Tensor grid_noise_, score_noise_;
  std::shared_ptr<optim::Adam> adam_;
  double loss_sum_ = 0;
  std::int64_t count_ = 0;
  nn::History history_;
};

std::shared_ptr<nn::Module> load_classifier() {
  const std::string path = FLAGS_classifier.empty() ? FLAGS_output_dir + "/" + examples::kFashionCnnCheckpoint
                                                    : examples::from_working_directory(FLAGS_classifier);
  NABLA_CHECK(std::filesystem::exists(path), "no classifier at ", path,
              ": train one first with `bazel run //examples:fashion_cnn -- --output_dir=", FLAGS_output_dir,
              "` (it saves ", examples::kFashionCnnCheckpoint, " there), or pass --classifier=PATH");
  auto classifier = examples::make_fashion_cnn(0.0);  // dropout is off in evaluation anyway
  checkpoint::load(path, *classifier);
  std::printf("classifier: %s\n", path.c_str());
  return classifier;
}

void print_scores(const char* what, const examples::ClassifierScores& scores) {
  std::printf("%-20s %s\n", what, examples::format_scores(scores).c_str());
}

}  // namespace
}  // namespace nabla

int main(int argc, char** argv) {
  using namespace nabla;
  return examples::run_example(argc, argv, "DCGAN on Fashion-MNIST", {10, 64, 2e-4}, [] {
    NABLA_CHECK(FLAGS_samples > 0, "--samples must be positive, got ", FLAGS_samples);
    NABLA_CHECK(FLAGS_train_limit >= 0, "--train_limit must not be negative, got ", FLAGS_train_limit);
    data::Batch train = data::load_fashion_mnist(data::Part::kTrain);
    const data::Batch test = data::load_fashion_mnist(data::Part::kTest);
    if (FLAGS_train_limit > 0) {
      train.inputs = train.inputs.slice(0, 0, FLAGS_train_limit);
      train.labels = train.labels.slice(0, 0, FLAGS_train_limit);
    }
    train.inputs = data::scale_range(train.inputs, 0, 1, -1, 1);  // the generator's tanh range
    std::printf("Fashion-MNIST: %lld training images\n", static_cast<long long>(train.inputs.dim(0)));
    const std::shared_ptr<nn::Module> classifier = load_classifier();

    auto generator = std::make_shared<GeneratorNet>();
    auto discriminator = std::make_shared<DiscriminatorNet>();
    std::printf("generator: %lld parameters, discriminator: %lld parameters\n",
                static_cast<long long>(generator->parameter_count()),
                static_cast<long long>(discriminator->parameter_count()));
    auto step = std::make_shared<DiscriminatorStep>(generator, discriminator);

    // Fixed noise, drawn apart from training's: the grid shows the same
    // samples every epoch and the scores compare like with like.
    Generator fixed(FLAGS_seed + 1);
    const Tensor grid_noise = normal({kGridImages, kNoise}, 0, 1, fixed);
    const Tensor score_noise = normal({FLAGS_samples, kNoise}, 0, 1, fixed);
    const std::int64_t real_count = std::min<std::int64_t>(FLAGS_samples, test.inputs.dim(0));
    const auto real = examples::score_images(classifier, test.inputs.slice(0, 0, real_count));
    const auto noise = examples::score_images(classifier, uniform({FLAGS_samples, 1, 28, 28}, 0, 1, fixed));
    const auto untrained = examples::score_images(classifier, generate(generator, score_noise));

    auto generator_step =
        std::make_shared<GeneratorStep>(generator, discriminator, step, classifier, grid_noise, score_noise);
    nn::Model model(step);
    model.compile(discriminator_loss, gan_adam(discriminator->parameters()));
    nn::FitOptions options;
    options.epochs(FLAGS_epochs).batch_size(FLAGS_batch_size).seed(FLAGS_seed).callbacks({generator_step});
    const nn::History history = model.fit(std::make_shared<data::TensorDataset>(train), options);
    examples::save_history(history, "dcgan_discriminator");
    examples::save_history(generator_step->history(), "dcgan_generator");

    const auto trained = examples::score_images(classifier, generate(generator, score_noise));
    std::printf("fashion_cnn's view of %d images of each kind:\n", FLAGS_samples);
    print_scores("real test images:", real);
    print_scores("uniform noise:", noise);
    print_scores("untrained generator:", untrained);
    print_scores("trained generator:", trained);
    std::printf("inception score %.2f (untrained generator %.2f, uniform noise %.2f, real images %.2f)\n",
                trained.inception_score, untrained.inception_score, noise.inception_score, real.inception_score);
  });
}
