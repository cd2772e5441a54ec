// Minimises y = 4x² - 32x - 10 from x = 0 by gradient descent (lr 0.1, 50
// steps), the autodiff "hello world" of the seed libraries. The minimum is
// at x = 4, y = -74.

#include <cstdio>

#include "autodiff/autodiff.h"

int main() {
  using namespace nabla;
  Variable x = parameter(scalar(0.0, kFloat64), "x");
  const double learning_rate = 0.1;
  for (int step = 0; step < 50; ++step) {
    Variable y = 4 * x * x - 32 * x - 10;
    y.backward();
    NoGradGuard no_grad;
    x.data() -= x.grad() * learning_rate;
    x.zero_grad();
  }
  const double y = (4 * x * x - 32 * x - 10).item();
  std::printf("minimum y = %.4f when x = %.4f\n", y, x.item());
  return 0;
}
