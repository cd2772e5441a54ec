// Batch normalisation. Training on the oneDNN backend with a channels-last
// 4-D x (a convolution's output): loops over x as [rows, C], rows shared by
// OpenMP threads. They beat oneDNN 2.6's nhwc primitive, which also cannot
// fuse a LeakyReLU: forward + backward on [64, 64, 14, 14], 1 thread, 1.05
// against 1.30 ms. Everything else: loops over x viewed as [N, C, S],
// channels shared by OpenMP threads; on row-major x they beat oneDNN's
// blocked primitive with its reorders (1.21 against 2.93 ms). Inference on
// the oneDNN backend: its primitive (batch_norm_onednn.cc) for float32 with
// C a multiple of 16.
// Per-channel sums run in double in a fixed order, so results do not depend
// on the thread count. The plane loops compute the variance in a second
// pass around the mean; the channels-last ones in one pass, as E[d²] - E[d]²
// of d = x - (a sample of the channel), which does not cancel as E[x²] -
// E[x]² would for a mean far from 0.

#include "kernels/batch_norm.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "kernels/internal/batch_norm_onednn.h"
#include "kernels/internal/onednn.h"
#include "kernels/internal/parallel.h"
#include "tensor/backend.h"

namespace nabla::kernels {
namespace {

using internal::kParallelGrain;

struct Layout {
  std::int64_t batch, channels, spatial;
  std::int64_t per_channel() const { return batch * spatial; }
};

Layout check_x(const char* op, const char* name, const Tensor& x) {
  NABLA_CHECK(x.defined(), op, ": ", name, " is undefined (default-constructed)");
  NABLA_CHECK(x.rank() >= 2, op, ": ", name, " must be [N, C] or [N, C, ...], got ", x.shape());
  NABLA_CHECK(is_floating(x.dtype()), op, ": ", name, " must be float32 or float64, got ", x.dtype(), " ", x.shape());
  const std::int64_t batch = x.dim(0), channels = x.dim(1);
  return {batch, channels, channels == 0 || batch == 0 ? 0 : x.numel() / (batch * channels)};
}

// A [C] parameter of x's dtype, dense; `fallback` fills it when undefined
// and `required` is false.
Tensor channel_vector(const char* op, const char* name, const Tensor& t, const Tensor& x, bool required,
                      double fallback) {
  if (!t.defined()) {
    NABLA_CHECK(!required, op, ": ", name, " is undefined (default-constructed)");
    return full({x.dim(1)}, fallback, x.dtype());
  }
  NABLA_CHECK(t.shape() == Shape{x.dim(1)}, op, ": ", name, " must be [", x.dim(1), "] (one per channel of x ",
              x.shape(), "), got ", t.shape());
  NABLA_CHECK(t.dtype() == x.dtype(), op, ": dtypes differ: x ", x.dtype(), " ", x.shape(), " vs ", name, " ",
              t.dtype(), " ", t.shape());
  return t.contiguous();
}

bool use_onednn(const Tensor& x) {
  return current_backend() == Backend::kOneDnn && internal::batch_norm_onednn_supports(x);
}

// Calls fn(i) with the flat index i of every element of channel c; the
// calls must be independent (they run as SIMD lanes).
template <typename Fn>
void visit_channel(const Layout& l, std::int64_t c, Fn&& fn) {
  for (std::int64_t n = 0; n < l.batch; ++n) {
    const std::int64_t base = (n * l.channels + c) * l.spatial;
#pragma omp simd
    for (std::int64_t s = 0; s < l.spatial; ++s) fn(base + s);
  }
}

// Σ term(i) over the flat indices i of channel c, in double. Eight
// interleaved partial sums keep the additions independent so that they
// pipeline and vectorise; their order is fixed, so the result does not
// depend on the thread count.
template <typename Term>
double channel_sum(const Layout& l, std::int64_t c, Term&& term) {
  constexpr int kLanes = 8;
  double partial[kLanes] = {};
  double tail = 0;
  for (std::int64_t n = 0; n < l.batch; ++n) {
    const std::int64_t base = (n * l.channels + c) * l.spatial;
    std::int64_t s = 0;
    for (; s + kLanes <= l.spatial; s += kLanes) {
      for (int lane = 0; lane < kLanes; ++lane) partial[lane] += term(base + s + lane);
    }
    for (; s < l.spatial; ++s) tail += term(base + s);
  }
  const double low = (partial[0] + partial[1]) + (partial[2] + partial[3]);
  const double high = (partial[4] + partial[5]) + (partial[6] + partial[7]);
  return low + high + tail;
}

using Kind = NormActivation::Kind;

// The fused activation of the normalised value z, and g · its derivative.
template <Kind kKind, typename T>
T activate(T z, T slope) {
  if constexpr (kKind == Kind::kRelu) return z < 0 ? T(0) : z;
  if constexpr (kKind == Kind::kLeakyRelu) return z < 0 ? z * slope : z;
  return z;
}

// g where keep, else +0, by a bit mask. g · keep would be NaN for an
// infinite g, and GCC turns `keep ? g : 0` feeding the backward's sums into
// a conditional add it does not vectorise (4.7x slower on [64, 64, 14, 14]).
template <typename T>
T kept_or_zero(bool keep, T g) {
  using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  Bits bits;
  std::memcpy(&bits, &g, sizeof bits);
  bits &= Bits{0} - static_cast<Bits>(keep);
  std::memcpy(&g, &bits, sizeof g);
  return g;
}

template <Kind kKind, typename T>
T through_activation(T g, T z, T slope) {
  // 0 even for an infinite g where z <= 0, and g for a NaN z, as relu_backward.
  if constexpr (kKind == Kind::kRelu) return kept_or_zero(!(z <= 0), g);
  if constexpr (kKind == Kind::kLeakyRelu) return z > 0 ? g : g * slope;
  return g;
}

// Calls fn(std::integral_constant<Kind, kind>) so that loops specialise.
template <typename Fn>
void with_kind(Kind kind, Fn&& fn) {
  switch (kind) {
    case Kind::kRelu:
      return fn(std::integral_constant<Kind, Kind::kRelu>());
    case Kind::kLeakyRelu:
      return fn(std::integral_constant<Kind, Kind::kLeakyRelu>());
    case Kind::kNone:
      break;
  }
  fn(std::integral_constant<Kind, Kind::kNone>());
}

void check_activation(const char* op, const NormActivation& activation) {
  NABLA_CHECK(std::isfinite(activation.slope), op, ": the leaky_relu slope must be finite, got ", activation.slope);
}

// out = activation((x - centre[c]) · scale[c] + shift[c]). Centring first
// keeps a channel whose values sit far from 0 exact where x · scale - mean ·
// scale would cancel.
template <Kind kKind, typename T>
void affine(const Layout& l, const T* x, const std::vector<double>& centre, const std::vector<double>& scale,
            const std::vector<double>& shift, T slope, T* out, std::int64_t c) {
  const T m = static_cast<T>(centre[c]);
  const T a = static_cast<T>(scale[c]);
  const T b = static_cast<T>(shift[c]);
  visit_channel(l, c, [&](std::int64_t i) { out[i] = activate<kKind>((x[i] - m) * a + b, slope); });
}

// ---- Channels-last loops: x as [rows, C], one row per pixel ----

// Rows are summed in this many chunks, a fixed number, so that the order
// of the additions does not depend on the thread count.
constexpr std::int64_t kRowChunks = 64;

// Per channel, first[c] and second[c] += what add_row(r, first, second)
// adds for each row r, in double; chunks are summed in parallel, then added
// in order.
template <typename AddRow>
void sum_rows(std::int64_t rows, std::int64_t channels, std::vector<double>& first, std::vector<double>& second,
              AddRow&& add_row) {
  std::vector<double> partial(2 * kRowChunks * channels, 0.0);
  internal::for_ranges(kRowChunks, rows * channels, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t chunk = begin; chunk < end; ++chunk) {
      double* a = partial.data() + 2 * chunk * channels;
      double* b = a + channels;
      for (std::int64_t r = rows * chunk / kRowChunks; r < rows * (chunk + 1) / kRowChunks; ++r) add_row(r, a, b);
    }
  });
  first.assign(channels, 0.0);
  second.assign(channels, 0.0);
  for (std::int64_t chunk = 0; chunk < kRowChunks; ++chunk) {
    const double* a = partial.data() + 2 * chunk * channels;
    for (std::int64_t c = 0; c < channels; ++c) {
      first[c] += a[c];
      second[c] += a[channels + c];
    }
  }
}

template <Kind kKind, typename T>
void training_channels_last(const T* x, std::int64_t rows, std::int64_t channels, const T* gamma, const T* beta,
                            double eps, T slope, T* y, T* mean_out, T* var_out, T* invstd_out) {
  const std::vector<T> sample(x, x + channels);
  const T* shift = sample.data();
  std::vector<double> sums, squares;
  sum_rows(rows, channels, sums, squares, [&](std::int64_t r, double* sum, double* square) {
    const T* row = x + r * channels;
#pragma omp simd
    for (std::int64_t c = 0; c < channels; ++c) {
      const double d = row[c] - shift[c];
      sum[c] += d;
      square[c] += d * d;
    }
  });
  std::vector<T> m(channels), a(channels);
  const double count = static_cast<double>(rows);
  for (std::int64_t c = 0; c < channels; ++c) {
    const double offset = sums[c] / count;
    const double var = std::max(squares[c] / count - offset * offset, 0.0);
    mean_out[c] = static_cast<T>(shift[c] + offset);
    var_out[c] = static_cast<T>(var);
    invstd_out[c] = static_cast<T>(1.0 / std::sqrt(var + eps));
    // z exactly as backward_channels_last recomputes it, from the rounded
    // statistics, so that both see the same sign.
    m[c] = mean_out[c];
    a[c] = gamma[c] * invstd_out[c];
  }
  const T* mp = m.data();
  const T* ap = a.data();
  internal::for_ranges(rows, rows * channels, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t r = begin; r < end; ++r) {
      const T* row = x + r * channels;
      T* out = y + r * channels;
#pragma omp simd
      for (std::int64_t c = 0; c < channels; ++c) out[c] = activate<kKind>((row[c] - mp[c]) * ap[c] + beta[c], slope);
    }
  });
}

// As norm_backward in training; dx = g·k1 + (x - mean)·k2 + k3 per channel.
template <Kind kKind, typename T>
void backward_channels_last(const T* dy, const T* x, std::int64_t rows, std::int64_t channels, const T* gamma,
                            const T* beta, const T* mean, const T* invstd, T slope, T* dx, T* dgamma, T* dbeta) {
  std::vector<T> scale(channels);
  for (std::int64_t c = 0; c < channels; ++c) scale[c] = gamma[c] * invstd[c];
  const T* a = scale.data();
  // g past the activation, from z = (x - mean)·a + beta recomputed.
  const auto grad_at = [&](T d, std::int64_t c, T centred) {
    return through_activation<kKind>(d, centred * a[c] + beta[c], slope);
  };
  std::vector<double> sum_g, sum_g_centred;
  sum_rows(rows, channels, sum_g, sum_g_centred, [&](std::int64_t r, double* sg, double* sgc) {
    const T* row = x + r * channels;
    const T* d = dy + r * channels;
#pragma omp simd
    for (std::int64_t c = 0; c < channels; ++c) {
      const T centred = row[c] - mean[c];
      const T g = grad_at(d[c], c, centred);
      sg[c] += g;
      sgc[c] += static_cast<double>(g) * centred;
    }
  });
  std::vector<T> k1(channels), k2(channels), k3(channels);
  const double count = static_cast<double>(rows);
  for (std::int64_t c = 0; c < channels; ++c) {
    const double s = invstd[c], gs = gamma[c] * s;
    dgamma[c] = static_cast<T>(sum_g_centred[c] * s);
    dbeta[c] = static_cast<T>(sum_g[c]);
    k1[c] = static_cast<T>(gs);
    k2[c] = static_cast<T>(-gs * s * s * sum_g_centred[c] / count);
    k3[c] = static_cast<T>(-gs * sum_g[c] / count);
  }
  const T* k1p = k1.data();
  const T* k2p = k2.data();
  const T* k3p = k3.data();
  internal::for_ranges(rows, rows * channels, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t r = begin; r < end; ++r) {
      const T* row = x + r * channels;
      const T* d = dy + r * channels;
      T* out = dx + r * channels;
#pragma omp simd
      for (std::int64_t c = 0; c < channels; ++c) {
        const T centred = row[c] - mean[c];
        out[c] = grad_at(d[c], c, centred) * k1p[c] + centred * k2p[c] + k3p[c];
      }
    }
  });
}

// On the oneDNN backend, see the top of this file.
bool use_channels_last(const Tensor& x) {
  return current_backend() == Backend::kOneDnn && x.rank() == 4 && x.numel() > 0 &&
         x.suggest_memory_format() == MemoryFormat::kChannelsLast;
}

}  // namespace

BatchNormForward batch_norm_training(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps,
                                     const NormActivation& activation) {
  constexpr const char* kOp = "batch_norm_training";
  const Layout l = check_x(kOp, "x", x);
  const Tensor g = channel_vector(kOp, "gamma", gamma, x, false, 1.0);
  const Tensor b = channel_vector(kOp, "beta", beta, x, false, 0.0);
  check_batch_norm_eps(kOp, eps);
  check_activation(kOp, activation);
  NABLA_CHECK(l.per_channel() > 0, kOp, ": needs at least one value per channel, got x ", x.shape());
  if (use_channels_last(x)) {
    const Tensor dense = x.contiguous(MemoryFormat::kChannelsLast);
    BatchNormForward result{empty(x.shape(), x.dtype(), MemoryFormat::kChannelsLast), Tensor({l.channels}, x.dtype()),
                            Tensor({l.channels}, x.dtype()), Tensor({l.channels}, x.dtype())};
    dispatch_floating(kOp, x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      with_kind(activation.kind, [&](auto kind) {
        training_channels_last<kind()>(dense.data<T>(), l.per_channel(), l.channels, g.data<T>(), b.data<T>(), eps,
                                       static_cast<T>(activation.slope), result.output.data<T>(),
                                       result.mean.data<T>(), result.var.data<T>(), result.invstd.data<T>());
      });
    });
    return result;
  }
  const Tensor dense = x.contiguous();
  BatchNormForward result{Tensor(x.shape(), x.dtype()), Tensor({l.channels}, x.dtype()),
                          Tensor({l.channels}, x.dtype()), Tensor({l.channels}, x.dtype())};
  const double count = static_cast<double>(l.per_channel());
  dispatch_floating(kOp, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = dense.data<T>();
    const T* gam = g.data<T>();
    const T* bet = b.data<T>();
    T* out = result.output.data<T>();
    T* mean_out = result.mean.data<T>();
    T* var_out = result.var.data<T>();
    T* invstd_out = result.invstd.data<T>();
    const T slope = static_cast<T>(activation.slope);
    std::vector<double> centre(l.channels), scale(l.channels), shift(l.channels);
    with_kind(activation.kind, [&](auto kind) {
      internal::parallel_for(l.channels, x.numel(), [&](std::int64_t c) {
        const double mean = channel_sum(l, c, [&](std::int64_t i) { return static_cast<double>(in[i]); }) / count;
        const double squares = channel_sum(l, c, [&](std::int64_t i) {
          const double centred = in[i] - mean;
          return centred * centred;
        });
        const double var = squares / count;
        const double invstd = 1.0 / std::sqrt(var + eps);
        mean_out[c] = static_cast<T>(mean);
        var_out[c] = static_cast<T>(var);
        invstd_out[c] = static_cast<T>(invstd);
        centre[c] = mean;
        // From the rounded invstd, as past_activation recomputes z.
        scale[c] = static_cast<double>(invstd_out[c]) * gam[c];
        shift[c] = bet[c];
        affine<kind()>(l, in, centre, scale, shift, slope, out, c);
      });
    });
  });
  return result;
}

Tensor batch_norm_inference(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                            const Tensor& running_var, double eps) {
  constexpr const char* kOp = "batch_norm_inference";
  const Layout l = check_x(kOp, "x", x);
  const Tensor g = channel_vector(kOp, "gamma", gamma, x, false, 1.0);
  const Tensor b = channel_vector(kOp, "beta", beta, x, false, 0.0);
  const Tensor mean = channel_vector(kOp, "running_mean", running_mean, x, true, 0.0);
  const Tensor var = channel_vector(kOp, "running_var", running_var, x, true, 1.0);
  check_batch_norm_eps(kOp, eps);
  if (use_onednn(x)) return internal::batch_norm_inference_onednn(internal::onednn::dense(x), g, b, mean, var, eps);
  const Tensor dense = x.contiguous();
  Tensor output(x.shape(), x.dtype());
  dispatch_floating(kOp, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    std::vector<double> centre(l.channels), scale(l.channels), shift(l.channels);
    for (std::int64_t c = 0; c < l.channels; ++c) {
      centre[c] = mean.data<T>()[c];
      scale[c] = g.data<T>()[c] / std::sqrt(static_cast<double>(var.data<T>()[c]) + eps);
      shift[c] = b.data<T>()[c];
    }
    const T* in = dense.data<T>();
    T* out = output.data<T>();
    internal::parallel_for(l.channels, x.numel(),
                           [&](std::int64_t c) { affine<Kind::kNone>(l, in, centre, scale, shift, T(0), out, c); });
  });
  return output;
}

namespace {

// grad_output · activation'(z) at z = x̂ · gamma + beta, recomputed from x.
template <Kind kKind, typename T>
Tensor past_activation(const Layout& l, const Tensor& grad_output, const Tensor& x, const T* gamma, const T* beta,
                       const std::vector<double>& mean, const std::vector<double>& invstd, T slope) {
  Tensor gated(x.shape(), x.dtype());
  const T* dy = grad_output.data<T>();
  const T* xs = x.data<T>();
  T* out = gated.data<T>();
  internal::parallel_for(l.channels, x.numel(), [&](std::int64_t c) {
    const T m = static_cast<T>(mean[c]), a = static_cast<T>(invstd[c] * gamma[c]), b = beta[c];
    visit_channel(l, c, [&](std::int64_t i) {
      out[i] = through_activation<kKind>(dy[i], (xs[i] - m) * a + b, slope);
    });
  });
  return gated;
}

// Shared by both backward passes: per channel, x̂ = (x - mean) · invstd,
// dgamma = Σ g·x̂, dbeta = Σ g, and
//   dx = gamma · invstd · (g - (dbeta + x̂ · dgamma) / M)   in training, where
// the statistics depend on x, and gamma · invstd · g in inference.
// With an activation (training only, with beta), g is grad_output past it.
BatchNormGrads norm_backward(const char* op, const Layout& l, const Tensor& grad_output, const Tensor& x,
                             const Tensor& gamma, const std::vector<double>& mean,
                             const std::vector<double>& invstd, bool training,
                             const NormActivation& activation = {}, const Tensor& beta = Tensor()) {
  Tensor g = grad_output.contiguous();
  const Tensor in = x.contiguous();
  BatchNormGrads grads{Tensor(x.shape(), x.dtype()), Tensor({l.channels}, x.dtype()), Tensor({l.channels}, x.dtype())};
  const double count = static_cast<double>(l.per_channel());
  dispatch_floating(op, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* gam = gamma.data<T>();
    with_kind(activation.kind, [&](auto kind) {
      if (kind() == Kind::kNone) return;
      g = past_activation<kind()>(l, g, in, gam, beta.data<T>(), mean, invstd, static_cast<T>(activation.slope));
    });
    const T* dy = g.data<T>();
    const T* xs = in.data<T>();
    T* dx = grads.input.data<T>();
    T* dgamma = grads.gamma.data<T>();
    T* dbeta = grads.beta.data<T>();
    internal::parallel_for(l.channels, x.numel(), [&](std::int64_t c) {
      const double centre = mean[c], spread = invstd[c];
      const double sum_g = channel_sum(l, c, [&](std::int64_t i) { return static_cast<double>(dy[i]); });
      const double sum_gx = channel_sum(l, c, [&](std::int64_t i) { return dy[i] * ((xs[i] - centre) * spread); });
      dgamma[c] = static_cast<T>(sum_gx);
      dbeta[c] = static_cast<T>(sum_g);
      const double scale = gam[c] * spread;
      const double mean_g = training ? sum_g / count : 0.0;
      const double mean_gx = training ? sum_gx / count : 0.0;
      visit_channel(l, c, [&](std::int64_t i) {
        const double normalised = (xs[i] - centre) * spread;
        dx[i] = static_cast<T>(scale * (dy[i] - mean_g - normalised * mean_gx));
      });
    });
  });
  return grads;
}

void check_grad(const char* op, const Tensor& grad_output, const Tensor& x) {
  NABLA_CHECK(grad_output.defined(), op, ": grad_output is undefined (default-constructed)");
  NABLA_CHECK(grad_output.shape() == x.shape(), op, ": grad_output ", grad_output.shape(), " and x ", x.shape(),
              " differ in shape");
  NABLA_CHECK(grad_output.dtype() == x.dtype(), op, ": dtypes differ: grad_output ", grad_output.dtype(), " vs x ",
              x.dtype());
}

}  // namespace

BatchNormGrads batch_norm_backward(const Tensor& grad_output, const Tensor& x, const Tensor& gamma,
                                   const Tensor& mean, const Tensor& invstd, const NormActivation& activation,
                                   const Tensor& beta) {
  constexpr const char* kOp = "batch_norm_backward";
  const Layout l = check_x(kOp, "x", x);
  check_grad(kOp, grad_output, x);
  const Tensor g = channel_vector(kOp, "gamma", gamma, x, false, 1.0);
  const Tensor b = channel_vector(kOp, "beta", beta, x, false, 0.0);
  const Tensor m = channel_vector(kOp, "mean", mean, x, true, 0.0);
  const Tensor s = channel_vector(kOp, "invstd", invstd, x, true, 1.0);
  check_activation(kOp, activation);
  if (use_channels_last(x)) {
    const Tensor dense = x.contiguous(MemoryFormat::kChannelsLast);
    const Tensor dy = grad_output.contiguous(MemoryFormat::kChannelsLast);
    BatchNormGrads grads{empty(x.shape(), x.dtype(), MemoryFormat::kChannelsLast), Tensor({l.channels}, x.dtype()),
                         Tensor({l.channels}, x.dtype())};
    dispatch_floating(kOp, x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      with_kind(activation.kind, [&](auto kind) {
        backward_channels_last<kind()>(dy.data<T>(), dense.data<T>(), l.per_channel(), l.channels, g.data<T>(),
                                       b.data<T>(), m.data<T>(), s.data<T>(), static_cast<T>(activation.slope),
                                       grads.input.data<T>(), grads.gamma.data<T>(), grads.beta.data<T>());
      });
    });
    return grads;
  }
  return norm_backward(kOp, l, grad_output, x, g, m.to_vector<double>(), s.to_vector<double>(), true, activation, b);
}

BatchNormGrads batch_norm_inference_backward(const Tensor& grad_output, const Tensor& x, const Tensor& gamma,
                                             const Tensor& running_mean, const Tensor& running_var, double eps) {
  constexpr const char* kOp = "batch_norm_inference_backward";
  const Layout l = check_x(kOp, "x", x);
  check_grad(kOp, grad_output, x);
  const Tensor g = channel_vector(kOp, "gamma", gamma, x, false, 1.0);
  const Tensor m = channel_vector(kOp, "running_mean", running_mean, x, true, 0.0);
  const Tensor v = channel_vector(kOp, "running_var", running_var, x, true, 1.0);
  check_batch_norm_eps(kOp, eps);
  std::vector<double> invstd = v.to_vector<double>();
  for (double& value : invstd) value = 1.0 / std::sqrt(value + eps);
  return norm_backward(kOp, l, grad_output, x, g, m.to_vector<double>(), invstd, false);
}

// oneDNN takes eps as a float: one that would round to 0 or a subnormal
// there (which its kernels may flush) is refused rather than computed
// differently by the two backends.
void check_batch_norm_eps(const char* op, double eps) {
  NABLA_CHECK(eps == 0 || (eps >= std::numeric_limits<float>::min() && eps <= std::numeric_limits<float>::max()), op,
              ": eps must be 0 or a normal float32 (1.2e-38 to 3.4e38), got ", eps);
}

}  // namespace nabla::kernels
