#ifndef NABLA_CHECKPOINT_INTERNAL_TRAINING_FIXTURE_H_
#define NABLA_CHECKPOINT_INTERNAL_TRAINING_FIXTURE_H_

// A small deterministic training run for the resume tests and resume_tool:
// Dense(4 -> 8) -> BatchNorm1d(8) -> ReLU -> Dense(8 -> 1), trained with
// Adam (amsgrad, weight decay) on an MSE regression. The batch of each step
// depends only on the optimiser's step count, so a run resumed from a
// checkpoint sees the same batches as an uninterrupted one.

#include <cstdint>
#include <memory>

#include "nn/sequential.h"
#include "optim/adam.h"

namespace nabla::checkpoint::testing {

// Initial weights drawn from Generator(seed).
std::shared_ptr<nn::Sequential> make_model(std::uint64_t seed);

std::unique_ptr<optim::Adam> make_optimizer(const nn::Module& model);

// `steps` more training steps; batch k is drawn from Generator(1000 + k)
// with k = optimizer.steps().
void train(nn::Module& model, optim::Optimizer& optimizer, int steps);

}  // namespace nabla::checkpoint::testing

#endif  // NABLA_CHECKPOINT_INTERNAL_TRAINING_FIXTURE_H_
