#include "kernels/internal/pooling_onednn.h"

#include <utility>

#include "kernels/internal/onednn.h"

namespace nabla::kernels::internal {
namespace {

using dnnl::memory;
using onednn::Operand;
using onednn::Plan;
using onednn::PrimitiveOp;
using onednn::dense;
using onednn::tag_of;

// What makes oneDNN's output exactly out_size (ceil_mode adds to the right).
memory::dims right_padding(const Pool2dParams& p) {
  const std::int64_t out[2] = {p.out_height, p.out_width};
  const std::int64_t in[2] = {p.height, p.width};
  memory::dims right(2);
  for (int axis = 0; axis < 2; ++axis) {
    right[axis] = (out[axis] - 1) * p.stride[axis] + (p.kernel[axis] - 1) * p.dilation[axis] + 1 - in[axis] -
                  p.padding[axis];
  }
  return right;
}

using Tag = memory::format_tag;

Tag tag_for(MemoryFormat format) { return format == MemoryFormat::kChannelsLast ? Tag::nhwc : Tag::nchw; }

memory::desc image_desc(const Pool2dParams& p, std::int64_t height, std::int64_t width, Tag tag) {
  return {{p.batch, p.channels, height, width}, memory::data_type::f32, tag};
}

dnnl::algorithm algorithm_of(const Pool2dParams& p) {
  return p.count_include_pad ? dnnl::algorithm::pooling_avg_include_padding
                             : dnnl::algorithm::pooling_avg_exclude_padding;
}

// `tag`: the format the primitive computes in; `ours`: how our tensor holds
// the operand that may come in either (the input forward, the gradient
// backward).
dnnl::pooling_v2_forward::primitive_desc forward_desc(const Pool2dParams& p, Tag tag) {
  const dnnl::pooling_v2_forward::desc desc(
      dnnl::prop_kind::forward_training, algorithm_of(p), image_desc(p, p.height, p.width, tag),
      image_desc(p, p.out_height, p.out_width, tag), {p.stride[0], p.stride[1]}, {p.kernel[0], p.kernel[1]},
      {p.dilation[0] - 1, p.dilation[1] - 1}, {p.padding[0], p.padding[1]}, right_padding(p));
  return dnnl::pooling_v2_forward::primitive_desc(desc, onednn::engine());
}

Plan forward_plan(const Pool2dParams& p, Tag tag, Tag ours) {
  const auto pd = forward_desc(p, tag);
  return {dnnl::pooling_v2_forward(pd),
          {Operand(DNNL_ARG_SRC, image_desc(p, p.height, p.width, ours), pd.src_desc(), false)},
          {Operand(DNNL_ARG_DST, pd.dst_desc(), pd.dst_desc(), true)}};
}

Plan backward_plan(const Pool2dParams& p, Tag tag, Tag ours) {
  const auto hint = forward_desc(p, tag);
  const dnnl::pooling_v2_backward::desc desc(
      algorithm_of(p), image_desc(p, p.height, p.width, tag), image_desc(p, p.out_height, p.out_width, tag),
      {p.stride[0], p.stride[1]}, {p.kernel[0], p.kernel[1]}, {p.dilation[0] - 1, p.dilation[1] - 1},
      {p.padding[0], p.padding[1]}, right_padding(p));
  const dnnl::pooling_v2_backward::primitive_desc pd(desc, onednn::engine(), hint);
  return {dnnl::pooling_v2_backward(pd),
          {Operand(DNNL_ARG_DIFF_DST, image_desc(p, p.out_height, p.out_width, ours), pd.diff_dst_desc(), false)},
          {Operand(DNNL_ARG_DIFF_SRC, pd.diff_src_desc(), pd.diff_src_desc(), true)}};
}

std::shared_ptr<const Plan> plan_for(PrimitiveOp op, const Pool2dParams& p, Tag tag, Tag ours, const char* name) {
  onednn::PrimitiveKey key{
      op,
      {p.batch, p.channels, p.height, p.width, p.out_height, p.out_width, p.kernel[0], p.kernel[1], p.stride[0],
       p.stride[1], p.padding[0], p.padding[1], p.dilation[0], p.dilation[1], p.count_include_pad,
       static_cast<std::int64_t>(tag), static_cast<std::int64_t>(ours)}};
  return onednn::cached_plan(std::move(key), name, [&] {
    return op == PrimitiveOp::kAvgPoolForward ? forward_plan(p, tag, ours) : backward_plan(p, tag, ours);
  });
}

}  // namespace

bool pool2d_onednn_supports(const Pool2dParams& p, DType dtype) {
  if (dtype != kFloat32 || p.planes() == 0 || p.height == 0 || p.width == 0) return false;
  const memory::dims right = right_padding(p);
  for (int axis = 0; axis < 2; ++axis) {
    // Floor mode skips up to stride - 1 trailing rows, which oneDNN takes as
    // negative padding.
    if (right[axis] <= -p.stride[axis]) return false;
    // PyTorch's divisor leaves out the taps of a ceil-mode window that hang
    // past the right padding; oneDNN's counts the whole window.
    if (p.count_include_pad && right[axis] > p.padding[axis]) return false;
  }
  return true;
}

Tensor avg_pool2d_onednn(const Pool2dParams& p, const Tensor& input, MemoryFormat format, const Shape& output_shape) {
  constexpr const char* kName = "avg_pool2d";
  const Tensor x = dense(input);
  const auto plan = plan_for(PrimitiveOp::kAvgPoolForward, p, tag_for(format), tag_of(x), kName);
  Tensor output = empty(output_shape, kFloat32, format);
  onednn::run(kName, *plan, {x.data<float>()}, {output.data<float>()});
  return output;
}

Tensor avg_pool2d_backward_onednn(const Pool2dParams& p, const Tensor& grad_output, MemoryFormat format,
                                  const Shape& input_shape) {
  constexpr const char* kName = "avg_pool2d_backward";
  const Tensor g = dense(grad_output);
  const auto plan = plan_for(PrimitiveOp::kAvgPoolBackward, p, tag_for(format), tag_of(g), kName);
  Tensor grad_input = empty(input_shape, kFloat32, format);
  onednn::run(kName, *plan, {g.data<float>()}, {grad_input.data<float>()});
  return grad_input;
}

}  // namespace nabla::kernels::internal
