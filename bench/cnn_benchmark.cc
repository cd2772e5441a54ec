// BM_CnnTrain mirrors ../shared/anchors/cnn_train.cpp with nabla: on 1x28x28
// inputs, batch 64 from 1024 synthetic samples, SGD(lr 0.01, momentum 0.9),
// softmax cross-entropy; one iteration = zero_grad + forward + backward +
// step + loss.item(); samples/s.
//   plain:      conv5x5(1->32, pad 2) relu maxpool2 conv5x5(32->64, pad 2)
//               relu maxpool2 dense 3136->1024 relu dense 1024->10
//   bn_dropout: the same with BatchNorm2d after each conv (before the ReLU)
//               and Dropout(0.5) before the last dense layer.
// Where a ReLU follows a convolution directly (plain), it is the layer's
// fused relu option, as a nabla user would write it.

#include <memory>

#include "bench/harness.h"
#include "nn/layers.h"
#include "nn/sequential.h"

namespace nabla::bench {
namespace {

std::shared_ptr<nn::Sequential> make_cnn(bool batch_norm_and_dropout) {
  auto cnn = std::make_shared<nn::Sequential>();
  const bool fused_relu = !batch_norm_and_dropout;
  cnn->add(std::make_shared<nn::Conv2D>(nn::Conv2DOptions(1, 32, 5).padding({2, 2}).relu(fused_relu)));
  if (batch_norm_and_dropout) {
    cnn->add(std::make_shared<nn::BatchNorm2d>(nn::BatchNormOptions(32)));
    cnn->add(nn::ReLU());
  }
  cnn->add(std::make_shared<nn::MaxPool2D>(nn::Pool2DOptions(2)));
  cnn->add(std::make_shared<nn::Conv2D>(nn::Conv2DOptions(32, 64, 5).padding({2, 2}).relu(fused_relu)));
  if (batch_norm_and_dropout) {
    cnn->add(std::make_shared<nn::BatchNorm2d>(nn::BatchNormOptions(64)));
    cnn->add(nn::ReLU());
  }
  cnn->add(std::make_shared<nn::MaxPool2D>(nn::Pool2DOptions(2)));
  cnn->add(std::make_shared<nn::Flatten>());
  cnn->add(std::make_shared<nn::Dense>(nn::DenseOptions(64 * 7 * 7, 1024)));
  cnn->add(nn::ReLU());
  if (batch_norm_and_dropout) cnn->add(std::make_shared<nn::Dropout>(0.5));
  cnn->add(std::make_shared<nn::Dense>(nn::DenseOptions(1024, 10)));
  return cnn;
}

// Arguments: threads, variant (0 plain, 1 bn_dropout).
void BM_CnnTrain(benchmark::State& state) {
  set_threads(state);
  const bool batch_norm_and_dropout = state.range(1) == 1;
  state.SetLabel(batch_norm_and_dropout ? "bn_dropout" : "plain");
  static const Dataset dataset = [] {
    Generator generator(0);
    return synthetic_dataset({1024, 1, 28, 28}, 10, generator);
  }();
  const Batches batches = split_batches(dataset, 64);
  manual_seed(1);
  const auto cnn = make_cnn(batch_norm_and_dropout);
  time_sgd_training(state, *cnn, batches);
  report_rate(state, "samples/s", 64);
}
BENCHMARK(BM_CnnTrain)
    ->ArgNames({"threads", "variant"})
    ->ArgsProduct({kThreadCounts, {0, 1}})
    ->Apply(anchor_method)
    ->MinTime(0.4);

}  // namespace
}  // namespace nabla::bench
