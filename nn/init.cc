#include "nn/init.h"

#include <Eigen/Dense>
#include <cmath>

namespace nabla::nn::init {
namespace {

// Initialisers fill float tensors; returns false for a zero-element one,
// which is left as it is (PyTorch warns and does the same).
bool check_fillable(const char* op, const Tensor& tensor) {
  NABLA_CHECK(tensor.defined(), op, ": the tensor is undefined (default-constructed)");
  NABLA_CHECK(is_floating(tensor.dtype()), op, ": needs a float32 or float64 tensor, got ", tensor.dtype(), " ",
              tensor.shape());
  return tensor.numel() > 0;
}

Fans fans_for(const char* op, const Shape& shape, WeightLayout layout) {
  NABLA_CHECK(shape.size() >= 2, op, ": fan-in and fan-out need a weight of at least 2 dimensions, got ", shape);
  if (layout == WeightLayout::kAuto) layout = shape.size() == 2 ? WeightLayout::kDense : WeightLayout::kConv;
  if (layout == WeightLayout::kDense) {
    NABLA_CHECK(shape.size() == 2, op, ": a Dense weight is [in_features, out_features], got ", shape);
    return {shape[0], shape[1]};
  }
  const std::optional<std::int64_t> receptive = checked_product(Shape(shape.begin() + 2, shape.end()));
  const std::optional<std::int64_t> fan_in = receptive ? checked_product({shape[1], *receptive}) : std::nullopt;
  const std::optional<std::int64_t> fan_out = receptive ? checked_product({shape[0], *receptive}) : std::nullopt;
  NABLA_CHECK(fan_in && fan_out, op, ": the fans of shape ", shape, " overflow int64");
  return {*fan_in, *fan_out};
}

std::int64_t checked_fan(const char* op, std::int64_t fan, const Shape& shape) {
  NABLA_CHECK(fan > 0, op, ": the fan is 0 for shape ", shape);
  return fan;
}

// Draws in the tensor's own dtype and copies in, so views are filled too.
Tensor& fill_uniform(const char* op, Tensor& tensor, double low, double high, Generator& generator) {
  NABLA_CHECK(low <= high, op, ": low ", low, " is above high ", high, " for shape ", tensor.shape());
  if (!check_fillable(op, tensor)) return tensor;
  return tensor.copy_(nabla::uniform(tensor.shape(), low, high, generator, tensor.dtype()));
}

Tensor& fill_normal(const char* op, Tensor& tensor, double mean, double stddev, Generator& generator) {
  NABLA_CHECK(stddev >= 0, op, ": stddev must not be negative, got ", stddev, " for shape ", tensor.shape());
  if (!check_fillable(op, tensor)) return tensor;
  return tensor.copy_(nabla::normal(tensor.shape(), mean, stddev, generator, tensor.dtype()));
}

double kaiming_std(const char* op, const Shape& shape, const KaimingOptions& options) {
  const Fans f = fans_for(op, shape, options.layout);
  const std::int64_t fan = checked_fan(op, options.mode == FanMode::kFanIn ? f.fan_in : f.fan_out, shape);
  return calculate_gain(options.nonlinearity, options.negative_slope) / std::sqrt(static_cast<double>(fan));
}

double xavier_std(const char* op, const Shape& shape, double gain, WeightLayout layout) {
  const Fans f = fans_for(op, shape, layout);
  std::int64_t fan_sum = 0;
  NABLA_CHECK(!__builtin_add_overflow(f.fan_in, f.fan_out, &fan_sum), op, ": fan_in + fan_out of shape ", shape,
              " overflows int64");
  checked_fan(op, fan_sum, shape);
  return gain * std::sqrt(2.0 / static_cast<double>(fan_sum));
}

Tensor make(const Shape& shape, DType dtype) { return empty(shape, dtype); }

}  // namespace

Fans fans(const Shape& shape, WeightLayout layout) { return fans_for("fans", shape, layout); }

double calculate_gain(Nonlinearity nonlinearity, double negative_slope) {
  switch (nonlinearity) {
    case Nonlinearity::kLinear:
    case Nonlinearity::kSigmoid:
      return 1.0;
    case Nonlinearity::kTanh:
      return 5.0 / 3.0;
    case Nonlinearity::kRelu:
      return std::sqrt(2.0);
    case Nonlinearity::kLeakyRelu:
      NABLA_CHECK(std::isfinite(negative_slope), "calculate_gain: leaky_relu's negative_slope must be finite, got ",
                  negative_slope);
      return std::sqrt(2.0 / (1.0 + negative_slope * negative_slope));
    case Nonlinearity::kSelu:
      return 0.75;
  }
  throw Error("calculate_gain: invalid nonlinearity");
}

// ---- Fill in place. ----

Tensor& zeros_(Tensor& tensor) { return constant_(tensor, 0.0); }
Tensor& ones_(Tensor& tensor) { return constant_(tensor, 1.0); }

Tensor& constant_(Tensor& tensor, double value) {
  if (!check_fillable("constant_", tensor)) return tensor;
  return tensor.fill_(value);
}

Tensor& uniform_(Tensor& tensor, double low, double high, Generator& generator) {
  return fill_uniform("uniform_", tensor, low, high, generator);
}

Tensor& normal_(Tensor& tensor, double mean, double stddev, Generator& generator) {
  return fill_normal("normal_", tensor, mean, stddev, generator);
}

Tensor& xavier_uniform_(Tensor& tensor, Generator& generator, double gain, WeightLayout layout) {
  if (!check_fillable("xavier_uniform_", tensor)) return tensor;
  // A uniform in ±a has variance a²/3, hence a = √3·std.
  const double bound = std::sqrt(3.0) * xavier_std("xavier_uniform_", tensor.shape(), gain, layout);
  return fill_uniform("xavier_uniform_", tensor, -bound, bound, generator);
}

Tensor& xavier_normal_(Tensor& tensor, Generator& generator, double gain, WeightLayout layout) {
  if (!check_fillable("xavier_normal_", tensor)) return tensor;
  return fill_normal("xavier_normal_", tensor, 0.0, xavier_std("xavier_normal_", tensor.shape(), gain, layout),
                     generator);
}

Tensor& kaiming_uniform_(Tensor& tensor, Generator& generator, const KaimingOptions& options) {
  if (!check_fillable("kaiming_uniform_", tensor)) return tensor;
  const double bound = std::sqrt(3.0) * kaiming_std("kaiming_uniform_", tensor.shape(), options);
  return fill_uniform("kaiming_uniform_", tensor, -bound, bound, generator);
}

Tensor& kaiming_normal_(Tensor& tensor, Generator& generator, const KaimingOptions& options) {
  if (!check_fillable("kaiming_normal_", tensor)) return tensor;
  return fill_normal("kaiming_normal_", tensor, 0.0, kaiming_std("kaiming_normal_", tensor.shape(), options),
                     generator);
}

Tensor& orthogonal_(Tensor& tensor, Generator& generator, double gain) {
  NABLA_CHECK(tensor.rank() >= 2, "orthogonal_: needs a tensor of at least 2 dimensions, got ", tensor.shape());
  if (!check_fillable("orthogonal_", tensor)) return tensor;
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const std::int64_t rows = tensor.dim(0);
  const std::int64_t cols = tensor.numel() / rows;
  // As PyTorch: draw [rows, cols], and factor the tall one of it and its
  // transpose so that Q has orthonormal columns.
  const Tensor drawn = nabla::normal({rows, cols}, 0.0, 1.0, generator, kFloat64);
  const Eigen::Map<const RowMajor> flat(drawn.data<double>(), rows, cols);
  const bool wide = rows < cols;
  const Eigen::MatrixXd tall = wide ? Eigen::MatrixXd(flat.transpose()) : Eigen::MatrixXd(flat);
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(tall);
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(tall.rows(), tall.cols());
  // Q·diag(sign(diag R)) makes the factorisation unique, and the result Haar
  // distributed rather than biased by Householder's sign choices.
  const Eigen::VectorXd diagonal = qr.matrixQR().diagonal();
  for (Eigen::Index j = 0; j < q.cols(); ++j) {
    if (diagonal(j) < 0) q.col(j) *= -1.0;
  }
  Tensor result(Shape{rows, cols}, kFloat64);
  Eigen::Map<RowMajor> out(result.data<double>(), rows, cols);
  if (wide) {
    out = gain * q.transpose();
  } else {
    out = gain * q;
  }
  return tensor.copy_(result.reshape(tensor.shape()));
}

// ---- New tensors. ----

Tensor xavier_uniform(const Shape& shape, Generator& generator, double gain, WeightLayout layout, DType dtype) {
  Tensor result = make(shape, dtype);
  return xavier_uniform_(result, generator, gain, layout);
}

Tensor xavier_normal(const Shape& shape, Generator& generator, double gain, WeightLayout layout, DType dtype) {
  Tensor result = make(shape, dtype);
  return xavier_normal_(result, generator, gain, layout);
}

Tensor kaiming_uniform(const Shape& shape, Generator& generator, const KaimingOptions& options, DType dtype) {
  Tensor result = make(shape, dtype);
  return kaiming_uniform_(result, generator, options);
}

Tensor kaiming_normal(const Shape& shape, Generator& generator, const KaimingOptions& options, DType dtype) {
  Tensor result = make(shape, dtype);
  return kaiming_normal_(result, generator, options);
}

Tensor orthogonal(const Shape& shape, Generator& generator, double gain, DType dtype) {
  Tensor result = make(shape, dtype);
  return orthogonal_(result, generator, gain);
}

}  // namespace nabla::nn::init
