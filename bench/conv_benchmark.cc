// BM_Conv2dForward mirrors ../shared/anchors/conv_dnnl.cpp and
// conv_torch.cpp with nabla: convolution forward with bias, as an
// nn::Conv2D layer in evaluation mode without recording, for the two conv
// layers of cnn_train at batch 64:
//   conv1: 64x1x28x28  -> 32 channels, 5x5, pad 2 (28x28 out)
//   conv2: 64x32x14x14 -> 64 channels, 5x5, pad 2 (14x14 out)
// GFLOP/s = 2·N·OC·OH·OW·IC·KH·KW / time (taps on the padding counted).

#include <cstdint>

#include "bench/harness.h"
#include "nn/layers.h"

namespace nabla::bench {
namespace {

struct ConvShape {
  const char* name;
  std::int64_t batch, in_channels, size, out_channels, kernel, padding;
};

const ConvShape kConvShapes[] = {
    {"conv1", 64, 1, 28, 32, 5, 2},
    {"conv2", 64, 32, 14, 64, 5, 2},
};

// Arguments: threads, shape (index into kConvShapes).
void BM_Conv2dForward(benchmark::State& state) {
  set_threads(state);
  const ConvShape& shape = kConvShapes[state.range(1)];
  state.SetLabel(shape.name);
  manual_seed(0);
  nn::Conv2D conv(
      nn::Conv2DOptions(shape.in_channels, shape.out_channels, shape.kernel).padding({shape.padding, shape.padding}));
  conv.eval();
  NoGradGuard no_grad;
  Generator generator(0);
  const Variable x(normal({shape.batch, shape.in_channels, shape.size, shape.size}, 0, 1, generator));
  for (auto _ : state) benchmark::DoNotOptimize(conv.forward(x).value().data<float>());
  // Stride 1 and "same" padding: the output is size x size.
  report_rate(state, "GFLOP/s",
              2e-9 * shape.batch * shape.out_channels * shape.size * shape.size * shape.in_channels * shape.kernel *
                  shape.kernel);
}
BENCHMARK(BM_Conv2dForward)->ArgNames({"threads", "shape"})->ArgsProduct({kThreadCounts, {0, 1}})->Apply(anchor_method);

}  // namespace
}  // namespace nabla::bench
