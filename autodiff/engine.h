#ifndef NABLA_AUTODIFF_ENGINE_H_
#define NABLA_AUTODIFF_ENGINE_H_

/// The reverse pass shared by both graph styles.

#include <vector>

#include "autodiff/variable.h"

namespace nabla {

/// Gradients of `output` with respect to each of `inputs` (leaves or
/// intermediate variables on a path that requires grad), without touching
/// any grad(). `grad_output` as in Variable::backward. The graph is kept
/// unless retain_graph is false. Throws when an input does not influence
/// the output through variables that require grad.
///
///   Variable image = parameter(zeros({1, 784}));
///   Tensor toward_class = gradients(score(image), {image})[0];
Tensors gradients(const Variable& output, const std::vector<Variable>& inputs, const Tensor& grad_output = Tensor(),
                  bool retain_graph = true);

namespace internal {

/// Variable::backward: accumulates into grad() of every leaf reached.
void run_backward(const Variable& output, const Tensor& grad_output, bool retain_graph);

}  // namespace internal
}  // namespace nabla

#endif  // NABLA_AUTODIFF_ENGINE_H_
