// BM_LstmTrain mirrors ../shared/anchors/lstm_train.cpp with nabla: a
// single-layer LSTM(64 -> 128) over sequences of 32 steps, batch 32 (16
// synthetic batches), a dense layer 128 -> 10 on the last step, softmax
// cross-entropy, SGD(lr 0.01, momentum 0.9); one iteration = zero_grad +
// forward + BPTT + step + loss.item(); sequences/s. nabla's LSTM is
// batch-first, so a batch is [32 sequences, 32 steps, 64] where libtorch's
// is [32 steps, 32 sequences, 64]: the same work.

#include <memory>

#include "autodiff/ops.h"
#include "bench/harness.h"
#include "nn/layers.h"
#include "nn/recurrent.h"

namespace nabla::bench {
namespace {

constexpr std::int64_t kSequences = 32, kSteps = 32, kFeatures = 64, kHidden = 128;

// [N, T, 64] -> LSTM -> the hidden state of the last step [N, 128] -> [N, 10].
class SequenceClassifier : public nn::Module {
 public:
  SequenceClassifier()
      : lstm_(register_module("lstm", std::make_shared<nn::LSTM>(nn::LSTMOptions(kFeatures, kHidden)))),
        head_(register_module("head", std::make_shared<nn::Dense>(nn::DenseOptions(kHidden, 10)))) {}

  Variable forward(const Variable& sequences) override {
    const Variable hidden = lstm_->forward(sequences);  // [N, T, H]
    const std::int64_t steps = hidden.shape()[1];
    return head_->forward(reshape(slice(hidden, 1, steps - 1, steps), {-1, kHidden}));
  }
  std::string type_name() const override { return "SequenceClassifier"; }

 private:
  std::shared_ptr<nn::LSTM> lstm_;
  std::shared_ptr<nn::Dense> head_;
};

// Argument: threads.
void BM_LstmTrain(benchmark::State& state) {
  set_threads(state);
  static const Dataset dataset = [] {
    Generator generator(0);
    return synthetic_dataset({16 * kSequences, kSteps, kFeatures}, 10, generator);
  }();
  const Batches batches = split_batches(dataset, kSequences);
  manual_seed(1);
  SequenceClassifier model;
  time_sgd_training(state, model, batches);
  report_rate(state, "seq/s", kSequences);
}
BENCHMARK(BM_LstmTrain)->ArgNames({"threads"})->ArgsProduct({kThreadCounts})->Apply(anchor_method)->MinTime(0.4);

}  // namespace
}  // namespace nabla::bench
