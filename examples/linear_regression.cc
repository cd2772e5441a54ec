// Linear regression by full-batch gradient descent, written with //tensor
// alone: the gradient of the mean squared error is worked out by hand here
// (//autodiff derives it for the other examples).
//
// Data: y = x·[2, -3.4]ᵀ + 4.2 + noise(σ = 0.01), 1,000 samples drawn with
// --seed; 100 steps (--epochs) at lr 0.1 recover the weights to about two decimals.

#include <cstdio>

#include "examples/common.h"
#include "tensor/ops.h"

int main(int argc, char** argv) {
  using namespace nabla;
  return examples::run_example(argc, argv, "Linear regression by gradient descent", {100, 1000, 0.1}, [] {
    Generator generator(FLAGS_seed);
    const Tensor true_weights = tensor({2.0, -3.4}, {2, 1});
    const double true_bias = 4.2;
    const Tensor x = normal({1000, 2}, 0.0, 1.0, generator);
    const Tensor y = matmul(x, true_weights) + true_bias + normal({1000, 1}, 0.0, 0.01, generator);

    Tensor weights = zeros({2, 1});
    Tensor bias = zeros({1});
    const auto samples = static_cast<double>(x.dim(0));
    for (int step = 1; step <= FLAGS_epochs; ++step) {
      const Tensor error = matmul(x, weights) + bias - y;  // [N, 1]
      // d/dw mean(error²) = 2/N · xᵀ·error : [2, N]·[N, 1] → [2, 1]
      weights -= matmul(x.transpose(0, 1), error) * (2.0 / samples) * FLAGS_learning_rate;
      bias -= sum_to(error, {1}) * (2.0 / samples) * FLAGS_learning_rate;
      if (step % 20 == 0) std::printf("step %3d  loss %.6f\n", step, mean(square(error)).item());
    }
    std::printf("learned w = [%.4f, %.4f], b = %.4f (true w = [2, -3.4], b = 4.2)\n", weights.at({0, 0}),
                weights.at({1, 0}), bias.item());
  });
}
