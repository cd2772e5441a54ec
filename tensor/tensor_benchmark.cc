// Throughput of //tensor's core kernels, on the workloads of
// ../shared/anchors/ (GEMM sizes) and the memory-bound element-wise cases.
// Threads follow OMP_NUM_THREADS. Counters: bytes/s for memory-bound ops
// (3 arrays moved for a binary op, as STREAM counts), FLOP/s (2MNK) for GEMM.

#include <benchmark/benchmark.h>

#include "tensor/ops.h"

namespace nabla {
namespace {

void BM_Add(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  Generator generator(0);
  const Tensor a = uniform({n}, -1, 1, generator);
  const Tensor b = uniform({n}, -1, 1, generator);
  for (auto _ : state) benchmark::DoNotOptimize(add(a, b).data<float>());
  state.SetBytesProcessed(state.iterations() * 3 * n * static_cast<std::int64_t>(sizeof(float)));
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Add)->Arg(1 << 20)->Arg(1 << 24)->UseRealTime();

void BM_AddInPlace(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  Generator generator(0);
  Tensor a = uniform({n}, -1, 1, generator);
  const Tensor b = uniform({n}, -1e-6, 1e-6, generator);
  for (auto _ : state) benchmark::DoNotOptimize((a += b).data<float>());
  state.SetBytesProcessed(state.iterations() * 3 * n * static_cast<std::int64_t>(sizeof(float)));
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_AddInPlace)->Arg(1 << 20)->Arg(1 << 24)->UseRealTime();

// Rows plus a bias vector: [rows, 1024] + [1024].
void BM_BroadcastAddBias(benchmark::State& state) {
  const std::int64_t rows = state.range(0);
  const std::int64_t cols = 1024;
  Generator generator(0);
  const Tensor x = uniform({rows, cols}, -1, 1, generator);
  const Tensor bias = uniform({cols}, -1, 1, generator);
  for (auto _ : state) benchmark::DoNotOptimize(add(x, bias).data<float>());
  state.SetBytesProcessed(state.iterations() * 2 * rows * cols * static_cast<std::int64_t>(sizeof(float)));
  state.SetItemsProcessed(state.iterations() * rows * cols);
}
BENCHMARK(BM_BroadcastAddBias)->Arg(256)->Arg(4096)->UseRealTime();

// Sum of a [4096, 4096] matrix over axis 0, axis 1, or both (-1).
void BM_Sum(benchmark::State& state) {
  const std::int64_t axis = state.range(0);
  Generator generator(0);
  const Tensor x = uniform({4096, 4096}, -1, 1, generator);
  const Axes axes = axis < 0 ? Axes{} : Axes{axis};
  for (auto _ : state) benchmark::DoNotOptimize(sum(x, axes).data<float>());
  state.SetBytesProcessed(state.iterations() * x.numel() * static_cast<std::int64_t>(sizeof(float)));
  state.SetItemsProcessed(state.iterations() * x.numel());
}
BENCHMARK(BM_Sum)->Arg(0)->Arg(1)->Arg(-1)->UseRealTime();

// A dense layer's bias gradient at batch 64: [64, 256] summed over axis 0,
// small enough to run on the calling thread, so mostly fixed costs.
void BM_SumSmall(benchmark::State& state) {
  Generator generator(0);
  const Tensor x = uniform({64, 256}, -1, 1, generator);
  for (auto _ : state) benchmark::DoNotOptimize(sum(x, {0}).data<float>());
}
BENCHMARK(BM_SumSmall)->UseRealTime();

// Per-channel sum of a channels-last [64, C, 28 * 32 / C, 28] activation,
// as a conv bias gradient: C = 32 and 64.
void BM_SumChannelsLast(benchmark::State& state) {
  const std::int64_t channels = state.range(0);
  Generator generator(0);
  const Tensor x = uniform({64, channels, 28 * 32 / channels, 28}, -1, 1, generator)
                       .contiguous(MemoryFormat::kChannelsLast);
  for (auto _ : state) benchmark::DoNotOptimize(sum(x, {0, 2, 3}).data<float>());
  state.SetBytesProcessed(state.iterations() * x.numel() * static_cast<std::int64_t>(sizeof(float)));
}
BENCHMARK(BM_SumChannelsLast)->Arg(32)->Arg(64)->UseRealTime();

void BM_Matmul(benchmark::State& state) {
  const std::int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  Generator generator(0);
  const Tensor a = uniform({m, k}, -1, 1, generator);
  const Tensor b = uniform({k, n}, -1, 1, generator);
  for (auto _ : state) benchmark::DoNotOptimize(matmul(a, b).data<float>());
  state.counters["FLOPS"] = benchmark::Counter(static_cast<double>(2 * m * n * k),
                                               benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Matmul)
    ->Args({256, 256, 256})
    ->Args({1024, 1024, 1024})
    ->Args({2048, 2048, 2048})
    ->Args({64, 784, 256})
    ->UseRealTime();

// The backward GEMMs of a Dense layer read transposed views without a copy.
void BM_MatmulTransposedLhs(benchmark::State& state) {
  Generator generator(0);
  const Tensor x = uniform({64, 784}, -1, 1, generator);
  const Tensor g = uniform({64, 256}, -1, 1, generator);
  for (auto _ : state) benchmark::DoNotOptimize(matmul(x.transpose(0, 1), g).data<float>());
  state.counters["FLOPS"] =
      benchmark::Counter(2.0 * 784 * 256 * 64, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_MatmulTransposedLhs)->UseRealTime();

}  // namespace
}  // namespace nabla
