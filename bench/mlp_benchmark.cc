// The MLP anchors, written with nabla as a user would:
//   BM_MlpTrain mirrors ../shared/anchors/mlp_train.cpp: MLP 784-256-256-10
//     (ReLU), softmax cross-entropy, SGD(lr 0.01, momentum 0.9); one
//     iteration = zero_grad + forward + loss + backward + step + loss.item();
//     batch 64 and 256 from 4096 synthetic samples; samples/s.
//   BM_MlpInferLatency / BM_MlpInferThroughput mirror mlp_infer.cpp: the
//     same MLP in evaluation mode without recording; batch 1 latency (us)
//     and batch 256 throughput (samples/s).

#include <memory>

#include "bench/harness.h"
#include "nn/layers.h"
#include "nn/sequential.h"

namespace nabla::bench {
namespace {

std::shared_ptr<nn::Sequential> make_mlp() {
  auto mlp = std::make_shared<nn::Sequential>();
  mlp->add(std::make_shared<nn::Dense>(nn::DenseOptions(784, 256)));
  mlp->add(nn::ReLU());
  mlp->add(std::make_shared<nn::Dense>(nn::DenseOptions(256, 256)));
  mlp->add(nn::ReLU());
  mlp->add(std::make_shared<nn::Dense>(nn::DenseOptions(256, 10)));
  return mlp;
}

const Dataset& training_set() {
  static const Dataset dataset = [] {
    Generator generator(0);
    return synthetic_dataset({4096, 784}, 10, generator);
  }();
  return dataset;
}

// Arguments: threads, batch.
void BM_MlpTrain(benchmark::State& state) {
  set_threads(state);
  const std::int64_t batch = state.range(1);
  const Batches batches = split_batches(training_set(), batch);
  manual_seed(1);
  const auto mlp = make_mlp();
  time_sgd_training(state, *mlp, batches);
  report_rate(state, "samples/s", static_cast<double>(batch));
}
BENCHMARK(BM_MlpTrain)->ArgNames({"threads", "batch"})->ArgsProduct({kThreadCounts, {64, 256}})->Apply(anchor_method);

// Logits of `batch` samples, in evaluation mode and without recording.
void infer(benchmark::State& state, std::int64_t batch) {
  set_threads(state);
  manual_seed(0);
  const auto mlp = make_mlp();
  mlp->eval();
  NoGradGuard no_grad;
  Generator generator(0);
  const Variable x(normal({batch, 784}, 0, 1, generator));
  for (auto _ : state) benchmark::DoNotOptimize(mlp->forward(x).value().data<float>());
}

void BM_MlpInferLatency(benchmark::State& state) {
  infer(state, 1);
  report_time(state, "us", 1, 1e6);
}
BENCHMARK(BM_MlpInferLatency)
    ->ArgNames({"threads"})
    ->ArgsProduct({kThreadCounts})
    ->Apply(anchor_method)
    ->Unit(benchmark::kMicrosecond);

void BM_MlpInferThroughput(benchmark::State& state) {
  infer(state, 256);
  report_rate(state, "samples/s", 256);
}
BENCHMARK(BM_MlpInferThroughput)->ArgNames({"threads"})->ArgsProduct({kThreadCounts})->Apply(anchor_method);

}  // namespace
}  // namespace nabla::bench
