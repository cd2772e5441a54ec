#include "kernels/internal/conv2d_onednn.h"

#include "kernels/internal/onednn.h"
#include "tensor/ops.h"

namespace nabla::kernels::internal {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using onednn::Operand;
using onednn::Plan;
using onednn::PrimitiveKey;
using onednn::PrimitiveOp;

PrimitiveKey key_of(PrimitiveOp op, const Conv2dParams& p) {
  return {op,
          {p.batch, p.in_channels, p.out_channels, p.groups, p.input_size[0], p.input_size[1], p.output_size[0],
           p.output_size[1], p.kernel_size[0], p.kernel_size[1], p.stride[0], p.stride[1], p.padding[0],
           p.padding[1], p.dilation[0], p.dilation[1], p.relu}};
}

// oneDNN's right padding: what makes the output exactly output_size.
memory::dims right_padding(const Conv2dParams& p) {
  memory::dims right(2);
  for (int axis = 0; axis < 2; ++axis) {
    right[axis] = (p.output_size[axis] - 1) * p.stride[axis] + (p.kernel_size[axis] - 1) * p.dilation[axis] + 1 -
                  p.input_size[axis] - p.padding[axis];
  }
  return right;
}

// The shapes and geometry of one convolution as oneDNN spells them, with
// plain (our) and `any` (oneDNN's choice) descriptors.
struct Geometry {
  explicit Geometry(const Conv2dParams& p)
      : src_dims{p.batch, p.in_channels, p.input_size[0], p.input_size[1]},
        dst_dims{p.batch, p.out_channels, p.output_size[0], p.output_size[1]},
        weight_dims(p.groups == 1 ? memory::dims{p.out_channels, p.in_channels, p.kernel_size[0], p.kernel_size[1]}
                                  : memory::dims{p.groups, p.out_channels / p.groups, p.in_channels / p.groups,
                                                 p.kernel_size[0], p.kernel_size[1]}),
        weight_tag(p.groups == 1 ? Tag::oihw : Tag::goihw),
        strides{p.stride[0], p.stride[1]},
        dilates{p.dilation[0] - 1, p.dilation[1] - 1},
        padding_left{p.padding[0], p.padding[1]},
        padding_right(right_padding(p)) {}

  memory::desc plain_src() const { return {src_dims, memory::data_type::f32, Tag::nchw}; }
  memory::desc plain_dst() const { return {dst_dims, memory::data_type::f32, Tag::nchw}; }
  memory::desc plain_weight() const { return {weight_dims, memory::data_type::f32, weight_tag}; }
  memory::desc any_src() const { return {src_dims, memory::data_type::f32, Tag::any}; }
  memory::desc any_dst() const { return {dst_dims, memory::data_type::f32, Tag::any}; }
  memory::desc any_weight() const { return {weight_dims, memory::data_type::f32, Tag::any}; }

  memory::dims src_dims, dst_dims, weight_dims;
  Tag weight_tag;
  memory::dims strides, dilates, padding_left, padding_right;
};

// `relu`: the fused ReLU post-op; the backward passes' hints leave it out.
dnnl::convolution_forward::primitive_desc forward_desc(const Geometry& g, bool with_bias, bool relu,
                                                       dnnl::prop_kind prop) {
  const memory::desc bias = with_bias ? memory::desc({g.dst_dims[1]}, memory::data_type::f32, Tag::x)
                                      : memory::desc();
  const dnnl::convolution_forward::desc desc(prop, dnnl::algorithm::convolution_direct, g.any_src(), g.any_weight(),
                                             bias, g.any_dst(), g.strides, g.dilates, g.padding_left,
                                             g.padding_right);
  dnnl::primitive_attr attr;
  if (relu) {
    dnnl::post_ops relu;
    relu.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    attr.set_post_ops(relu);
  }
  return dnnl::convolution_forward::primitive_desc(desc, attr, onednn::engine());
}

Plan forward_plan(const Conv2dParams& p, bool with_bias) {
  const Geometry g(p);
  const auto pd = forward_desc(g, with_bias, p.relu, dnnl::prop_kind::forward_training);
  std::vector<Operand> inputs{Operand(DNNL_ARG_SRC, g.plain_src(), pd.src_desc(), false),
                              Operand(DNNL_ARG_WEIGHTS, g.plain_weight(), pd.weights_desc(), false)};
  if (with_bias) inputs.emplace_back(DNNL_ARG_BIAS, pd.bias_desc(), pd.bias_desc(), false);
  return {dnnl::convolution_forward(pd), std::move(inputs), {Operand(DNNL_ARG_DST, g.plain_dst(), pd.dst_desc(), true)}};
}

Plan backward_data_plan(const Conv2dParams& p) {
  const Geometry g(p);
  // Left to choose, oneDNN pads a few input channels to a block of 16 and
  // runs 10x slower than on the plain layout (a 1-channel image: 26 ms vs 2 ms
  // for conv1 of the CNN benchmark).
  const memory::desc diff_src = p.in_channels < 16 ? g.plain_src() : g.any_src();
  const dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct, diff_src, g.any_weight(),
                                                   g.any_dst(), g.strides, g.dilates, g.padding_left,
                                                   g.padding_right);
  const dnnl::convolution_backward_data::primitive_desc pd(
      desc, onednn::engine(), forward_desc(g, false, false, dnnl::prop_kind::forward_training));
  return {dnnl::convolution_backward_data(pd),
          {Operand(DNNL_ARG_DIFF_DST, g.plain_dst(), pd.diff_dst_desc(), false),
           Operand(DNNL_ARG_WEIGHTS, g.plain_weight(), pd.weights_desc(), false)},
          {Operand(DNNL_ARG_DIFF_SRC, g.plain_src(), pd.diff_src_desc(), true)}};
}

Plan backward_weights_plan(const Conv2dParams& p) {
  const Geometry g(p);
  const dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct, g.any_src(),
                                                      g.any_weight(), g.any_dst(), g.strides, g.dilates,
                                                      g.padding_left, g.padding_right);
  const dnnl::convolution_backward_weights::primitive_desc pd(
      desc, onednn::engine(), forward_desc(g, false, false, dnnl::prop_kind::forward_training));
  return {dnnl::convolution_backward_weights(pd),
          {Operand(DNNL_ARG_SRC, g.plain_src(), pd.src_desc(), false),
           Operand(DNNL_ARG_DIFF_DST, g.plain_dst(), pd.diff_dst_desc(), false)},
          {Operand(DNNL_ARG_DIFF_WEIGHTS, g.plain_weight(), pd.diff_weights_desc(), true)}};
}

// Plans are built once per (op, shape) and shared.
std::shared_ptr<const Plan> plan_for(PrimitiveOp op, const Conv2dParams& p, const char* name) {
  return onednn::cached_plan(key_of(op, p), name, [&] {
    switch (op) {
      case PrimitiveOp::kConvForward:
        return forward_plan(p, false);
      case PrimitiveOp::kConvForwardWithBias:
        return forward_plan(p, true);
      case PrimitiveOp::kConvBackwardData:
        return backward_data_plan(p);
      default:
        return backward_weights_plan(p);
    }
  });
}

}  // namespace

bool conv2d_onednn_supports(const Conv2dParams& p) {
  if (p.dtype != kFloat32) return false;
  for (std::int64_t size : {p.batch, p.in_channels, p.out_channels, p.input_size[0], p.input_size[1],
                            p.output_size[0], p.output_size[1]}) {
    if (size == 0) return false;
  }
  // Up to stride - 1 trailing rows that no window reaches are negative
  // padding to oneDNN; a transposed convolution can ask to drop more.
  const memory::dims right = right_padding(p);
  return right[0] > -p.stride[0] && right[1] > -p.stride[1];
}

Tensor conv2d_forward_onednn(const Conv2dParams& p, const Tensor& input, const Tensor& weight, const Tensor& bias) {
  constexpr const char* kName = "conv2d";
  const bool with_bias = bias.defined();
  const auto plan = plan_for(with_bias ? PrimitiveOp::kConvForwardWithBias : PrimitiveOp::kConvForward, p, kName);
  Tensor out = empty({p.batch, p.out_channels, p.output_size[0], p.output_size[1]}, kFloat32);
  std::vector<const void*> inputs{input.data<float>(), weight.data<float>()};
  if (with_bias) inputs.push_back(bias.data<float>());
  onednn::run(kName, *plan, inputs, {out.data<float>()});
  return out;
}

Tensor conv2d_backward_input_onednn(const Conv2dParams& p, const Tensor& grad_output, const Tensor& weight,
                                    const Tensor& bias) {
  constexpr const char* kName = "conv2d_backward_input";
  const auto plan = plan_for(PrimitiveOp::kConvBackwardData, p, kName);
  Tensor out = empty({p.batch, p.in_channels, p.input_size[0], p.input_size[1]}, kFloat32);
  onednn::run(kName, *plan, {grad_output.data<float>(), weight.data<float>()}, {out.data<float>()});
  if (bias.defined()) out += bias.reshape({1, p.in_channels, 1, 1});
  return out;
}

Tensor conv2d_backward_weight_onednn(const Conv2dParams& p, const Tensor& grad_output, const Tensor& input) {
  constexpr const char* kName = "conv2d_backward_weight";
  const auto plan = plan_for(PrimitiveOp::kConvBackwardWeights, p, kName);
  Tensor out = empty({p.out_channels, p.in_channels / p.groups, p.kernel_size[0], p.kernel_size[1]}, kFloat32);
  onednn::run(kName, *plan, {input.data<float>(), grad_output.data<float>()}, {out.data<float>()});
  return out;
}

}  // namespace nabla::kernels::internal
