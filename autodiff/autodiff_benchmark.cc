// Per-op cost of the autodiff engine on 1-element tensors, where the
// arithmetic is negligible: the same workloads as
// ../shared/anchors/op_overhead.cpp measures for libtorch.
//   BM_AddWithGrad     y = x + x, x requires grad: one recorded node per op
//   BM_AddNoGrad       the same under NoGradGuard: the floor of any eager op
//   BM_Chain100        h = x; 100 × h = h + h; h.backward()

#include <benchmark/benchmark.h>

#include "autodiff/ops.h"

namespace nabla {
namespace {

void BM_AddWithGrad(benchmark::State& state) {
  Variable x = parameter(ones({1}));
  for (auto _ : state) {
    Variable y = x + x;
    benchmark::DoNotOptimize(y.node().get());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddWithGrad);

void BM_AddNoGrad(benchmark::State& state) {
  NoGradGuard no_grad;
  Variable x(ones({1}));
  for (auto _ : state) {
    Variable y = x + x;
    benchmark::DoNotOptimize(y.node().get());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddNoGrad);

void BM_Chain100(benchmark::State& state) {
  Variable x = parameter(full({1}, 1e-20));
  for (auto _ : state) {
    Variable h = x;
    for (int i = 0; i < 100; ++i) h = h + h;
    h.backward();
    benchmark::DoNotOptimize(x.grad().data<float>());
    x.zero_grad();
  }
  state.SetItemsProcessed(state.iterations() * 100);  // ops per second
}
BENCHMARK(BM_Chain100);

}  // namespace
}  // namespace nabla
