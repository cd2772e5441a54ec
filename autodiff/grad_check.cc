#include "autodiff/grad_check.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "autodiff/engine.h"
#include "autodiff/graph.h"
#include "autodiff/ops.h"

namespace nabla {
namespace {

// Evaluates fn on `values`, either directly or through a graph built once.
class Evaluator {
 public:
  Evaluator(const DifferentiableFn& fn, const Tensors& values, bool build_once, std::uint64_t seed)
      : fn_(fn), build_once_(build_once) {
    for (const Tensor& value : values) {
      const bool differentiable = is_floating(value.dtype());
      leaves_.push_back(differentiable ? parameter(value.astype(kFloat64)) : Variable(value));
    }
    if (build_once_) {
      GraphScope scope(graph_);
      std::vector<Variable> fed;
      for (std::size_t i = 0; i < leaves_.size(); ++i) {
        const Tensor& value = leaves_[i].value();
        if (!is_floating(value.dtype())) {
          fed.push_back(leaves_[i]);
          continue;
        }
        // x + (a fed zero): the same value, computed by Graph::run.
        Variable zero = placeholder("zero" + std::to_string(i), value.shape(), kFloat64);
        feeds_.push_back({zero, zeros(value.shape(), kFloat64)});
        fed.push_back(leaves_[i] + zero);
      }
      output_ = fn_(fed);
      graph_.run({output_}, feeds_);
    } else {
      output_ = fn_(leaves_);
    }
    Generator generator(seed);
    projection_ = uniform(output_.shape(), 0.5, 1.5, generator, kFloat64);
  }

  // sum(fn(inputs) · r) at the current leaf values, without recording.
  double objective() {
    NoGradGuard no_grad;
    Tensor output = build_once_ ? graph_.run({output_}, feeds_)[0] : fn_(leaves_).value();
    return sum(output.astype(kFloat64) * projection_).item();
  }

  Tensors analytic() {
    if (build_once_) graph_.run({output_}, feeds_);  // a second run of the same nodes
    Tensors result(leaves_.size());
    std::vector<Variable> differentiable;
    for (const Variable& leaf : leaves_) {
      if (leaf.requires_grad()) differentiable.push_back(leaf);
    }
    NABLA_CHECK(output_.dtype() == kFloat64, "check_gradients: the function returned ", output_.dtype(),
                "; it must keep float64 inputs in float64");
    const Tensors grads = gradients(output_, differentiable, projection_);
    for (std::size_t i = 0, k = 0; i < leaves_.size(); ++i) {
      if (leaves_[i].requires_grad()) result[i] = grads[k++];
    }
    return result;
  }

  std::vector<Variable>& leaves() { return leaves_; }

 private:
  const DifferentiableFn& fn_;
  bool build_once_;
  Graph graph_;
  Feeds feeds_;
  std::vector<Variable> leaves_;
  Variable output_;
  Tensor projection_;
};

}  // namespace

GradientCheck check_gradients(const DifferentiableFn& fn, const Tensors& inputs, const GradientCheckOptions& options) {
  NABLA_CHECK(std::isfinite(options.eps) && options.eps > 0, "check_gradients: eps must be positive and finite, got ",
              options.eps);
  NABLA_CHECK(options.atol >= 0 && options.rtol >= 0, "check_gradients: atol and rtol must be non-negative, got ",
              options.atol, " and ", options.rtol);
  Evaluator evaluator(fn, inputs, options.build_once, options.seed);
  const Tensors analytic = evaluator.analytic();
  GradientCheck result;
  result.passed = true;
  std::ostringstream report;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    Variable& leaf = evaluator.leaves()[i];
    if (!leaf.requires_grad()) continue;
    double* x = leaf.data().data<double>();
    const std::vector<double> grad = analytic[i].to_vector<double>();
    double worst_excess = 0;  // how far the worst element is beyond its tolerance
    std::int64_t worst_index = 0;
    double worst_analytic = 0, worst_numeric = 0;
    for (std::int64_t j = 0; j < leaf.value().numel(); ++j) {
      const double saved = x[j];
      x[j] = saved + options.eps;
      const double plus = evaluator.objective();
      x[j] = saved - options.eps;
      const double minus = evaluator.objective();
      x[j] = saved;
      const double numeric = (plus - minus) / (2 * options.eps);
      // A NaN or infinite gradient or finite difference fails wherever it is.
      constexpr double kInfinity = std::numeric_limits<double>::infinity();
      const bool finite = std::isfinite(grad[j]) && std::isfinite(numeric);
      const double error = finite ? std::abs(grad[j] - numeric) : kInfinity;
      result.max_abs_error = std::max(result.max_abs_error, error);
      result.max_rel_error = std::max(
          result.max_rel_error, finite ? error / std::max({std::abs(numeric), std::abs(grad[j]), 1e-8}) : kInfinity);
      const double excess = finite ? error - (options.atol + options.rtol * std::abs(numeric)) : kInfinity;
      if (excess > worst_excess) {
        worst_excess = excess;
        worst_index = j;
        worst_analytic = grad[j];
        worst_numeric = numeric;
      }
    }
    const bool ok = worst_excess <= 0;
    result.passed = result.passed && ok;
    report << "input " << i << " " << leaf.value().shape() << ": "
           << (ok ? std::string("ok") : "FAILED at flat index " + std::to_string(worst_index));
    if (!ok) report << " (backward " << worst_analytic << ", finite difference " << worst_numeric << ")";
    report << "\n";
  }
  report << "max abs error " << result.max_abs_error << ", max rel error " << result.max_rel_error;
  result.report = report.str();
  return result;
}

}  // namespace nabla
