// Pooling as plain loops over (n, c) planes, or for channels-last max
// pooling over images' rows of channels, shared by OpenMP threads. Window
// bounds follow PyTorch's CPU kernels exactly, so that sizes, divisors and
// tie-breaking agree with it.

#include "kernels/pooling.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include "kernels/internal/pool2d_params.h"
#include "kernels/internal/parallel.h"
#include "kernels/internal/pooling_onednn.h"
#include "tensor/backend.h"

namespace nabla::kernels {
namespace {

using Pair = std::array<std::int64_t, 2>;

using internal::kParallelGrain;

Shape show(const Pair& pair) { return {pair[0], pair[1]}; }

// Output sizes are computed in 128 bits: the sizes are the caller's, and a
// huge stride, dilation or input must be an error rather than a wrapped
// product.
using Wide = __int128;

// Floor division for a possibly negative numerator.
Wide floor_div(Wide a, Wide b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

using Pool = internal::Pool2dParams;

bool use_onednn(const Pool& p, DType dtype) {
  return current_backend() == Backend::kOneDnn && internal::pool2d_onednn_supports(p, dtype);
}

Pool make_pool(const char* op, const Shape& input, const Pool2dOptions& options) {
  NABLA_CHECK(input.size() == 4, op, ": input must be 4-D [N, C, H, W], got ", input);
  for (std::int64_t size : input) NABLA_CHECK(size >= 0, op, ": input has a negative size: ", input);
  Pool p;
  p.batch = input[0];
  p.channels = input[1];
  p.height = input[2];
  p.width = input[3];
  p.kernel = options.kernel_size;
  p.stride = options.stride == Pair{0, 0} ? options.kernel_size : options.stride;
  p.padding = options.padding;
  p.dilation = options.dilation;
  p.ceil_mode = options.ceil_mode;
  p.count_include_pad = options.count_include_pad;
  NABLA_CHECK(p.kernel[0] > 0 && p.kernel[1] > 0, op, ": kernel_size must be positive, got ", show(p.kernel));
  NABLA_CHECK(p.stride[0] > 0 && p.stride[1] > 0, op, ": stride must be positive (or {0, 0} for the kernel size), got ",
              show(p.stride));
  NABLA_CHECK(p.dilation[0] > 0 && p.dilation[1] > 0, op, ": dilation must be positive, got ", show(p.dilation));
  NABLA_CHECK(p.padding[0] >= 0 && p.padding[1] >= 0, op, ": padding must not be negative, got ", show(p.padding));
  std::int64_t out[2];
  for (int axis = 0; axis < 2; ++axis) {
    const std::int64_t size = input[2 + axis];
    const Wide extent = Wide(p.dilation[axis]) * (p.kernel[axis] - 1) + 1;
    // Below 2^62, window_at's int64 sums of a start and an extent cannot overflow.
    NABLA_CHECK(extent < (Wide(1) << 62), op, ": the dilated kernel ", show(p.kernel), ", dilation ",
                show(p.dilation), " is too large");
    NABLA_CHECK(p.padding[axis] <= extent / 2, op, ": padding ", show(p.padding),
                " must be at most half the (dilated) kernel ", show(p.kernel), ", dilation ", show(p.dilation));
    const Wide span = size + 2 * Wide(p.padding[axis]) - extent + (p.ceil_mode ? p.stride[axis] - 1 : 0);
    Wide windows = floor_div(span, p.stride[axis]) + 1;
    // The last window must start inside the input or the left padding.
    if (p.ceil_mode && (windows - 1) * p.stride[axis] >= size + Wide(p.padding[axis])) --windows;
    out[axis] = static_cast<std::int64_t>(windows);  // at most size + 1, as padding <= extent / 2
  }
  NABLA_CHECK(out[0] > 0 && out[1] > 0, op, ": output would be empty: input ", input, ", kernel_size ",
              show(p.kernel), ", stride ", show(p.stride), ", padding ", show(p.padding), ", dilation ",
              show(p.dilation));
  p.out_height = out[0];
  p.out_width = out[1];
  return p;
}

Shape output_shape(const Shape& input, const Pool& p) { return {input[0], input[1], p.out_height, p.out_width}; }

// The memory format pooling computes in, and its result's: the input's, so
// that channels-last activations from a convolution stay so (oneDNN pools
// them 3-4x faster than row-major ones, and our max-pooling loops read each
// window's channels at once). Row-major when the output would be dense in
// both formats (1x1 images): max_pool2d_backward reads the format off the
// indices, which must then say row-major.
MemoryFormat pooled_format(const Tensor& input, const Pool& p) {
  return p.out_height * p.out_width > 1 ? input.suggest_memory_format() : MemoryFormat::kContiguous;
}

void check_input(const char* op, const Tensor& input) {
  NABLA_CHECK(input.defined(), op, ": input is undefined (default-constructed)");
  NABLA_CHECK(is_floating(input.dtype()), op, ": input must be float32 or float64, got ", input.dtype(), " ",
              input.shape());
}

// The taps of one average window, clamped to the input, and its divisor.
struct AvgWindow {
  std::int64_t h_begin, h_end, w_begin, w_end, divisor;
};

AvgWindow avg_window(const Pool& p, std::int64_t oh, std::int64_t ow) {
  std::int64_t h_begin = oh * p.stride[0] - p.padding[0];
  std::int64_t w_begin = ow * p.stride[1] - p.padding[1];
  std::int64_t h_end = std::min(h_begin + p.kernel[0], p.height + p.padding[0]);
  std::int64_t w_end = std::min(w_begin + p.kernel[1], p.width + p.padding[1]);
  const std::int64_t padded_size = (h_end - h_begin) * (w_end - w_begin);
  h_begin = std::max<std::int64_t>(h_begin, 0);
  w_begin = std::max<std::int64_t>(w_begin, 0);
  h_end = std::min(h_end, p.height);
  w_end = std::min(w_end, p.width);
  const std::int64_t inside = std::max<std::int64_t>(h_end - h_begin, 0) * std::max<std::int64_t>(w_end - w_begin, 0);
  return {h_begin, h_end, w_begin, w_end, p.count_include_pad ? padded_size : inside};
}

// The running maximum of a window's taps and the flat index of its first
// occurrence, with whether a tap was NaN: NaN is rare, so the callers pool
// such a window again (a NaN wins there, the last one, as in PyTorch).
// Branch-free on purpose: on real data "is this tap larger" is a coin flip,
// and mispredicted branches cost more than the loads. The index update is
// arithmetic because GCC compiled a select there into a branch (max_row_2x2
// ran 3x slower).
template <typename T>
struct RunningMax {
  RunningMax(T first, std::int64_t at) : value(first), index(at), nan(first != first) {}

  void take(T tap, std::int64_t at) {
    const std::int64_t greater = tap > value;  // false for NaN: the first maximum wins
    index += (at - index) & -greater;
    value = value < tap ? tap : value;  // maxss: keeps value on ties and NaN
    nan |= tap != tap;
  }

  T value;
  std::int64_t index;
  int nan;  // an int: GCC does not vectorise a bool reduction
};

// One window's maximum and the flat index of its first occurrence; a NaN
// wins (the last one, as in PyTorch).
template <typename T>
void max_window(const T* in, std::int64_t width, std::int64_t h_begin, std::int64_t h_end, std::int64_t h_step,
                std::int64_t w_begin, std::int64_t w_end, std::int64_t w_step, T& best_out,
                std::int64_t& index_out) {
  RunningMax<T> top(-std::numeric_limits<T>::infinity(), h_begin * width + w_begin);
  for (std::int64_t h = h_begin; h < h_end; h += h_step) {
    for (std::int64_t w = w_begin; w < w_end; w += w_step) top.take(in[h * width + w], h * width + w);
  }
  T best = top.value;
  std::int64_t best_index = top.index;
  if (top.nan) {
    for (std::int64_t h = h_begin; h < h_end; h += h_step) {
      for (std::int64_t w = w_begin; w < w_end; w += w_step) {
        if (std::isnan(in[h * width + w])) {
          best = in[h * width + w];
          best_index = h * width + w;
        }
      }
    }
  }
  best_out = best;
  index_out = best_index;
}

// max(0, ·) in place, for Pool2dOptions::relu; a NaN stays NaN, as in relu().
template <typename T>
void clamp_to_nonnegative(T* values, std::int64_t count) {
#pragma omp simd
  for (std::int64_t i = 0; i < count; ++i) values[i] = values[i] < 0 ? T(0) : values[i];
}

// Windows that tile the input as MaxPool2D(2)'s do.
bool is_tiled_2x2(const Pool& p) {
  return p.kernel == Pair{2, 2} && p.stride == Pair{2, 2} && p.padding == Pair{0, 0} && p.dilation == Pair{1, 1} &&
         2 * p.out_height <= p.height && 2 * p.out_width <= p.width;
}

// One output row of 2x2 windows that tile a row-major plane: the four taps
// compared in registers, as max_window_2x2_channels_last does per channel
// (2.2x faster than max_window per window). A row holding a NaN is pooled
// again by max_window.
template <typename T>
void max_row_2x2(const Pool& p, const T* in, std::int64_t oh, T* best, std::int64_t* where) {
  const std::int64_t top = 2 * oh * p.width, bottom = top + p.width;
  // Scalar on purpose: vectorised over ow (stride-2 loads and shuffles) it
  // ran 15% slower.
  int any_nan = 0;
  for (std::int64_t ow = 0; ow < p.out_width; ++ow) {
    const std::int64_t i0 = top + 2 * ow, i1 = i0 + 1, i2 = bottom + 2 * ow, i3 = i2 + 1;
    RunningMax<T> window(in[i0], i0);
    window.take(in[i1], i1);
    window.take(in[i2], i2);
    window.take(in[i3], i3);
    any_nan |= window.nan;
    best[ow] = window.value;
    where[ow] = window.index;
  }
  for (std::int64_t ow = 0; any_nan && ow < p.out_width; ++ow) {
    max_window(in, p.width, 2 * oh, 2 * oh + 2, 1, 2 * ow, 2 * ow + 2, 1, best[ow], where[ow]);
  }
}

// The taps of window (oh, ow), clamped to the input: [h_begin, h_end) x
// [w_begin, w_end), dilation apart.
struct Window {
  std::int64_t h_begin, h_end, w_begin, w_end;
};

Window window_at(const Pool& p, std::int64_t oh, std::int64_t ow) {
  Window win;
  win.h_begin = oh * p.stride[0] - p.padding[0];
  win.h_end = std::min(win.h_begin + (p.kernel[0] - 1) * p.dilation[0] + 1, p.height);
  while (win.h_begin < 0) win.h_begin += p.dilation[0];
  win.w_begin = ow * p.stride[1] - p.padding[1];
  win.w_end = std::min(win.w_begin + (p.kernel[1] - 1) * p.dilation[1] + 1, p.width);
  while (win.w_begin < 0) win.w_begin += p.dilation[1];
  return win;
}

// Where the lanes of max_window_lanes lie: lane l's tap at flat position i
// is in[i * tap_stride + l * lane_stride].
struct Lanes {
  std::int64_t count, tap_stride, lane_stride;
};

// One window pooled for all its lanes at once, with SIMD: the channels of a
// channels-last image (kAdjacentLanes: lane stride 1, known to the
// compiler), or the same window of a group of row-major planes. Same
// results as max_window per lane: the first maximum wins, a NaN (the last
// one) over any number.
template <bool kAdjacentLanes, typename T>
void max_window_lanes(const Pool& p, const T* in, const Window& win, const Lanes& lanes, T* best,
                      std::int64_t* where) {
  const std::int64_t lane_stride = kAdjacentLanes ? 1 : lanes.lane_stride;
  // Dilated taps can step over a small input: a window of padding only
  // has no maximum, and index -1, which backward skips.
  const bool no_taps = win.h_begin >= win.h_end || win.w_begin >= win.w_end;
  const std::int64_t first = no_taps ? -1 : win.h_begin * p.width + win.w_begin;
  for (std::int64_t lane = 0; lane < lanes.count; ++lane) {
    best[lane] = -std::numeric_limits<T>::infinity();
    where[lane] = first;
  }
  int any_nan = 0;  // an int: GCC does not vectorise a bool reduction
  for (std::int64_t h = win.h_begin; h < win.h_end; h += p.dilation[0]) {
    for (std::int64_t w = win.w_begin; w < win.w_end; w += p.dilation[1]) {
      const std::int64_t index = h * p.width + w;
      const T* tap = in + index * lanes.tap_stride;
#pragma omp simd reduction(| : any_nan)
      for (std::int64_t lane = 0; lane < lanes.count; ++lane) {
        // Written so that every store is unconditional: GCC turns a
        // conditional one into a masked store, ~3x slower on AMD's AVX2.
        const T value = tap[lane * lane_stride];
        const std::int64_t greater = value > best[lane];  // false for NaN
        where[lane] += (index - where[lane]) & -greater;
        best[lane] = best[lane] < value ? value : best[lane];
        any_nan |= value != value;
      }
    }
  }
  for (std::int64_t h = win.h_begin; any_nan && h < win.h_end; h += p.dilation[0]) {
    for (std::int64_t w = win.w_begin; w < win.w_end; w += p.dilation[1]) {
      const std::int64_t index = h * p.width + w;
      const T* tap = in + index * lanes.tap_stride;
      for (std::int64_t lane = 0; lane < lanes.count; ++lane) {
        if (std::isnan(tap[lane * lane_stride])) {
          best[lane] = tap[lane * lane_stride];
          where[lane] = index;
        }
      }
    }
  }
}

// Row-major planes in a group of up to kPlaneLanes: one window of every
// plane at once, a SIMD lane per plane reading its tap in_plane values
// apart. A plane's own windows are too few to fill the lanes (7 a row on
// [64, 64, 14, 14] at stride 2); max_window per window is 1.8x slower.
constexpr std::int64_t kPlaneLanes = 16;

template <typename T>
void max_pool_plane_group(const Pool& p, bool relu, std::int64_t planes, const T* in, T* out,
                          std::int64_t* indices) {
  const std::int64_t in_plane = p.height * p.width, out_plane = p.out_height * p.out_width;
  const Lanes lanes{planes, 1, in_plane};
  T best[kPlaneLanes];
  std::int64_t where[kPlaneLanes];
  for (std::int64_t oh = 0; oh < p.out_height; ++oh) {
    for (std::int64_t ow = 0; ow < p.out_width; ++ow) {
      max_window_lanes<false>(p, in, window_at(p, oh, ow), lanes, best, where);
      const std::int64_t o = oh * p.out_width + ow;
      for (std::int64_t lane = 0; lane < planes; ++lane) {
        out[lane * out_plane + o] = relu && best[lane] < 0 ? T(0) : best[lane];
        indices[lane * out_plane + o] = where[lane];
      }
    }
  }
}

// One row-major plane of 2x2 windows that tile it.
template <typename T>
void max_pool_plane_2x2(const Pool& p, bool relu, const T* in, T* out, std::int64_t* indices) {
  for (std::int64_t oh = 0; oh < p.out_height; ++oh) {
    max_row_2x2(p, in, oh, out + oh * p.out_width, indices + oh * p.out_width);
    if (relu) clamp_to_nonnegative(out + oh * p.out_width, p.out_width);
  }
}

// 2x2 windows that tile the input (MaxPool2D(2)): the four taps of a lane
// are compared in registers, where max_window_lanes walks the taps through
// `best` and `where` in memory. [64, 32, 28, 28] at 1 thread:
// 416 against 952 us. A window holding a NaN is pooled again by that loop.
template <typename T>
void max_window_2x2_channels_last(const Pool& p, const T* image, std::int64_t h_begin, std::int64_t w_begin, T* best,
                                  std::int64_t* where) {
  const std::int64_t channels = p.channels;
  const std::int64_t i0 = h_begin * p.width + w_begin, i1 = i0 + 1, i2 = i0 + p.width, i3 = i2 + 1;
  const T* t0 = image + i0 * channels;
  const T* t1 = image + i1 * channels;
  const T* t2 = image + i2 * channels;
  const T* t3 = image + i3 * channels;
  int any_nan = 0;
#pragma omp simd reduction(| : any_nan)
  for (std::int64_t c = 0; c < channels; ++c) {
    RunningMax<T> window(t0[c], i0);
    window.take(t1[c], i1);
    window.take(t2[c], i2);
    window.take(t3[c], i3);
    any_nan |= window.nan;
    best[c] = window.value;
    where[c] = window.index;
  }
  if (any_nan) {
    max_window_lanes<true>(p, image, {h_begin, h_begin + 2, w_begin, w_begin + 2}, {channels, channels, 1}, best,
                           where);
  }
}

template <typename T>
void max_pool_channels_last(const Pool& p, bool relu, const T* in, T* out, std::int64_t* indices) {
  const std::int64_t channels = p.channels;
  const std::int64_t rows = p.batch * p.out_height;
  const bool tiled_2x2 = is_tiled_2x2(p);
  internal::parallel_for(rows, rows * p.out_width * channels, [&](std::int64_t row) {
    const std::int64_t n = row / p.out_height, oh = row % p.out_height;
    const T* image = in + n * p.height * p.width * channels;
    for (std::int64_t ow = 0; ow < p.out_width; ++ow) {
      const Window win = window_at(p, oh, ow);
      T* best = out + (row * p.out_width + ow) * channels;
      std::int64_t* where = indices + (row * p.out_width + ow) * channels;
      if (tiled_2x2) {
        max_window_2x2_channels_last(p, image, win.h_begin, win.w_begin, best, where);
      } else {
        max_window_lanes<true>(p, image, win, {channels, channels, 1}, best, where);
      }
      if (relu) clamp_to_nonnegative(best, channels);
    }
  });
}

// Pool2dOptions::relu on average pooling has no meaning: ReLU and mean do not commute.
void check_no_relu(const char* op, const Pool2dOptions& options) {
  NABLA_CHECK(!options.relu, op, ": relu is for max pooling only (ReLU and mean do not commute)");
}

// How max_pool2d_backward walks its tensors: `count` blocks, (n, c) planes
// with one lane, or images with a lane per channel at each position.
struct Blocks {
  std::int64_t count, lanes;
};

// The operands of max_pool2d_backward, dense in one format; `output` is
// null unless Pool2dOptions::relu.
template <typename T>
struct MaxGradients {
  const T* grad;
  const std::int64_t* index;
  const T* output;
  T* grad_input;
};

// Any window geometry: zero each block, then add each gradient at its
// maximum. False if an index lies outside its plane.
template <typename T>
bool scatter_max_gradients(const Pool& p, const Blocks& blocks, const MaxGradients<T>& m) {
  const std::int64_t in_size = p.height * p.width * blocks.lanes;
  const std::int64_t out_size = p.out_height * p.out_width * blocks.lanes;
  const std::int64_t in_plane = p.height * p.width;
  std::atomic<bool> valid{true};
  internal::parallel_for(blocks.count, blocks.count * in_size, [&](std::int64_t block) {
    T* block_input = m.grad_input + block * in_size;
    std::fill_n(block_input, in_size, T(0));
    for (std::int64_t i = block * out_size; i < (block + 1) * out_size; i += blocks.lanes) {
      for (std::int64_t lane = 0; lane < blocks.lanes; ++lane) {
        const std::int64_t index = m.index[i + lane];
        if (index == -1) {  // a window of padding only
          continue;
        } else if (index < 0 || index >= in_plane) {
          valid = false;
        } else if (m.output == nullptr || !(m.output[i + lane] <= 0)) {
          block_input[index * blocks.lanes + lane] += m.grad[i + lane];
        }
      }
    }
  });
  return valid;
}

// One input position's lanes, for gather_max_gradients: each lane's window
// gradient where its maximum lies at `position` (with kRelu, and the
// output is not <= 0), else 0. Returns how many lanes' maxima lie there.
template <bool kRelu, typename T>
std::int64_t gather_lanes(std::int64_t lanes, std::int64_t position, const std::int64_t* index, const T* grad,
                          const T* output, T* position_input) {
  std::int64_t matched = 0;
#pragma omp simd reduction(+ : matched)
  for (std::int64_t lane = 0; lane < lanes; ++lane) {
    const bool hit = index[lane] == position;
    matched += hit;
    position_input[lane] = hit && !(kRelu && output[lane] <= 0) ? grad[lane] : T(0);
  }
  return matched;
}

// Windows that tile the input (stride = kernel, no padding or dilation, as
// MaxPool2D(2)) hold each position at most once, so each position is
// written once, from its window's lanes, where the scatter zero-fills and
// then adds (channels-last [64, 64, 14, 14], 1 thread: 116 against 165 us).
// False if an index lies outside its window (each window's must match one
// position).
template <typename T>
bool gather_max_gradients(const Pool& p, const Blocks& blocks, const MaxGradients<T>& m) {
  const std::int64_t lanes = blocks.lanes;
  const std::int64_t in_size = p.height * p.width * lanes;
  const std::int64_t out_size = p.out_height * p.out_width * lanes;
  std::atomic<bool> valid{true};
  internal::parallel_for(blocks.count, blocks.count * in_size, [&](std::int64_t block) {
    T* block_input = m.grad_input + block * in_size;
    std::int64_t matched = 0;
    for (std::int64_t h = 0; h < p.height; ++h) {
      const std::int64_t oh = h / p.kernel[0];
      for (std::int64_t w = 0; w < p.width; ++w) {
        const std::int64_t ow = w / p.kernel[1];
        T* position_input = block_input + (h * p.width + w) * lanes;
        if (oh >= p.out_height || ow >= p.out_width) {  // rows and columns floor mode leaves out
          std::fill_n(position_input, lanes, T(0));
          continue;
        }
        const std::int64_t window = block * out_size + (oh * p.out_width + ow) * lanes;
        const std::int64_t position = h * p.width + w;
        matched += m.output == nullptr
                       ? gather_lanes<false, T>(lanes, position, m.index + window, m.grad + window, nullptr,
                                                position_input)
                       : gather_lanes<true>(lanes, position, m.index + window, m.grad + window, m.output + window,
                                            position_input);
      }
    }
    if (matched != out_size) valid = false;
  });
  return valid;
}

}  // namespace

Shape pool2d_output_shape(const Shape& input_shape, const Pool2dOptions& options) {
  return output_shape(input_shape, make_pool("pool2d", input_shape, options));
}

MaxPool2dResult max_pool2d(const Tensor& input, const Pool2dOptions& options) {
  constexpr const char* kOp = "max_pool2d";
  check_input(kOp, input);
  const Pool p = make_pool(kOp, input.shape(), options);
  if (pooled_format(input, p) == MemoryFormat::kChannelsLast) {
    const Tensor dense = input.contiguous(MemoryFormat::kChannelsLast);
    const Shape shape = output_shape(input.shape(), p);
    MaxPool2dResult result{empty(shape, input.dtype(), MemoryFormat::kChannelsLast),
                           empty(shape, kInt64, MemoryFormat::kChannelsLast)};
    dispatch_floating(kOp, input.dtype(), [&](auto tag) {
      using T = decltype(tag);
      max_pool_channels_last(p, options.relu, dense.data<T>(), result.output.data<T>(),
                             result.indices.data<std::int64_t>());
    });
    return result;
  }
  const Tensor dense = input.contiguous();
  MaxPool2dResult result{Tensor(output_shape(input.shape(), p), input.dtype()),
                         Tensor(output_shape(input.shape(), p), kInt64)};
  const std::int64_t in_plane = p.height * p.width;
  const std::int64_t out_plane = p.out_height * p.out_width;
  dispatch_floating(kOp, input.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = dense.data<T>();
    T* out = result.output.data<T>();
    std::int64_t* indices = result.indices.data<std::int64_t>();
    if (is_tiled_2x2(p)) {
      internal::parallel_for(p.planes(), input.numel(), [&](std::int64_t plane) {
        max_pool_plane_2x2(p, options.relu, in + plane * in_plane, out + plane * out_plane,
                           indices + plane * out_plane);
      });
      return;
    }
    const std::int64_t groups = (p.planes() + kPlaneLanes - 1) / kPlaneLanes;
    internal::parallel_for(groups, input.numel(), [&](std::int64_t group) {
      const std::int64_t plane = group * kPlaneLanes;
      max_pool_plane_group(p, options.relu, std::min(kPlaneLanes, p.planes() - plane), in + plane * in_plane,
                           out + plane * out_plane, indices + plane * out_plane);
    });
  });
  return result;
}

Tensor max_pool2d_backward(const Tensor& grad_output, const MaxPool2dResult& forward, const Shape& input_shape,
                           const Pool2dOptions& options) {
  constexpr const char* kOp = "max_pool2d_backward";
  check_input(kOp, grad_output);
  const Pool p = make_pool(kOp, input_shape, options);
  NABLA_CHECK(grad_output.shape() == output_shape(input_shape, p), kOp, ": grad_output ", grad_output.shape(),
              " does not match the forward output shape ", output_shape(input_shape, p), " of input_shape ",
              input_shape);
  const Tensor& indices = forward.indices;
  NABLA_CHECK(indices.defined() && indices.dtype() == kInt64, kOp,
              ": indices must be int64 (from max_pool2d)");
  NABLA_CHECK(indices.shape() == grad_output.shape(), kOp, ": indices ", indices.shape(), " and grad_output ",
              grad_output.shape(), " differ in shape");
  NABLA_CHECK(!options.relu || (forward.output.defined() && forward.output.shape() == grad_output.shape() &&
                                forward.output.dtype() == grad_output.dtype()),
              kOp, ": relu needs forward.output, of grad_output's shape ", grad_output.shape(), " and dtype ",
              grad_output.dtype());
  // The gradient is routed in the indices' memory format: per (n, c) plane
  // for row-major indices, per image, a row of channels at a time, for
  // channels-last ones.
  const bool channels_last = !indices.is_contiguous() && indices.is_contiguous(MemoryFormat::kChannelsLast);
  const MemoryFormat format = channels_last ? MemoryFormat::kChannelsLast : MemoryFormat::kContiguous;
  const Tensor grad = grad_output.contiguous(format);
  const Tensor where = indices.contiguous(format);
  const Tensor output = options.relu ? forward.output.contiguous(format) : Tensor();
  Tensor grad_input = empty(input_shape, grad_output.dtype(), format);
  const Blocks blocks{channels_last ? input_shape[0] : input_shape[0] * input_shape[1],
                      channels_last ? input_shape[1] : 1};
  // The gather writes a row of channels per position; on (n, c) planes, one
  // value at a time, it is 20x slower than the scatter.
  const bool tiled =
      channels_last && p.stride == p.kernel && p.padding == Pair{0, 0} && p.dilation == Pair{1, 1};
  bool indices_valid = true;
  dispatch_floating(kOp, grad_output.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const MaxGradients<T> gradients{grad.data<T>(), where.data<std::int64_t>(),
                                    options.relu ? output.data<T>() : nullptr, grad_input.data<T>()};
    indices_valid = tiled ? gather_max_gradients(p, blocks, gradients) : scatter_max_gradients(p, blocks, gradients);
  });
  NABLA_CHECK(indices_valid || !tiled, kOp, ": an index lies outside its window (kernel ", show(p.kernel),
              ", stride ", show(p.stride), ") in input_shape ", input_shape);
  NABLA_CHECK(indices_valid, kOp, ": an index lies outside the ", input_shape[2], "x", input_shape[3],
              " plane of input_shape ", input_shape);
  return grad_input;
}

Tensor avg_pool2d(const Tensor& input, const Pool2dOptions& options) {
  constexpr const char* kOp = "avg_pool2d";
  check_input(kOp, input);
  NABLA_CHECK(options.dilation == (Pair{1, 1}), kOp, ": dilation must be [1, 1], got ", show(options.dilation));
  check_no_relu(kOp, options);
  const Pool p = make_pool(kOp, input.shape(), options);
  if (use_onednn(p, input.dtype())) {
    return internal::avg_pool2d_onednn(p, input, pooled_format(input, p), output_shape(input.shape(), p));
  }
  const Tensor dense = input.contiguous();
  Tensor output(output_shape(input.shape(), p), input.dtype());
  const std::int64_t in_plane = p.height * p.width;
  const std::int64_t out_plane = p.out_height * p.out_width;
  dispatch_floating(kOp, input.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = dense.data<T>();
    T* out = output.data<T>();
    internal::parallel_for(p.planes(), input.numel(), [&](std::int64_t plane) {
      const T* x = in + plane * in_plane;
      for (std::int64_t oh = 0; oh < p.out_height; ++oh) {
        for (std::int64_t ow = 0; ow < p.out_width; ++ow) {
          const AvgWindow window = avg_window(p, oh, ow);
          T total = 0;
          for (std::int64_t h = window.h_begin; h < window.h_end; ++h) {
            for (std::int64_t w = window.w_begin; w < window.w_end; ++w) total += x[h * p.width + w];
          }
          out[plane * out_plane + oh * p.out_width + ow] = window.divisor > 0 ? total / T(window.divisor) : T(0);
        }
      }
    });
  });
  return output;
}

Tensor avg_pool2d_backward(const Tensor& grad_output, const Shape& input_shape, const Pool2dOptions& options) {
  constexpr const char* kOp = "avg_pool2d_backward";
  check_input(kOp, grad_output);
  NABLA_CHECK(options.dilation == (Pair{1, 1}), kOp, ": dilation must be [1, 1], got ", show(options.dilation));
  check_no_relu(kOp, options);
  const Pool p = make_pool(kOp, input_shape, options);
  NABLA_CHECK(grad_output.shape() == output_shape(input_shape, p), kOp, ": grad_output ", grad_output.shape(),
              " does not match the forward output shape ", output_shape(input_shape, p));
  if (use_onednn(p, grad_output.dtype())) {
    return internal::avg_pool2d_backward_onednn(p, grad_output, grad_output.suggest_memory_format(), input_shape);
  }
  const Tensor grad = grad_output.contiguous();
  Tensor grad_input = zeros(input_shape, grad_output.dtype());
  const std::int64_t in_plane = p.height * p.width;
  const std::int64_t out_plane = p.out_height * p.out_width;
  dispatch_floating(kOp, grad_output.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* g = grad.data<T>();
    T* gi = grad_input.data<T>();
    internal::parallel_for(p.planes(), grad_input.numel(), [&](std::int64_t plane) {
      T* dx = gi + plane * in_plane;
      for (std::int64_t oh = 0; oh < p.out_height; ++oh) {
        for (std::int64_t ow = 0; ow < p.out_width; ++ow) {
          const AvgWindow window = avg_window(p, oh, ow);
          if (window.divisor == 0) continue;
          const T share = g[plane * out_plane + oh * p.out_width + ow] / T(window.divisor);
          for (std::int64_t h = window.h_begin; h < window.h_end; ++h) {
            for (std::int64_t w = window.w_begin; w < window.w_end; ++w) dx[h * p.width + w] += share;
          }
        }
      }
    });
  });
  return grad_input;
}

}  // namespace nabla::kernels
