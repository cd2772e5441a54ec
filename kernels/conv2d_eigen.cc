// The portable convolution backend: for each image and group, im2col lays the
// receptive fields out as columns and one GEMM with the weight does the rest.
//
//   forward:         out_g [OC/g, OH·OW] = W_g [OC/g, C/g·KH·KW] · col [C/g·KH·KW, OH·OW]
//   backward input:  col = W_gᵀ · gout_g, then col2im adds the columns back
//   backward weight: dW_g += gout_g [OC/g, OH·OW] · colᵀ [OH·OW, C/g·KH·KW]
//
// Images run in parallel (each thread has its own column buffer, one GEMM on
// one thread); a single image runs its GEMMs on all threads instead. A 1x1
// kernel with stride 1 and no padding needs no im2col: the image is the
// column matrix.

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include "kernels/internal/conv2d_eigen.h"
#include "kernels/internal/gemm.h"

namespace nabla::kernels::internal {
namespace {

// Below this many multiply-adds a convolution runs on one thread.
constexpr std::int64_t kParallelWork = 1 << 16;

struct Geometry {
  std::int64_t height, width;          // input
  std::int64_t out_height, out_width;  // output
  std::int64_t kernel_h, kernel_w;
  std::int64_t group_in;   // input channels per group
  std::int64_t group_out;  // output channels per group
  std::int64_t col_rows;   // group_in · KH · KW
  std::int64_t col_cols;   // OH · OW
  bool pointwise;          // the image itself is the column matrix

  explicit Geometry(const Conv2dParams& p)
      : height(p.input_size[0]),
        width(p.input_size[1]),
        out_height(p.output_size[0]),
        out_width(p.output_size[1]),
        kernel_h(p.kernel_size[0]),
        kernel_w(p.kernel_size[1]),
        group_in(p.in_channels / p.groups),
        group_out(p.out_channels / p.groups),
        col_rows(group_in * kernel_h * kernel_w),
        col_cols(out_height * out_width),
        pointwise(kernel_h == 1 && kernel_w == 1 && p.stride == std::array<std::int64_t, 2>{1, 1} &&
                  p.padding == std::array<std::int64_t, 2>{0, 0} && p.input_size == p.output_size) {}

  std::int64_t multiply_adds(const Conv2dParams& p) const {
    return p.batch * p.out_channels * col_cols * col_rows;
  }
};

// The outputs o in [begin, end) of [0, out_size) whose tap o·stride + offset
// lands inside [0, size).
struct Range {
  std::int64_t begin, end;
};

Range valid_range(std::int64_t offset, std::int64_t stride, std::int64_t size, std::int64_t out_size) {
  const std::int64_t begin = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const std::int64_t last = size - 1 - offset;  // o·stride <= last
  const std::int64_t end = last < 0 ? 0 : last / stride + 1;
  const std::int64_t clamped_end = std::min(end, out_size);
  return {std::min(begin, clamped_end), clamped_end};
}

// Visits every (column row, output row) pair of im2col: calls
// fn(col_row_ptr_offset, image_row_offset or -1, column range, tap offset)
// so that im2col and col2im share the index arithmetic.
template <typename Fn>
void for_each_col_row(const Conv2dParams& p, const Geometry& g, Fn&& fn) {
  const std::int64_t stride_h = p.stride[0], stride_w = p.stride[1];
  for (std::int64_t c = 0; c < g.group_in; ++c) {
    for (std::int64_t kh = 0; kh < g.kernel_h; ++kh) {
      for (std::int64_t kw = 0; kw < g.kernel_w; ++kw) {
        const std::int64_t row = (c * g.kernel_h + kh) * g.kernel_w + kw;
        const std::int64_t w_offset = kw * p.dilation[1] - p.padding[1];
        const Range cols = valid_range(w_offset, stride_w, g.width, g.out_width);
        for (std::int64_t oh = 0; oh < g.out_height; ++oh) {
          const std::int64_t ih = oh * stride_h - p.padding[0] + kh * p.dilation[0];
          const std::int64_t col_offset = row * g.col_cols + oh * g.out_width;
          const bool inside = ih >= 0 && ih < g.height;
          fn(col_offset, inside ? (c * g.height + ih) * g.width : -1, cols, w_offset);
        }
      }
    }
  }
}

// col [col_rows, OH·OW] from one group of one image [C/g, H, W]; zeros where
// a tap falls on padding.
template <typename T>
void im2col(const Conv2dParams& p, const Geometry& g, const T* image, T* col) {
  const std::int64_t stride_w = p.stride[1];
  for_each_col_row(p, g, [&](std::int64_t col_offset, std::int64_t image_row, Range cols, std::int64_t w_offset) {
    T* out = col + col_offset;
    if (image_row < 0) {
      std::fill(out, out + g.out_width, T(0));
      return;
    }
    const T* in = image + image_row;
    std::fill(out, out + cols.begin, T(0));
    if (stride_w == 1) {
      std::copy(in + cols.begin + w_offset, in + cols.end + w_offset, out + cols.begin);
    } else {
      for (std::int64_t ow = cols.begin; ow < cols.end; ++ow) out[ow] = in[ow * stride_w + w_offset];
    }
    std::fill(out + cols.end, out + g.out_width, T(0));
  });
}

// The adjoint of im2col: adds each column entry into the image element it
// was read from. `image` must hold zeros (or a sum to add to).
template <typename T>
void col2im(const Conv2dParams& p, const Geometry& g, const T* col, T* image) {
  const std::int64_t stride_w = p.stride[1];
  for_each_col_row(p, g, [&](std::int64_t col_offset, std::int64_t image_row, Range cols, std::int64_t w_offset) {
    if (image_row < 0) return;
    const T* in = col + col_offset;
    T* out = image + image_row;
    for (std::int64_t ow = cols.begin; ow < cols.end; ++ow) out[ow * stride_w + w_offset] += in[ow];
  });
}

// Adds bias[c] to every element of channel c of one image [channels, size].
template <typename T>
void add_bias(const T* bias, std::int64_t channels, std::int64_t size, T* image) {
  if (bias == nullptr) return;
  for (std::int64_t c = 0; c < channels; ++c) {
    const T value = bias[c];
    T* plane = image + c * size;
    for (std::int64_t i = 0; i < size; ++i) plane[i] += value;
  }
}

// Threads that share the images: one when the work is small or there is a
// single image (whose GEMMs then use every thread).
int batch_threads(const Conv2dParams& p, const Geometry& g) {
  if (p.batch < 2 || g.multiply_adds(p) < kParallelWork) return 1;
  return static_cast<int>(std::min<std::int64_t>(omp_get_max_threads(), p.batch));
}

template <typename T>
void forward(const Conv2dParams& p, const Geometry& g, const T* input, const T* weight, const T* bias, T* output,
             std::atomic<bool>& failed) {
  const int threads = batch_threads(p, g);
  std::vector<T> cols(g.pointwise || p.batch == 0 ? 0 : threads * g.col_rows * g.col_cols);
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
  for (std::int64_t n = 0; n < p.batch; ++n) {
    T* col = cols.data() + (g.pointwise ? 0 : omp_get_thread_num() * g.col_rows * g.col_cols);
    for (std::int64_t group = 0; group < p.groups; ++group) {
      const T* image = input + (n * p.in_channels + group * g.group_in) * g.height * g.width;
      if (!g.pointwise) im2col(p, g, image, col);
      const bool ok = gemm<T>(false, false, g.group_out, g.col_cols, g.col_rows,
                              weight + group * g.group_out * g.col_rows, g.col_rows, g.pointwise ? image : col,
                              g.col_cols, false, output + (n * p.out_channels + group * g.group_out) * g.col_cols,
                              g.col_cols);
      if (!ok) failed = true;
    }
    add_bias(bias, p.out_channels, g.col_cols, output + n * p.out_channels * g.col_cols);
  }
}

template <typename T>
void backward_input(const Conv2dParams& p, const Geometry& g, const T* grad_output, const T* weight, const T* bias,
                    T* grad_input, std::atomic<bool>& failed) {
  const int threads = batch_threads(p, g);
  const std::int64_t image_size = p.in_channels * g.height * g.width;
  std::vector<T> cols(g.pointwise || p.batch == 0 ? 0 : threads * g.col_rows * g.col_cols);
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
  for (std::int64_t n = 0; n < p.batch; ++n) {
    T* col = cols.data() + (g.pointwise ? 0 : omp_get_thread_num() * g.col_rows * g.col_cols);
    T* image_grad = grad_input + n * image_size;
    if (!g.pointwise) std::fill(image_grad, image_grad + image_size, T(0));
    for (std::int64_t group = 0; group < p.groups; ++group) {
      T* group_grad = image_grad + group * g.group_in * g.height * g.width;
      // W_gᵀ [col_rows, OC/g] · gout_g [OC/g, OH·OW] -> [col_rows, OH·OW]
      const bool ok = gemm<T>(true, false, g.col_rows, g.col_cols, g.group_out,
                              weight + group * g.group_out * g.col_rows, g.col_rows,
                              grad_output + (n * p.out_channels + group * g.group_out) * g.col_cols, g.col_cols,
                              false, g.pointwise ? group_grad : col, g.col_cols);
      if (!ok) failed = true;
      if (!g.pointwise) col2im(p, g, col, group_grad);
    }
    add_bias(bias, p.in_channels, g.height * g.width, image_grad);
  }
}

template <typename T>
void backward_weight(const Conv2dParams& p, const Geometry& g, const T* grad_output, const T* input,
                     T* grad_weight, std::atomic<bool>& failed) {
  const int threads = batch_threads(p, g);
  const std::int64_t weight_size = p.out_channels * g.col_rows;
  // Thread t sums its images into partial t (thread 0 into grad_weight);
  // the partials are added at the end.
  std::vector<T> partials((threads - 1) * weight_size, T(0));
  std::fill(grad_weight, grad_weight + weight_size, T(0));
  std::vector<T> cols(g.pointwise || p.batch == 0 ? 0 : threads * g.col_rows * g.col_cols);
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
  for (std::int64_t n = 0; n < p.batch; ++n) {
    const int thread = omp_get_thread_num();
    T* col = cols.data() + (g.pointwise ? 0 : thread * g.col_rows * g.col_cols);
    T* sum = thread == 0 ? grad_weight : partials.data() + (thread - 1) * weight_size;
    for (std::int64_t group = 0; group < p.groups; ++group) {
      const T* image = input + (n * p.in_channels + group * g.group_in) * g.height * g.width;
      if (!g.pointwise) im2col(p, g, image, col);
      // gout_g [OC/g, OH·OW] · colᵀ [OH·OW, col_rows] -> [OC/g, col_rows]
      const bool ok = gemm<T>(false, true, g.group_out, g.col_rows, g.col_cols,
                              grad_output + (n * p.out_channels + group * g.group_out) * g.col_cols, g.col_cols,
                              g.pointwise ? image : col, g.col_cols, true, sum + group * g.group_out * g.col_rows,
                              g.col_rows);
      if (!ok) failed = true;
    }
  }
  for (int t = 1; t < threads; ++t) {
    const T* partial = partials.data() + (t - 1) * weight_size;
    for (std::int64_t i = 0; i < weight_size; ++i) grad_weight[i] += partial[i];
  }
}

void check_gemm(const char* op, const std::atomic<bool>& failed, const Conv2dParams& p) {
  NABLA_CHECK(!failed, op, ": oneDNN sgemm failed for batch ", p.batch, ", channels ", p.in_channels, " -> ",
              p.out_channels);
}

}  // namespace

Tensor conv2d_forward_eigen(const Conv2dParams& params, const Tensor& input, const Tensor& weight,
                            const Tensor& bias) {
  const Geometry geometry(params);
  Tensor output({params.batch, params.out_channels, geometry.out_height, geometry.out_width}, params.dtype);
  std::atomic<bool> failed{false};
  dispatch_floating("conv2d", params.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* bias_data = bias.defined() ? bias.data<T>() : nullptr;
    forward<T>(params, geometry, input.data<T>(), weight.data<T>(), bias_data, output.data<T>(), failed);
  });
  check_gemm("conv2d", failed, params);
  return output;
}

Tensor conv2d_backward_input_eigen(const Conv2dParams& params, const Tensor& grad_output, const Tensor& weight,
                                   const Tensor& bias) {
  const Geometry geometry(params);
  Tensor grad_input({params.batch, params.in_channels, geometry.height, geometry.width}, params.dtype);
  std::atomic<bool> failed{false};
  dispatch_floating("conv2d_backward_input", params.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* bias_data = bias.defined() ? bias.data<T>() : nullptr;
    backward_input<T>(params, geometry, grad_output.data<T>(), weight.data<T>(), bias_data, grad_input.data<T>(),
                      failed);
  });
  check_gemm("conv2d_backward_input", failed, params);
  return grad_input;
}

Tensor conv2d_backward_weight_eigen(const Conv2dParams& params, const Tensor& grad_output, const Tensor& input) {
  const Geometry geometry(params);
  Tensor grad_weight({params.out_channels, geometry.group_in, geometry.kernel_h, geometry.kernel_w}, params.dtype);
  std::atomic<bool> failed{false};
  dispatch_floating("conv2d_backward_weight", params.dtype, [&](auto tag) {
    using T = decltype(tag);
    backward_weight<T>(params, geometry, grad_output.data<T>(), input.data<T>(), grad_weight.data<T>(), failed);
  });
  check_gemm("conv2d_backward_weight", failed, params);
  return grad_weight;
}

}  // namespace nabla::kernels::internal
