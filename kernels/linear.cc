#include "kernels/linear.h"

#include <vector>

#include "kernels/activation.h"
#include "kernels/internal/checks.h"
#include "kernels/internal/gemm.h"
#include "kernels/internal/parallel.h"
#include "tensor/ops.h"

namespace nabla::kernels {
namespace {

// x as [rows, width]: a view when x is dense. Rows are counted, not left to
// reshape's -1, which a width of 0 leaves undetermined.
Tensor as_rows(const Tensor& x) {
  std::int64_t rows = 1;
  for (int axis = 0; axis + 1 < x.rank(); ++axis) rows *= x.dim(axis);
  return x.reshape({rows, x.dim(-1)});
}

Shape output_shape(const Tensor& x, std::int64_t out) {
  Shape shape = x.shape();
  shape.back() = out;
  return shape;
}

void check_operands(const char* op, const Tensor& x, const Tensor& weight) {
  internal::check_floating(op, "x", x);
  internal::check_floating(op, "weight", weight);
  NABLA_CHECK(weight.rank() == 2, op, ": weight must be [in, out], got ", weight.shape());
  NABLA_CHECK(x.rank() >= 1 && x.dim(-1) == weight.dim(0), op, ": x ", x.shape(), " has ",
              x.rank() >= 1 ? x.dim(-1) : 0, " features where weight ", weight.shape(), " takes ", weight.dim(0));
  NABLA_CHECK(x.dtype() == weight.dtype(), op, ": dtypes differ: x ", x.dtype(), " ", x.shape(), " vs weight ",
              weight.dtype(), " ", weight.shape());
}

}  // namespace

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias, bool relu) {
  constexpr const char* kOp = "linear";
  check_operands(kOp, x, weight);
  const std::int64_t out = weight.dim(1);
  if (bias.defined()) {
    NABLA_CHECK(bias.shape() == Shape{out} && bias.dtype() == x.dtype(), kOp, ": bias must be [", out, "] of ",
                x.dtype(), " (weight ", weight.shape(), "), got ", bias.dtype(), " ", bias.shape());
  }
  // Dense operands (a layer's usual case) go straight to the GEMM: matmul's
  // general shape handling was a tenth of a batch-1 MLP's time. y is fresh
  // and dense either way, so the pass below works in place.
  const std::int64_t in = weight.dim(0);
  Tensor y;
  if (x.is_contiguous() && weight.is_contiguous() && x.numel() > 0 && in > 0) {
    const std::int64_t rows = x.numel() / in;
    y = empty({rows, out}, x.dtype());
    dispatch_floating(kOp, x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      NABLA_CHECK(internal::gemm<T>(false, false, rows, out, in, x.data<T>(), in, weight.data<T>(), out, false,
                                    y.data<T>(), out),
                  kOp, ": oneDNN's sgemm failed for x ", x.shape(), " and weight ", weight.shape());
    });
  } else {
    y = matmul(as_rows(x), weight);
  }
  if (bias.defined() || relu) {
    const Tensor b = bias.defined() ? bias.contiguous() : Tensor();
    dispatch_floating(kOp, y.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* values = y.data<T>();
      const std::vector<T> zeros(b.defined() ? 0 : out, T(0));
      const T* shift = b.defined() ? b.data<T>() : zeros.data();
      internal::for_ranges(y.dim(0), y.numel(), [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t r = begin; r < end; ++r) {
          T* row = values + r * out;
#pragma omp simd
          for (std::int64_t j = 0; j < out; ++j) {
            const T v = row[j] + shift[j];
            row[j] = relu && v < 0 ? T(0) : v;  // a NaN stays NaN, as in relu()
          }
        }
      });
    });
  }
  return x.rank() == 2 ? y : y.reshape(output_shape(x, out));
}

LinearGrads linear_backward(const Tensor& grad_output, const Tensor& x, const Tensor& weight, const Tensor& output,
                            bool relu, bool need_input, bool need_weight, bool need_bias) {
  constexpr const char* kOp = "linear_backward";
  check_operands(kOp, x, weight);
  const Shape y_shape = output_shape(x, weight.dim(1));
  NABLA_CHECK(grad_output.defined(), kOp, ": grad_output is undefined (default-constructed)");
  NABLA_CHECK(grad_output.shape() == y_shape && grad_output.dtype() == x.dtype(), kOp, ": grad_output must be ",
              x.dtype(), " ", y_shape, ", got ", grad_output.dtype(), " ", grad_output.shape());
  if (relu) {
    NABLA_CHECK(output.defined(), kOp, ": relu needs linear's output, ", x.dtype(), " ", y_shape,
                ", got an undefined tensor");
    NABLA_CHECK(output.shape() == y_shape && output.dtype() == x.dtype(), kOp, ": relu needs linear's output, ",
                x.dtype(), " ", y_shape, ", got ", output.dtype(), " ", output.shape());
  }
  const Tensor g =
      as_rows(relu ? activation_backward(Activation::kRelu, grad_output, output) : grad_output).contiguous();
  LinearGrads grads;
  if (need_input) grads.input = matmul(g, weight.transpose(0, 1)).reshape(x.shape());
  if (need_weight) grads.weight = matmul(as_rows(x).transpose(0, 1), g);
  if (need_bias) grads.bias = sum(g, {0});
  return grads;
}

}  // namespace nabla::kernels
