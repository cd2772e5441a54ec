#ifndef NABLA_EXAMPLES_DIGIT_GENERATION_H_
#define NABLA_EXAMPLES_DIGIT_GENERATION_H_

// What generate_digits and noisy_digits share: the MNIST digits, the
// generator net from codes to pixels, an independent judge (a CNN trained on
// the real digits) that measures how many generated digits it recognises,
// and PNG grids of them. Generated digits are float32 [N, 1, 28, 28] in
// [0, 1], `per_class` of each digit in class order.

#include <cstdint>
#include <memory>
#include <string>

#include <gflags/gflags.h>

#include "data/dataset.h"
#include "nn/model.h"
#include "nn/sequential.h"
#include "tensor/random.h"

DECLARE_int32(judge_epochs);
DECLARE_int32(per_class);
DECLARE_int64(train_limit);

namespace nabla::examples {

// The MNIST training digits (the first --train_limit only, when set) and the
// test digits.
struct Digits {
  data::Batch train;
  data::Batch test;
};
Digits load_digits();

// 0, ..., 0, 1, ..., 9: `per_class` of each digit, int64 [10 · per_class].
Tensor class_labels(std::int64_t per_class);

// The generator net of both examples, an MLP from codes [N, code_size] to
// pixel logits [N, 784]: code_size -> 256 -> 512 -> 784 with ReLU.
std::shared_ptr<nn::Sequential> generator_network(std::int64_t code_size);

// Binary cross-entropy between pixel logits and target pixels in [0, 1],
// both [N, 784]: the generators' reconstruction loss.
nn::LossFunction pixel_loss();

// The generator's digits [N, 1, 28, 28] in [0, 1] for codes [N, code_size].
Tensor generate(nn::Module& generator, const Tensor& codes);

// A small CNN trained on the real training digits with its own seed, unlike
// any model a generator learns from, so that recognising a generated digit
// means it looks like one rather than that it fools the model it came from.
class Judge {
 public:
  // Trains for --judge_epochs (history saved as `name`) and prints the
  // accuracy on the test digits.
  Judge(const Digits& digits, const std::string& name);

  double test_accuracy() const { return test_accuracy_; }
  // The share of `images` [N, 1, 28, 28] classified as `labels` [N]; prints
  // it under `what` with the share for each digit and their spread.
  double recognised(const Tensor& images, const Tensor& labels, const std::string& what);

 private:
  Generator generator_;  // the judge's weights and dropout masks
  std::shared_ptr<nn::Sequential> network_;
  nn::Model model_;
  double test_accuracy_ = 0;
};

// How much the images of each digit differ: the per-pixel standard
// deviation within each class, averaged over pixels and classes (0 when all
// images of a digit are the same). images [N, 1, 28, 28], labels [N].
double spread(const Tensor& images, const Tensor& labels);

// Writes `digits` [10 · per_class, 1, 28, 28] to <output_dir>/<name>.png,
// each digit's samples on their own rows.
void save_digit_grid(const Tensor& digits, const std::string& name);

}  // namespace nabla::examples

#endif  // NABLA_EXAMPLES_DIGIT_GENERATION_H_
