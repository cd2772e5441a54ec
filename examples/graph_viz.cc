// Pictures of a computation graph. Builds an MLP's loss once, on
// placeholders (a build-once graph), runs it on a batch so that every node
// knows its shape, and writes the graph as Graphviz DOT and as a
// self-contained HTML page (autodiff/export.h) into --output_dir. Then it
// trains on that same graph for --epochs full-batch SGD steps, to show the
// nodes are built once and run many times.
//
//   bazel run //examples:graph_viz -- --output_dir=/tmp/nabla
//   dot -Tpng /tmp/nabla/graph_viz.dot -o graph.png    # or open graph_viz.html

#include <cstdio>
#include <string>

#include "autodiff/export.h"
#include "autodiff/graph.h"
#include "io/file.h"
#include "data/synthetic.h"
#include "data/transforms.h"
#include "examples/common.h"
#include "nn/layers.h"
#include "nn/losses.h"
#include "nn/sequential.h"
#include "optim/sgd.h"

DEFINE_int32(hidden, 8, "units in the hidden layer");

int main(int argc, char** argv) {
  using namespace nabla;
  return examples::run_example(argc, argv, "Exports an MLP's build-once graph as DOT and HTML", {50, 64, 0.1}, [] {
    constexpr std::int64_t kFeatures = 4;
    constexpr std::int64_t kClasses = 3;
    data::Batch batch = data::make_blobs(FLAGS_batch_size, kClasses, kFeatures, 2.0, FLAGS_seed);
    const data::Moments moments = data::channel_moments(batch.inputs);
    batch.inputs = data::normalize(batch.inputs, moments.mean, moments.stddev);

    auto network = std::make_shared<nn::Sequential>();
    network->add(std::make_shared<nn::Dense>(nn::DenseOptions(kFeatures, FLAGS_hidden)));
    network->add(nn::ReLU());
    network->add(std::make_shared<nn::Dense>(nn::DenseOptions(FLAGS_hidden, kClasses)));

    Graph graph;
    GraphScope scope(graph);
    const Variable x = placeholder("x", {-1, kFeatures});
    const Variable labels = placeholder("labels", {-1}, kInt64);
    const Variable loss = nn::cross_entropy(network->forward(x), labels);
    const Feeds feeds = {{x, batch.inputs}, {labels, batch.labels}};

    // One run fills in every node's shape; export before backward().
    const double first_loss = graph.run({loss}, feeds)[0].item();
    const std::string dot = FLAGS_output_dir + "/graph_viz.dot";
    const std::string html = FLAGS_output_dir + "/graph_viz.html";
    io::write_file_atomic(dot, to_dot({loss}), "graph_viz");
    io::write_file_atomic(html, to_html({loss}, "MLP " + std::to_string(kFeatures) + "-" +
                                                                std::to_string(FLAGS_hidden) + "-" +
                                                                std::to_string(kClasses) + " loss"),
                                      "graph_viz");
    std::printf("graph: %zu nodes (placeholders and ops)\n", graph.nodes().size());
    std::printf("DOT: %s\nHTML: %s\n", dot.c_str(), html.c_str());

    optim::SGD sgd(network->parameters(), optim::SGDOptions(FLAGS_learning_rate).momentum(0.9));
    for (int step = 0; step < FLAGS_epochs; ++step) {
      sgd.zero_grad();
      graph.run({loss}, feeds);
      loss.backward();
      sgd.step();
    }
    const double last_loss = graph.run({loss}, feeds)[0].item();
    std::printf("loss %.4f before training, %.4f after %d SGD steps on the same graph\n", first_loss, last_loss,
                FLAGS_epochs);
  });
}
