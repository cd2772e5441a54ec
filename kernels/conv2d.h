#ifndef NABLA_KERNELS_CONV2D_H_
#define NABLA_KERNELS_CONV2D_H_

/// 2-D convolution and transposed convolution on the CPU, forward and
/// backward: the kernels behind the autodiff conv ops.
///
/// Layouts: activations NCHW; conv2d weights OIHW, [C_out, C_in / groups, KH,
/// KW]; conv_transpose2d weights [C_in, C_out / groups, KH, KW] (PyTorch's).
/// float32 and float64; any strides (non-dense operands are copied first).
/// Results are new dense tensors: on the oneDNN backend, activations (the
/// output, the input gradient) are channels-last (MemoryFormat), the layout
/// its convolutions, pooling and ReLU run fastest on, and channels-last
/// operands are read without a copy; elsewhere they are row-major. Values
/// never depend on the format. Sizes follow PyTorch:
///
///   conv2d:           OH = (H + 2·pad - dil·(KH - 1) - 1) / stride + 1
///   conv_transpose2d: OH = (H - 1)·stride - 2·pad + dil·(KH - 1) + output_padding + 1
///
///   Conv2dOptions same;
///   same.padding = {1, 1};
///   Tensor y = conv2d(x /*[8, 3, 32, 32]*/, w /*[16, 3, 3, 3]*/, b /*[16]*/, same);  // [8, 16, 32, 32]
///
/// A conv1d is a conv2d on [N, C, 1, L] with a [C_out, C_in / g, 1, K] weight
/// (height options {1, 0, 1}): unsqueeze(2) before, squeeze(2) after.
/// The bias gradient of both convolutions is sum(grad_output, {0, 2, 3}).
///
/// Every function throws nabla::Error, naming the op and the shapes, for:
/// undefined or non-4-D operands, int64 or mixed dtypes, a bias that is not
/// [C_out], non-positive stride / dilation / groups, negative padding, groups
/// that do not divide the channels, a channel count that does not match the
/// weight, a (dilated) kernel larger than the padded input, and shapes passed
/// to a backward function that disagree with each other; conv2d also, naming
/// the slope, for a relu_slope that is negative, not finite, or without relu.
///
/// Backends (tensor/backend.h): on kOneDnn, float32 runs oneDNN's
/// convolution primitives on nhwc activations (conv2d_onednn.cc, cached
/// per shape and layouts); float64, the kReference backend, and the rare geometry oneDNN
/// cannot express run the portable im2col + GEMM code (conv2d_eigen.cc),
/// parallel over the batch. conv2d.cc is the one place that chooses.

#include <array>
#include <cstdint>

#include "tensor/tensor.h"

namespace nabla::kernels {

/// Index 0 is the height, 1 the width.
struct Conv2dOptions {
  std::array<std::int64_t, 2> stride{1, 1};
  std::array<std::int64_t, 2> padding{0, 0};  ///< zeros on both sides
  std::array<std::int64_t, 2> dilation{1, 1};
  std::int64_t groups = 1;
  /// conv2d only: max(0, ·) of the output, after the bias; with relu_slope
  /// > 0 a LeakyReLU (slope · x below 0). A NaN output stays NaN, as with
  /// relu() after the convolution. On oneDNN it is a post-op of the
  /// convolution, which then writes its output once; oneDNN's ReLU post-op
  /// maps NaN to 0, so with a NaN or infinite operand (read first) conv2d
  /// runs the ReLU after the convolution instead. (Finite operands whose
  /// products overflow to both infinities in one sum still give 0 there.)
  /// The backward functions ignore it: they take the gradient with respect
  /// to the output before the activation (activation_backward(kRelu, g,
  /// output), or kLeakyRelu with the slope, whose sign test on the output
  /// is right for slopes >= 0).
  bool relu = false;
  double relu_slope = 0.0;
};

/// The output shape [N, C_out, OH, OW] of conv2d on these shapes; checks
/// everything about the shapes and options that conv2d checks.
Shape conv2d_output_shape(const Shape& input, const Shape& weight, const Conv2dOptions& options);

/// input [N, C_in, H, W] ⋆ weight [C_out, C_in / groups, KH, KW] (+ bias
/// [C_out], or an undefined Tensor for none) -> [N, C_out, OH, OW].
/// Cross-correlation, as in every deep-learning library.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, const Conv2dOptions& options);

/// Gradient of conv2d with respect to its input: grad_output [N, C_out, OH,
/// OW] -> [N, C_in, H, W] = input_shape. The adjoint of conv2d in its input.
Tensor conv2d_backward_input(const Tensor& grad_output, const Tensor& weight, const Shape& input_shape,
                             const Conv2dOptions& options);

/// Gradient of conv2d with respect to its weight: -> weight_shape [C_out,
/// C_in / groups, KH, KW]. Sums over the batch, in one partial sum per
/// thread, so the last bits can depend on the thread count.
Tensor conv2d_backward_weight(const Tensor& grad_output, const Tensor& input, const Shape& weight_shape,
                              const Conv2dOptions& options);

/// Index 0 is the height, 1 the width.
struct ConvTranspose2dOptions {
  std::array<std::int64_t, 2> stride{1, 1};
  std::array<std::int64_t, 2> padding{0, 0};  ///< removed from both sides of the output
  /// Extra rows / columns at the bottom / right of the output; each must be
  /// below its stride or its dilation (PyTorch's rule).
  std::array<std::int64_t, 2> output_padding{0, 0};
  std::array<std::int64_t, 2> dilation{1, 1};
  std::int64_t groups = 1;
};

/// The output shape [N, C_out, OH, OW] of conv_transpose2d on these shapes,
/// with every check conv_transpose2d makes on shapes and options.
Shape conv_transpose2d_output_shape(const Shape& input, const Shape& weight, const ConvTranspose2dOptions& options);

/// input [N, C_in, H, W], weight [C_in, C_out / groups, KH, KW] (+ bias
/// [C_out] or undefined) -> [N, C_out, OH, OW], with PyTorch's semantics: the
/// gradient of a conv2d (whose weight this is) with respect to its input.
///   ConvTranspose2dOptions up;
///   up.stride = {2, 2};
///   conv_transpose2d(ones({1, 1, 2, 2}), ones({1, 1, 2, 2}), Tensor(), up);  // ones({1, 1, 4, 4})
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        const ConvTranspose2dOptions& options);

/// Gradient of conv_transpose2d with respect to its input: grad_output [N,
/// C_out, OH, OW] -> input_shape [N, C_in, H, W] (a conv2d with this weight).
Tensor conv_transpose2d_backward_input(const Tensor& grad_output, const Tensor& weight, const Shape& input_shape,
                                       const ConvTranspose2dOptions& options);

/// Gradient of conv_transpose2d with respect to its weight: -> weight_shape
/// [C_in, C_out / groups, KH, KW]. Sums over the batch.
Tensor conv_transpose2d_backward_weight(const Tensor& grad_output, const Tensor& input, const Shape& weight_shape,
                                        const ConvTranspose2dOptions& options);

}  // namespace nabla::kernels

#endif  // NABLA_KERNELS_CONV2D_H_
