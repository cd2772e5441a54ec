// BM_DcganStep mirrors ../shared/anchors/dcgan_step.cpp with nabla: a small
// DCGAN for 28x28x1 images, batch 64 (8 synthetic batches of real images in
// [-1, 1)), Adam(lr 2e-4, betas 0.5 / 0.999) for both nets,
// BCE-with-logits. One iteration is the usual GAN step, noise drawn inside:
//   D: loss(D(real), 1) + loss(D(G(z).detach()), 0); backward; D step
//   G: loss(D(G(z)), 1); backward; G step (the same fake batch)
// and steps/s is reported.
// The nets are examples/dcgan_nets.h's, the anchor's layer for layer.

#include <memory>
#include <vector>

#include "autodiff/ops.h"
#include "bench/harness.h"
#include "examples/dcgan_nets.h"
#include "nn/losses.h"
#include "optim/adam.h"

namespace nabla::bench {
namespace {

constexpr std::int64_t kBatch = 64, kNoise = examples::kDcganNoise;

// Argument: threads.
void BM_DcganStep(benchmark::State& state) {
  set_threads(state);
  Generator random(0);
  std::vector<Variable> reals;
  for (int i = 0; i < 8; ++i) reals.emplace_back(uniform({kBatch, 1, 28, 28}, -1, 1, random));
  manual_seed(1);
  examples::GeneratorNet generator;
  const auto discriminator = std::make_shared<examples::DiscriminatorNet>();
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
