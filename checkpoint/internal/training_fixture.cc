#include "checkpoint/internal/training_fixture.h"

#include "nn/layers.h"
#include "nn/losses.h"

namespace nabla::checkpoint::testing {

std::shared_ptr<nn::Sequential> make_model(std::uint64_t seed) {
  Generator generator(seed);
  auto model = std::make_shared<nn::Sequential>();
  model->add(std::make_shared<nn::Dense>(nn::DenseOptions(4, 8).generator(&generator)));
  model->add(std::make_shared<nn::BatchNorm1d>(nn::BatchNormOptions(8)));
  model->add(nn::ReLU());
  model->add(std::make_shared<nn::Dense>(nn::DenseOptions(8, 1).generator(&generator)));
  return model;
}

std::unique_ptr<optim::Adam> make_optimizer(const nn::Module& model) {
  return std::make_unique<optim::Adam>(model.parameters(),
                                       optim::AdamOptions(0.01).amsgrad(true).weight_decay(1e-3));
}

void train(nn::Module& model, optim::Optimizer& optimizer, int steps) {
  model.train();
  for (int i = 0; i < steps; ++i) {
    Generator generator(1000 + static_cast<std::uint64_t>(optimizer.steps()));
    const Tensor x = normal({16, 4}, 0.0, 1.0, generator);
    // y = x0 - 2 x1 + x2 x3: a target the model can partly fit.
    const Tensor y = (x.select(1, 0) - 2.0 * x.select(1, 1) + x.select(1, 2) * x.select(1, 3)).reshape({16, 1});
    optimizer.zero_grad();
    nn::mse_loss(model.forward(Variable(x)), Variable(y)).backward();
    optimizer.step();
  }
}

}  // namespace nabla::checkpoint::testing
