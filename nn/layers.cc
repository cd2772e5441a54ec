#include "nn/layers.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <sstream>

#include "kernels/batch_norm.h"

namespace nabla::nn {
namespace {

Generator& generator_of(Generator* generator) { return generator != nullptr ? *generator : default_generator(); }

// PyTorch's default for Dense and convolution weights and biases:
// uniform in ±1/sqrt(fan_in).
Tensor fan_in_uniform(const Shape& shape, std::int64_t fan_in, Generator& generator) {
  const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
  return uniform(shape, -bound, bound, generator);
}

Tensor initial(const Initializer& init, const Shape& shape, std::int64_t fan_in, Generator& generator) {
  if (!init) return fan_in_uniform(shape, fan_in, generator);
  Tensor value = init(shape, generator);
  NABLA_CHECK(value.defined() && value.shape() == shape, "initializer: returned shape ",
              value.defined() ? value.shape() : Shape{}, " for a parameter of shape ", shape);
  return value;
}

template <typename... Parts>
std::string text(const Parts&... parts) {
  return internal::concat_message(parts...);
}

std::string pair_text(const std::array<std::int64_t, 2>& values) {
  return values[0] == values[1] ? std::to_string(values[0]) : text(values[0], "x", values[1]);
}

void check_positive(const char* layer, const char* what, std::int64_t value) {
  NABLA_CHECK(value > 0, layer, ": ", what, " must be positive, got ", value);
}

// The checks every convolution layer makes on its channel counts.
void check_channels(const char* layer, std::int64_t in_channels, std::int64_t out_channels, std::int64_t groups) {
  check_positive(layer, "in_channels", in_channels);
  check_positive(layer, "out_channels", out_channels);
  check_positive(layer, "groups", groups);
  NABLA_CHECK(in_channels % groups == 0 && out_channels % groups == 0, layer, ": groups ", groups,
              " must divide in_channels ", in_channels, " and out_channels ", out_channels);
}

// Stride and dilation positive, padding not negative: checked as the layer
// is built and in its terms (a Conv1D runs as a 2-D convolution).
void check_geometry(const char* layer, std::initializer_list<std::int64_t> stride,
                    std::initializer_list<std::int64_t> dilation, std::initializer_list<std::int64_t> padding) {
  auto shown = [](std::initializer_list<std::int64_t> sizes) {
    return sizes.size() == 1 ? std::to_string(*sizes.begin()) : text(Shape(sizes));
  };
  auto all = [](std::initializer_list<std::int64_t> sizes, std::int64_t low) {
    return std::all_of(sizes.begin(), sizes.end(), [low](std::int64_t size) { return size >= low; });
  };
  NABLA_CHECK(all(stride, 1), layer, ": stride must be positive, got ", shown(stride));
  NABLA_CHECK(all(dilation, 1), layer, ": dilation must be positive, got ", shown(dilation));
  NABLA_CHECK(all(padding, 0), layer, ": padding must not be negative, got ", shown(padding));
}

// "same" padding is computed: a padding given too is a contradiction.
void check_same_padding_alone(const char* layer, bool padding_same, std::initializer_list<std::int64_t> padding) {
  NABLA_CHECK(!padding_same || std::all_of(padding.begin(), padding.end(), [](std::int64_t size) { return size == 0; }),
              layer, ": padding_same and a padding of ", Shape(padding), " are both given; choose one");
}

// The product of sizes a user chose (a fan-in, a padding), checked.
std::int64_t checked_product(const char* layer, const char* what, std::initializer_list<std::int64_t> sizes) {
  const std::optional<std::int64_t> product = nabla::checked_product(Shape(sizes));
  NABLA_CHECK(product.has_value(), layer, ": ", what, " of sizes ", Shape(sizes), " is too large");
  return *product;
}

// Splits "same" padding for one axis: (before, after) with the extra tap after.
std::pair<std::int64_t, std::int64_t> same_padding(const char* layer, std::int64_t kernel, std::int64_t dilation,
                                                   std::int64_t stride) {
  NABLA_CHECK(stride == 1, layer, ": \"same\" padding needs stride 1, got ", stride);
  const std::int64_t total =
      checked_product(layer, "\"same\" padding, dilation x (kernel_size - 1),", {dilation, kernel - 1});
  return {total / 2, total - total / 2};
}

}  // namespace

// ---- Dense ----

Dense::Dense(const DenseOptions& options) : options_(options) {
  check_positive("Dense", "in_features", options.in_features());
  check_positive("Dense", "out_features", options.out_features());
  Generator& generator = generator_of(options.generator());
  weight_ = register_parameter("weight", initial(options.weight_init(), {options.in_features(), options.out_features()},
                                                 options.in_features(), generator));
  if (options.bias()) {
    bias_ = register_parameter(
        "bias", initial(options.bias_init(), {options.out_features()}, options.in_features(), generator));
  }
}

Variable Dense::forward(const Variable& input) { return linear(input, weight_, bias_, options_.relu()); }

Variable Dense::forward_without_relu(const Variable& input) {
  NABLA_CHECK(options_.relu(), "Dense: forward_without_relu on a layer without a fused ReLU");
  return linear(input, weight_, bias_, false);
}

Variable Dense::forward_with_relu(const Variable& input) {
  NABLA_CHECK(absorbs_relu(), "Dense: forward_with_relu on a layer with a fused ReLU already");
  return linear(input, weight_, bias_, true);
}

std::string Dense::describe() const {
  return text(options_.in_features(), " -> ", options_.out_features(), options_.relu() ? ", relu" : "");
}

// ---- Conv2D ----

Conv2D::Conv2D(const Conv2DOptions& options) : options_(options) {
  check_channels("Conv2D", options.in_channels(), options.out_channels(), options.groups());
  const auto [kh, kw] = options.kernel_size();
  check_positive("Conv2D", "kernel height", kh);
  check_positive("Conv2D", "kernel width", kw);
  const auto [sh, sw] = options.stride();
  const auto [dh, dw] = options.dilation();
  const auto [ph, pw] = options.padding();
  check_geometry("Conv2D", {sh, sw}, {dh, dw}, {ph, pw});
  check_same_padding_alone("Conv2D", options.padding_same(), {ph, pw});
  NABLA_CHECK(
      std::isfinite(options.relu_slope()) && options.relu_slope() >= 0 && (options.relu() || options.relu_slope() == 0),
      "Conv2D: relu_slope must be finite, >= 0, and given with relu(true); got ", options.relu_slope(),
      options.relu() ? "" : " without relu");
  if (options.padding_same()) {
    for (int axis = 0; axis < 2; ++axis)
      same_padding("Conv2D", options.kernel_size()[axis], options.dilation()[axis], options.stride()[axis]);
  }
  const std::int64_t fan_in =
      checked_product("Conv2D", "the fan-in", {options.in_channels() / options.groups(), kh, kw});
  Generator& generator = generator_of(options.generator());
  weight_ = register_parameter(
      "weight", initial(options.weight_init(),
                        {options.out_channels(), options.in_channels() / options.groups(), kh, kw}, fan_in, generator));
  if (options.bias()) {
    bias_ = register_parameter("bias", initial(options.bias_init(), {options.out_channels()}, fan_in, generator));
  }
}

Variable Conv2D::forward(const Variable& input) { return convolve(input, options_.relu()); }

Variable Conv2D::forward_with_relu(const Variable& input) {
  NABLA_CHECK(absorbs_relu(), "Conv2D: forward_with_relu on a convolution with a fused activation already");
  return convolve(input, true);
}

Variable Conv2D::forward_without_relu(const Variable& input) {
  NABLA_CHECK(ends_in_relu(), "Conv2D: forward_without_relu on a convolution without a fused ReLU");
  return convolve(input, false);
}

Variable Conv2D::convolve(const Variable& input, bool relu) {
  Conv2dOptions conv;
  conv.stride = options_.stride();
  conv.dilation = options_.dilation();
  conv.groups = options_.groups();
  conv.padding = options_.padding();
  conv.relu = relu;
  conv.relu_slope = relu ? options_.relu_slope() : 0.0;
  Variable padded = input;
  if (options_.padding_same()) {
    const auto [top, bottom] = same_padding("Conv2D", options_.kernel_size()[0], options_.dilation()[0], 1);
    const auto [left, right] = same_padding("Conv2D", options_.kernel_size()[1], options_.dilation()[1], 1);
    if (top == bottom && left == right) {
      conv.padding = {top, left};
    } else {  // an even kernel: one more row/column after than before
      padded = pad(input, {{top, bottom}, {left, right}});
      conv.padding = {0, 0};
    }
  }
  return conv2d(padded, weight_, bias_, conv);
}

std::string Conv2D::describe() const {
  return text(options_.in_channels(), " -> ", options_.out_channels(), ", kernel ", pair_text(options_.kernel_size()),
              ", stride ", pair_text(options_.stride()), options_.padding_same() ? ", same" : "",
              options_.padding_same() ? "" : ", padding " + pair_text(options_.padding()),
              options_.groups() > 1 ? text(", groups ", options_.groups()) : "",
              !options_.relu()             ? ""
              : options_.relu_slope() == 0 ? ", relu"
                                           : text(", leaky_relu ", options_.relu_slope()));
}

// ---- Conv1D ----

Conv1D::Conv1D(const Conv1DOptions& options) : options_(options) {
  check_channels("Conv1D", options.in_channels(), options.out_channels(), options.groups());
  check_positive("Conv1D", "kernel_size", options.kernel_size());
  check_geometry("Conv1D", {options.stride()}, {options.dilation()}, {options.padding()});
  check_same_padding_alone("Conv1D", options.padding_same(), {options.padding()});
  if (options.padding_same()) same_padding("Conv1D", options.kernel_size(), options.dilation(), options.stride());
  const std::int64_t fan_in =
      checked_product("Conv1D", "the fan-in", {options.in_channels() / options.groups(), options.kernel_size()});
  Generator& generator = generator_of(options.generator());
  weight_ = register_parameter(
      "weight", initial(options.weight_init(),
                        {options.out_channels(), options.in_channels() / options.groups(), options.kernel_size()},
                        fan_in, generator));
  if (options.bias()) {
    bias_ = register_parameter("bias", initial(options.bias_init(), {options.out_channels()}, fan_in, generator));
  }
}

Variable Conv1D::forward(const Variable& input) {
  Conv1dOptions conv;
  conv.stride = options_.stride();
  conv.dilation = options_.dilation();
  conv.groups = options_.groups();
  conv.padding = options_.padding();
  Variable padded = input;
  if (options_.padding_same()) {
    const auto [before, after] = same_padding("Conv1D", options_.kernel_size(), options_.dilation(), 1);
    if (before == after) {
      conv.padding = before;
    } else {
      padded = pad(input, {{before, after}});
      conv.padding = 0;
    }
  }
  return conv1d(padded, weight_, bias_, conv);
}

std::string Conv1D::describe() const {
  return text(options_.in_channels(), " -> ", options_.out_channels(), ", kernel ", options_.kernel_size(), ", stride ",
              options_.stride());
}

// ---- ConvTranspose2D ----

ConvTranspose2D::ConvTranspose2D(const ConvTranspose2DOptions& options) : options_(options) {
  check_channels("ConvTranspose2D", options.in_channels(), options.out_channels(), options.groups());
  const auto [kh, kw] = options.kernel_size();
  check_positive("ConvTranspose2D", "kernel height", kh);
  check_positive("ConvTranspose2D", "kernel width", kw);
  const auto [sh, sw] = options.stride();
  const auto [dh, dw] = options.dilation();
  const auto [ph, pw] = options.padding();
  check_geometry("ConvTranspose2D", {sh, sw}, {dh, dw}, {ph, pw});
  // PyTorch computes the fan-in of a transposed convolution from weight dim 1.
  const std::int64_t fan_in =
      checked_product("ConvTranspose2D", "the fan-in", {options.out_channels() / options.groups(), kh, kw});
  Generator& generator = generator_of(options.generator());
  weight_ = register_parameter(
      "weight", initial(options.weight_init(),
                        {options.in_channels(), options.out_channels() / options.groups(), kh, kw}, fan_in, generator));
  if (options.bias()) {
    bias_ = register_parameter("bias", initial(options.bias_init(), {options.out_channels()}, fan_in, generator));
  }
}

Variable ConvTranspose2D::forward(const Variable& input) {
  ConvTranspose2dOptions conv;
  conv.stride = options_.stride();
  conv.padding = options_.padding();
  conv.output_padding = options_.output_padding();
  conv.dilation = options_.dilation();
  conv.groups = options_.groups();
  return conv_transpose2d(input, weight_, bias_, conv);
}

std::string ConvTranspose2D::describe() const {
  return text(options_.in_channels(), " -> ", options_.out_channels(), ", kernel ", pair_text(options_.kernel_size()),
              ", stride ", pair_text(options_.stride()), ", padding ", pair_text(options_.padding()));
}

// ---- Pooling ----

namespace {

Pool2dOptions pool_options(const Pool2DOptions& options) {
  Pool2dOptions result;
  result.kernel_size = options.kernel_size();
  result.stride = options.stride();
  result.padding = options.padding();
  result.ceil_mode = options.ceil_mode();
  result.count_include_pad = options.count_include_pad();
  return result;
}

std::string pool_text(const Pool2DOptions& options) {
  const auto stride = options.stride()[0] == 0 ? options.kernel_size() : options.stride();
  return text("kernel ", pair_text(options.kernel_size()), ", stride ", pair_text(stride));
}

}  // namespace

Variable MaxPool2D::forward(const Variable& input) { return max_pool2d(input, pool_options(options_)); }
Variable MaxPool2D::forward_after_relu(const Variable& input) {
  Pool2dOptions options = pool_options(options_);
  options.relu = true;
  return max_pool2d(input, options);
}
std::string MaxPool2D::describe() const { return pool_text(options_); }
Variable AvgPool2D::forward(const Variable& input) { return avg_pool2d(input, pool_options(options_)); }
std::string AvgPool2D::describe() const { return pool_text(options_); }

Variable GlobalAvgPool2D::forward(const Variable& input) {
  NABLA_CHECK(input.defined() && (input.node()->deferred || input.value().rank() == 4),
              "GlobalAvgPool2D: needs a rank-4 input [N, C, H, W], got ", input.defined() ? input.shape() : Shape{});
  return mean(input, {2, 3});
}

Variable Flatten::forward(const Variable& input) { return flatten(input, 1); }

// ---- BatchNorm ----

BatchNorm::BatchNorm(const BatchNormOptions& options, int rank) : options_(options), rank_(rank) {
  check_positive(rank == 2 ? "BatchNorm1d" : "BatchNorm2d", "features", options.features());
  NABLA_CHECK(options.momentum() >= 0 && options.momentum() <= 1, type_name(), ": momentum must be in [0, 1], got ",
              options.momentum());
  kernels::check_batch_norm_eps(rank == 2 ? "BatchNorm1d" : "BatchNorm2d", options.eps());
  if (options.affine()) {
    weight_ = register_parameter("weight", ones({options.features()}));
    bias_ = register_parameter("bias", zeros({options.features()}));
  }
  state_.running_mean = register_buffer("running_mean", zeros({options.features()}));
  state_.running_var = register_buffer("running_var", ones({options.features()}));
  state_.momentum = options.momentum();
  state_.eps = options.eps();
}

Variable BatchNorm::forward(const Variable& input) { return normalise(input, options_.activation()); }

Variable BatchNorm::normalise(const Variable& input, const NormActivation& activation) {
  NABLA_CHECK(input.defined(), type_name(), ": the input variable is undefined");
  NABLA_CHECK(input.node()->deferred || input.value().rank() == rank_, type_name(), ": needs a rank-", rank_, " input ",
              rank_ == 2 ? "[N, C]" : "[N, C, H, W]", ", got ", input.shape());
  return batch_norm(input, weight_, bias_, state_, is_training(), activation);
}

Variable BatchNorm::forward_with_relu(const Variable& input) {
  NABLA_CHECK(absorbs_relu(), type_name(), ": forward_with_relu on a layer with a fused activation already");
  return normalise(input, NormActivation::relu());
}

std::string BatchNorm::describe() const {
  const NormActivation& activation = options_.activation();
  return text(options_.features(), " features",
              activation.kind == NormActivation::Kind::kRelu        ? ", relu"
              : activation.kind == NormActivation::Kind::kLeakyRelu ? text(", leaky_relu ", activation.slope)
                                                                    : "");
}

// ---- Dropout ----

Dropout::Dropout(double p, Generator* generator) : p_(p), generator_(generator) {
  NABLA_CHECK(p >= 0 && p <= 1, "Dropout: p must be in [0, 1], got ", p);
}

Variable Dropout::forward(const Variable& input) { return dropout(input, p_, generator_of(generator_), is_training()); }

std::string Dropout::describe() const { return text("p = ", p_); }

// ---- Embedding ----

Embedding::Embedding(const EmbeddingOptions& options) : options_(options) {
  check_positive("Embedding", "num_embeddings", options.num_embeddings());
  check_positive("Embedding", "embedding_dim", options.embedding_dim());
  Generator& generator = generator_of(options.generator());
  const Shape shape{options.num_embeddings(), options.embedding_dim()};
  if (const std::optional<std::int64_t> padding = options.padding_idx()) {
    const std::int64_t num = options.num_embeddings();
    NABLA_CHECK(*padding >= -num && *padding < num, "Embedding: padding_idx ", *padding, " is outside [", -num, ", ",
                num, ")");
    padding_idx_ = *padding < 0 ? *padding + num : *padding;
  }
  if (options.weight_init()) {
    weight_ = register_parameter("weight", initial(options.weight_init(), shape, 0, generator));
  } else {
    Tensor value = normal(shape, 0, 1, generator);
    if (padding_idx_) value.slice(0, *padding_idx_, *padding_idx_ + 1).fill_(0);
    weight_ = register_parameter("weight", std::move(value));
  }
}

Variable Embedding::forward(const Variable& indices) { return embedding(weight_, indices, padding_idx_); }

std::string Embedding::describe() const {
  return text(options_.num_embeddings(), " x ", options_.embedding_dim(),
              padding_idx_ ? text(", padding_idx ", *padding_idx_) : "");
}

// ---- Activations ----

namespace {

class ReLULayer final : public Activation {
 public:
  ReLULayer() : Activation("ReLU", [](const Variable& x) { return relu(x); }) {}
  bool ends_in_relu() const override { return true; }
  Variable forward_without_relu(const Variable& input) override { return input; }
  bool is_relu() const override { return true; }
};

}  // namespace

std::shared_ptr<Activation> ReLU() { return std::make_shared<ReLULayer>(); }
std::shared_ptr<Activation> LeakyReLU(double negative_slope) {
  return std::make_shared<Activation>("LeakyReLU",
                                      [negative_slope](const Variable& x) { return leaky_relu(x, negative_slope); });
}
std::shared_ptr<Activation> ELU(double alpha) {
  return std::make_shared<Activation>("ELU", [alpha](const Variable& x) { return elu(x, alpha); });
}
std::shared_ptr<Activation> Sigmoid() {
  return std::make_shared<Activation>("Sigmoid", [](const Variable& x) { return sigmoid(x); });
}
std::shared_ptr<Activation> Tanh() {
  return std::make_shared<Activation>("Tanh", [](const Variable& x) { return tanh(x); });
}
std::shared_ptr<Activation> Softmax(std::int64_t axis) {
  return std::make_shared<Activation>("Softmax", [axis](const Variable& x) { return softmax(x, axis); });
}

}  // namespace nabla::nn
