// Speed of the //data pipeline on Fashion-MNIST-sized data:
//   bazel run -c opt //data:data_benchmark
// BM_LoadFashionMnistTrain reads the real 60,000 gzip training images (run
// tools/fetch_data.sh first). The MLP pair compares one training epoch of a
// 784-128-10 MLP (Eigen, batch 64) fed from memory with the same epoch fed
// by a shuffling, prefetching DataLoader: their difference is what the
// loader adds to training.

#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <cmath>
#include <filesystem>
#include <memory>

#include "data/data_loader.h"
#include "data/datasets.h"
#include "data/idx.h"
#include "data/internal/test_files.h"
#include "data/paths.h"
#include "tensor/random.h"

namespace nabla::data {
namespace {

constexpr std::int64_t kExamples = 60000;
constexpr std::int64_t kPixels = 28 * 28;
constexpr std::int64_t kHidden = 128;
constexpr std::int64_t kClasses = 10;
constexpr std::int64_t kBatch = 64;

bool have_fashion_mnist() {
  return std::filesystem::exists(data_dir() + "/fashion-mnist/train-labels-idx1-ubyte.gz");
}

// The real training set when fetched, else random pixels of the same shape.
const Batch& training_set() {
  static const Batch batch = [] {
    if (have_fashion_mnist()) return load_fashion_mnist(Part::kTrain);
    Generator generator(1);
    Tensor labels({kExamples}, kInt64);
    for (std::int64_t i = 0; i < kExamples; ++i) labels.data<std::int64_t>()[i] = generator.below(kClasses);
    return Batch{uniform({kExamples, 1, 28, 28}, 0, 1, generator), labels};
  }();
  return batch;
}

void BM_LoadFashionMnistTrain(benchmark::State& state) {
  if (!have_fashion_mnist()) {
    state.SkipWithError("no Fashion-MNIST in the data directory: run bash tools/fetch_data.sh");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(load_fashion_mnist(Part::kTrain));
  state.SetItemsProcessed(state.iterations() * kExamples);
}
BENCHMARK(BM_LoadFashionMnistTrain)->Unit(benchmark::kMillisecond);

// Decoding alone, from gzip bytes in memory: MNIST-like images, mostly zeros.
void BM_DecodeIdxImagesGzip(benchmark::State& state) {
  std::string raw("\0\0\x08\x03\0\0\xea\x60\0\0\0\x1c\0\0\0\x1c", 16);  // 60000 x 28 x 28
  raw.reserve(16 + kExamples * kPixels);
  for (std::int64_t i = 0; i < kExamples * kPixels; ++i) {
    raw.push_back(static_cast<char>((i * 7919) % 97 < 20 ? (i * 31) % 256 : 0));
  }
  const std::string packed = internal::gzip(raw);
  for (auto _ : state) benchmark::DoNotOptimize(decode_idx_images(packed, "synthetic"));
  state.SetItemsProcessed(state.iterations() * kExamples);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(raw.size()));
}
BENCHMARK(BM_DecodeIdxImagesGzip)->Unit(benchmark::kMillisecond);

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic>;

// A 784-128-10 ReLU MLP trained by SGD on softmax cross-entropy.
class Mlp {
 public:
  Mlp() {
    Generator generator(2);
    w1_ = Eigen::Map<const Matrix>(normal({kPixels, kHidden}, 0, 0.05, generator).data<float>(), kPixels, kHidden);
    w2_ = Eigen::Map<const Matrix>(normal({kHidden, kClasses}, 0, 0.1, generator).data<float>(), kHidden, kClasses);
    b1_ = RowVector::Zero(kHidden);
    b2_ = RowVector::Zero(kClasses);
  }

  void step(const float* pixels, const std::int64_t* labels, std::int64_t batch) {
    const Eigen::Map<const Matrix> x(pixels, batch, kPixels);           // [B, 784]
    Matrix hidden = ((x * w1_).rowwise() + b1_).cwiseMax(0.0f);          // [B, 128]
    Matrix logits = (hidden * w2_).rowwise() + b2_;                      // [B, 10]
    Matrix grad = (logits.colwise() - logits.rowwise().maxCoeff()).array().exp();
    grad.array().colwise() /= grad.rowwise().sum().array();              // softmax
    for (std::int64_t i = 0; i < batch; ++i) grad(i, labels[i]) -= 1.0f;  // - one-hot
    grad /= static_cast<float>(batch);
    Matrix grad_hidden = (grad * w2_.transpose()).cwiseProduct((hidden.array() > 0).cast<float>().matrix());
    constexpr float kRate = 0.05f;
    w2_.noalias() -= kRate * hidden.transpose() * grad;                  // [128, B] · [B, 10]
    b2_ -= kRate * grad.colwise().sum();
    w1_.noalias() -= kRate * x.transpose() * grad_hidden;                // [784, B] · [B, 128]
    b1_ -= kRate * grad_hidden.colwise().sum();
  }

 private:
  Matrix w1_, w2_;
  RowVector b1_, b2_;
};

// The baseline: batches are consecutive rows of the tensors, no copies.
void BM_MlpEpochFromMemory(benchmark::State& state) {
  const Batch& data = training_set();
  Mlp mlp;
  for (auto _ : state) {
    for (std::int64_t start = 0; start + kBatch <= kExamples; start += kBatch) {
      mlp.step(data.inputs.data<float>() + start * kPixels, data.labels.data<std::int64_t>() + start, kBatch);
    }
  }
  state.SetItemsProcessed(state.iterations() * kExamples);
}
BENCHMARK(BM_MlpEpochFromMemory)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_MlpEpochFromDataLoader(benchmark::State& state) {
  DataLoader loader(std::make_shared<TensorDataset>(training_set()), DataLoaderOptions(kBatch).seed(3).drop_last(true));
  Mlp mlp;
  for (auto _ : state) {
    for (const Batch& batch : loader) {
      mlp.step(batch.inputs.data<float>(), batch.labels.data<std::int64_t>(), kBatch);
    }
  }
  state.SetItemsProcessed(state.iterations() * kExamples);
}
BENCHMARK(BM_MlpEpochFromDataLoader)->Unit(benchmark::kMillisecond)->Iterations(3);

// The loader alone: shuffled gathers of 64 images, one epoch per iteration.
void BM_DataLoaderEpoch(benchmark::State& state) {
  DataLoader loader(std::make_shared<TensorDataset>(training_set()),
                    DataLoaderOptions(kBatch).seed(3).prefetch(state.range(0)));
  for (auto _ : state) {
    for (const Batch& batch : loader) benchmark::DoNotOptimize(batch.inputs.data<float>());
  }
  state.SetItemsProcessed(state.iterations() * kExamples);
}
BENCHMARK(BM_DataLoaderEpoch)->Arg(0)->Arg(2)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace nabla::data
