#ifndef NABLA_AUTODIFF_GRAPH_H_
#define NABLA_AUTODIFF_GRAPH_H_

/// Build once, run many: placeholders, feeds and Graph::run.
///
/// Ops applied to a placeholder are recorded, not run. Graph::run computes
/// the fetched variables for a feed, reusing the same nodes every time;
/// backward() then fills the parameters' gradients as in define-by-run.
///
///   Graph graph;
///   GraphScope scope(graph);
///   Variable x = placeholder("x", {-1, 784});           // -1: any batch size
///   Variable labels = placeholder("labels", {-1}, kInt64);
///   Variable loss = cross_entropy(matmul(x, w) + b, labels);
///   for (const Batch& batch : loader) {
///     graph.run({loss}, {{x, batch.inputs}, {labels, batch.labels}});
///     loss.backward();
///     optimizer.step();
///   }

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/variable.h"

namespace nabla {

/// Placeholder-value pairs: {{x, images}, {labels, targets}}.
using Feeds = std::vector<std::pair<Variable, Tensor>>;

class Graph {
 public:
  Graph() = default;
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;
  /// Variables recorded on this graph outlive it, but cannot be run,
  /// differentiated or used in new ops: doing so throws.
  ~Graph();

  /// A placeholder of this graph: shape sizes of -1 accept any size.
  Variable placeholder(std::string name, Shape shape, DType dtype = kFloat32);

  /// Computes `fetches` with each placeholder bound to its fed tensor and
  /// returns their values. Throws naming the placeholder when one that is
  /// needed is not fed, or when a fed tensor's dtype or shape does not match
  /// its declaration (both shapes in the message).
  Tensors run(const std::vector<Variable>& fetches, const Feeds& feeds);

  /// The placeholders and recorded ops that are still alive, in creation order.
  std::vector<Variable> nodes() const;

  /// Registers a recorded node; called by record().
  void adopt(const std::shared_ptr<internal::Node>& node);

 private:
  std::vector<std::weak_ptr<internal::Node>> nodes_;
  std::vector<Variable> placeholders_;
  std::int64_t runs_ = 0;  // run() calls so far: the stamp of the nodes each computes
};

/// The graph that placeholder() uses when no GraphScope is active.
Graph& default_graph();

/// Makes `graph` the current graph of this thread while it lives.
class GraphScope {
 public:
  explicit GraphScope(Graph& graph);
  ~GraphScope();
  GraphScope(const GraphScope&) = delete;
  GraphScope& operator=(const GraphScope&) = delete;

 private:
  Graph* previous_;
};

/// The current graph: the innermost GraphScope's, else default_graph().
Graph& current_graph();

/// A placeholder in the current graph.
Variable placeholder(std::string name, Shape shape, DType dtype = kFloat32);

}  // namespace nabla

#endif  // NABLA_AUTODIFF_GRAPH_H_
