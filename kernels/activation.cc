// Activations: checks, the backend choice, and the reference loops.

#include "kernels/activation.h"

#include <cmath>

#include "kernels/internal/activation_onednn.h"
#include "kernels/internal/checks.h"
#include "kernels/internal/onednn.h"
#include "kernels/internal/parallel.h"
#include "tensor/backend.h"
#include "tensor/ops.h"

namespace nabla::kernels {
namespace {

const char* name_of(Activation kind) {
  switch (kind) {
    case Activation::kRelu:
      return "relu";
    case Activation::kLeakyRelu:
      return "leaky_relu";
    case Activation::kTanh:
      return "tanh";
    case Activation::kSigmoid:
      break;
  }
  return "sigmoid";
}

// tanh and sigmoid only. Leaky ReLU is a select, memory-bound like oneDNN's
// primitive, whose NaN rules differ from PyTorch's (and the reference's):
// with slope 0 it maps NaN to 0, and its backward passes the whole gradient
// at a NaN input where PyTorch passes slope times it.
bool use_onednn(Activation kind, const Tensor& t) {
  return kind != Activation::kLeakyRelu && current_backend() == Backend::kOneDnn && t.dtype() == kFloat32 &&
         t.numel() >= internal::kOneDnnActivationMinElements;
}

// tanh's and sigmoid's derivatives from their outputs (ReLUs select).
template <typename T>
T derivative(Activation kind, T y) {
  return kind == Activation::kTanh ? 1 - y * y : y * (1 - y);
}

// ReLU's gradient, 0 where y <= 0, else grad_output, is a select, as
// PyTorch's threshold_backward: an inactive unit passes 0 even of an
// infinite gradient, where a multiply by the derivative (the reference loop
// below, oneDNN's primitive) gives NaN, and a NaN y passes its gradient, as
// in PyTorch and every fused ReLU here. Leaky ReLU's, as PyTorch's
// leaky_relu_backward: grad_output where x > 0, else slope times it (a NaN
// x too). Memory-bound like oneDNN's, so one loop serves both backends,
// over memory in order: a channels-last input keeps its format.
template <bool kLeaky>
Tensor select_gradient(const char* op, const Tensor& grad_output, const Tensor& saved, double slope) {
  const MemoryFormat format = saved.suggest_memory_format();
  const Tensor g = grad_output.contiguous(format);
  const Tensor s = saved.contiguous(format);
  Tensor grad_input = empty(saved.shape(), saved.dtype(), format);
  dispatch_floating(op, saved.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* dy = g.data<T>();
    const T* from = s.data<T>();
    T* dx = grad_input.data<T>();
    const T a = static_cast<T>(slope);
    const std::int64_t size = saved.numel();
    internal::for_ranges(size, size, [&](std::int64_t begin, std::int64_t end) {
      const T scale = a;  // a local: read through the closure, it was reloaded every element
#pragma omp simd
      for (std::int64_t i = begin; i < end; ++i) {
        // Both sides computed unconditionally, so that the select vectorises:
        // as a branch the loop ran scalar, 14% of a DCGAN training step.
        const T gradient = dy[i];
        if constexpr (kLeaky) {
          const T scaled = gradient * scale;
          dx[i] = from[i] > 0 ? gradient : scaled;
        } else {
          dx[i] = from[i] <= 0 ? T(0) : gradient;
        }
      }
    });
  });
  return grad_input;
}

}  // namespace

BackwardReads activation_backward_reads(Activation kind) {
  return kind == Activation::kLeakyRelu ? BackwardReads::kInput : BackwardReads::kOutput;
}

Tensor activation(Activation kind, const Tensor& x, double slope) {
  const char* op = name_of(kind);
  internal::check_floating(op, "x", x);
  NABLA_CHECK(std::isfinite(slope), op, ": slope must be finite, got ", slope);
  // Not oneDNN's relu, which maps NaN to 0 and would hide a diverged value
  // from the loss: the tensor op keeps NaN, as PyTorch's, and x's format.
  if (kind == Activation::kRelu) return relu(x);
  // oneDNN runs over memory in order, so a channels-last x stays so.
  if (use_onednn(kind, x)) return internal::activation_onednn(kind, internal::onednn::dense(x));
  const MemoryFormat format = x.suggest_memory_format();
  const Tensor dense = x.contiguous(format);
  switch (kind) {
    case Activation::kTanh:
      return tanh(dense);
    case Activation::kSigmoid:
      return sigmoid(dense);
    case Activation::kRelu:  // not reached: relu() above
    case Activation::kLeakyRelu:
      break;
  }
  Tensor y = empty(x.shape(), x.dtype(), format);  // the loop goes over memory in order
  dispatch_floating(op, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = dense.data<T>();
    T* out = y.data<T>();
    const T a = static_cast<T>(slope);
    const std::int64_t size = x.numel();
    internal::for_ranges(size, size, [&](std::int64_t begin, std::int64_t end) {
      const T scale = a;  // as in select_gradient: a local, both sides computed
#pragma omp simd
      for (std::int64_t i = begin; i < end; ++i) {
        const T value = in[i];
        const T scaled = value * scale;
        out[i] = value > 0 ? value : scaled;
      }
    });
  });
  return y;
}

Tensor activation_backward(Activation kind, const Tensor& grad_output, const Tensor& saved, double slope) {
  const std::string op = std::string(name_of(kind)) + "_backward";
  internal::check_floating(op, "grad_output", grad_output);
  internal::check_floating(op, "saved", saved);
  NABLA_CHECK(std::isfinite(slope), op, ": slope must be finite, got ", slope);
  NABLA_CHECK(grad_output.shape() == saved.shape() && grad_output.dtype() == saved.dtype(), op, ": grad_output ",
              grad_output.dtype(), " ", grad_output.shape(), " and saved ", saved.dtype(), " ", saved.shape(),
              " differ");
  if (kind == Activation::kRelu) return select_gradient<false>(op.c_str(), grad_output, saved, 0.0);
  if (kind == Activation::kLeakyRelu) return select_gradient<true>(op.c_str(), grad_output, saved, slope);
  const MemoryFormat format = saved.suggest_memory_format();
  if (use_onednn(kind, saved)) {
    return internal::activation_backward_onednn(kind, grad_output.contiguous(format), saved.contiguous(format));
  }
  const Tensor g = grad_output.contiguous(format);
  const Tensor s = saved.contiguous(format);
  Tensor grad_input = empty(saved.shape(), saved.dtype(), format);
  dispatch_floating(op.c_str(), saved.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* dy = g.data<T>();
    const T* from = s.data<T>();
    T* dx = grad_input.data<T>();
    const std::int64_t size = saved.numel();
    internal::for_ranges(size, size, [&](std::int64_t begin, std::int64_t end) {
#pragma omp simd
      for (std::int64_t i = begin; i < end; ++i) dx[i] = dy[i] * derivative(kind, from[i]);
    });
  });
  return grad_input;
}

}  // namespace nabla::kernels
