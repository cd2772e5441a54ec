// Three interleaved spiral arms (CS231n's toy set, data::make_spiral), which
// no linear model separates: an MLP with two hidden ReLU layers, softmax
// cross-entropy, Adam. The goal is to fit the training points (≥ 97%); a
// second spiral drawn with another seed shows how well the boundary holds.
//
//   bazel run //examples:spiral

#include <cstdio>

#include "data/synthetic.h"
#include "examples/common.h"
#include "examples/small_data.h"
#include "nn/layers.h"
#include "nn/sequential.h"
#include "optim/adam.h"

DEFINE_int32(points, 100, "points per arm");
DEFINE_int32(classes, 3, "number of arms");
DEFINE_double(noise, 0.2, "standard deviation of the angle noise");
DEFINE_int32(hidden, 64, "units in each of the two hidden layers");

int main(int argc, char** argv) {
  using namespace nabla;
  return examples::run_example(argc, argv, "MLP on a 3-class spiral", {300, 32, 1e-2}, [] {
    const auto train = std::make_shared<data::TensorDataset>(
        data::make_spiral(FLAGS_points, FLAGS_classes, FLAGS_noise, FLAGS_seed));
    const auto fresh = std::make_shared<data::TensorDataset>(
        data::make_spiral(FLAGS_points, FLAGS_classes, FLAGS_noise, FLAGS_seed + 1));
    std::printf("spiral: %d arms of %d points, noise %.2f\n", FLAGS_classes, FLAGS_points, FLAGS_noise);

    auto network = std::make_shared<nn::Sequential>();
    network->add(std::make_shared<nn::Dense>(nn::DenseOptions(2, FLAGS_hidden)));
    network->add(nn::ReLU());
    network->add(std::make_shared<nn::Dense>(nn::DenseOptions(FLAGS_hidden, FLAGS_hidden)));
    network->add(nn::ReLU());
    network->add(std::make_shared<nn::Dense>(nn::DenseOptions(FLAGS_hidden, FLAGS_classes)));
    std::printf("%s", nn::summary(*network, {2}).c_str());

    nn::Model model(network);
    model.compile(nn::cross_entropy_loss(),
                  std::make_shared<optim::Adam>(network->parameters(), optim::AdamOptions(FLAGS_learning_rate)),
                  {nn::accuracy()});
    nn::FitOptions options;
    options.epochs(FLAGS_epochs).batch_size(FLAGS_batch_size).seed(FLAGS_seed).verbose(0);
    options.callbacks({examples::print_every(25, FLAGS_epochs)});
    const nn::History history = model.fit(train, options);
    examples::save_history(history, "spiral");

    const nn::Logs fitted = model.evaluate(train);
    const nn::Logs other = model.evaluate(fresh);
    std::printf("train accuracy %.4f, train loss %.4f, accuracy on a fresh spiral %.4f\n", fitted.at("accuracy"),
                fitted.at("loss"), other.at("accuracy"));
  });
}
