// Minimises y = 4x² - 32x - 10 from x = 0 by gradient descent (by default lr
// 0.1 for 50 steps: --learning_rate, --epochs), the autodiff "hello world" of
// the seed libraries. The minimum is at x = 4, y = -74.

#include <cstdio>
#include <iostream>

#include "autodiff/autodiff.h"
#include "examples/common.h"

int main(int argc, char** argv) {
  using namespace nabla;
  return examples::run_example(argc, argv, "Minimises y = 4x^2 - 32x - 10 by gradient descent", {50, 1, 0.1}, [] {
    Variable x = parameter(scalar(0.0, kFloat64), "x");
    for (int step = 0; step < FLAGS_epochs; ++step) {
      Variable y = 4 * x * x - 32 * x - 10;
      y.backward();
      NoGradGuard no_grad;
      x.data() -= x.grad() * FLAGS_learning_rate;
      x.zero_grad();
    }
    const double y = (4 * x * x - 32 * x - 10).item();
    std::printf("minimum y = %.4f when x = %.4f\n", y, x.item());
    std::cout << x << '\n';  // as pytensor's print(v): name, value, gradient (zeroed after each step)
  });
}
