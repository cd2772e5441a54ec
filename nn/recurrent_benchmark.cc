// Training throughput of the recurrent layers on the workload of the LSTM
// goal (2x libtorch): LSTM(64 -> 128) over sequences of 32 steps, batch 32,
// then Dense(128 -> 10) on the last step and cross-entropy; one iteration is
// forward + backward (gradients zeroed first), float32. Items are sequences,
// so items/s is sequences/s. Threads follow OMP_NUM_THREADS.

#include <benchmark/benchmark.h>

#include <limits>
#include <memory>

#include "autodiff/ops.h"
#include "nn/layers.h"
#include "nn/losses.h"
#include "nn/recurrent.h"

namespace nabla::nn {
namespace {

constexpr std::int64_t kBatch = 32, kSteps = 32, kInput = 64, kHidden = 128, kClasses = 10;

template <typename Layer, typename Options>
void train_step(benchmark::State& state) {
  Generator generator(0);
  Layer recurrent(Options(kInput, kHidden).generator(&generator));
  Dense head(DenseOptions(kHidden, kClasses).generator(&generator));
  const Variable x(normal({kBatch, kSteps, kInput}, 0, 1, generator));
  Tensor labels({kBatch}, kInt64);
  for (std::int64_t n = 0; n < kBatch; ++n) labels.data<std::int64_t>()[n] = generator.below(kClasses);
  const Variable targets(labels);
  for (auto _ : state) {
    recurrent.zero_grad();
    head.zero_grad();
    const Variable hs = recurrent.forward(x);                                                // [N, T, H]
    const Variable last = flatten(slice(hs, 1, -1, std::numeric_limits<std::int64_t>::max()), 1, 2);  // [N, H]
    const Variable loss = cross_entropy(head.forward(last), targets);
    loss.backward();
    benchmark::DoNotOptimize(loss.value().data<float>());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

void BM_LstmTrainStep(benchmark::State& state) { train_step<LSTM, LSTMOptions>(state); }
BENCHMARK(BM_LstmTrainStep)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_GruTrainStep(benchmark::State& state) { train_step<GRU, GRUOptions>(state); }
BENCHMARK(BM_GruTrainStep)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_RnnTrainStep(benchmark::State& state) { train_step<RNN, RNNOptions>(state); }
BENCHMARK(BM_RnnTrainStep)->Unit(benchmark::kMillisecond)->UseRealTime();

// Forward only, without recording (inference).
void BM_LstmForward(benchmark::State& state) {
  Generator generator(0);
  LSTM lstm(LSTMOptions(kInput, kHidden).generator(&generator));
  const Variable x(normal({kBatch, kSteps, kInput}, 0, 1, generator));
  NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(lstm.forward(x).value().data<float>());
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_LstmForward)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace nabla::nn
