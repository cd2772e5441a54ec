#ifndef NABLA_KERNELS_INTERNAL_POOL2D_PARAMS_H_
#define NABLA_KERNELS_INTERNAL_POOL2D_PARAMS_H_

// One fully resolved 2-D pooling, as both backends see it: the (n, c)
// planes are independent, so only their count matters.

#include <array>
#include <cstdint>

namespace nabla::kernels::internal {

struct Pool2dParams {
  std::int64_t planes;  // N · C
  std::int64_t height, width, out_height, out_width;
  // Pairs are {height, width}; stride is resolved (never {0, 0}).
  std::array<std::int64_t, 2> kernel, stride, padding, dilation;
  bool ceil_mode, count_include_pad;
};

}  // namespace nabla::kernels::internal

#endif  // NABLA_KERNELS_INTERNAL_POOL2D_PARAMS_H_
