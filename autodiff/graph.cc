#include "autodiff/graph.h"

#include <algorithm>
#include <unordered_set>

namespace nabla {
namespace {

using internal::Node;

thread_local Graph* current = nullptr;

bool matches(const Shape& declared, const Shape& fed) {
  if (declared.size() != fed.size()) return false;
  for (std::size_t i = 0; i < declared.size(); ++i) {
    if (declared[i] != -1 && declared[i] != fed[i]) return false;
  }
  return true;
}

// Deferred nodes that the fetches need, inputs first (iterative DFS).
std::vector<Node*> deferred_order(const std::vector<Variable>& fetches) {
  std::vector<Node*> order;
  std::unordered_set<const Node*> visited;
  std::vector<std::pair<Node*, std::size_t>> stack;
  for (const Variable& fetch : fetches) {
    Node* root = fetch.node().get();
    if (!root->deferred || !visited.insert(root).second) continue;
    stack.emplace_back(root, 0);
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < node->inputs.size()) {
        Node* input = node->inputs[next++].get();
        if (input->deferred && visited.insert(input).second) stack.emplace_back(input, 0);
        continue;
      }
      order.push_back(node);
      stack.pop_back();
    }
  }
  return order;
}

}  // namespace

Variable Graph::placeholder(std::string name, Shape shape, DType dtype) {
  for (std::int64_t size : shape) {
    NABLA_CHECK(size >= -1, "placeholder '", name, "': sizes must be -1 (any) or non-negative, got ", shape);
  }
  auto node = std::make_shared<Node>();
  node->op = "placeholder";
  node->name = std::move(name);
  node->deferred = true;
  node->graph = this;
  node->placeholder_shape = std::move(shape);
  node->placeholder_dtype = dtype;
  adopt(node);
  placeholders_.emplace_back(node);
  return Variable(std::move(node));
}

Graph::~Graph() {
  for (const auto& weak : nodes_) {
    if (auto node = weak.lock()) node->graph = nullptr;
  }
}

void Graph::adopt(const std::shared_ptr<Node>& node) {
  // Forget nodes that died, so that a graph rebuilt in a loop stays small.
  if (nodes_.size() >= 64 && nodes_.size() == nodes_.capacity()) {
    nodes_.erase(std::remove_if(nodes_.begin(), nodes_.end(), [](const auto& n) { return n.expired(); }), nodes_.end());
  }
  nodes_.push_back(node);
}

std::vector<Variable> Graph::nodes() const {
  std::vector<Variable> alive;
  for (const auto& weak : nodes_) {
    if (auto node = weak.lock()) alive.emplace_back(std::move(node));
  }
  return alive;
}

Tensors Graph::run(const std::vector<Variable>& fetches, const Feeds& feeds) {
  for (const Variable& fetch : fetches) {
    NABLA_CHECK(fetch.defined(), "run: a fetched variable is undefined");
    NABLA_CHECK(!fetch.node()->deferred || fetch.node()->graph == this,
                "run: a fetched variable belongs to another graph");
  }
  for (auto feed = feeds.begin(); feed != feeds.end(); ++feed) {
    const auto& [placeholder, tensor] = *feed;
    NABLA_CHECK(placeholder.defined() && std::string_view(placeholder.op()) == "placeholder",
                "run: only placeholders can be fed");
    Node& node = *placeholder.node();
    NABLA_CHECK(std::none_of(feeds.begin(), feed,
                             [&](const auto& earlier) { return earlier.first.node() == placeholder.node(); }),
                "run: placeholder '", node.name, "' is fed twice");
    NABLA_CHECK(node.graph == this, "run: placeholder '", node.name, "' belongs to another graph");
    NABLA_CHECK(tensor.defined(), "run: the tensor fed to placeholder '", node.name, "' is undefined");
    NABLA_CHECK(tensor.dtype() == node.placeholder_dtype, "run: placeholder '", node.name, "' expects ",
                node.placeholder_dtype, ", fed ", tensor.dtype());
    NABLA_CHECK(matches(node.placeholder_shape, tensor.shape()), "run: placeholder '", node.name, "' expects shape ",
                node.placeholder_shape, ", fed ", tensor.shape());
  }
  ++runs_;
  // Clear the previous run's placeholder values so that a missing feed is caught.
  for (const Variable& placeholder : placeholders_) placeholder.node()->value = Tensor();
  for (const auto& [placeholder, tensor] : feeds) placeholder.node()->value = tensor;

  const std::vector<Node*> order = deferred_order(fetches);
  // The previous run's values go first: a forward that throws then leaves
  // its node and the ones after it without a value, which value() and
  // backward() refuse, rather than with the last run's values.
  for (Node* node : order) {
    if (std::string_view(node->op) == "placeholder") continue;
    node->value = Tensor();
    node->context = Context();
  }
  for (Node* node : order) {
    if (std::string_view(node->op) == "placeholder") {
      NABLA_CHECK(node->value.defined(), "run: placeholder '", node->name, "' is needed but not fed");
      continue;
    }
    Tensors values;
    values.reserve(node->inputs.size());
    node->context.requires_grad = node->requires_grad;
    for (const auto& input : node->inputs) values.push_back(input->value);
    node->value = node->forward(values, node->context);
    node->run = runs_;
  }
  Tensors results;
  for (const Variable& fetch : fetches) results.push_back(fetch.value());
  return results;
}

Graph& default_graph() {
  static Graph* graph = new Graph;  // never destroyed: variables may outlive main's statics
  return *graph;
}

GraphScope::GraphScope(Graph& graph) : previous_(current) { current = &graph; }
GraphScope::~GraphScope() { current = previous_; }

Graph& current_graph() { return current != nullptr ? *current : default_graph(); }

Variable placeholder(std::string name, Shape shape, DType dtype) {
  return current_graph().placeholder(std::move(name), std::move(shape), dtype);
}

}  // namespace nabla
