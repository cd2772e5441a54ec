#include "autodiff/engine.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace nabla {
namespace {

using internal::Node;

// Nodes that require grad and lead to `root`, inputs before the ops that
// use them. Iterative depth-first search: recursion would overflow the stack
// on long chains.
std::vector<std::shared_ptr<Node>> topological_order(const std::shared_ptr<Node>& root) {
  std::vector<std::shared_ptr<Node>> order;
  std::unordered_set<const Node*> visited{root.get()};
  std::vector<std::pair<std::shared_ptr<Node>, std::size_t>> stack{{root, 0}};
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      const std::shared_ptr<Node>& input = node->inputs[next++];
      if (input->requires_grad && visited.insert(input.get()).second) stack.emplace_back(input, 0);
      continue;
    }
    order.push_back(std::move(node));
    stack.pop_back();
  }
  return order;
}

Tensor seed_gradient(const Node& root, const Tensor& grad_output, const char* op) {
  NABLA_CHECK(root.value.defined(), op, ": the output has not been computed; call Graph::run first");
  if (!grad_output.defined()) {
    NABLA_CHECK(root.value.numel() == 1, op, ": the output of shape ", root.value.shape(),
                " is not a scalar; pass the gradient with respect to it");
    return ones_like(root.value);
  }
  NABLA_CHECK(grad_output.shape() == root.value.shape() && grad_output.dtype() == root.value.dtype(), op,
              ": grad_output ", grad_output.dtype(), " ", grad_output.shape(), " does not match the output ",
              root.value.dtype(), " ", root.value.shape());
  return grad_output;
}

// Sums a gradient back to its input's shape (unbroadcast) and checks it:
// the one place where every op's broadcast is undone.
Tensor fit_gradient(const Node& node, std::size_t i, const Tensor& gradient) {
  const Shape& shape = node.context.input_shapes[i];
  NABLA_CHECK(gradient.defined(), "backward of ", node.op, ": no gradient returned for input ", i);
  const Tensor fitted = gradient.shape() == shape ? gradient : sum_to(gradient, shape);
  const DType dtype = node.inputs[i]->value.defined() ? node.inputs[i]->value.dtype() : fitted.dtype();
  NABLA_CHECK(fitted.dtype() == dtype, "backward of ", node.op, ": gradient for input ", i, " is ", fitted.dtype(),
              ", the input is ", dtype);
  return fitted;
}

// What a deferred node saved for backward must still be there, and come
// from the same run as its inputs': a later run that recomputed an input
// but not the node would mix two batches. Checked before any gradient
// flows, so that a refused backward changes nothing.
void check_saved_values(const Node& node, const char* op) {
  NABLA_CHECK(node.graph != nullptr, op, ": '", node.op, "' belongs to a Graph that no longer exists");
  NABLA_CHECK(node.value.defined(), op, ": '", node.op,
              "' has no value: the Graph::run that computes it failed or has not happened");
  NABLA_CHECK(node.run != Node::kFreed, op, ": the values '", node.op,
              "' saved for backward were freed by an earlier backward(); call Graph::run again, or pass "
              "retain_graph = true to go through it twice");
  for (const auto& input : node.inputs) {
    NABLA_CHECK(!input->deferred || std::string_view(input->op) == "placeholder" || input->run <= node.run, op,
                ": its input '", input->op, "' was recomputed by a later Graph::run than '", node.op,
                "'; fetch the output in the run whose batch it should differentiate");
  }
}

// A leaf's first gradient, owned and dense as PyTorch's: a view (sum's
// broadcast) is made dense, and a tensor that the caller or another leaf
// also holds (add hands one gradient to both sides) is copied, so that
// writing into one leaf's grad changes nothing else.
Tensor owned_gradient(const Tensor& gradient, const std::vector<Tensor>& held) {
  const MemoryFormat format = gradient.suggest_memory_format();
  const bool shared = std::any_of(held.begin(), held.end(),
                                  [&](const Tensor& other) { return gradient.shares_storage_with(other); });
  if (!shared) return gradient.contiguous(format);  // itself when dense
  Tensor copy = empty(gradient.shape(), gradient.dtype(), format);
  copy.copy_(gradient);
  return copy;
}

// The reverse pass. Gradients of the nodes in `capture` are returned (in
// its order); with capture empty they accumulate into the leaves' grad().
Tensors reverse_pass(const Variable& output, const Tensor& grad_output, bool retain_graph,
                     const std::vector<Variable>* capture, const char* op) {
  const std::shared_ptr<Node>& root = output.node();
  NABLA_CHECK(root->requires_grad, op, ": the output does not depend on any variable that requires grad");
  const std::vector<std::shared_ptr<Node>> order = topological_order(root);
  for (const auto& node : order) {
    if (node->deferred && node->backward) check_saved_values(*node, op);
  }
  const Tensor seed = seed_gradient(*root, grad_output, op);
  std::unordered_map<const Node*, Tensor> pending{{root.get(), seed}};
  std::vector<Tensor> held{seed};  // the gradients leaves took in this pass, and the seed
  std::unordered_map<const Node*, Tensor> captured;
  std::unordered_set<const Node*> wanted;
  if (capture != nullptr) {
    for (const Variable& v : *capture) wanted.insert(v.node().get());
  }

  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node& node = **it;
    auto found = pending.find(&node);
    if (found == pending.end()) continue;  // no path from the output reached it
    Tensor gradient = std::move(found->second);
    pending.erase(found);
    if (wanted.count(&node)) captured[&node] = gradient;
    if (!node.backward) {
      NABLA_CHECK(node.inputs.empty() && std::string_view(node.op) == "leaf", op, ": the graph through '", node.op,
                  "' was freed by an earlier backward(); pass retain_graph = true to go through it twice");
      if (capture == nullptr && node.grad.defined()) {
        node.grad = node.grad + gradient;
      } else if (capture == nullptr) {
        node.grad = owned_gradient(gradient, held);
        held.push_back(node.grad);
      }
      continue;
    }
    Context& context = node.context;
    // Filled here rather than at forward time, which stays cheap: the input
    // nodes still hold their values.
    context.needs_grad.resize(node.inputs.size());
    context.input_shapes.resize(node.inputs.size());
    for (std::size_t i = 0; i < node.inputs.size(); ++i) {
      context.needs_grad[i] = node.inputs[i]->requires_grad;
      context.input_shapes[i] = node.inputs[i]->value.shape();
    }
    const Tensors input_gradients = node.backward(gradient, context);
    NABLA_CHECK(input_gradients.size() == node.inputs.size(), "backward of ", node.op, ": returned ",
                input_gradients.size(), " gradients for ", node.inputs.size(), " inputs");
    for (std::size_t i = 0; i < node.inputs.size(); ++i) {
      if (!context.needs_grad[i]) continue;
      Tensor fitted = fit_gradient(node, i, input_gradients[i]);
      auto [slot, fresh] = pending.try_emplace(node.inputs[i].get(), fitted);
      if (!fresh) slot->second = slot->second + fitted;
    }
    if (!retain_graph) {
      context.saved.clear();
      if (node.deferred) {
        node.run = Node::kFreed;
      } else {  // a define-by-run graph is used once
        node.backward = nullptr;
        node.inputs.clear();
      }
    }
  }
  Tensors result;
  if (capture != nullptr) {
    for (const Variable& v : *capture) {
      auto found = captured.find(v.node().get());
      NABLA_CHECK(found != captured.end(), op, ": input '", v.name().empty() ? v.op() : v.name().c_str(),
                  "' does not influence the output through variables that require grad");
      result.push_back(found->second);
    }
  }
  return result;
}

}  // namespace

Tensors gradients(const Variable& output, const std::vector<Variable>& inputs, const Tensor& grad_output,
                  bool retain_graph) {
  NABLA_CHECK(output.defined(), "gradients: the output variable is undefined");
  for (const Variable& input : inputs) NABLA_CHECK(input.defined(), "gradients: an input variable is undefined");
  return reverse_pass(output, grad_output, retain_graph, &inputs, "gradients");
}

namespace internal {

void run_backward(const Variable& output, const Tensor& grad_output, bool retain_graph) {
  reverse_pass(output, grad_output, retain_graph, nullptr, "backward");
}

}  // namespace internal
}  // namespace nabla
