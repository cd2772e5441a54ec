// Argument checks and backend choice for the convolutions. Each public
// function resolves its arguments into one Conv2dParams (the conv2d whose
// input gradient a transposed convolution is), then runs a backend on it.

#include "kernels/conv2d.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/internal/checks.h"
#include "kernels/internal/conv2d_eigen.h"
#include "kernels/internal/conv2d_onednn.h"
#include "kernels/internal/conv2d_params.h"
#include "kernels/internal/onednn.h"
#include "kernels/internal/parallel.h"
#include "tensor/backend.h"
#include "tensor/reduce.h"

namespace nabla::kernels {
namespace {

using internal::Conv2dParams;
using Pair = std::array<std::int64_t, 2>;

// Pairs print as shapes do: "[1, 2]".
Shape show(const Pair& pair) { return {pair[0], pair[1]}; }

// Sizes derived from the caller's are computed in 128 bits, so that huge
// ones are an error rather than a wrapped product.
using Wide = __int128;

// Such a size as int64: too large is an error; a negative one (an empty
// output, which callers report) comes back as -1.
std::int64_t checked_size(const char* op, Wide size, const Shape& input, const Shape& weight) {
  NABLA_CHECK(size <= std::numeric_limits<std::int64_t>::max(), op, ": input ", input, " and weight ", weight,
              " with these options give sizes too large for int64");
  return size < 0 ? -1 : static_cast<std::int64_t>(size);
}

// The backends that can run a convolution: oneDNN claims what it supports
// (float32) unless the reference backend is chosen; Eigen runs everything.
enum class ConvBackend { kOneDnn, kEigen };

ConvBackend select_conv_backend(const Conv2dParams& params) {
  if (current_backend() == Backend::kOneDnn && internal::conv2d_onednn_supports(params)) return ConvBackend::kOneDnn;
  return ConvBackend::kEigen;
}

void check_options(const char* op, const Pair& stride, const Pair& padding, const Pair& dilation,
                   std::int64_t groups) {
  NABLA_CHECK(stride[0] > 0 && stride[1] > 0, op, ": stride must be positive, got ", show(stride));
  NABLA_CHECK(dilation[0] > 0 && dilation[1] > 0, op, ": dilation must be positive, got ", show(dilation));
  NABLA_CHECK(padding[0] >= 0 && padding[1] >= 0, op, ": padding must not be negative, got ", show(padding));
  NABLA_CHECK(groups > 0, op, ": groups must be positive, got ", groups);
}

// Shapes passed by the caller (backward functions) can hold anything.
void check_rank4(const char* op, const char* name, const Shape& shape, const char* layout) {
  NABLA_CHECK(shape.size() == 4, op, ": ", name, " must be 4-D ", layout, ", got ", shape);
  for (std::int64_t size : shape) NABLA_CHECK(size >= 0, op, ": ", name, " has a negative size: ", shape);
}

void check_same_dtype(const char* op, const char* name_a, const Tensor& a, const char* name_b, const Tensor& b) {
  NABLA_CHECK(a.dtype() == b.dtype(), op, ": dtypes differ: ", name_a, " ", a.dtype(), " ", a.shape(), " vs ", name_b,
              " ", b.dtype(), " ", b.shape());
}

void check_bias(const char* op, const Tensor& bias, const Tensor& input, std::int64_t channels) {
  if (!bias.defined()) return;
  check_same_dtype(op, "input", input, "bias", bias);
  NABLA_CHECK(bias.shape() == Shape{channels}, op, ": bias must be [", channels, "] (one per output channel), got ",
              bias.shape());
}

// The convolution of input_shape with weight_shape, every shape check done.
Conv2dParams conv_params(const char* op, const Shape& input, const Shape& weight, const Conv2dOptions& options,
                         DType dtype) {
  check_options(op, options.stride, options.padding, options.dilation, options.groups);
  check_rank4(op, "input", input, "[N, C, H, W]");
  check_rank4(op, "weight", weight, "[C_out, C_in / groups, KH, KW]");
  Conv2dParams p;
  p.dtype = dtype;
  p.batch = input[0];
  p.in_channels = input[1];
  p.out_channels = weight[0];
  p.groups = options.groups;
  p.input_size = {input[2], input[3]};
  p.kernel_size = {weight[2], weight[3]};
  p.stride = options.stride;
  p.padding = options.padding;
  p.dilation = options.dilation;
  NABLA_CHECK(p.kernel_size[0] > 0 && p.kernel_size[1] > 0, op, ": kernel must not be empty, weight ", weight);
  NABLA_CHECK(p.in_channels % p.groups == 0, op, ": groups ", p.groups, " does not divide the ", p.in_channels,
              " input channels of input ", input);
  NABLA_CHECK(p.out_channels % p.groups == 0, op, ": groups ", p.groups, " does not divide the ", p.out_channels,
              " output channels of weight ", weight);
  NABLA_CHECK(Wide(weight[1]) * p.groups == p.in_channels, op, ": input ", input, " has ", p.in_channels,
              " channels but weight ", weight, " with groups ", p.groups, " expects ", weight[1], " per group");
  for (int axis = 0; axis < 2; ++axis) {
    const Wide padded = p.input_size[axis] + 2 * Wide(p.padding[axis]);
    const Wide extent = Wide(p.dilation[axis]) * (p.kernel_size[axis] - 1) + 1;
    NABLA_CHECK(extent <= padded, op, ": kernel ", show(p.kernel_size), " with dilation ", show(p.dilation),
                " is larger than the padded input: input ", input, ", weight ", weight, ", padding ",
                show(p.padding));
    p.output_size[axis] = checked_size(op, (padded - extent) / p.stride[axis] + 1, input, weight);
  }
  return p;
}

Shape conv_output_shape(const Conv2dParams& p) { return {p.batch, p.out_channels, p.output_size[0], p.output_size[1]}; }
Shape conv_input_shape(const Conv2dParams& p) { return {p.batch, p.in_channels, p.input_size[0], p.input_size[1]}; }

// A transposed convolution as the conv2d it is the input gradient of: that
// conv2d's input is our output and its output our input.
Conv2dParams transpose_params(const char* op, const Shape& input, const Shape& weight,
                              const ConvTranspose2dOptions& options, DType dtype) {
  check_options(op, options.stride, options.padding, options.dilation, options.groups);
  check_rank4(op, "input", input, "[N, C_in, H, W]");
  check_rank4(op, "weight", weight, "[C_in, C_out / groups, KH, KW]");
  const Pair& output_padding = options.output_padding;
  NABLA_CHECK(output_padding[0] >= 0 && output_padding[1] >= 0, op, ": output_padding must not be negative, got ",
              show(output_padding));
  for (int axis = 0; axis < 2; ++axis) {
    NABLA_CHECK(output_padding[axis] < options.stride[axis] || output_padding[axis] < options.dilation[axis], op,
                ": output_padding ", show(output_padding), " must be smaller than the stride ", show(options.stride),
                " or the dilation ", show(options.dilation));
  }
  NABLA_CHECK(weight[2] > 0 && weight[3] > 0, op, ": kernel must not be empty, weight ", weight);
  NABLA_CHECK(input[1] % options.groups == 0, op, ": groups ", options.groups, " does not divide the ", input[1],
              " input channels of input ", input);
  NABLA_CHECK(weight[0] == input[1], op, ": input ", input, " has ", input[1], " channels but weight ", weight,
              " expects ", weight[0]);
  Conv2dParams p;
  p.dtype = dtype;
  p.batch = input[0];
  p.in_channels = checked_size(op, Wide(weight[1]) * options.groups, input, weight);
  p.out_channels = input[1];
  p.groups = options.groups;
  p.output_size = {input[2], input[3]};
  p.kernel_size = {weight[2], weight[3]};
  p.stride = options.stride;
  p.padding = options.padding;
  p.dilation = options.dilation;
  for (int axis = 0; axis < 2; ++axis) {
    p.input_size[axis] =
        checked_size(op,
                     Wide(p.output_size[axis] - 1) * p.stride[axis] - 2 * Wide(p.padding[axis]) +
                         Wide(p.dilation[axis]) * (p.kernel_size[axis] - 1) + output_padding[axis] + 1,
                     input, weight);
    NABLA_CHECK(p.input_size[axis] > 0, op, ": output would be empty: input ", input, ", weight ", weight,
                ", stride ", show(p.stride), ", padding ", show(p.padding), ", dilation ", show(p.dilation));
  }
  return p;
}

Tensor dense_or_none(const Tensor& t) { return t.defined() ? t.contiguous() : t; }

void check_grad_shape(const char* op, const Tensor& grad_output, const Shape& expected) {
  NABLA_CHECK(grad_output.shape() == expected, op, ": grad_output ", grad_output.shape(),
              " does not match the forward output shape ", expected);
}

// max(0, ·) in place, or slope · x below 0 with a slope; a NaN stays NaN,
// as relu() keeps it.
void apply_relu(Tensor& out, double relu_slope) {
  dispatch_floating("conv2d", out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* values = out.data<T>();
    const T slope = static_cast<T>(relu_slope);
    const std::int64_t size = out.numel();
    for (std::int64_t i = 0; i < size; ++i) {
      if (values[i] < 0) values[i] = slope == 0 ? T(0) : values[i] * slope;  // +0, not -0, for a ReLU
    }
  });
}

// False if a value of a dense float32 tensor is NaN or infinite (x - x is 0
// only for finite x); true for an undefined tensor.
bool all_finite(const Tensor& t) {
  return !t.defined() || !internal::any_of(t.data<float>(), t.numel(), [](float v) { return !(v - v == 0.0f); });
}

// The bias, when defined, is added to the result's channels.
Tensor run_forward(const Conv2dParams& p, const Tensor& input, const Tensor& weight, const Tensor& bias) {
  switch (select_conv_backend(p)) {
    case ConvBackend::kOneDnn: {
      const Tensor x = internal::onednn::dense(input);
      const Tensor w = weight.contiguous();
      const Tensor b = dense_or_none(bias);
      // oneDNN's fused ReLU maps NaN to 0 (its leaky one keeps NaN). An
      // output is NaN only where an operand is not finite (or where finite
      // products overflow to both infinities in one sum, which this misses);
      // then the ReLU runs after the convolution and keeps NaN, as PyTorch's.
      // Checking the operands reads far less than the output for most
      // layers (conv1 of the CNN: 0.2 against 6.4 MB).
      if (p.relu && p.relu_slope == 0 && !(all_finite(x) && all_finite(w) && all_finite(b))) {
        Conv2dParams without_relu = p;
        without_relu.relu = false;
        Tensor out = internal::conv2d_forward_onednn(without_relu, x, w, b);
        apply_relu(out, 0.0);
        return out;
      }
      return internal::conv2d_forward_onednn(p, x, w, b);
    }
    case ConvBackend::kEigen: {
      Tensor out = internal::conv2d_forward_eigen(p, input.contiguous(), weight.contiguous(), dense_or_none(bias));
      if (p.relu) apply_relu(out, p.relu_slope);  // in place on the fresh output: no second output-sized tensor
      return out;
    }
  }
  throw Error("conv2d: no backend");
}

Tensor run_backward_input(const Conv2dParams& p, const Tensor& grad_output, const Tensor& weight,
                          const Tensor& bias) {
  switch (select_conv_backend(p)) {
    case ConvBackend::kOneDnn:
      return internal::conv2d_backward_input_onednn(p, internal::onednn::dense(grad_output), weight.contiguous(),
                                                    dense_or_none(bias));
    case ConvBackend::kEigen:
      return internal::conv2d_backward_input_eigen(p, grad_output.contiguous(), weight.contiguous(),
                                                   dense_or_none(bias));
  }
  throw Error("conv2d_backward_input: no backend");
}

Tensor run_backward_weight(const Conv2dParams& p, const Tensor& grad_output, const Tensor& input) {
  switch (select_conv_backend(p)) {
    case ConvBackend::kOneDnn:
      return internal::conv2d_backward_weight_onednn(p, internal::onednn::dense(grad_output),
                                                     internal::onednn::dense(input));
    case ConvBackend::kEigen:
      return internal::conv2d_backward_weight_eigen(p, grad_output.contiguous(), input.contiguous());
  }
  throw Error("conv2d_backward_weight: no backend");
}

// Checks shared by the weight gradients of conv2d.
Conv2dParams backward_weight_params(const char* op, const Tensor& grad_output, const Tensor& input,
                                    const Shape& weight_shape, const Conv2dOptions& options) {
  internal::check_floating(op, "grad_output", grad_output);
  internal::check_floating(op, "input", input);
  check_same_dtype(op, "grad_output", grad_output, "input", input);
  const Conv2dParams p = conv_params(op, input.shape(), weight_shape, options, input.dtype());
  check_grad_shape(op, grad_output, conv_output_shape(p));
  return p;
}

}  // namespace

Shape conv2d_output_shape(const Shape& input, const Shape& weight, const Conv2dOptions& options) {
  return conv_output_shape(conv_params("conv2d", input, weight, options, kFloat32));
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, const Conv2dOptions& options) {
  constexpr const char* kOp = "conv2d";
  internal::check_floating(kOp, "input", input);
  internal::check_floating(kOp, "weight", weight);
  check_same_dtype(kOp, "input", input, "weight", weight);
  Conv2dParams p = conv_params(kOp, input.shape(), weight.shape(), options, input.dtype());
  check_bias(kOp, bias, input, p.out_channels);
  NABLA_CHECK(std::isfinite(options.relu_slope) && options.relu_slope >= 0 && (options.relu || options.relu_slope == 0),
              kOp, ": relu_slope must be finite, >= 0, and given with relu; got ", options.relu_slope,
              options.relu ? "" : " without relu");
  p.relu = options.relu;
  p.relu_slope = options.relu_slope;
  return run_forward(p, input, weight, bias);
}

Tensor conv2d_backward_input(const Tensor& grad_output, const Tensor& weight, const Shape& input_shape,
                             const Conv2dOptions& options) {
  constexpr const char* kOp = "conv2d_backward_input";
  internal::check_floating(kOp, "grad_output", grad_output);
  internal::check_floating(kOp, "weight", weight);
  check_same_dtype(kOp, "grad_output", grad_output, "weight", weight);
  const Conv2dParams p = conv_params(kOp, input_shape, weight.shape(), options, weight.dtype());
  check_grad_shape(kOp, grad_output, conv_output_shape(p));
  return run_backward_input(p, grad_output, weight, Tensor());
}

Tensor conv2d_backward_weight(const Tensor& grad_output, const Tensor& input, const Shape& weight_shape,
                              const Conv2dOptions& options) {
  const Conv2dParams p = backward_weight_params("conv2d_backward_weight", grad_output, input, weight_shape, options);
  return run_backward_weight(p, grad_output, input);
}

Shape conv_transpose2d_output_shape(const Shape& input, const Shape& weight, const ConvTranspose2dOptions& options) {
  return conv_input_shape(transpose_params("conv_transpose2d", input, weight, options, kFloat32));
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        const ConvTranspose2dOptions& options) {
  constexpr const char* kOp = "conv_transpose2d";
  internal::check_floating(kOp, "input", input);
  internal::check_floating(kOp, "weight", weight);
  check_same_dtype(kOp, "input", input, "weight", weight);
  const Conv2dParams p = transpose_params(kOp, input.shape(), weight.shape(), options, input.dtype());
  check_bias(kOp, bias, input, p.in_channels);
  // Our input plays the conv2d's grad_output.
  return run_backward_input(p, input, weight, bias);
}

Tensor conv_transpose2d_backward_input(const Tensor& grad_output, const Tensor& weight, const Shape& input_shape,
                                       const ConvTranspose2dOptions& options) {
  constexpr const char* kOp = "conv_transpose2d_backward_input";
  internal::check_floating(kOp, "grad_output", grad_output);
  internal::check_floating(kOp, "weight", weight);
  check_same_dtype(kOp, "grad_output", grad_output, "weight", weight);
  const Conv2dParams p = transpose_params(kOp, input_shape, weight.shape(), options, weight.dtype());
  // grad_output has the conv2d's input shape, and the result its output's.
  check_grad_shape(kOp, grad_output, conv_input_shape(p));
  return run_forward(p, grad_output, weight, Tensor());
}

Tensor conv_transpose2d_backward_weight(const Tensor& grad_output, const Tensor& input, const Shape& weight_shape,
                                        const ConvTranspose2dOptions& options) {
  constexpr const char* kOp = "conv_transpose2d_backward_weight";
  internal::check_floating(kOp, "grad_output", grad_output);
  internal::check_floating(kOp, "input", input);
  check_same_dtype(kOp, "grad_output", grad_output, "input", input);
  const Conv2dParams p = transpose_params(kOp, input.shape(), weight_shape, options, input.dtype());
  check_grad_shape(kOp, grad_output, conv_input_shape(p));
  // y = conv2d_backward_input(x, W), so <y, g> = <x, conv2d(g, W)>: the
  // weight gradient is the conv2d one with x as its grad_output, g as input.
  return run_backward_weight(p, input, grad_output);
}

}  // namespace nabla::kernels
