// Should //tensor's binary ops and reductions run on oneDNN's binary and
// reduction primitives? Each case runs nabla's op (a fresh output every call,
// as an eager op has) beside the oneDNN primitive on the same shapes, created
// once and writing into a preallocated output (oneDNN's best case).
// Threads follow OMP_NUM_THREADS.
//   BM_Add / BM_OneDnnAdd                a + b, both [n]
//   BM_AddBias / BM_OneDnnAddBias        [rows, 256] + [256] (a Dense layer's bias)
//   BM_SumRows / BM_OneDnnSumRows        sum over axis 0 of [rows, 256] (its gradient)
//   BM_SumAll / BM_OneDnnSumAll          sum of all n elements
// Counter: elements/s of the larger input.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>

#include "kernels/internal/onednn.h"
#include "tensor/ops.h"

namespace nabla {
namespace {

using kernels::internal::onednn::engine;

using dnnl::memory;
using Tag = memory::format_tag;

memory::desc plain_desc(const memory::dims& dims) {
  return memory::desc(dims, memory::data_type::f32, dims.size() == 1 ? Tag::a : Tag::ab);
}

memory wrap(const Tensor& t, const memory::dims& dims) {
  return memory(plain_desc(dims), engine(), const_cast<float*>(t.data<float>()));
}

void report(benchmark::State& state, std::int64_t elements) {
  state.counters["elements/s"] =
      benchmark::Counter(static_cast<double>(elements), benchmark::Counter::kIsIterationInvariantRate);
}

// a ∘ b into a preallocated output with oneDNN's binary primitive.
void run_onednn_binary(benchmark::State& state, const memory::dims& a_dims, const memory::dims& b_dims) {
  Generator generator(0);
  const Tensor a = uniform(Shape(a_dims.begin(), a_dims.end()), -1, 1, generator);
  const Tensor b = uniform(Shape(b_dims.begin(), b_dims.end()), -1, 1, generator);
  Tensor out = empty(a.shape());
  const dnnl::binary primitive(dnnl::binary::primitive_desc(
      dnnl::binary::desc(dnnl::algorithm::binary_add, plain_desc(a_dims), plain_desc(b_dims), plain_desc(a_dims)),
      engine()));
  dnnl::stream& stream = kernels::internal::onednn::stream();
  const std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC_0, wrap(a, a_dims)}, {DNNL_ARG_SRC_1, wrap(b, b_dims)}, {DNNL_ARG_DST, wrap(out, a_dims)}};
  for (auto _ : state) {
    primitive.execute(stream, args);
    stream.wait();
  }
  report(state, a.numel());
}

// Sum of `src_dims` down to `dst_dims` with oneDNN's reduction primitive.
void run_onednn_sum(benchmark::State& state, const memory::dims& src_dims, const memory::dims& dst_dims) {
  Generator generator(0);
  const Tensor x = uniform(Shape(src_dims.begin(), src_dims.end()), -1, 1, generator);
  Tensor out = empty(Shape(dst_dims.begin(), dst_dims.end()));
  const dnnl::reduction primitive(dnnl::reduction::primitive_desc(
      dnnl::reduction::desc(dnnl::algorithm::reduction_sum, plain_desc(src_dims), plain_desc(dst_dims), 0, 0),
      engine()));
  dnnl::stream& stream = kernels::internal::onednn::stream();
  const std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, wrap(x, src_dims)},
                                                {DNNL_ARG_DST, wrap(out, dst_dims)}};
  for (auto _ : state) {
    primitive.execute(stream, args);
    stream.wait();
  }
  report(state, x.numel());
}

void BM_Add(benchmark::State& state) {
  Generator generator(0);
  const Tensor a = uniform({state.range(0)}, -1, 1, generator);
  const Tensor b = uniform({state.range(0)}, -1, 1, generator);
  for (auto _ : state) benchmark::DoNotOptimize(add(a, b).data<float>());
  report(state, a.numel());
}

void BM_OneDnnAdd(benchmark::State& state) { run_onednn_binary(state, {state.range(0)}, {state.range(0)}); }

void BM_AddBias(benchmark::State& state) {
  Generator generator(0);
  const Tensor x = uniform({state.range(0), 256}, -1, 1, generator);
  const Tensor bias = uniform({256}, -1, 1, generator);
  for (auto _ : state) benchmark::DoNotOptimize(add(x, bias).data<float>());
  report(state, x.numel());
}

void BM_OneDnnAddBias(benchmark::State& state) { run_onednn_binary(state, {state.range(0), 256}, {1, 256}); }

void BM_SumRows(benchmark::State& state) {
  Generator generator(0);
  const Tensor x = uniform({state.range(0), 256}, -1, 1, generator);
  for (auto _ : state) benchmark::DoNotOptimize(sum(x, {0}).data<float>());
  report(state, x.numel());
}

void BM_OneDnnSumRows(benchmark::State& state) { run_onednn_sum(state, {state.range(0), 256}, {1, 256}); }

void BM_SumAll(benchmark::State& state) {
  Generator generator(0);
  const Tensor x = uniform({state.range(0)}, -1, 1, generator);
  for (auto _ : state) benchmark::DoNotOptimize(sum(x).data<float>());
  report(state, x.numel());
}

void BM_OneDnnSumAll(benchmark::State& state) { run_onednn_sum(state, {state.range(0)}, {1}); }

BENCHMARK(BM_Add)->Arg(1 << 14)->Arg(1 << 20)->Arg(1 << 24)->UseRealTime();
BENCHMARK(BM_OneDnnAdd)->Arg(1 << 14)->Arg(1 << 20)->Arg(1 << 24)->UseRealTime();
BENCHMARK(BM_AddBias)->Arg(64)->Arg(256)->Arg(4096)->UseRealTime();
BENCHMARK(BM_OneDnnAddBias)->Arg(64)->Arg(256)->Arg(4096)->UseRealTime();
BENCHMARK(BM_SumRows)->Arg(64)->Arg(256)->Arg(4096)->UseRealTime();
BENCHMARK(BM_OneDnnSumRows)->Arg(64)->Arg(256)->Arg(4096)->UseRealTime();
BENCHMARK(BM_SumAll)->Arg(1 << 14)->Arg(1 << 20)->Arg(1 << 24)->UseRealTime();
BENCHMARK(BM_OneDnnSumAll)->Arg(1 << 14)->Arg(1 << 20)->Arg(1 << 24)->UseRealTime();

}  // namespace
}  // namespace nabla
