#include "kernels/internal/activation_onednn.h"

#include <utility>

#include "kernels/internal/onednn.h"

namespace nabla::kernels::internal {
namespace {

using dnnl::memory;
using onednn::Operand;
using onednn::Plan;
using onednn::PrimitiveOp;

// Tanh and sigmoid only: activation.cc runs ReLU and leaky ReLU as selects,
// which keep NaN as PyTorch does. The *_use_dst_for_bwd algorithms let
// backward read y, as activation.h says.
dnnl::algorithm algorithm_of(Activation kind) {
  return kind == Activation::kTanh ? dnnl::algorithm::eltwise_tanh_use_dst_for_bwd
                                   : dnnl::algorithm::eltwise_logistic_use_dst_for_bwd;
}

memory::desc flat(std::int64_t size) { return {{size}, memory::data_type::f32, memory::format_tag::a}; }

dnnl::eltwise_forward::primitive_desc forward_desc(Activation kind, std::int64_t size) {
  const dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_training, algorithm_of(kind), flat(size));
  return dnnl::eltwise_forward::primitive_desc(desc, onednn::engine());
}

Plan forward_plan(Activation kind, std::int64_t size) {
  const auto pd = forward_desc(kind, size);
  return {dnnl::eltwise_forward(pd),
          {Operand(DNNL_ARG_SRC, flat(size), flat(size), false)},
          {Operand(DNNL_ARG_DST, flat(size), flat(size), true)}};
}

Plan backward_plan(Activation kind, std::int64_t size) {
  const dnnl::eltwise_backward::desc desc(algorithm_of(kind), flat(size), flat(size));
  const dnnl::eltwise_backward::primitive_desc pd(desc, onednn::engine(), forward_desc(kind, size));
  return {
      dnnl::eltwise_backward(pd),
      {Operand(DNNL_ARG_DIFF_DST, flat(size), flat(size), false), Operand(DNNL_ARG_DST, flat(size), flat(size), false)},
      {Operand(DNNL_ARG_DIFF_SRC, flat(size), flat(size), true)}};
}

std::shared_ptr<const Plan> plan_for(bool forward, Activation kind, std::int64_t size, const char* name) {
  onednn::PrimitiveKey key{forward ? PrimitiveOp::kEltwiseForward : PrimitiveOp::kEltwiseBackward,
                           {static_cast<std::int64_t>(kind), size}};
  return onednn::cached_plan(std::move(key), name,
                             [&] { return forward ? forward_plan(kind, size) : backward_plan(kind, size); });
}

}  // namespace

Tensor activation_onednn(Activation kind, const Tensor& x) {
  constexpr const char* kName = "activation";
  const auto plan = plan_for(true, kind, x.numel(), kName);
  Tensor y = empty(x.shape(), kFloat32, x.suggest_memory_format());
  onednn::run(kName, *plan, {x.data<float>()}, {y.data<float>()});
  return y;
}

Tensor activation_backward_onednn(Activation kind, const Tensor& grad_output, const Tensor& saved) {
  constexpr const char* kName = "activation_backward";
  const auto plan = plan_for(false, kind, saved.numel(), kName);
  Tensor grad_input = empty(saved.shape(), kFloat32, saved.suggest_memory_format());
  onednn::run(kName, *plan, {grad_output.data<float>(), saved.data<float>()}, {grad_input.data<float>()});
  return grad_input;
}

}  // namespace nabla::kernels::internal
