#ifndef NABLA_BENCH_HARNESS_H_
#define NABLA_BENCH_HARNESS_H_

// What the benchmarks of //bench share so that they measure the way the
// anchors' harness (../shared/anchors/anchor_util.h) does: a warm-up, then
// 7 timed repetitions of real time whose median is the result; the thread
// count as the first argument (1 and 2); counters named after the anchors'
// units ("samples/s", "GFLOP/s", "us", "ns/op", ...), which is what
// tools/compare_anchors.sh reads.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "autodiff/variable.h"
#include "nn/module.h"
#include "tensor/ops.h"

namespace nabla::bench {

/// The thread counts every workload runs at.
inline const std::vector<std::int64_t> kThreadCounts = {1, 2};

/// Real time, 0.5 s of warm-up, 7 repetitions of at least 0.3 s, only
/// their aggregates reported. Call MinTime after it for slower steps:
///   BENCHMARK(BM_X)->ArgNames({"threads"})->ArgsProduct({kThreadCounts})->Apply(anchor_method);
void anchor_method(benchmark::internal::Benchmark* benchmark);

/// Sets the library's thread count (nabla::set_num_threads, as
/// examples/common.cc does) from argument 0 of the benchmark.
void set_threads(const benchmark::State& state);

/// Counter `name`: `units_per_iteration` per second of real time
/// (samples/s; GFLOP/s with units of 1e9 FLOP).
void report_rate(benchmark::State& state, const char* name, double units_per_iteration);

/// Counter `name`: real time per unit, in ticks of 1 / ticks_per_second
/// (1e6 for microseconds, 1e9 for nanoseconds).
void report_time(benchmark::State& state, const char* name, double units_per_iteration, double ticks_per_second);

/// A synthetic classification set: inputs N(0, 1) of `shape` [N, ...],
/// int64 labels [N] uniform in [0, classes).
struct Dataset {
  Tensor inputs;
  Tensor labels;
};
Dataset synthetic_dataset(const Shape& shape, std::int64_t classes, Generator& generator);

/// The set cut into consecutive batches of `batch` samples (views, as
/// torch's split), wrapped as constants once so that no step pays for it.
struct Batches {
  std::vector<Variable> inputs;
  std::vector<Variable> labels;
};
Batches split_batches(const Dataset& dataset, std::int64_t batch);

/// The anchors' training loop, timed: SGD(lr 0.01, momentum 0.9) on
/// `model`, softmax cross-entropy; one iteration = zero_grad + forward +
/// backward + step + loss.item() on the next batch. One untimed step first:
/// each repetition starts a fresh model, whose first-step costs stay out.
void time_sgd_training(benchmark::State& state, nn::Module& model, const Batches& batches);

}  // namespace nabla::bench

#endif  // NABLA_BENCH_HARNESS_H_
