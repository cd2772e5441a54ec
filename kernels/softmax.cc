// softmax: checks, the backend choice, the oneDNN primitives and the
// reference composition of //tensor ops.

#include "kernels/softmax.h"

#include <limits>
#include <string>
#include <utility>

#include "kernels/internal/checks.h"
#include "kernels/internal/onednn.h"
#include "kernels/internal/parallel.h"
#include "tensor/backend.h"
#include "tensor/ops.h"

namespace nabla::kernels {
namespace {

using dnnl::memory;
using internal::onednn::Operand;
using internal::onednn::Plan;
using internal::onednn::PrimitiveOp;

// Below this many elements the composition beats a primitive's fixed cost.
constexpr std::int64_t kOneDnnMinElements = 1 << 14;

const char* name_of(bool log) { return log ? "log_softmax" : "softmax"; }

bool use_onednn(const Tensor& t) {
  return current_backend() == Backend::kOneDnn && t.dtype() == kFloat32 && t.numel() >= kOneDnnMinElements &&
         t.rank() <= DNNL_MAX_NDIMS;
}

memory::desc dense_desc(const Shape& shape) {
  memory::dims strides(shape.size());
  std::int64_t stride = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return {memory::dims(shape.begin(), shape.end()), memory::data_type::f32, strides};
}

dnnl::algorithm algorithm_of(bool log) {
  return log ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
}

dnnl::softmax_v2_forward::primitive_desc forward_desc(const Shape& shape, int axis, bool log) {
  const memory::desc data = dense_desc(shape);
  const dnnl::softmax_v2_forward::desc desc(dnnl::prop_kind::forward_training, algorithm_of(log), data, data, axis);
  return dnnl::softmax_v2_forward::primitive_desc(desc, internal::onednn::engine());
}

Plan forward_plan(const Shape& shape, int axis, bool log) {
  const memory::desc data = dense_desc(shape);
  return {dnnl::softmax_v2_forward(forward_desc(shape, axis, log)), {Operand(DNNL_ARG_SRC, data, data, false)},
          {Operand(DNNL_ARG_DST, data, data, true)}};
}

Plan backward_plan(const Shape& shape, int axis, bool log) {
  const memory::desc data = dense_desc(shape);
  const dnnl::softmax_v2_backward::desc desc(algorithm_of(log), data, data, data, axis);
  const dnnl::softmax_v2_backward::primitive_desc pd(desc, internal::onednn::engine(),
                                                     forward_desc(shape, axis, log));
  return {dnnl::softmax_v2_backward(pd),
          {Operand(DNNL_ARG_DIFF_DST, data, data, false), Operand(DNNL_ARG_DST, data, data, false)},
          {Operand(DNNL_ARG_DIFF_SRC, data, data, true)}};
}

std::shared_ptr<const Plan> plan_for(bool forward, const Shape& shape, int axis, bool log, const char* name) {
  internal::onednn::PrimitiveKey key{forward ? PrimitiveOp::kSoftmaxForward : PrimitiveOp::kSoftmaxBackward,
                                       {shape.begin(), shape.end()}};
  key.fields.push_back(axis);
  key.fields.push_back(log);
  return internal::onednn::cached_plan(std::move(key), name, [&] {
    return forward ? forward_plan(shape, axis, log) : backward_plan(shape, axis, log);
  });
}

// Whether a dense float32 tensor holds a NaN; in parallel, as the softmax
// before it.
bool any_nan(const Tensor& dense) {
  return internal::any_of(dense.data<float>(), dense.numel(), [](float v) { return v != v; });
}

// Rows along `dim` of a dense float32 y that hold a NaN become NaN
// throughout. Rare (diverged values), so one row at a time.
void fill_nan_rows(Tensor& y, std::int64_t dim) {
  const std::int64_t length = y.dim(dim);
  std::int64_t inner = 1;
  for (std::int64_t d = dim + 1; d < y.rank(); ++d) inner *= y.dim(d);
  const std::int64_t outer = y.numel() / (length * inner);
  float* values = y.data<float>();
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t i = 0; i < inner; ++i) {
      float* row = values + o * length * inner + i;
      bool nan = false;
      for (std::int64_t j = 0; j < length && !nan; ++j) nan = row[j * inner] != row[j * inner];
      for (std::int64_t j = 0; nan && j < length; ++j) row[j * inner] = std::numeric_limits<float>::quiet_NaN();
    }
  }
}

}  // namespace

Tensor softmax(const Tensor& x, std::int64_t axis, bool log) {
  const char* op = name_of(log);
  internal::check_floating(op, "x", x);
  const std::int64_t dim = normalize_axis(op, axis, x.shape());
  if (x.dim(dim) == 0) return empty(x.shape(), x.dtype());
  if (use_onednn(x)) {
    const Tensor dense = x.contiguous();
    Tensor y = empty(x.shape(), kFloat32);
    internal::onednn::run(op, *plan_for(true, x.shape(), static_cast<int>(dim), log, op), {dense.data<float>()},
                          {y.data<float>()});
    // A row holding +inf or NaN, or only -inf, is NaN throughout in the
    // reference, as in PyTorch; oneDNN leaves some of its elements 0 (or
    // -inf), and a NaN in each.
    if (any_nan(y)) fill_nan_rows(y, dim);
    return y;
  }
  const Tensor shifted = x - max(x, {dim}, true);
  if (log) return shifted - nabla::log(sum(exp(shifted), {dim}, true));
  const Tensor e = exp(shifted);
  return e / sum(e, {dim}, true);
}

Tensor softmax_backward(const Tensor& grad_output, const Tensor& y, std::int64_t axis, bool log) {
  const std::string op = std::string(name_of(log)) + "_backward";
  internal::check_floating(op, "grad_output", grad_output);
  internal::check_floating(op, "y", y);
  NABLA_CHECK(grad_output.shape() == y.shape() && grad_output.dtype() == y.dtype(), op, ": grad_output ",
              grad_output.dtype(), " ", grad_output.shape(), " and y ", y.dtype(), " ", y.shape(), " differ");
  const std::int64_t dim = normalize_axis(op.c_str(), axis, y.shape());
  if (use_onednn(y)) {
    const Tensor g = grad_output.contiguous();
    const Tensor out = y.contiguous();
    Tensor grad_input = empty(y.shape(), kFloat32);
    internal::onednn::run(op.c_str(), *plan_for(false, y.shape(), static_cast<int>(dim), log, op.c_str()),
                          {g.data<float>(), out.data<float>()}, {grad_input.data<float>()});
    return grad_input;
  }
  if (log) return grad_output - exp(y) * sum(grad_output, {dim}, true);  // g - softmax·Σg
  return y * (grad_output - sum(grad_output * y, {dim}, true));          // J = diag(y) - y yᵀ
}

}  // namespace nabla::kernels
