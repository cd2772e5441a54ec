#include "examples/fashion_classifier.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "nn/layers.h"
#include "nn/model.h"

namespace nabla::examples {
namespace {

constexpr std::int64_t kClasses = 10;

// (3x3 conv, BatchNorm, ReLU) x `convs`, then 2x2 max pooling and dropout:
// [N, in, H, W] -> [N, out, H/2, W/2].
void add_conv_block(nn::Sequential& network, std::int64_t in, std::int64_t out, int convs, double dropout) {
  for (int i = 0; i < convs; ++i) {
    // BatchNorm's shift makes the convolution's bias redundant.
    network.add(
        std::make_shared<nn::Conv2D>(nn::Conv2DOptions(i == 0 ? in : out, out, 3).padding_same(true).bias(false)));
    network.add(std::make_shared<nn::BatchNorm2d>(nn::BatchNormOptions(out)));
    network.add(nn::ReLU());
  }
  network.add(std::make_shared<nn::MaxPool2D>(nn::Pool2DOptions(2)));
  network.add(std::make_shared<nn::Dropout>(dropout));
}

}  // namespace

std::shared_ptr<nn::Sequential> make_fashion_cnn(double dropout) {
  auto network = std::make_shared<nn::Sequential>();
  // One conv at 28x28, where the maps are largest, and two at 14x14: a second conv at 28x28 made an epoch 60% longer.
  add_conv_block(*network, 1, 32, 1, dropout);   // -> 14x14
  add_conv_block(*network, 32, 64, 2, dropout);  // -> 7x7
  network->add(std::make_shared<nn::Flatten>());
  network->add(std::make_shared<nn::Dense>(nn::DenseOptions(64 * 7 * 7, 256).bias(false)));
  network->add(std::make_shared<nn::BatchNorm1d>(nn::BatchNormOptions(256)));
  network->add(nn::ReLU());
  network->add(std::make_shared<nn::Dropout>(2 * dropout));
  network->add(std::make_shared<nn::Dense>(nn::DenseOptions(256, kClasses)));
  return network;
}

ClassifierScores score_images(const std::shared_ptr<nn::Module>& classifier, const Tensor& images) {
  const std::vector<double> logits = nn::Model(classifier).predict(images).to_vector<double>();
  const std::int64_t n = images.dim(0);
  NABLA_CHECK(static_cast<std::int64_t>(logits.size()) == n * kClasses, "score_images: the classifier gave ",
              logits.size(), " outputs for ", n, " images; expected ", kClasses, " each");
  // Softmax per image, in double and shifted by the row's maximum.
  std::vector<double> p(logits.size());
  std::vector<double> marginal(kClasses, 0.0);
  double confidence = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double* row = &logits[i * kClasses];
    const double top = *std::max_element(row, row + kClasses);
    double total = 0;
    for (std::int64_t c = 0; c < kClasses; ++c) total += p[i * kClasses + c] = std::exp(row[c] - top);
    for (std::int64_t c = 0; c < kClasses; ++c) {
      p[i * kClasses + c] /= total;
      marginal[c] += p[i * kClasses + c] / static_cast<double>(n);
    }
    confidence += 1 / total;  // the top class's probability: exp(0) / total
  }
  ClassifierScores scores{confidence / static_cast<double>(n), 0, 0};
  for (double q : marginal) scores.class_entropy -= q > 0 ? q * std::log(q) : 0;
  double kl = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t c = 0; c < kClasses; ++c) {
      const double q = p[i * kClasses + c];
      kl += q > 0 ? q * std::log(q / marginal[c]) : 0;
    }
  }
  scores.inception_score = std::exp(kl / static_cast<double>(n));
  return scores;
}

std::string format_scores(const ClassifierScores& scores) {
  char text[128];
  std::snprintf(text, sizeof text, "confidence %.3f, class entropy %.3f nats, inception score %.2f", scores.confidence,
                scores.class_entropy, scores.inception_score);
  return text;
}

}  // namespace nabla::examples
