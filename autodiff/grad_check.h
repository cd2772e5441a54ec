#ifndef NABLA_AUTODIFF_GRAD_CHECK_H_
#define NABLA_AUTODIFF_GRAD_CHECK_H_

/// Checks an op's or a model's backward against finite differences.
///
///   auto f = [](const std::vector<Variable>& x) { return tanh(matmul(x[0], x[1])); };
///   GradientCheck result = check_gradients(f, {normal({3, 4}, 0, 1, gen), normal({4, 2}, 0, 1, gen)});
///   EXPECT_TRUE(result.passed) << result.report;
///
/// Float inputs are converted to float64 and differentiated; int64 inputs
/// (indices, labels) are passed as constants. A non-scalar output y is
/// reduced to sum(y · r) with a fixed random r, so that every output element
/// takes part. Each input element is moved by ±eps and the central
/// difference compared with backward's gradient:
/// |analytic - numeric| <= atol + rtol · |numeric|.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "autodiff/variable.h"

namespace nabla {

struct GradientCheckOptions {
  double eps = 1e-6;
  double atol = 1e-6;
  double rtol = 1e-4;
  std::uint64_t seed = 0;
  /// Also run the function as a build-once graph: each input is fed through
  /// a placeholder, Graph::run computes it, and the differences are taken by
  /// re-running the same graph.
  bool build_once = false;
};

struct GradientCheck {
  bool passed = false;
  double max_abs_error = 0;
  double max_rel_error = 0;
  /// One line per input: its shape and worst error, and the worst element.
  std::string report;
};

using DifferentiableFn = std::function<Variable(const std::vector<Variable>&)>;

GradientCheck check_gradients(const DifferentiableFn& fn, const Tensors& inputs,
                              const GradientCheckOptions& options = {});

}  // namespace nabla

#endif  // NABLA_AUTODIFF_GRAD_CHECK_H_
