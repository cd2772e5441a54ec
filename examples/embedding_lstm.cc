// Embedding + LSTM on a synthetic memory task: each example is a sequence
// of 20 random tokens from a vocabulary of 10, and its class is the first
// token, which the network must carry through the 19 steps that follow.
// Chance is 10%. --cell=gru or --cell=rnn (Elman, tanh) puts another
// recurrent layer in the LSTM's place.
//
//   bazel run //examples:embedding_lstm
//   bazel run //examples:embedding_lstm -- --cell=gru

#include <cstdio>

#include "autodiff/ops.h"
#include "examples/common.h"
#include "nn/layers.h"
#include "nn/recurrent.h"
#include "nn/sequential.h"
#include "optim/adam.h"

DEFINE_int32(sequence_length, 20, "tokens per sequence");
DEFINE_int32(train_size, 8000, "training sequences");
DEFINE_string(cell, "lstm", "the recurrent layer: lstm, gru or rnn");

namespace nabla::examples {
namespace {

constexpr std::int64_t kVocabulary = 10;

std::shared_ptr<nn::Recurrent> recurrent_layer(const std::string& cell) {
  if (cell == "lstm") return std::make_shared<nn::LSTM>(nn::LSTMOptions(16, 64).forget_bias(1.0));
  if (cell == "gru") return std::make_shared<nn::GRU>(nn::GRUOptions(16, 64));
  NABLA_CHECK(cell == "rnn", "--cell must be lstm, gru or rnn, got '", cell, "'");
  return std::make_shared<nn::RNN>(nn::RNNOptions(16, 64));
}

// token ids [N, T] (int64) -> embeddings [N, T, 16] -> LSTM (or --cell) ->
// final hidden state [N, 64] -> class scores [N, 10].
class TokenClassifier : public nn::Module {
 public:
  explicit TokenClassifier(const std::string& cell)
      : embedding_(register_module("embedding", std::make_shared<nn::Embedding>(nn::EmbeddingOptions(kVocabulary, 16)))),
        recurrent_(register_module(cell, recurrent_layer(cell))),
        head_(register_module("head", std::make_shared<nn::Dense>(nn::DenseOptions(64, kVocabulary)))) {}

  Variable forward(const Variable& tokens) override {
    const nn::RecurrentOutput out = recurrent_->forward_with_state(embedding_->forward(tokens));
    return head_->forward(reshape(out.h, {-1, 64}));  // h: [1, N, 64]
  }
  std::string type_name() const override { return "TokenClassifier"; }

 private:
  std::shared_ptr<nn::Embedding> embedding_;
  std::shared_ptr<nn::Recurrent> recurrent_;
  std::shared_ptr<nn::Dense> head_;
};

std::shared_ptr<data::TensorDataset> first_token_task(std::int64_t count, std::uint64_t seed) {
  Generator generator(seed);
  Tensor tokens({count, FLAGS_sequence_length}, kInt64);
  std::int64_t* ids = tokens.data<std::int64_t>();
  for (std::int64_t i = 0; i < tokens.numel(); ++i) ids[i] = generator.below(kVocabulary);
  return std::make_shared<data::TensorDataset>(tokens, tokens.select(1, 0).contiguous());
}

}  // namespace
}  // namespace nabla::examples

int main(int argc, char** argv) {
  using namespace nabla;
  return examples::run_example(argc, argv, "Embedding + LSTM: remember the first token", {30, 64, 3e-3}, [] {
    NABLA_CHECK(FLAGS_sequence_length >= 1 && FLAGS_train_size >= 1,
                "--sequence_length and --train_size must be positive");
    auto train = examples::first_token_task(FLAGS_train_size, FLAGS_seed + 1);
    auto test = examples::first_token_task(2000, FLAGS_seed + 2);
    auto network = std::make_shared<examples::TokenClassifier>(FLAGS_cell);
    nn::Model model(network);
    model.compile(nn::cross_entropy_loss(),
                  std::make_shared<optim::Adam>(network->parameters(), optim::AdamOptions(FLAGS_learning_rate)),
                  {nn::accuracy()});
    nn::FitOptions options;
    options.epochs(FLAGS_epochs).batch_size(FLAGS_batch_size).seed(FLAGS_seed).validation_data(test);
    const nn::History history = model.fit(train, options);
    examples::save_history(history, "embedding_lstm");
    const nn::Logs result = model.evaluate(test);
    std::printf("test accuracy %.4f (chance 0.1), test loss %.4f\n", result.at("accuracy"), result.at("loss"));
  });
}
