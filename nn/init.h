#ifndef NABLA_NN_INIT_H_
#define NABLA_NN_INIT_H_

/// Weight initialisers, as torch.nn.init, seeded through nabla::Generator so
/// that a seed gives the same weights on every machine.
///
/// `name_(tensor, ...)` fills a float tensor in place (through views too) and
/// returns it; `name(shape, ..., dtype)` returns a new one (for plain uniform
/// and normal tensors, nabla::uniform and nabla::normal of tensor/random.h).
///
///   Generator gen(42);
///   Tensor w = init::kaiming_uniform({784, 256}, gen);   // a Dense weight [in, out]
///   init::zeros_(b);
///
/// Fan-in and fan-out: nabla's layouts differ from PyTorch's for Dense.
///   - Dense weights are [in_features, out_features]:
///       fan_in = shape[0], fan_out = shape[1].
///   - Convolution weights are [out_channels, in_channels / groups, kh, kw]
///     (any number of kernel dimensions, PyTorch's layout):
///       fan_in = shape[1]·receptive, fan_out = shape[0]·receptive,
///       receptive = the product of shape[2:].
/// WeightLayout::kAuto (the default) picks kDense for rank 2 and kConv for
/// rank >= 3; pass kConv for a rank-2 weight stored [out, in] (PyTorch's
/// Linear). Throws nabla::Error for fewer than 2 dimensions, for int64
/// tensors, and for bad arguments (std <= 0, low > high, ...), naming the
/// initialiser and the shape. Zero-element tensors are left as they are.

#include <cstdint>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace nabla::nn::init {

enum class WeightLayout {
  kAuto,   ///< rank 2: kDense; rank >= 3: kConv
  kDense,  ///< [in_features, out_features]
  kConv,   ///< [out, in / groups, k...] (also PyTorch's Linear [out, in])
};

struct Fans {
  std::int64_t fan_in = 0;
  std::int64_t fan_out = 0;
};

/// fan_in and fan_out of a weight of this shape, by the rules above.
///   fans({784, 256})           -> {784, 256}
///   fans({64, 3, 3, 3})        -> {27, 576}
///   fans({10, 20}, kConv)      -> {20, 10}
Fans fans(const Shape& shape, WeightLayout layout = WeightLayout::kAuto);

/// torch.nn.init.calculate_gain's table: the factor that keeps activations'
/// variance steady through the nonlinearity.
enum class Nonlinearity {
  kLinear,     ///< 1 (also conv and identity)
  kSigmoid,    ///< 1
  kTanh,       ///< 5/3
  kRelu,       ///< √2
  kLeakyRelu,  ///< √(2 / (1 + negative_slope²))
  kSelu,       ///< 3/4
};

/// `negative_slope` is read for kLeakyRelu only (PyTorch's default 0.01).
double calculate_gain(Nonlinearity nonlinearity, double negative_slope = 0.01);

enum class FanMode {
  kFanIn,   ///< keeps the forward pass's variance (PyTorch's default)
  kFanOut,  ///< keeps the backward pass's variance
};

struct KaimingOptions {
  FanMode mode = FanMode::kFanIn;
  Nonlinearity nonlinearity = Nonlinearity::kRelu;
  /// For kLeakyRelu: the slope of its negative part.
  double negative_slope = 0.0;
  WeightLayout layout = WeightLayout::kAuto;
};

// ---- Fill in place. ----

Tensor& zeros_(Tensor& tensor);
Tensor& ones_(Tensor& tensor);
Tensor& constant_(Tensor& tensor, double value);
/// Uniform in [low, high).
Tensor& uniform_(Tensor& tensor, double low, double high, Generator& generator);
Tensor& normal_(Tensor& tensor, double mean, double stddev, Generator& generator);
/// Glorot: uniform in ±gain·√(6 / (fan_in + fan_out)).
Tensor& xavier_uniform_(Tensor& tensor, Generator& generator, double gain = 1.0,
                        WeightLayout layout = WeightLayout::kAuto);
/// Glorot: normal with std gain·√(2 / (fan_in + fan_out)).
Tensor& xavier_normal_(Tensor& tensor, Generator& generator, double gain = 1.0,
                       WeightLayout layout = WeightLayout::kAuto);
/// He: uniform in ±gain·√(3 / fan), fan by options.mode, gain by options.nonlinearity.
Tensor& kaiming_uniform_(Tensor& tensor, Generator& generator, const KaimingOptions& options = {});
/// He: normal with std gain / √fan.
Tensor& kaiming_normal_(Tensor& tensor, Generator& generator, const KaimingOptions& options = {});
/// A (semi-)orthogonal matrix times gain, as PyTorch: the tensor is viewed as
/// [shape[0], numel / shape[0]]; its rows (if fewer) or columns are
/// orthonormal. Drawn from the QR decomposition of a standard normal matrix
/// (Eigen's HouseholderQR in float64), with Q's columns multiplied by the
/// signs of R's diagonal so that the result is uniform (Haar) distributed.
Tensor& orthogonal_(Tensor& tensor, Generator& generator, double gain = 1.0);

// ---- New tensors (for uniform and normal ones: nabla::uniform, nabla::normal). ----

Tensor xavier_uniform(const Shape& shape, Generator& generator, double gain = 1.0,
                      WeightLayout layout = WeightLayout::kAuto, DType dtype = kFloat32);
Tensor xavier_normal(const Shape& shape, Generator& generator, double gain = 1.0,
                     WeightLayout layout = WeightLayout::kAuto, DType dtype = kFloat32);
Tensor kaiming_uniform(const Shape& shape, Generator& generator, const KaimingOptions& options = {},
                       DType dtype = kFloat32);
Tensor kaiming_normal(const Shape& shape, Generator& generator, const KaimingOptions& options = {},
                      DType dtype = kFloat32);
Tensor orthogonal(const Shape& shape, Generator& generator, double gain = 1.0, DType dtype = kFloat32);

}  // namespace nabla::nn::init

#endif  // NABLA_NN_INIT_H_
