// Throughput of the convolution kernels on the two conv layers of the CNN
// anchor (../shared/anchors/conv_dnnl.cpp, batch 64, float32):
//   conv1: input [64, 1, 28, 28],  weight [32, 1, 5, 5],  padding 2
//   conv2: input [64, 32, 14, 14], weight [64, 32, 5, 5], padding 2
// Counter FLOP/s uses the anchors' nominal count 2·N·OC·OH·OW·IC·KH·KW (taps
// on padding included) for each of forward, backward-input and
// backward-weight. The second argument picks the backend: 0 oneDNN, 1 the
// reference im2col + GEMM. Threads follow OMP_NUM_THREADS.

#include <benchmark/benchmark.h>

#include "kernels/activation.h"
#include "kernels/batch_norm.h"
#include "kernels/conv2d.h"
#include "kernels/pooling.h"
#include "tensor/backend.h"
#include "tensor/ops.h"

namespace nabla::kernels {
namespace {

struct ConvShape {
  Shape input, weight;
};

const ConvShape kConvShapes[] = {
    {{64, 1, 28, 28}, {32, 1, 5, 5}},
    {{64, 32, 14, 14}, {64, 32, 5, 5}},
};

Conv2dOptions same_padding() {
  Conv2dOptions options;
  options.padding = {2, 2};
  return options;
}

double conv_flops(const ConvShape& shape, const Shape& output) {
  return 2.0 * output[0] * output[1] * output[2] * output[3] * shape.weight[1] * shape.weight[2] * shape.weight[3];
}

Backend backend_arg(benchmark::State& state) {
  const Backend backend = state.range(1) == 0 ? Backend::kOneDnn : Backend::kReference;
  state.SetLabel(backend_name(backend));
  return backend;
}

void report(benchmark::State& state, double flops_per_iteration, std::int64_t batch) {
  state.counters["FLOP/s"] =
      benchmark::Counter(flops_per_iteration * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.SetItemsProcessed(state.iterations() * batch);
}

// Arguments: 0 = conv1, 1 = conv2; the backend; 1 for a fused ReLU.
void BM_Conv2dForward(benchmark::State& state) {
  const ConvShape& shape = kConvShapes[state.range(0)];
  const BackendScope scope(backend_arg(state));
  Generator generator(0);
  const Tensor x = uniform(shape.input, -1, 1, generator);
  const Tensor w = uniform(shape.weight, -0.1, 0.1, generator);
  const Tensor b = uniform({shape.weight[0]}, -0.1, 0.1, generator);
  Conv2dOptions options = same_padding();
  options.relu = state.range(2) == 1;
  for (auto _ : state) benchmark::DoNotOptimize(conv2d(x, w, b, options).data<float>());
  report(state, conv_flops(shape, conv2d_output_shape(shape.input, shape.weight, options)), shape.input[0]);
}
BENCHMARK(BM_Conv2dForward)->ArgsProduct({{0, 1}, {0, 1}, {0, 1}})->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_Conv2dBackwardInput(benchmark::State& state) {
  const ConvShape& shape = kConvShapes[state.range(0)];
  const BackendScope scope(backend_arg(state));
  const Conv2dOptions options = same_padding();
  const Shape out_shape = conv2d_output_shape(shape.input, shape.weight, options);
  Generator generator(0);
  const Tensor g = uniform(out_shape, -1, 1, generator);
  const Tensor w = uniform(shape.weight, -0.1, 0.1, generator);
  for (auto _ : state) {
    benchmark::DoNotOptimize(conv2d_backward_input(g, w, shape.input, options).data<float>());
  }
  report(state, conv_flops(shape, out_shape), shape.input[0]);
}
BENCHMARK(BM_Conv2dBackwardInput)->ArgsProduct({{0, 1}, {0, 1}})->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_Conv2dBackwardWeight(benchmark::State& state) {
  const ConvShape& shape = kConvShapes[state.range(0)];
  const BackendScope scope(backend_arg(state));
  const Conv2dOptions options = same_padding();
  const Shape out_shape = conv2d_output_shape(shape.input, shape.weight, options);
  Generator generator(0);
  const Tensor g = uniform(out_shape, -1, 1, generator);
  const Tensor x = uniform(shape.input, -1, 1, generator);
  for (auto _ : state) {
    benchmark::DoNotOptimize(conv2d_backward_weight(g, x, shape.weight, options).data<float>());
  }
  report(state, conv_flops(shape, out_shape), shape.input[0]);
}
BENCHMARK(BM_Conv2dBackwardWeight)->ArgsProduct({{0, 1}, {0, 1}})->UseRealTime()->Unit(benchmark::kMillisecond);

// The CNN's 2x2 max pool after conv2 (first argument 0: forward, 1:
// backward; the second picks the backend; the third: 1 for a channels-last
// input, as a convolution leaves it).
void BM_MaxPool2d(benchmark::State& state) {
  const BackendScope scope(backend_arg(state));
  Generator generator(0);
  Tensor x = uniform({64, 64, 14, 14}, -1, 1, generator);
  if (state.range(2) == 1) x = x.contiguous(MemoryFormat::kChannelsLast);
  Pool2dOptions options;
  options.kernel_size = {2, 2};
  const MaxPool2dResult pooled = max_pool2d(x, options);
  for (auto _ : state) {
    if (state.range(0) == 0) {
      benchmark::DoNotOptimize(max_pool2d(x, options).output.data<float>());
    } else {
      benchmark::DoNotOptimize(max_pool2d_backward(pooled.output, pooled, x.shape(), options).data<float>());
    }
  }
  state.SetBytesProcessed(state.iterations() * x.numel() * static_cast<std::int64_t>(sizeof(float)));
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(BM_MaxPool2d)->ArgsProduct({{0, 1}, {0, 1}, {0, 1}})->UseRealTime()->Unit(benchmark::kMicrosecond);

// BatchNorm2d on conv2's output, forward and backward. Arguments: backend
// (0 oneDNN, 1 reference), x channels-last (as a convolution leaves it),
// the fused activation (0 none, 1 LeakyReLU, 2 ReLU).
void BM_BatchNorm(benchmark::State& state) {
  const Backend backend = state.range(0) == 0 ? Backend::kOneDnn : Backend::kReference;
  state.SetLabel(backend_name(backend));
  const BackendScope scope(backend);
  Generator generator(0);
  Tensor x = uniform({64, 64, 14, 14}, -1, 1, generator);
  if (state.range(1) == 1) x = x.contiguous(MemoryFormat::kChannelsLast);
  const NormActivation activation = state.range(2) == 1   ? NormActivation::leaky_relu(0.2)
                                    : state.range(2) == 2 ? NormActivation::relu()
                                                          : NormActivation();
  const Tensor gamma = ones({64});
  const Tensor beta = zeros({64});
  for (auto _ : state) {
    const BatchNormForward forward = batch_norm_training(x, gamma, beta, 1e-5, activation);
    benchmark::DoNotOptimize(
        batch_norm_backward(forward.output, x, gamma, forward.mean, forward.invstd, activation, beta)
            .input.data<float>());
  }
  state.SetBytesProcessed(state.iterations() * x.numel() * static_cast<std::int64_t>(2 * sizeof(float)));
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(BM_BatchNorm)->ArgsProduct({{0, 1}, {0, 1}, {0, 1, 2}})->UseRealTime()->Unit(benchmark::kMicrosecond);

// ReLU on conv1's output ([64, 32, 28, 28], channels-last, about half of it
// positive). Arguments: 0 forward or 1 backward, and the backend.
void BM_Relu(benchmark::State& state) {
  const BackendScope scope(backend_arg(state));
  const bool backward = state.range(0) == 1;
  Generator generator(0);
  const Tensor x = uniform({64, 32, 28, 28}, -1, 1, generator).contiguous(MemoryFormat::kChannelsLast);
  const Tensor y = activation(Activation::kRelu, x);
  const Tensor g = uniform({64, 32, 28, 28}, -1, 1, generator).contiguous(MemoryFormat::kChannelsLast);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        (backward ? activation_backward(Activation::kRelu, g, y) : activation(Activation::kRelu, x)).data<float>());
  }
  const std::int64_t tensors = backward ? 3 : 2;  // read and written per element
  state.SetBytesProcessed(state.iterations() * x.numel() * tensors * static_cast<std::int64_t>(sizeof(float)));
}
BENCHMARK(BM_Relu)->ArgsProduct({{0, 1}, {0, 1}})->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace nabla::kernels
