#include "bench/harness.h"

#include "nn/losses.h"
#include "optim/sgd.h"
#include "tensor/backend.h"

namespace nabla::bench {

void anchor_method(benchmark::internal::Benchmark* benchmark) {
  // OpenMP workers do the work, so CPU time of the main thread would
  // undercount: every figure is per second of real time.
  benchmark->UseRealTime();
  benchmark->MinWarmUpTime(0.5);
  benchmark->MinTime(0.3);
  benchmark->Repetitions(7);
  benchmark->ReportAggregatesOnly(true);
  benchmark->Unit(benchmark::kMillisecond);
}

void set_threads(const benchmark::State& state) { set_num_threads(static_cast<int>(state.range(0))); }

void report_rate(benchmark::State& state, const char* name, double units_per_iteration) {
  state.counters[name] = benchmark::Counter(units_per_iteration, benchmark::Counter::kIsIterationInvariantRate);
}

void report_time(benchmark::State& state, const char* name, double units_per_iteration, double ticks_per_second) {
  state.counters[name] =
      benchmark::Counter(units_per_iteration / ticks_per_second,
                         benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

Dataset synthetic_dataset(const Shape& shape, std::int64_t classes, Generator& generator) {
  Dataset dataset{normal(shape, 0, 1, generator), Tensor({shape[0]}, kInt64)};
  std::int64_t* labels = dataset.labels.data<std::int64_t>();
  for (std::int64_t i = 0; i < shape[0]; ++i) labels[i] = generator.below(classes);
  return dataset;
}

Batches split_batches(const Dataset& dataset, std::int64_t batch) {
  Batches batches;
  for (std::int64_t start = 0; start < dataset.inputs.dim(0); start += batch) {
    batches.inputs.emplace_back(dataset.inputs.slice(0, start, start + batch));
    batches.labels.emplace_back(dataset.labels.slice(0, start, start + batch));
  }
  return batches;
}

void time_sgd_training(benchmark::State& state, nn::Module& model, const Batches& batches) {
  optim::SGD sgd(model.parameters(), optim::SGDOptions(0.01).momentum(0.9));
  std::size_t next = 0;
  double last_loss = 0;
  const auto step = [&] {
    sgd.zero_grad();
    const Variable loss = nn::cross_entropy(model.forward(batches.inputs[next]), batches.labels[next]);
    loss.backward();
    sgd.step();
    last_loss = loss.item();  // a real loop logs the loss
    next = (next + 1) % batches.inputs.size();
  };
  step();
  for (auto _ : state) step();
  benchmark::DoNotOptimize(last_loss);
}

}  // namespace nabla::bench
