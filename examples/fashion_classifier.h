#ifndef NABLA_EXAMPLES_FASHION_CLASSIFIER_H_
#define NABLA_EXAMPLES_FASHION_CLASSIFIER_H_

// The Fashion-MNIST CNN that fashion_cnn trains and saves, and the scores
// dcgan computes with it on generated images.

#include <memory>
#include <string>

#include "nn/module.h"
#include "nn/sequential.h"
#include "tensor/tensor.h"

namespace nabla::examples {

// The file name fashion_cnn writes in its --output_dir and dcgan reads.
constexpr const char* kFashionCnnCheckpoint = "fashion_cnn.safetensors";

// Images [N, 1, 28, 28] in [0, 1] -> logits [N, 10]: a block of one 3x3
// conv (32 channels), BatchNorm, ReLU, 2x2 max pooling and dropout; a block
// of two such convs (64 channels), pooling and dropout; Dense 3136 -> 256
// with BatchNorm, ReLU and dropout; Dense 256 -> 10. `dropout` is the
// probability after each block, in [0, 0.5); the dense layer's is twice that.
std::shared_ptr<nn::Sequential> make_fashion_cnn(double dropout);

// How a classifier sees a set of images, from its class probabilities
// p(y|x) over the images and their mean p(y).
struct ClassifierScores {
  double confidence;       // mean over images of max_y p(y|x): 1/C for a shrug, 1 for certainty
  double class_entropy;    // entropy of p(y) in nats: 0 for one class, log C for all equally
  double inception_score;  // exp(mean KL(p(y|x) || p(y))): 1 to C, high when confident and varied
};

// Runs `classifier` (in evaluation mode, without recording) on `images`
// [N, 1, 28, 28] in [0, 1] and scores its softmax outputs.
ClassifierScores score_images(const std::shared_ptr<nn::Module>& classifier, const Tensor& images);

// "confidence 0.912, class entropy 2.251 nats, inception score 7.84"
std::string format_scores(const ClassifierScores& scores);

}  // namespace nabla::examples

#endif  // NABLA_EXAMPLES_FASHION_CLASSIFIER_H_
