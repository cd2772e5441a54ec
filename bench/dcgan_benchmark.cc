// BM_DcganStep mirrors ../shared/anchors/dcgan_step.cpp with nabla: a small
// DCGAN for 28x28x1 images, batch 64 (8 synthetic batches of real images in
// [-1, 1)), Adam(lr 2e-4, betas 0.5 / 0.999) for both nets,
// BCE-with-logits. One iteration is the usual GAN step, noise drawn inside:
//   D: loss(D(real), 1) + loss(D(G(z).detach()), 0); backward; D step
//   G: loss(D(G(z)), 1); backward; G step (the same fake batch)
// and steps/s is reported.
//   G: dense 100->128*7*7, reshape 128x7x7, BatchNorm2d, ReLU,
//      ConvTranspose 128->64 k4 s2 p1 (14x14), BatchNorm2d, ReLU,
//      ConvTranspose 64->1 k4 s2 p1 (28x28), tanh
//   D: conv 1->64 k4 s2 p1 (14x14), LeakyReLU 0.2, conv 64->128 k4 s2 p1
//      (7x7), BatchNorm2d, LeakyReLU 0.2, dense 6272->1

#include <memory>
#include <vector>

#include "autodiff/ops.h"
#include "bench/harness.h"
#include "nn/layers.h"
#include "nn/losses.h"
#include "nn/sequential.h"
#include "optim/adam.h"

namespace nabla::bench {
namespace {

constexpr std::int64_t kBatch = 64, kNoise = 100;

class ImageGenerator : public nn::Module {
 public:
  ImageGenerator()
      : project_(register_module("project", std::make_shared<nn::Dense>(nn::DenseOptions(kNoise, 128 * 7 * 7)))),
        norm0_(register_module("norm0", std::make_shared<nn::BatchNorm2d>(nn::BatchNormOptions(128)))),
        up1_(register_module("up1", std::make_shared<nn::ConvTranspose2D>(
                                        nn::ConvTranspose2DOptions(128, 64, 4).stride({2, 2}).padding({1, 1})))),
        norm1_(register_module("norm1", std::make_shared<nn::BatchNorm2d>(nn::BatchNormOptions(64)))),
        up2_(register_module("up2", std::make_shared<nn::ConvTranspose2D>(
                                        nn::ConvTranspose2DOptions(64, 1, 4).stride({2, 2}).padding({1, 1})))) {}

  Variable forward(const Variable& noise) override {
    Variable x = reshape(project_->forward(noise), {-1, 128, 7, 7});
    x = relu(norm0_->forward(x));
    x = relu(norm1_->forward(up1_->forward(x)));
    return tanh(up2_->forward(x));
  }
  std::string type_name() const override { return "ImageGenerator"; }

 private:
  std::shared_ptr<nn::Dense> project_;
  std::shared_ptr<nn::BatchNorm2d> norm0_;
  std::shared_ptr<nn::ConvTranspose2D> up1_;
  std::shared_ptr<nn::BatchNorm2d> norm1_;
  std::shared_ptr<nn::ConvTranspose2D> up2_;
};

std::shared_ptr<nn::Sequential> make_discriminator() {
  auto discriminator = std::make_shared<nn::Sequential>();
  discriminator->add(std::make_shared<nn::Conv2D>(nn::Conv2DOptions(1, 64, 4).stride({2, 2}).padding({1, 1})));
  discriminator->add(nn::LeakyReLU(0.2));
  discriminator->add(std::make_shared<nn::Conv2D>(nn::Conv2DOptions(64, 128, 4).stride({2, 2}).padding({1, 1})));
  discriminator->add(std::make_shared<nn::BatchNorm2d>(nn::BatchNormOptions(128)));
  discriminator->add(nn::LeakyReLU(0.2));
  discriminator->add(std::make_shared<nn::Flatten>());
  discriminator->add(std::make_shared<nn::Dense>(nn::DenseOptions(128 * 7 * 7, 1)));
  return discriminator;
}

// Argument: threads.
void BM_DcganStep(benchmark::State& state) {
  set_threads(state);
  Generator random(0);
  std::vector<Variable> reals;
  for (int i = 0; i < 8; ++i) reals.emplace_back(uniform({kBatch, 1, 28, 28}, -1, 1, random));
  manual_seed(1);
  ImageGenerator generator;
  const auto discriminator = make_discriminator();
  const auto adam = optim::AdamOptions(2e-4).betas(0.5, 0.999);
  optim::Adam generator_adam(generator.parameters(), adam), discriminator_adam(discriminator->parameters(), adam);
  const Variable real_targets(ones({kBatch, 1})), fake_targets(zeros({kBatch, 1}));
  std::size_t next = 0;
  double discriminator_loss = 0, generator_loss = 0;
  const auto step = [&] {
    discriminator_adam.zero_grad();
    const Variable fake = generator.forward(Variable(normal({kBatch, kNoise}, 0, 1, random)));
    const Variable error_d = nn::binary_cross_entropy_with_logits(discriminator->forward(reals[next]), real_targets) +
                             nn::binary_cross_entropy_with_logits(discriminator->forward(fake.detach()), fake_targets);
    error_d.backward();
    discriminator_adam.step();

    generator_adam.zero_grad();
    const Variable error_g = nn::binary_cross_entropy_with_logits(discriminator->forward(fake), real_targets);
    error_g.backward();
    generator_adam.step();
    discriminator_loss = error_d.item();
    generator_loss = error_g.item();
    next = (next + 1) % reals.size();
  };
  step();  // each repetition starts fresh models: their first-step costs stay out of the timing
  for (auto _ : state) step();
  benchmark::DoNotOptimize(discriminator_loss);
  benchmark::DoNotOptimize(generator_loss);
  report_rate(state, "steps/s", 1);
}
BENCHMARK(BM_DcganStep)->ArgNames({"threads"})->ArgsProduct({kThreadCounts})->Apply(anchor_method)->MinTime(0.4);

}  // namespace
}  // namespace nabla::bench
