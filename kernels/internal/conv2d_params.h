#ifndef NABLA_KERNELS_INTERNAL_CONV2D_PARAMS_H_
#define NABLA_KERNELS_INTERNAL_CONV2D_PARAMS_H_

// One fully resolved 2-D convolution as every backend sees it. A transposed
// convolution is described by the conv2d whose input gradient it is, so the
// roles swap: conv_transpose2d's output is this convolution's input.
// Every field is part of what a oneDNN primitive cache key has to hold.

#include <array>
#include <cstdint>

#include "tensor/dtype.h"

namespace nabla::kernels::internal {

struct Conv2dParams {
  DType dtype = kFloat32;
  std::int64_t batch = 0;
  std::int64_t in_channels = 0;
  std::int64_t out_channels = 0;
  std::int64_t groups = 1;
  // Pairs are {height, width}.
  std::array<std::int64_t, 2> input_size{0, 0};
  // At most the size the input allows; a transposed convolution with
  // output_padding >= stride asks for fewer rows than that.
  std::array<std::int64_t, 2> output_size{0, 0};
  std::array<std::int64_t, 2> kernel_size{0, 0};
  std::array<std::int64_t, 2> stride{1, 1};
  std::array<std::int64_t, 2> padding{0, 0};
  std::array<std::int64_t, 2> dilation{1, 1};
  // Forward only: a fused ReLU (a LeakyReLU for relu_slope > 0) after the bias.
  bool relu = false;
  double relu_slope = 0.0;

  bool operator==(const Conv2dParams& other) const {
    return dtype == other.dtype && batch == other.batch && in_channels == other.in_channels &&
           out_channels == other.out_channels && groups == other.groups && input_size == other.input_size &&
           output_size == other.output_size && kernel_size == other.kernel_size && stride == other.stride &&
           padding == other.padding && dilation == other.dilation && relu == other.relu &&
           relu_slope == other.relu_slope;
  }
  bool operator!=(const Conv2dParams& other) const { return !(*this == other); }
};

}  // namespace nabla::kernels::internal

#endif  // NABLA_KERNELS_INTERNAL_CONV2D_PARAMS_H_
