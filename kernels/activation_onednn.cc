#include "kernels/internal/activation_onednn.h"

#include <utility>

#include "kernels/internal/onednn.h"

namespace nabla::kernels::internal {
namespace {

using dnnl::memory;
using onednn::Operand;
using onednn::Plan;
using onednn::PrimitiveOp;

// The *_use_dst_for_bwd algorithms let backward read y, as activation.h says.
// relu itself runs tensor's relu() and activation.cc's select, which keep
// NaN where oneDNN's relu gives 0.
dnnl::algorithm algorithm_of(Activation kind) {
  switch (kind) {
    case Activation::kRelu:
    case Activation::kLeakyRelu:
      return dnnl::algorithm::eltwise_relu;
    case Activation::kTanh:
      return dnnl::algorithm::eltwise_tanh_use_dst_for_bwd;
    case Activation::kSigmoid:
      break;
  }
  return dnnl::algorithm::eltwise_logistic_use_dst_for_bwd;
}

memory::desc flat(std::int64_t size) { return {{size}, memory::data_type::f32, memory::format_tag::a}; }

dnnl::eltwise_forward::primitive_desc forward_desc(Activation kind, std::int64_t size, float slope) {
  const dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_training, algorithm_of(kind), flat(size), slope);
  return dnnl::eltwise_forward::primitive_desc(desc, onednn::engine());
}

Plan forward_plan(Activation kind, std::int64_t size, float slope) {
  const auto pd = forward_desc(kind, size, slope);
  return {dnnl::eltwise_forward(pd), {Operand(DNNL_ARG_SRC, flat(size), flat(size), false)},
          {Operand(DNNL_ARG_DST, flat(size), flat(size), true)}};
}

Plan backward_plan(Activation kind, std::int64_t size, float slope) {
  const dnnl::eltwise_backward::desc desc(algorithm_of(kind), flat(size), flat(size), slope);
  const dnnl::eltwise_backward::primitive_desc pd(desc, onednn::engine(), forward_desc(kind, size, slope));
  const int saved_arg = activation_backward_reads(kind) == BackwardReads::kOutput ? DNNL_ARG_DST : DNNL_ARG_SRC;
  return {dnnl::eltwise_backward(pd),
          {Operand(DNNL_ARG_DIFF_DST, flat(size), flat(size), false), Operand(saved_arg, flat(size), flat(size), false)},
          {Operand(DNNL_ARG_DIFF_SRC, flat(size), flat(size), true)}};
}

std::shared_ptr<const Plan> plan_for(bool forward, Activation kind, std::int64_t size, double slope,
                                     const char* name) {
  const float alpha = kind == Activation::kLeakyRelu ? static_cast<float>(slope) : 0.0f;
  onednn::PrimitiveKey key{forward ? PrimitiveOp::kEltwiseForward : PrimitiveOp::kEltwiseBackward,
                           {static_cast<std::int64_t>(kind), size, onednn::key_bits(alpha)}};
  return onednn::cached_plan(std::move(key), name, [&] {
    return forward ? forward_plan(kind, size, alpha) : backward_plan(kind, size, alpha);
  });
}

}  // namespace

Tensor activation_onednn(Activation kind, const Tensor& x, double slope) {
  constexpr const char* kName = "activation";
  const auto plan = plan_for(true, kind, x.numel(), slope, kName);
  Tensor y = empty(x.shape(), kFloat32, x.suggest_memory_format());
  onednn::run(kName, *plan, {x.data<float>()}, {y.data<float>()});
  return y;
}

Tensor activation_backward_onednn(Activation kind, const Tensor& grad_output, const Tensor& saved, double slope) {
  constexpr const char* kName = "activation_backward";
  const auto plan = plan_for(false, kind, saved.numel(), slope, kName);
  Tensor grad_input = empty(saved.shape(), kFloat32, saved.suggest_memory_format());
  onednn::run(kName, *plan, {grad_output.data<float>(), saved.data<float>()}, {grad_input.data<float>()});
  return grad_input;
}

}  // namespace nabla::kernels::internal
