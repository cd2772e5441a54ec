#ifndef NABLA_NN_LAYERS_H_
#define NABLA_NN_LAYERS_H_

/// The layers of nabla, each built from an options object:
///
///   auto dense = std::make_shared<Dense>(DenseOptions(784, 256));
///   auto conv = std::make_shared<Conv2D>(Conv2DOptions(1, 32, 5).padding_same(true));
///
/// Shapes: Dense maps [..., in] -> [..., out] with weight [in, out]; the
/// convolution and pooling layers take NCHW (NCL for Conv1D). Initial
/// weights follow PyTorch's defaults (uniform in ±1/sqrt(fan_in)) unless an
/// Initializer is given; random draws use the options' generator, by
/// default nabla::default_generator() (seed it with manual_seed).

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "autodiff/nn_ops.h"
#include "autodiff/ops.h"
#include "nn/module.h"
#include "nn/options.h"

namespace nabla::nn {

/// Height and width (of a kernel, stride, padding, ...).
using Size2d = std::array<std::int64_t, 2>;

/// Makes a parameter's initial value: (shape, generator) -> tensor.
using Initializer = std::function<Tensor(const Shape& shape, Generator& generator)>;

class DenseOptions {
 public:
  DenseOptions(std::int64_t in_features, std::int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  NABLA_ARG(std::int64_t, in_features);
  NABLA_ARG(std::int64_t, out_features);
  NABLA_ARG(bool, bias) = true;
  /// A ReLU on the output (Keras' activation="relu"), in the pass that adds
  /// the bias.
  NABLA_ARG(bool, relu) = false;
  NABLA_ARG(Initializer, weight_init);
  NABLA_ARG(Initializer, bias_init);
  NABLA_ARG(Generator*, generator) = nullptr;
};

/// y = x·W + b, W [in, out], b [out], over the last axis of x: one
/// "linear" op.
class Dense : public Module {
 public:
  explicit Dense(const DenseOptions& options);
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "Dense"; }
  std::string describe() const override;
  bool ends_in_relu() const override { return options_.relu(); }
  Variable forward_without_relu(const Variable& input) override;
  bool absorbs_relu() const override { return !options_.relu(); }
  Variable forward_with_relu(const Variable& input) override;
  const Variable& weight() const { return weight_; }
  const Variable& bias() const { return bias_; }

 private:
  DenseOptions options_;
  Variable weight_, bias_;
};

class Conv2DOptions {
 public:
  Conv2DOptions(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_({kernel_size, kernel_size}) {}
  NABLA_ARG(std::int64_t, in_channels);
  NABLA_ARG(std::int64_t, out_channels);
  NABLA_ARG(Size2d, kernel_size);
  NABLA_ARG(Size2d, stride) = {1, 1};
  NABLA_ARG(Size2d, padding) = {0, 0};
  /// "same" padding: the output keeps the input's size (stride 1 only);
  /// an even total is split with the extra row/column at the end.
  NABLA_ARG(bool, padding_same) = false;
  NABLA_ARG(Size2d, dilation) = {1, 1};
  NABLA_ARG(std::int64_t, groups) = 1;
  NABLA_ARG(bool, bias) = true;
  /// A ReLU on the output (Keras' activation="relu"), fused into the
  /// convolution on oneDNN: one pass over the output instead of two.
  NABLA_ARG(bool, relu) = false;
  /// With relu: its slope below 0, >= 0, for a LeakyReLU (DCGAN's 0.2).
  NABLA_ARG(double, relu_slope) = 0.0;
  NABLA_ARG(Initializer, weight_init);
  NABLA_ARG(Initializer, bias_init);
  NABLA_ARG(Generator*, generator) = nullptr;
};

/// [N, in, H, W] -> [N, out, OH, OW]; weight [out, in / groups, KH, KW].
class Conv2D : public Module {
 public:
  explicit Conv2D(const Conv2DOptions& options);
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "Conv2D"; }
  std::string describe() const override;
  bool ends_in_relu() const override { return options_.relu() && options_.relu_slope() == 0; }
  Variable forward_without_relu(const Variable& input) override;
  bool absorbs_relu() const override { return !options_.relu() && options_.relu_slope() == 0; }
  Variable forward_with_relu(const Variable& input) override;
  const Variable& weight() const { return weight_; }
  const Variable& bias() const { return bias_; }

 private:
  Variable convolve(const Variable& input, bool relu);

  Conv2DOptions options_;
  Variable weight_, bias_;
};

class Conv1DOptions {
 public:
  Conv1DOptions(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  NABLA_ARG(std::int64_t, in_channels);
  NABLA_ARG(std::int64_t, out_channels);
  NABLA_ARG(std::int64_t, kernel_size);
  NABLA_ARG(std::int64_t, stride) = 1;
  NABLA_ARG(std::int64_t, padding) = 0;
  NABLA_ARG(bool, padding_same) = false;
  NABLA_ARG(std::int64_t, dilation) = 1;
  NABLA_ARG(std::int64_t, groups) = 1;
  NABLA_ARG(bool, bias) = true;
  NABLA_ARG(Initializer, weight_init);
  NABLA_ARG(Initializer, bias_init);
  NABLA_ARG(Generator*, generator) = nullptr;
};

/// [N, in, L] -> [N, out, OL]; weight [out, in / groups, K].
class Conv1D : public Module {
 public:
  explicit Conv1D(const Conv1DOptions& options);
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "Conv1D"; }
  std::string describe() const override;
  const Variable& weight() const { return weight_; }

 private:
  Conv1DOptions options_;
  Variable weight_, bias_;
};

class ConvTranspose2DOptions {
 public:
  ConvTranspose2DOptions(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_({kernel_size, kernel_size}) {}
  NABLA_ARG(std::int64_t, in_channels);
  NABLA_ARG(std::int64_t, out_channels);
  NABLA_ARG(Size2d, kernel_size);
  NABLA_ARG(Size2d, stride) = {1, 1};
  NABLA_ARG(Size2d, padding) = {0, 0};
  NABLA_ARG(Size2d, output_padding) = {0, 0};
  NABLA_ARG(Size2d, dilation) = {1, 1};
  NABLA_ARG(std::int64_t, groups) = 1;
  NABLA_ARG(bool, bias) = true;
  NABLA_ARG(Initializer, weight_init);
  NABLA_ARG(Initializer, bias_init);
  NABLA_ARG(Generator*, generator) = nullptr;
};

/// [N, in, H, W] -> [N, out, OH, OW]; weight [in, out / groups, KH, KW].
class ConvTranspose2D : public Module {
 public:
  explicit ConvTranspose2D(const ConvTranspose2DOptions& options);
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "ConvTranspose2D"; }
  std::string describe() const override;
  const Variable& weight() const { return weight_; }

 private:
  ConvTranspose2DOptions options_;
  Variable weight_, bias_;
};

class Pool2DOptions {
 public:
  explicit Pool2DOptions(std::int64_t kernel_size) : kernel_size_({kernel_size, kernel_size}) {}
  NABLA_ARG(Size2d, kernel_size);
  /// {0, 0}: equal to the kernel size.
  NABLA_ARG(Size2d, stride) = {0, 0};
  NABLA_ARG(Size2d, padding) = {0, 0};
  NABLA_ARG(bool, ceil_mode) = false;
  NABLA_ARG(bool, count_include_pad) = true;
};

class MaxPool2D : public Module {
 public:
  explicit MaxPool2D(const Pool2DOptions& options) : options_(options) {}
  Variable forward(const Variable& input) override;
  /// forward(relu(input)), as relu(forward(input)) inside the pooling loop:
  /// the same values and gradients, with the ReLU over the pooled output.
  Variable forward_after_relu(const Variable& input);
  std::string type_name() const override { return "MaxPool2D"; }
  std::string describe() const override;

 private:
  Pool2DOptions options_;
};

class AvgPool2D : public Module {
 public:
  explicit AvgPool2D(const Pool2DOptions& options) : options_(options) {}
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "AvgPool2D"; }
  std::string describe() const override;

 private:
  Pool2DOptions options_;
};

/// [N, C, H, W] -> [N, C]: the mean over each channel's plane.
class GlobalAvgPool2D : public Module {
 public:
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "GlobalAvgPool2D"; }
};

/// [N, d1, d2, ...] -> [N, d1·d2·...].
class Flatten : public Module {
 public:
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "Flatten"; }
};

class BatchNormOptions {
 public:
  explicit BatchNormOptions(std::int64_t features) : features_(features) {}
  NABLA_ARG(std::int64_t, features);
  NABLA_ARG(double, momentum) = 0.1;
  NABLA_ARG(double, eps) = 1e-5;
  /// Learnable scale (gamma, "weight") and shift (beta, "bias").
  NABLA_ARG(bool, affine) = true;
  /// A ReLU or LeakyReLU on the output, fused into the normalisation's
  /// passes over memory in training:
  /// .activation(NormActivation::leaky_relu(0.2)).
  NABLA_ARG(NormActivation, activation);
};

/// Normalises axis 1 of [N, C] (rank 2) or [N, C, H, W] (rank 4) with batch
/// statistics in training, running statistics in evaluation. Buffers:
/// running_mean, running_var.
class BatchNorm : public Module {
 public:
  BatchNorm(const BatchNormOptions& options, int rank);
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return rank_ == 2 ? "BatchNorm1d" : "BatchNorm2d"; }
  std::string describe() const override;
  bool absorbs_relu() const override { return options_.activation().kind == NormActivation::Kind::kNone; }
  Variable forward_with_relu(const Variable& input) override;

 private:
  Variable normalise(const Variable& input, const NormActivation& activation);

  BatchNormOptions options_;
  int rank_;
  Variable weight_, bias_;
  BatchNormState state_;
};

/// BatchNorm over [N, C].
class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(const BatchNormOptions& options) : BatchNorm(options, 2) {}
};

/// BatchNorm over [N, C, H, W].
class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(const BatchNormOptions& options) : BatchNorm(options, 4) {}
};

/// Inverted dropout in training, identity in evaluation.
class Dropout : public Module {
 public:
  explicit Dropout(double p, Generator* generator = nullptr);
  Variable forward(const Variable& input) override;
  std::string type_name() const override { return "Dropout"; }
  std::string describe() const override;

 private:
  double p_;
  Generator* generator_;
};

class EmbeddingOptions {
 public:
  EmbeddingOptions(std::int64_t num_embeddings, std::int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  NABLA_ARG(std::int64_t, num_embeddings);
  NABLA_ARG(std::int64_t, embedding_dim);
  NABLA_ARG(Initializer, weight_init);
  /// A row (in [-num, num), negative counting from the end, as PyTorch's)
  /// that is never trained, for padding tokens; the default initialisation
  /// sets it to 0 (a weight_init's table is taken as given, as PyTorch's
  /// from_pretrained).
  NABLA_ARG(std::optional<std::int64_t>, padding_idx);
  NABLA_ARG(Generator*, generator) = nullptr;
};

/// int64 indices [...] -> [..., dim]; weight [num, dim], initially N(0, 1)
/// (the padding row 0).
class Embedding : public Module {
 public:
  explicit Embedding(const EmbeddingOptions& options);
  Variable forward(const Variable& indices) override;
  std::string type_name() const override { return "Embedding"; }
  std::string describe() const override;
  const Variable& weight() const { return weight_; }

 private:
  EmbeddingOptions options_;
  std::optional<std::int64_t> padding_idx_;  // in [0, num)
  Variable weight_;
};

/// An element-wise activation as a layer.
class Activation : public Module {
 public:
  Activation(std::string name, std::function<Variable(const Variable&)> function)
      : name_(std::move(name)), function_(std::move(function)) {}
  Variable forward(const Variable& input) override { return function_(input); }
  std::string type_name() const override { return name_; }

 private:
  std::string name_;
  std::function<Variable(const Variable&)> function_;
};

/// is_relu() and ends_in_relu(): Sequential moves it into a MaxPool2D that
/// follows, or else into a Dense, Conv2D or BatchNorm before it.
std::shared_ptr<Activation> ReLU();
std::shared_ptr<Activation> LeakyReLU(double negative_slope = 0.01);
std::shared_ptr<Activation> ELU(double alpha = 1.0);
std::shared_ptr<Activation> Sigmoid();
std::shared_ptr<Activation> Tanh();
std::shared_ptr<Activation> Softmax(std::int64_t axis = -1);

}  // namespace nabla::nn

#endif  // NABLA_NN_LAYERS_H_
