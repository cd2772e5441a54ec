// Batch normalisation: float32 [N, C, H, W] with C a multiple of 16 on
// oneDNN's primitives when the oneDNN backend is chosen
// (batch_norm_onednn.cc), everything else as
// loops over x viewed as [N, C, S], channels shared by OpenMP threads. Per-channel sums run in double in a fixed order, so
// results do not depend on the thread count; the variance is computed in a
// second pass around the mean rather than as E[x²] - E[x]², which cancels.

#include "kernels/batch_norm.h"

#include <cmath>
#include <vector>

#include "kernels/internal/batch_norm_onednn.h"
#include "kernels/internal/onednn.h"
#include "tensor/backend.h"

namespace nabla::kernels {
namespace {

// Below this many elements a loop runs on one thread.
constexpr std::int64_t kParallelGrain = 1 << 15;

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

void check_eps(const char* op, double eps) { NABLA_CHECK(eps >= 0, op, ": eps must not be negative, got ", eps); }

// Calls fn(i) with the flat index i of every element of channel c, in order.
template <typename Fn>
void visit_channel(const Layout& l, std::int64_t c, Fn&& fn) {
  for (std::int64_t n = 0; n < l.batch; ++n) {
    const std::int64_t base = (n * l.channels + c) * l.spatial;
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

// out = (x - centre[c]) · scale[c] + shift[c]. Centring first keeps a
// channel whose values sit far from 0 exact where x · scale - mean · scale
// would cancel.
template <typename T>
void affine(const Layout& l, const T* x, const std::vector<double>& centre, const std::vector<double>& scale,
            const std::vector<double>& shift, T* out, std::int64_t c) {
  const T m = static_cast<T>(centre[c]);
  const T a = static_cast<T>(scale[c]);
  const T b = static_cast<T>(shift[c]);
  visit_channel(l, c, [&](std::int64_t i) { out[i] = (x[i] - m) * a + b; });
}

}  // namespace

BatchNormForward batch_norm_training(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps) {
  constexpr const char* kOp = "batch_norm_training";
  const Layout l = check_x(kOp, "x", x);
  const Tensor g = channel_vector(kOp, "gamma", gamma, x, false, 1.0);
  const Tensor b = channel_vector(kOp, "beta", beta, x, false, 0.0);
  check_eps(kOp, eps);
  NABLA_CHECK(l.per_channel() > 0, kOp, ": needs at least one value per channel, got x ", x.shape());
  if (use_onednn(x)) {
    // The result keeps x's memory format: channels-last stays so.
    const MemoryFormat format = x.suggest_memory_format();
    BatchNormForward result{empty(x.shape(), kFloat32, format), Tensor({l.channels}, kFloat32),
                            Tensor({l.channels}, kFloat32), Tensor({l.channels}, kFloat32)};
    internal::batch_norm_training_onednn(x.contiguous(format), g, b, eps, result.output, result.mean, result.var);
    const float* var = result.var.data<float>();
    float* invstd = result.invstd.data<float>();
    for (std::int64_t c = 0; c < l.channels; ++c) invstd[c] = static_cast<float>(1.0 / std::sqrt(var[c] + eps));
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
    std::vector<double> centre(l.channels), scale(l.channels), shift(l.channels);
#pragma omp parallel for schedule(static) if (x.numel() >= kParallelGrain)
    for (std::int64_t c = 0; c < l.channels; ++c) {
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
      scale[c] = invstd * gam[c];
      shift[c] = bet[c];
      affine(l, in, centre, scale, shift, out, c);
    }
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
  check_eps(kOp, eps);
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
#pragma omp parallel for schedule(static) if (x.numel() >= kParallelGrain)
    for (std::int64_t c = 0; c < l.channels; ++c) affine(l, in, centre, scale, shift, out, c);
  });
  return output;
}

namespace {

// Shared by both backward passes: per channel, x̂ = (x - mean) · invstd,
// dgamma = Σ g·x̂, dbeta = Σ g, and
//   dx = gamma · invstd · (g - (dbeta + x̂ · dgamma) / M)   in training, where
// the statistics depend on x, and gamma · invstd · g in inference.
BatchNormGrads norm_backward(const char* op, const Layout& l, const Tensor& grad_output, const Tensor& x,
                             const Tensor& gamma, const std::vector<double>& mean,
                             const std::vector<double>& invstd, bool training) {
  const Tensor g = grad_output.contiguous();
  const Tensor in = x.contiguous();
  BatchNormGrads grads{Tensor(x.shape(), x.dtype()), Tensor({l.channels}, x.dtype()), Tensor({l.channels}, x.dtype())};
  const double count = static_cast<double>(l.per_channel());
  dispatch_floating(op, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* dy = g.data<T>();
    const T* xs = in.data<T>();
    const T* gam = gamma.data<T>();
    T* dx = grads.input.data<T>();
    T* dgamma = grads.gamma.data<T>();
    T* dbeta = grads.beta.data<T>();
#pragma omp parallel for schedule(static) if (x.numel() >= kParallelGrain)
    for (std::int64_t c = 0; c < l.channels; ++c) {
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
    }
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
                                   const Tensor& mean, const Tensor& invstd) {
  constexpr const char* kOp = "batch_norm_backward";
  const Layout l = check_x(kOp, "x", x);
  check_grad(kOp, grad_output, x);
  const Tensor g = channel_vector(kOp, "gamma", gamma, x, false, 1.0);
  const Tensor m = channel_vector(kOp, "mean", mean, x, true, 0.0);
  const Tensor s = channel_vector(kOp, "invstd", invstd, x, true, 1.0);
  if (use_onednn(x)) {
    const MemoryFormat format = x.suggest_memory_format();
    BatchNormGrads grads{empty(x.shape(), kFloat32, format), Tensor({l.channels}, kFloat32),
                         Tensor({l.channels}, kFloat32)};
    internal::batch_norm_backward_onednn(internal::onednn::dense(grad_output), x.contiguous(format), g, m, s,
                                         grads.input, grads.gamma, grads.beta);
    return grads;
  }
  return norm_backward(kOp, l, grad_output, x, g, m.to_vector<double>(), s.to_vector<double>(), true);
}

BatchNormGrads batch_norm_inference_backward(const Tensor& grad_output, const Tensor& x, const Tensor& gamma,
                                             const Tensor& running_mean, const Tensor& running_var, double eps) {
  constexpr const char* kOp = "batch_norm_inference_backward";
  const Layout l = check_x(kOp, "x", x);
  check_grad(kOp, grad_output, x);
  const Tensor g = channel_vector(kOp, "gamma", gamma, x, false, 1.0);
  const Tensor m = channel_vector(kOp, "running_mean", running_mean, x, true, 0.0);
  const Tensor v = channel_vector(kOp, "running_var", running_var, x, true, 1.0);
  check_eps(kOp, eps);
  std::vector<double> invstd = v.to_vector<double>();
  for (double& value : invstd) value = 1.0 / std::sqrt(value + eps);
  return norm_backward(kOp, l, grad_output, x, g, m.to_vector<double>(), invstd, false);
}

}  // namespace nabla::kernels
