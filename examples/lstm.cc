// An LSTM classifier on Fashion-MNIST read row by row: each 28 x 28 image
// is a sequence of 28 steps of 28 pixels. LSTM(28 -> 128), then a Dense
// layer on the final hidden state; softmax cross-entropy, Adam.
//
//   bazel run //examples:lstm -- --threads=2

#include <cstdio>

#include "autodiff/ops.h"
#include "data/datasets.h"
#include "examples/common.h"
#include "nn/layers.h"
#include "nn/recurrent.h"
#include "nn/sequential.h"
#include "optim/adam.h"

DEFINE_int32(hidden, 128, "LSTM units");
DEFINE_int64(train_limit, 0, "train on the first N images only (0: all); for smoke tests");

namespace nabla::examples {

// images [N, 1, 28, 28] -> rows as steps [N, 28, 28] -> LSTM -> the last
// hidden state [N, H] -> class scores [N, 10].
class RowClassifier : public nn::Module {
 public:
  explicit RowClassifier(std::int64_t hidden)
      : lstm_(register_module("lstm", std::make_shared<nn::LSTM>(nn::LSTMOptions(28, hidden).forget_bias(1.0)))),
        head_(register_module("head", std::make_shared<nn::Dense>(nn::DenseOptions(hidden, 10)))) {}

  Variable forward(const Variable& images) override {
    const nn::RecurrentOutput out = lstm_->forward_with_state(reshape(images, {-1, 28, 28}));
    return head_->forward(reshape(out.h, {-1, lstm_->options().hidden_size()}));  // h: [1, N, H]
  }
  std::string type_name() const override { return "RowClassifier"; }

 private:
  std::shared_ptr<nn::LSTM> lstm_;
  std::shared_ptr<nn::Dense> head_;
};

}  // namespace nabla::examples

int main(int argc, char** argv) {
  using namespace nabla;
  return examples::run_example(argc, argv, "LSTM over the rows of Fashion-MNIST images", {4, 64, 2e-3}, [] {
    NABLA_CHECK(FLAGS_train_limit >= 0, "--train_limit must not be negative, got ", FLAGS_train_limit);
    data::Batch train = data::load_fashion_mnist(data::Part::kTrain);
    const data::Batch test = data::load_fashion_mnist(data::Part::kTest);
    if (FLAGS_train_limit > 0) {
      train.inputs = train.inputs.slice(0, 0, FLAGS_train_limit);
      train.labels = train.labels.slice(0, 0, FLAGS_train_limit);
    }
    auto network = std::make_shared<examples::RowClassifier>(FLAGS_hidden);
    std::printf("%s", nn::summary(*network, {1, 28, 28}).c_str());
    nn::Model model(network);
    auto adam = std::make_shared<optim::Adam>(network->parameters(), optim::AdamOptions(FLAGS_learning_rate));
    model.compile(nn::cross_entropy_loss(), adam, {nn::accuracy()});
    auto test_set = std::make_shared<data::TensorDataset>(test);
    nn::FitOptions options;
    options.epochs(FLAGS_epochs).batch_size(FLAGS_batch_size).seed(FLAGS_seed).validation_data(test_set);
    options.callbacks(examples::cosine_decay(*adam, FLAGS_epochs));
    const nn::History history = model.fit(std::make_shared<data::TensorDataset>(train), options);
    examples::save_history(history, "lstm");
    const nn::Logs result = model.evaluate(test_set);
    std::printf("test accuracy %.4f, test loss %.4f\n", result.at("accuracy"), result.at("loss"));
  });
}
