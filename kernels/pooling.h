#ifndef NABLA_KERNELS_POOLING_H_
#define NABLA_KERNELS_POOLING_H_

/// 2-D max and average pooling on NCHW tensors, forward and backward, with
/// PyTorch's semantics (output sizes, ceil_mode, padding, tie-breaking).
/// Average pooling in float32 runs oneDNN's pooling primitives on the oneDNN
/// backend (tensor/backend.h); float64, the reference backend and all max
/// pooling run plain loops. Those keep NaN, which oneDNN 2.6's max pooling
/// drops. Against it, they are 1.7-4x faster on channels-last tensors (AVX2
/// and AVX-512 alike). On row-major [64, 64, 14, 14] at 1 thread, forward
/// and backward take 1.05 ms against 1.72 ms for 2x2 windows, and the same
/// 1.75 ms for 3x3 at stride 2, whose forward alone is 1.9x slower.
///
///   OH = floor_or_ceil((H + 2·pad - dil·(K - 1) - 1) / stride) + 1
///
/// and with ceil_mode the last window must start inside the input or the left
/// padding (else OH is one less). float32 and float64; any strides. Every
/// function throws nabla::Error naming the op and the shapes for: an
/// undefined or non-4-D input, int64 data, a non-positive kernel size,
/// stride or dilation, negative padding or padding above half the kernel, an
/// empty output, relu for average pooling, and backward arguments whose
/// shapes disagree.
///
///   Pool2dOptions two;
///   two.kernel_size = {2, 2};                          // stride defaults to 2
///   MaxPool2dResult pooled = max_pool2d(x /*[8, 16, 28, 28]*/, two);  // [8, 16, 14, 14]

#include <array>
#include <cstdint>

#include "tensor/tensor.h"

namespace nabla::kernels {

/// Index 0 is the height, 1 the width.
struct Pool2dOptions {
  std::array<std::int64_t, 2> kernel_size{1, 1};
  /// {0, 0} (the default) means equal to kernel_size, as in PyTorch.
  std::array<std::int64_t, 2> stride{0, 0};
  /// Implicit padding on both sides: -inf for max, zeros for average.
  std::array<std::int64_t, 2> padding{0, 0};
  /// Spacing of the window's taps; max pooling only (average needs {1, 1}).
  std::array<std::int64_t, 2> dilation{1, 1};
  /// Round the output size up instead of down.
  bool ceil_mode = false;
  /// Average pooling: divide by the window size including padded taps (true)
  /// or by the number of taps inside the input (false).
  bool count_include_pad = true;
  /// Max pooling only: max(0, ·) of each output. ReLU and max commute, in
  /// values and gradients, so this equals max pooling a ReLU's output, with
  /// the ReLU done on the pooled output only (a quarter of the data for 2x2
  /// windows) and for free inside the loops. Backward routes a gradient only
  /// where the output is positive.
  bool relu = false;
};

/// The output shape [N, C, OH, OW] of pooling input_shape [N, C, H, W].
Shape pool2d_output_shape(const Shape& input_shape, const Pool2dOptions& options);

struct MaxPool2dResult {
  Tensor output;   ///< [N, C, OH, OW], input's dtype and memory format
  /// int64 [N, C, OH, OW] in output's format, h·W + w of each maximum in
  /// its (n, c) plane; -1 where dilated taps all fall on padding (output
  /// -inf, or 0 with relu).
  Tensor indices;
};

/// Maximum over each window (then max(0, ·) with options.relu). Ties go to
/// the first maximum in row-major window order; a NaN wins over any number
/// (the last NaN of a window), as in PyTorch.
MaxPool2dResult max_pool2d(const Tensor& input, const Pool2dOptions& options);

/// Routes each grad_output element to its maximum's position (with
/// options.relu, those whose output is not <= 0, NaN included, as relu()'s;
/// the others are dropped):
/// -> input_shape [N, C, H, W], where positions that were several maxima sum
/// their grads.
/// `forward` is what max_pool2d returned for input_shape and options: its
/// indices, each of which must lie in [0, H·W) or be -1 (channels-last ones of
/// windows that tile the input, stride = kernel without padding or dilation,
/// in their own window), and with options.relu its output.
Tensor max_pool2d_backward(const Tensor& grad_output, const MaxPool2dResult& forward, const Shape& input_shape,
                           const Pool2dOptions& options);

/// Mean over each window (see count_include_pad); options.relu must be false.
Tensor avg_pool2d(const Tensor& input, const Pool2dOptions& options);

/// Spreads each grad_output element evenly over its window: -> input_shape.
Tensor avg_pool2d_backward(const Tensor& grad_output, const Shape& input_shape, const Pool2dOptions& options);

}  // namespace nabla::kernels

#endif  // NABLA_KERNELS_POOLING_H_
