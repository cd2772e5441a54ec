#include "autodiff/variable.h"

#include "autodiff/engine.h"
#include "autodiff/graph.h"
#include "autodiff/ops.h"

namespace nabla {
namespace internal {

std::atomic<std::int64_t> Node::live_count{0};

Node::Node() { live_count.fetch_add(1, std::memory_order_relaxed); }

// Releases the inputs iteratively: destroying a long chain of nodes (an
// unrolled LSTM, 10,000 chained adds) recursively would overflow the stack.
Node::~Node() {
  thread_local std::vector<std::shared_ptr<Node>> orphans;
  thread_local bool draining = false;
  for (std::shared_ptr<Node>& input : inputs) {
    if (input.use_count() == 1) orphans.push_back(std::move(input));
  }
  inputs.clear();
  live_count.fetch_sub(1, std::memory_order_relaxed);
  if (draining) return;
  draining = true;
  while (!orphans.empty()) {
    std::shared_ptr<Node> last = std::move(orphans.back());
    orphans.pop_back();
    last.reset();  // its destructor queues its own inputs instead of recursing
  }
  draining = false;
}

}  // namespace internal

namespace {

thread_local bool grad_mode_enabled = true;

}  // namespace

bool grad_enabled() { return grad_mode_enabled; }

NoGradGuard::NoGradGuard() : previous_(grad_mode_enabled) { grad_mode_enabled = false; }
NoGradGuard::~NoGradGuard() { grad_mode_enabled = previous_; }

Variable::Variable(Tensor value, bool requires_grad) : node_(std::make_shared<internal::Node>()) {
  NABLA_CHECK(value.defined(), "Variable: the tensor is undefined (default-constructed)");
  NABLA_CHECK(!requires_grad || is_floating(value.dtype()), "Variable: only float tensors can require grad, got ",
              value.dtype(), " of shape ", value.shape());
  node_->value = std::move(value);
  node_->requires_grad = requires_grad;
}

const internal::Node& Variable::checked(const char* what) const {
  NABLA_CHECK(node_ != nullptr, what, ": the variable is undefined (default-constructed)");
  return *node_;
}

const Tensor& Variable::value() const {
  const internal::Node& node = checked("value");
  NABLA_CHECK(node.value.defined(), "value: '", node.name.empty() ? node.op : node.name,
              "' depends on a placeholder and has not been computed; call Graph::run with a feed first");
  return node.value;
}

Tensor& Variable::data() {
  value();
  return node_->value;
}

bool Variable::requires_grad() const { return checked("requires_grad").requires_grad; }

Variable& Variable::set_requires_grad(bool requires_grad) {
  const internal::Node& node = checked("set_requires_grad");
  NABLA_CHECK(!node.backward && node.inputs.empty(), "set_requires_grad: '", node.op,
              "' is the result of an op; only leaves can change requires_grad (use detach())");
  NABLA_CHECK(!requires_grad || node.deferred || is_floating(node.value.dtype()),
              "set_requires_grad: only float tensors can require grad, got ", node.value.dtype());
  node_->requires_grad = requires_grad;
  return *this;
}

const Tensor& Variable::grad() const { return checked("grad").grad; }

void Variable::zero_grad() {
  checked("zero_grad");
  node_->grad = Tensor();
}

void Variable::backward(const Tensor& grad_output, bool retain_graph) const {
  checked("backward");
  internal::run_backward(*this, grad_output, retain_graph);
}

Variable Variable::detach() const { return Variable(value()); }

const std::string& Variable::name() const { return checked("name").name; }

Variable& Variable::set_name(std::string name) {
  checked("set_name");
  node_->name = std::move(name);
  return *this;
}

const char* Variable::op() const { return checked("op").op; }

Variable parameter(Tensor value, std::string name) {
  Variable result(std::move(value), true);
  result.set_name(std::move(name));
  return result;
}

namespace {

// The input values handed to a forward function. The vectors are reused
// (per thread; nested ops take their own): allocating one per op was a
// tenth of a small op's cost.
class ValueList {
 public:
  ValueList() {
    if (!spare().empty()) {
      values_ = std::move(spare().back());
      spare().pop_back();
    }
  }
  ~ValueList() {
    values_.clear();
    spare().push_back(std::move(values_));
  }
  ValueList(const ValueList&) = delete;
  ValueList& operator=(const ValueList&) = delete;

  Tensors& values() { return values_; }

 private:
  static std::vector<Tensors>& spare() {
    thread_local std::vector<Tensors> lists;
    return lists;
  }
  Tensors values_;
};

Variable record_inputs(const char* op, const Variable* inputs, std::size_t count, ForwardFn& forward,
                       BackwardFn& backward) {
  auto node = std::make_shared<internal::Node>();
  node->op = op;
  bool needs_grad = false;
  for (const Variable* input = inputs; input != inputs + count; ++input) {
    NABLA_CHECK(input->defined(), op, ": an input variable is undefined (default-constructed)");
    const internal::Node& in = *input->node();
    needs_grad = needs_grad || in.requires_grad;
    if (in.deferred) {
      NABLA_CHECK(in.graph != nullptr, op, ": an input depends on a placeholder of a Graph that no longer exists");
      NABLA_CHECK(node->graph == nullptr || node->graph == in.graph, op,
                  ": inputs come from placeholders of two different graphs");
      node->deferred = true;
      node->graph = in.graph;
    }
  }
  needs_grad = needs_grad && grad_enabled();
  node->requires_grad = needs_grad;
  if (node->deferred || needs_grad) {
    node->inputs.reserve(count);
    for (const Variable* input = inputs; input != inputs + count; ++input) node->inputs.push_back(input->node());
  }
  if (needs_grad) node->backward = std::move(backward);
  if (node->deferred) {
    node->forward = std::move(forward);
    node->graph->adopt(node);
    return Variable(std::move(node));
  }
  ValueList list;
  for (const Variable* input = inputs; input != inputs + count; ++input) list.values().push_back(input->value());
  node->context.requires_grad = needs_grad;
  node->value = forward(list.values(), node->context);
  if (!needs_grad) node->context.saved.clear();  // nothing will read it
  return Variable(std::move(node));
}

}  // namespace

// The initializer-list form spares the fixed-arity ops a vector per call.
std::ostream& operator<<(std::ostream& out, const Variable& variable) {
  if (!variable.defined()) return out << "Variable(undefined)";
  const internal::Node& node = *variable.node();
  out << "Variable";
  if (!node.name.empty()) out << " '" << node.name << "'";
  out << " (" << node.op << (node.requires_grad ? ", requires_grad" : "") << ")\n- value: ";
  if (node.value.defined()) {
    out << node.value;
  } else {
    out << "not computed (call Graph::run)";
  }
  out << "\n- grad:  ";
  if (node.grad.defined()) return out << node.grad;
  return out << "none";
}

Variable record(const char* op, std::initializer_list<Variable> inputs, ForwardFn forward, BackwardFn backward) {
  return record_inputs(op, inputs.begin(), inputs.size(), forward, backward);
}

Variable record(const char* op, const std::vector<Variable>& inputs, ForwardFn forward, BackwardFn backward) {
  return record_inputs(op, inputs.data(), inputs.size(), forward, backward);
}

Variable checked_identity(const char* op, std::initializer_list<Variable> inputs,
                          std::function<void(const Tensors& values)> check) {
  return record(
      op, inputs,
      [check = std::move(check)](const Tensors& in, Context&) {
        check(in);
        return in[0];
      },
      [](const Tensor& g, const Context& c) {
        Tensors grads(c.needs_grad.size());
        grads[0] = g;
        for (std::size_t i = 1; i < grads.size(); ++i) {
          if (c.needs_grad[i]) grads[i] = zeros({}, g.dtype()).broadcast_to(c.input_shapes[i]);
        }
        return grads;
      });
}

Variable Variable::matmul(const Variable& other) const { return nabla::matmul(*this, other); }

}  // namespace nabla
