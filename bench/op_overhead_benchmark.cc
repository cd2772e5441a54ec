// Mirrors ../shared/anchors/op_overhead.cpp: the fixed cost of one eager op
// on 1-element float tensors, where the arithmetic is negligible.
//   BM_AddGradForward    y = x + x with x a parameter: ns/op, forward only
//                        (records one graph node per op)
//   BM_AddNoGradForward  the same under NoGradGuard: ns/op (libtorch's
//                        add_nograd_fwd)
//   BM_AddTensorForward  the same on nabla::Tensor, below autodiff: ns/op
//                        (the floor of any op; libtorch has only one Tensor)
//   BM_Chain100          h = x; 100 x { h = h + h }; h.backward(); then the
//                        gradient is dropped: us/chain and ns/op (per 100)

#include "autodiff/ops.h"
#include "bench/harness.h"

namespace nabla::bench {
namespace {

// Argument: threads (for every benchmark here).
void BM_AddGradForward(benchmark::State& state) {
  set_threads(state);
  const Variable x = parameter(ones({1}));
  for (auto _ : state) benchmark::DoNotOptimize((x + x).value().data<float>());
  report_time(state, "ns/op", 1, 1e9);
}
BENCHMARK(BM_AddGradForward)
    ->ArgNames({"threads"})
    ->ArgsProduct({kThreadCounts})
    ->Apply(anchor_method)
    ->Unit(benchmark::kNanosecond);

void BM_AddNoGradForward(benchmark::State& state) {
  set_threads(state);
  NoGradGuard no_grad;
  const Variable x(ones({1}));
  for (auto _ : state) benchmark::DoNotOptimize((x + x).value().data<float>());
  report_time(state, "ns/op", 1, 1e9);
}
BENCHMARK(BM_AddNoGradForward)
    ->ArgNames({"threads"})
    ->ArgsProduct({kThreadCounts})
    ->Apply(anchor_method)
    ->Unit(benchmark::kNanosecond);

void BM_AddTensorForward(benchmark::State& state) {
  set_threads(state);
  const Tensor x = ones({1});
  for (auto _ : state) benchmark::DoNotOptimize((x + x).data<float>());
  report_time(state, "ns/op", 1, 1e9);
}
BENCHMARK(BM_AddTensorForward)
    ->ArgNames({"threads"})
    ->ArgsProduct({kThreadCounts})
    ->Apply(anchor_method)
    ->Unit(benchmark::kNanosecond);

void BM_Chain100(benchmark::State& state) {
  set_threads(state);
  Variable x = parameter(full({1}, 1e-20));  // 2^100 * 1e-20 stays finite
  for (auto _ : state) {
    Variable h = x;
    for (int i = 0; i < 100; ++i) h = h + h;
    h.backward();
    benchmark::DoNotOptimize(x.grad().data<float>());
    x.zero_grad();  // like optimizer.zero_grad(set_to_none)
  }
  report_time(state, "us/chain", 1, 1e6);
  report_time(state, "ns/op", 100, 1e9);
}
BENCHMARK(BM_Chain100)
    ->ArgNames({"threads"})
    ->ArgsProduct({kThreadCounts})
    ->Apply(anchor_method)
    ->Unit(benchmark::kNanosecond);

}  // namespace
}  // namespace nabla::bench
