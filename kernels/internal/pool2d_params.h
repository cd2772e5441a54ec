#ifndef NABLA_KERNELS_INTERNAL_POOL2D_PARAMS_H_
#define NABLA_KERNELS_INTERNAL_POOL2D_PARAMS_H_

// One fully resolved 2-D pooling, as both backends see it. The (n, c)
// planes are independent: the reference loops only count them.

#include <array>
#include <cstdint>

namespace nabla::kernels::internal {

struct Pool2dParams {
  std::int64_t batch, channels;
  std::int64_t height, width, out_height, out_width;
  // Pairs are {height, width}; stride is resolved (never {0, 0}).
  std::array<std::int64_t, 2> kernel, stride, padding, dilation;
  bool ceil_mode, count_include_pad;

  std::int64_t planes() const { return batch * channels; }
};

}  // namespace nabla::kernels::internal

#endif  // NABLA_KERNELS_INTERNAL_POOL2D_PARAMS_H_
