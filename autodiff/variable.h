#ifndef NABLA_AUTODIFF_VARIABLE_H_
#define NABLA_AUTODIFF_VARIABLE_H_

/// Variable: a Tensor that remembers how it was computed, for reverse-mode
/// differentiation. One engine serves two styles:
///
/// Define-by-run (PyTorch-like): each op runs at once and records a node.
///
///   Variable x = parameter(scalar(0.0));
///   Variable y = 4 * x * x - 32 * x - 10;
///   y.backward();                 // x.grad() == -32
///
/// Build once, run many (TensorFlow-1-like): ops on a placeholder are only
/// recorded; Graph::run computes them for a feed, and backward() works on
/// the result as above. See graph.h.
///
/// Every op is one call to `record` with its forward and backward side by
/// side (ops.h lists them). Gradients that an op returns at a broadcast shape
/// are summed back to each input's shape by the engine (unbroadcast), in one
/// place for every op.

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "tensor/ops.h"

namespace nabla {

using Tensors = std::vector<Tensor>;
class Graph;

/// What an op's forward leaves for its backward.
struct Context {
  /// Tensors the backward reads (inputs, the output, masks, statistics).
  Tensors saved;
  /// Shapes of the inputs (filled before backward runs).
  std::vector<Shape> input_shapes;
  /// needs_grad[i]: whether input i needs a gradient; skip the others.
  std::vector<bool> needs_grad;
  /// Set before forward runs: whether backward can run (an input requires
  /// grad and grad mode is on), so forward may skip what only backward reads.
  bool requires_grad = false;
  /// For an op with several forward paths (oneDNN or reference kernels):
  /// the one forward took, for backward to follow.
  int path = 0;
};

/// forward(inputs, ctx) -> output; may fill ctx.saved.
using ForwardFn = std::function<Tensor(const Tensors& inputs, Context& ctx)>;
/// backward(grad_output, ctx) -> one gradient per input: at the input's shape
/// or at a shape it broadcast to; undefined where !ctx.needs_grad[i].
using BackwardFn = std::function<Tensors(const Tensor& grad_output, const Context& ctx)>;

namespace internal {

/// A node of the graph: a leaf (parameter, constant), a placeholder, or the
/// result of an op. Held by Variables through shared_ptr.
struct Node {
  Node();
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const char* op = "leaf";
  std::string name;
  Tensor value;
  Tensor grad;  // leaves: accumulated by backward()
  bool requires_grad = false;
  // Depends on a placeholder: its value is computed by Graph::run.
  bool deferred = false;
  std::vector<std::shared_ptr<Node>> inputs;
  ForwardFn forward;    // kept for deferred nodes only
  BackwardFn backward;  // empty when no input needs a gradient
  Context context;
  // Placeholders: the declared shape (-1 = any size) and dtype.
  Shape placeholder_shape;
  DType placeholder_dtype = kFloat32;
  Graph* graph = nullptr;  // deferred nodes: their graph; null once it is destroyed
  // Deferred nodes: the Graph::run that computed value and context, or
  // kFreed once a backward without retain_graph released the context.
  std::int64_t run = 0;
  static constexpr std::int64_t kFreed = -1;

  static std::atomic<std::int64_t> live_count;
};

}  // namespace internal

class Variable {
 public:
  /// An undefined variable.
  Variable() = default;
  /// A constant (or, with requires_grad, a leaf whose gradient backward fills).
  Variable(Tensor value, bool requires_grad = false);  // NOLINT: tensors convert implicitly

  bool defined() const { return node_ != nullptr; }
  /// The computed value; throws for a placeholder-dependent variable that
  /// Graph::run has not computed yet.
  const Tensor& value() const;
  /// The value's storage, for optimisers' in-place updates.
  Tensor& data();
  const Shape& shape() const { return value().shape(); }
  DType dtype() const { return value().dtype(); }
  /// The single element of a one-element value.
  double item() const { return value().item(); }

  bool requires_grad() const;
  /// Turns gradient tracking of a leaf on or off.
  Variable& set_requires_grad(bool requires_grad);
  /// The accumulated gradient of a leaf; undefined before any backward().
  const Tensor& grad() const;
  /// Forgets the accumulated gradient.
  void zero_grad();

  /// Fills grad() of every leaf this variable depends on. Needs a scalar
  /// output unless `grad_output` (the gradient of some scalar with respect
  /// to this variable, same shape) is given. Frees the saved intermediates
  /// unless retain_graph; a define-by-run graph is then released.
  void backward(const Tensor& grad_output = Tensor(), bool retain_graph = false) const;

  /// A constant holding the same value, cut off from the graph.
  Variable detach() const;

  const std::string& name() const;
  Variable& set_name(std::string name);
  /// The op that produced it ("leaf", "placeholder", "matmul", ...).
  const char* op() const;

  Variable matmul(const Variable& other) const;

  const std::shared_ptr<internal::Node>& node() const { return node_; }
  explicit Variable(std::shared_ptr<internal::Node> node) : node_(std::move(node)) {}

 private:
  const internal::Node& checked(const char* what) const;
  std::shared_ptr<internal::Node> node_;
};

/// Prints a variable as pytensor does, its name and op, then its value and
/// gradient:
///
///   Variable 'w' (leaf, requires_grad)
///   - value: tensor([1, 2], dtype=float32)
///   - grad:  tensor([0.5, 0.5], dtype=float32)
///
/// "none" for a gradient not computed yet; "not computed" for the value of a
/// placeholder-dependent variable before Graph::run.
std::ostream& operator<<(std::ostream& out, const Variable& variable);

/// A trainable leaf: requires_grad is on.
Variable parameter(Tensor value, std::string name = "");

/// Records one op application: runs `forward` now on the inputs' values (or,
/// when an input depends on a placeholder, when Graph::run asks), and keeps
/// `backward` when some input needs a gradient and grad mode is on.
Variable record(const char* op, std::initializer_list<Variable> inputs, ForwardFn forward, BackwardFn backward);
Variable record(const char* op, const std::vector<Variable>& inputs, ForwardFn forward, BackwardFn backward);

/// inputs[0] itself, once `check` has accepted the values of all inputs: at
/// once, or in Graph::run when an input depends on a placeholder (a fed shape
/// is known only then). The gradient passes to inputs[0]; the other inputs
/// only inform the check, and their gradient is 0.
Variable checked_identity(const char* op, std::initializer_list<Variable> inputs,
                          std::function<void(const Tensors& values)> check);

/// Whether ops record gradients on this thread (true unless a NoGradGuard lives).
bool grad_enabled();

/// Turns gradient recording off on this thread while it lives (inference,
/// optimiser updates).
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace nabla

#endif  // NABLA_AUTODIFF_VARIABLE_H_
