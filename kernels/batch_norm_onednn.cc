#include "kernels/internal/batch_norm_onednn.h"

#include <cmath>
#include <utility>

#include "kernels/internal/onednn.h"

namespace nabla::kernels::internal {
namespace {

using dnnl::memory;
using Flags = dnnl::normalization_flags;
using onednn::Operand;
using onednn::Plan;
using onednn::PrimitiveOp;
using onednn::tag_of;

using Tag = memory::format_tag;

memory::desc data_desc(const Shape& shape, Tag tag) {
  return {memory::dims(shape.begin(), shape.end()), memory::data_type::f32, tag};
}

// oneDNN's jit batch norm runs on nhwc and on channels in blocks of the
// vector width. A row-major x computes blocked (nchw has only the 3-4x
// slower generic kernel); a channels-last one in place, as reorders to and
// from blocked would cost more than the blocked kernel saves.
memory::desc compute_desc(const Shape& shape, Tag ours) {
  return data_desc(shape, ours == Tag::nhwc ? Tag::nhwc : onednn::channel_blocked_tag());
}

memory::desc channel_desc(std::int64_t channels) { return {{channels}, memory::data_type::f32, memory::format_tag::x}; }

Operand plain(int arg, const memory::desc& desc, bool is_output) { return Operand(arg, desc, desc, is_output); }

// Data in our layout, reordered to the primitive's.
Operand data(int arg, const Shape& shape, Tag ours, const memory::desc& chosen, bool is_output) {
  return Operand(arg, data_desc(shape, ours), chosen, is_output);
}

dnnl::batch_normalization_forward::primitive_desc inference_desc(const Shape& shape, Tag ours, float eps) {
  const dnnl::batch_normalization_forward::desc desc(dnnl::prop_kind::forward_inference, compute_desc(shape, ours), eps,
                                                      Flags::use_scale | Flags::use_shift | Flags::use_global_stats);
  return dnnl::batch_normalization_forward::primitive_desc(desc, onednn::engine());
}

Plan inference_plan(const Shape& shape, float eps, Tag ours) {
  const auto pd = inference_desc(shape, ours, eps);
  const memory::desc channel = channel_desc(shape[1]);
  return {dnnl::batch_normalization_forward(pd),
          {data(DNNL_ARG_SRC, shape, ours, pd.src_desc(), false), plain(DNNL_ARG_MEAN, channel, false),
           plain(DNNL_ARG_VARIANCE, channel, false), plain(DNNL_ARG_SCALE, channel, false),
           plain(DNNL_ARG_SHIFT, channel, false)},
          {data(DNNL_ARG_DST, shape, ours, pd.dst_desc(), true)}};
}

std::shared_ptr<const Plan> inference_plan_for(const Shape& shape, float eps, Tag ours, const char* name) {
  onednn::PrimitiveKey key{PrimitiveOp::kBatchNormInference, {shape.begin(), shape.end()}};
  key.fields.insert(key.fields.end(), {onednn::key_bits(eps), static_cast<std::int64_t>(ours)});
  return onednn::cached_plan(std::move(key), name, [&] { return inference_plan(shape, eps, ours); });
}

const float* in(const Tensor& t) { return t.data<float>(); }
float* out(Tensor& t) { return t.data<float>(); }

}  // namespace

// Only where oneDNN's jit kernels run: its generic one for plain layouts is
// slower than our loops.
bool batch_norm_onednn_supports(const Tensor& x) {
  return x.dtype() == kFloat32 && x.rank() == 4 && x.dim(1) % 16 == 0 && x.numel() > 0;
}

Tensor batch_norm_inference_onednn(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& mean,
                                   const Tensor& var, double eps) {
  constexpr const char* kName = "batch_norm_inference";
  const auto plan = inference_plan_for(x.shape(), static_cast<float>(eps), tag_of(x), kName);
  Tensor output = empty(x.shape(), kFloat32, x.suggest_memory_format());
  onednn::run(kName, *plan, {in(x), in(mean), in(var), in(gamma), in(beta)}, {out(output)});
  return output;
}

}  // namespace nabla::kernels::internal
