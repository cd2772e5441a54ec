#include "kernels/internal/conv2d_onednn.h"

#include <array>
#include <string>

#include "kernels/internal/onednn.h"
#include "kernels/internal/parallel.h"
#include "tensor/ops.h"

namespace nabla::kernels::internal {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using onednn::Operand;
using onednn::Plan;
using onednn::PrimitiveKey;
using onednn::PrimitiveOp;
using onednn::tag_of;

// The layouts of a primitive's activation operands (src and dst, or their
// gradients), as our tensors hold them (nchw or nhwc) or as the primitive
// computes on them (also `any`: oneDNN's choice).
struct Layouts {
  Tag src = Tag::nhwc;
  Tag dst = Tag::nhwc;
};

PrimitiveKey key_of(PrimitiveOp op, const Conv2dParams& p, const Layouts& layouts) {
  return {op,
          {p.batch, p.in_channels, p.out_channels, p.groups, p.input_size[0], p.input_size[1], p.output_size[0],
           p.output_size[1], p.kernel_size[0], p.kernel_size[1], p.stride[0], p.stride[1], p.padding[0],
           p.padding[1], p.dilation[0], p.dilation[1], p.relu, onednn::key_bits(static_cast<float>(p.relu_slope)),
           static_cast<std::int64_t>(layouts.src), static_cast<std::int64_t>(layouts.dst)}};
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
// descriptors of our tensors (`ours_*`) and of what the primitive computes
// on. Activations are computed on in nhwc where that is fast: oneDNN 2.6's
// nhwc convolutions (brgconv) are as fast as its blocked ones on the CNN
// benchmark's layers, and pooling, ReLU and the next convolution then read
// them without a reorder, which a blocked layout (not expressible with
// strides) needs.
struct Geometry {
  Geometry(const Conv2dParams& p, const Layouts& layouts)
      : layouts(layouts),
        src_dims{p.batch, p.in_channels, p.input_size[0], p.input_size[1]},
        dst_dims{p.batch, p.out_channels, p.output_size[0], p.output_size[1]},
        weight_dims(p.groups == 1 ? memory::dims{p.out_channels, p.in_channels, p.kernel_size[0], p.kernel_size[1]}
                                  : memory::dims{p.groups, p.out_channels / p.groups, p.in_channels / p.groups,
                                                 p.kernel_size[0], p.kernel_size[1]}),
        weight_tag(p.groups == 1 ? Tag::oihw : Tag::goihw),
        group_in_channels(p.in_channels / p.groups),
        strides{p.stride[0], p.stride[1]},
        dilates{p.dilation[0] - 1, p.dilation[1] - 1},
        padding_left{p.padding[0], p.padding[1]},
        padding_right(right_padding(p)) {}

  memory::desc src(Tag tag) const { return {src_dims, memory::data_type::f32, tag}; }
  memory::desc dst(Tag tag) const { return {dst_dims, memory::data_type::f32, tag}; }
  memory::desc ours_src() const { return src(layouts.src); }
  memory::desc ours_dst() const { return dst(layouts.dst); }
  memory::desc ours_weight() const { return {weight_dims, memory::data_type::f32, weight_tag}; }
  memory::desc any_weight() const { return {weight_dims, memory::data_type::f32, Tag::any}; }

  Layouts layouts;
  memory::dims src_dims, dst_dims, weight_dims;
  Tag weight_tag;
  memory::dim group_in_channels;
  memory::dims strides, dilates, padding_left, padding_right;
};

// What the backward passes compute on, measured in the training steps.
// With few input channels (an image's 1 or 3) oneDNN's nhwc and blocked
// backward-data kernels pad them to a block of 16 and run 6-10x slower than
// its gemm kernel on nchw (0.85 vs 0.14 ms for the DCGAN discriminator's
// first layer, 2 threads). Backward-weights at stride 1 is faster on nhwc
// (cnn_train's conv1: 0.32 vs 0.21 + 0.26 ms for the reorder of its
// gradient to blocked); strided, with AVX-512 and 16+ input channels too
// (the DCGAN's 64 -> 128 stride-2 layer: 4.52 against 5.22 ms blocked,
// reorders included, 1 thread; 2.58 against 3.10 on 2), but blocked is
// faster on AVX2 (1.9 vs 2.6 ms, 2 threads), and with fewer channels
// oneDNN has only its reference kernel for strided nhwc.
Layouts backward_data_layouts(const Conv2dParams& p) {
  return p.in_channels < 16 ? Layouts{Tag::nchw, Tag::any} : Layouts{Tag::nhwc, Tag::nhwc};
}
Layouts backward_weights_layouts(const Conv2dParams& p) {
  const bool unit_stride = p.stride[0] == 1 && p.stride[1] == 1;
  const bool nhwc = unit_stride || (onednn::cpu_has_avx512() && p.in_channels >= 16);
  return nhwc ? Layouts{Tag::nhwc, Tag::nhwc} : Layouts{Tag::any, Tag::any};
}

// oneDNN's first choice on nhwc, brgconv, is slower than its direct jit
// kernel with fewer than 16 input channels (cnn_train's conv1: 0.46 vs
// 0.38 ms, 1 thread; 1.04 vs 0.99 ms with 3 channels) and faster from 16 on
// (conv2: 4.44 vs 4.67 ms).
// The iterator behind `next_impl` reads the op descriptor, so this runs
// while that is alive.
void skip_brgconv_for_few_channels(const Geometry& g, dnnl::convolution_forward::primitive_desc& pd) {
  if (g.group_in_channels >= 16) return;
  while (std::string(pd.impl_info_str()).rfind("brgconv", 0) == 0 && pd.next_impl()) {
  }
}

// `compute`: the activations' layouts; `relu`: the fused ReLU post-op
// (leaky with relu_slope), which the backward passes' hints leave out.
dnnl::convolution_forward::primitive_desc forward_desc(const Geometry& g, const Layouts& compute, bool with_bias,
                                                       bool relu, float relu_slope, dnnl::prop_kind prop) {
  const memory::desc bias = with_bias ? memory::desc({g.dst_dims[1]}, memory::data_type::f32, Tag::x)
                                      : memory::desc();
  const dnnl::convolution_forward::desc desc(prop, dnnl::algorithm::convolution_direct, g.src(compute.src),
                                             g.any_weight(), bias, g.dst(compute.dst), g.strides, g.dilates,
                                             g.padding_left, g.padding_right);
  dnnl::primitive_attr attr;
  if (relu) {
    dnnl::post_ops relu;
    relu.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, relu_slope, 0.0f);
    attr.set_post_ops(relu);
  }
  dnnl::convolution_forward::primitive_desc pd(desc, attr, onednn::engine());
  skip_brgconv_for_few_channels(g, pd);
  return pd;
}

Plan forward_plan(const Conv2dParams& p, const Layouts& layouts, bool with_bias) {
  const Geometry g(p, layouts);
  const auto pd = forward_desc(g, Layouts{Tag::nhwc, Tag::nhwc}, with_bias, p.relu, static_cast<float>(p.relu_slope),
                               dnnl::prop_kind::forward_training);
  std::vector<Operand> inputs{Operand(DNNL_ARG_SRC, g.ours_src(), pd.src_desc(), false),
                              Operand(DNNL_ARG_WEIGHTS, g.ours_weight(), pd.weights_desc(), false)};
  if (with_bias) inputs.emplace_back(DNNL_ARG_BIAS, pd.bias_desc(), pd.bias_desc(), false);
  return {dnnl::convolution_forward(pd), std::move(inputs), {Operand(DNNL_ARG_DST, g.ours_dst(), pd.dst_desc(), true)}};
}

Plan backward_data_plan(const Conv2dParams& p, const Layouts& layouts) {
  const Geometry g(p, layouts);
  const Layouts compute = backward_data_layouts(p);
  const dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct, g.src(compute.src),
                                                   g.any_weight(), g.dst(compute.dst), g.strides, g.dilates,
                                                   g.padding_left, g.padding_right);
  const dnnl::convolution_backward_data::primitive_desc pd(
      desc, onednn::engine(), forward_desc(g, compute, false, false, 0.0f, dnnl::prop_kind::forward_training));
  return {dnnl::convolution_backward_data(pd),
          {Operand(DNNL_ARG_DIFF_DST, g.ours_dst(), pd.diff_dst_desc(), false),
           Operand(DNNL_ARG_WEIGHTS, g.ours_weight(), pd.weights_desc(), false)},
          {Operand(DNNL_ARG_DIFF_SRC, g.ours_src(), pd.diff_src_desc(), true)}};
}

Plan backward_weights_plan(const Conv2dParams& p, const Layouts& layouts) {
  const Geometry g(p, layouts);
  const Layouts compute = backward_weights_layouts(p);
  const dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct, g.src(compute.src),
                                                      g.any_weight(), g.dst(compute.dst), g.strides, g.dilates,
                                                      g.padding_left, g.padding_right);
  const dnnl::convolution_backward_weights::primitive_desc pd(
      desc, onednn::engine(), forward_desc(g, compute, false, false, 0.0f, dnnl::prop_kind::forward_training));
  return {dnnl::convolution_backward_weights(pd),
          {Operand(DNNL_ARG_SRC, g.ours_src(), pd.src_desc(), false),
           Operand(DNNL_ARG_DIFF_DST, g.ours_dst(), pd.diff_dst_desc(), false)},
          {Operand(DNNL_ARG_DIFF_WEIGHTS, g.ours_weight(), pd.diff_weights_desc(), true)}};
}

// Plans are built once per (op, shape, layouts) and shared.
std::shared_ptr<const Plan> plan_for(PrimitiveOp op, const Conv2dParams& p, const Layouts& layouts,
                                     const char* name) {
  return onednn::cached_plan(key_of(op, p, layouts), name, [&] {
    switch (op) {
      case PrimitiveOp::kConvForward:
        return forward_plan(p, layouts, false);
      case PrimitiveOp::kConvForwardWithBias:
        return forward_plan(p, layouts, true);
      case PrimitiveOp::kConvBackwardData:
        return backward_data_plan(p, layouts);
      default:
        return backward_weights_plan(p, layouts);
    }
  });
}

// The bias of a transposed convolution, added to each pixel's channels.
void add_channel_bias(Tensor& nhwc, const Tensor& bias) {
  const std::int64_t channels = nhwc.dim(1);
  const std::int64_t pixels = nhwc.numel() / channels;
  float* out = nhwc.data<float>();
  const float* b = bias.data<float>();
  internal::parallel_for(pixels, nhwc.numel(), [&](std::int64_t pixel) {
    float* row = out + pixel * channels;
#pragma omp simd
    for (std::int64_t c = 0; c < channels; ++c) row[c] += b[c];
  });
}

// The input gradient of a stride-1 convolution is the forward convolution
// of grad_output with the weights flipped in space and their channel axes
// swapped, padded by K - 1 - pad. With AVX-512 oneDNN runs that forward
// (brgconv) 10-18% faster than its backward-data kernel from 32 input
// channels on (cnn_train's conv2: 6.1 against 7.2 ms, 1 thread; 3x3 and 5x5
// kernels, 32-128 channels) and 3-5% slower with 16; brgconv needs 16 input
// channels on the flipped side too.
bool backward_input_as_flipped_forward(const Conv2dParams& p) {
  return onednn::cpu_has_avx512() && p.groups == 1 && p.in_channels >= 32 && p.out_channels >= 16 &&
         p.stride == std::array<std::int64_t, 2>{1, 1} && p.dilation == std::array<std::int64_t, 2>{1, 1} &&
         p.padding[0] < p.kernel_size[0] && p.padding[1] < p.kernel_size[1];
}

// The convolution backward_input_as_flipped_forward runs.
Conv2dParams flipped(const Conv2dParams& p) {
  Conv2dParams f = p;
  f.in_channels = p.out_channels;
  f.out_channels = p.in_channels;
  f.input_size = p.output_size;
  f.output_size = p.input_size;
  f.padding = {p.kernel_size[0] - 1 - p.padding[0], p.kernel_size[1] - 1 - p.padding[1]};
  f.relu = false;
  f.relu_slope = 0.0;
  return f;
}

// weight [C_out, C_in, KH, KW] -> [C_in, C_out, KH, KW], each kernel rotated by 180 degrees.
Tensor flipped_weight(const Tensor& weight) {
  const std::int64_t out_channels = weight.dim(0), in_channels = weight.dim(1);
  const std::int64_t taps = weight.dim(2) * weight.dim(3);
  Tensor result = empty({in_channels, out_channels, weight.dim(2), weight.dim(3)}, kFloat32);
  const float* from = weight.data<float>();
  float* to = result.data<float>();
  for (std::int64_t o = 0; o < out_channels; ++o) {
    for (std::int64_t i = 0; i < in_channels; ++i) {
      const float* kernel = from + (o * in_channels + i) * taps;
      float* rotated = to + (i * out_channels + o) * taps;
      for (std::int64_t t = 0; t < taps; ++t) rotated[t] = kernel[taps - 1 - t];
    }
  }
  return result;
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
  const Layouts layouts{tag_of(input), Tag::nhwc};
  const auto plan =
      plan_for(with_bias ? PrimitiveOp::kConvForwardWithBias : PrimitiveOp::kConvForward, p, layouts, kName);
  Tensor out = empty({p.batch, p.out_channels, p.output_size[0], p.output_size[1]}, kFloat32,
                     MemoryFormat::kChannelsLast);
  std::vector<const void*> inputs{input.data<float>(), weight.data<float>()};
  if (with_bias) inputs.push_back(bias.data<float>());
  onednn::run(kName, *plan, inputs, {out.data<float>()});
  return out;
}

Tensor conv2d_backward_input_onednn(const Conv2dParams& p, const Tensor& grad_output, const Tensor& weight,
                                    const Tensor& bias) {
  constexpr const char* kName = "conv2d_backward_input";
  if (backward_input_as_flipped_forward(p)) {
    return conv2d_forward_onednn(flipped(p), grad_output, flipped_weight(weight), bias);
  }
  const Layouts layouts{Tag::nhwc, tag_of(grad_output)};
  const auto plan = plan_for(PrimitiveOp::kConvBackwardData, p, layouts, kName);
  Tensor out = empty({p.batch, p.in_channels, p.input_size[0], p.input_size[1]}, kFloat32,
                     MemoryFormat::kChannelsLast);
  onednn::run(kName, *plan, {grad_output.data<float>(), weight.data<float>()}, {out.data<float>()});
  if (bias.defined()) add_channel_bias(out, bias);
  return out;
}

Tensor conv2d_backward_weight_onednn(const Conv2dParams& p, const Tensor& grad_output, const Tensor& input) {
  constexpr const char* kName = "conv2d_backward_weight";
  const Layouts layouts{tag_of(input), tag_of(grad_output)};
  const auto plan = plan_for(PrimitiveOp::kConvBackwardWeights, p, layouts, kName);
  Tensor grad_weight = empty({p.out_channels, p.in_channels / p.groups, p.kernel_size[0], p.kernel_size[1]}, kFloat32);
  onednn::run(kName, *plan, {input.data<float>(), grad_output.data<float>()}, {grad_weight.data<float>()});
  return grad_weight;
}

}  // namespace nabla::kernels::internal
