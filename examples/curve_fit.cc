// Regression with an MLP: fit y = x² on [2, 10] from 256 sampled points.
// Inputs are mapped linearly onto [-1, 1] and targets standardised (with
// the training set's mean and standard deviation), so that tanh units and
// the default initialisation see values of order 1; predictions are mapped
// back to y's units. Mean squared error, Adam. The trained net is saved as
// JSON (<output_dir>/curve_fit.json); --restore reads such a file back to
// continue training from it.
//
//   bazel run //examples:curve_fit
//   bazel run //examples:curve_fit -- --restore=/tmp/nabla/curve_fit.json --epochs=100

#include <cmath>
#include <cstdio>
#include <vector>

#include "checkpoint/checkpoint.h"
#include "data/synthetic.h"
#include "data/transforms.h"
#include "examples/common.h"
#include "examples/small_data.h"
#include "nn/layers.h"
#include "nn/sequential.h"
#include "optim/adam.h"
#include "tensor/ops.h"

DEFINE_int32(points, 256, "training points");
DEFINE_int32(hidden, 32, "units in each of the two hidden tanh layers");
DEFINE_double(noise, 0.0, "standard deviation of the noise added to the training targets");
DEFINE_string(restore, "", "start from this curve_fit.json (saved with the same --hidden, --points, --noise, --seed)");

namespace {

constexpr double kLow = 2.0;
constexpr double kHigh = 10.0;

double parabola(double x) { return x * x; }

}  // namespace

int main(int argc, char** argv) {
  using namespace nabla;
  return examples::run_example(argc, argv, "MLP fitting y = x^2 on [2, 10]", {300, 32, 1e-2}, [] {
    const data::Batch train = data::make_curve(FLAGS_points, parabola, kLow, kHigh, FLAGS_noise, FLAGS_seed);
    const data::Batch test = data::make_curve(100, parabola, kLow, kHigh, 0.0, FLAGS_seed + 1);

    // x: [2, 10] -> [-1, 1]; y: (y - mean) / stddev of the training targets.
    const auto scale_x = [](const Tensor& x) { return data::scale_range(x, kLow, kHigh, -1.0, 1.0); };
    const data::Moments y_moments = data::channel_moments(train.labels);
    const double y_mean = y_moments.mean[0];
    const double y_stddev = y_moments.stddev[0];
    const auto scale_y = [&](const Tensor& y) { return data::normalize(y, {y_mean}, {y_stddev}); };
    const auto unscale_y = [&](const Tensor& y) { return y * y_stddev + y_mean; };
    std::printf("y = x^2: %d training points on [%.0f, %.0f], targets standardised with mean %.3f, stddev %.3f\n",
                FLAGS_points, kLow, kHigh, y_mean, y_stddev);

    auto network = std::make_shared<nn::Sequential>();
    network->add(std::make_shared<nn::Dense>(nn::DenseOptions(1, FLAGS_hidden)));
    network->add(nn::Tanh());
    network->add(std::make_shared<nn::Dense>(nn::DenseOptions(FLAGS_hidden, FLAGS_hidden)));
    network->add(nn::Tanh());
    network->add(std::make_shared<nn::Dense>(nn::DenseOptions(FLAGS_hidden, 1)));

    if (!FLAGS_restore.empty()) {
      checkpoint::load_json(examples::from_working_directory(FLAGS_restore), *network);
      std::printf("restored: %s\n", FLAGS_restore.c_str());
    }

    nn::Model model(network);
    model.compile(nn::mse_loss_function(),
                  std::make_shared<optim::Adam>(network->parameters(), optim::AdamOptions(FLAGS_learning_rate)));
    const auto train_set = std::make_shared<data::TensorDataset>(scale_x(train.inputs), scale_y(train.labels));
    const auto test_set = std::make_shared<data::TensorDataset>(scale_x(test.inputs), scale_y(test.labels));
    nn::FitOptions options;
    options.epochs(FLAGS_epochs).batch_size(FLAGS_batch_size).seed(FLAGS_seed).validation_data(test_set).verbose(0);
    options.callbacks({examples::print_every(25, FLAGS_epochs)});
    const nn::History history = model.fit(train_set, options);
    examples::save_history(history, "curve_fit");
    const std::string saved = FLAGS_output_dir + "/curve_fit.json";
    checkpoint::save_json(saved, *network);
    std::printf("model: %s\n", saved.c_str());

    // Errors in y's own units.
    const auto mse = [&](const data::Batch& batch) {
      const Tensor prediction = unscale_y(model.predict(scale_x(batch.inputs)));
      return mean(square(prediction - batch.labels)).item();
    };
    const std::vector<double> xs = {2.0, 3.5, 5.0, 6.5, 8.0, 9.5, 10.0};
    const Tensor grid = from_vector(xs, {static_cast<std::int64_t>(xs.size()), 1}).astype(kFloat32);
    const std::vector<double> predictions = unscale_y(model.predict(scale_x(grid))).to_vector<double>();
    std::printf("     x   prediction      x^2\n");
    for (std::size_t i = 0; i < xs.size(); ++i) {
      std::printf("%6.2f %12.4f %8.4f\n", xs[i], predictions[i], parabola(xs[i]));
    }
    std::printf("train MSE %.6f, test MSE %.6f (in y units; y spans [4, 100])\n", mse(train), mse(test));
  });
}
