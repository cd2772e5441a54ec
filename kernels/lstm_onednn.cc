// The LSTM on oneDNN's lstm_forward / lstm_backward, forward and backward
// side by side. oneDNN names the sizes T, N (layer tensors are logically
// [T, N, C]; `ntc` lays them out batch-first like ours), and a weight
// [L, D, I, G, O] in `ldigo` with L = D = 1 is exactly our [I, 4H].
//
// Weights are left to oneDNN (format any): forward pads the rows, backward
// wants them transposed (ldgoi); the Plan reorders them once per call, as
// they change every training step. The weight gradients stay in ldigo so
// they land directly in our tensors: oneDNN accumulates into them, so they
// start at zero.

#include "kernels/internal/onednn.h"
#include "kernels/lstm.h"
#include "tensor/backend.h"

namespace nabla::kernels {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using internal::onednn::Operand;
using internal::onednn::Plan;
using internal::onednn::PrimitiveOp;

struct Sizes {
  std::int64_t n, t, i, h;
};

Sizes sizes_of(const LstmInputs& in) { return {in.input.dim(0), in.input.dim(1), in.input.dim(2), in.h0.dim(1)}; }

memory::desc desc_of(const memory::dims& dims, Tag tag) { return {dims, memory::data_type::f32, tag}; }

// The operand descriptors of one LSTM, in our layouts (and `any` for the
// weights oneDNN may re-lay). The hidden states and c_T (and their
// gradients) are read and written in place in the [N, T + 1, H] sequence:
// rows of T + 1 steps per sample.
struct Descs {
  explicit Descs(const Sizes& s)
      : input(desc_of({s.t, s.n, s.i}, Tag::ntc)),
        hidden({s.t, s.n, s.h}, memory::data_type::f32, memory::dims{s.h, (s.t + 1) * s.h, 1}),
        cell({1, 1, s.n, s.h}, memory::data_type::f32,
             memory::dims{s.n * (s.t + 1) * s.h, s.n * (s.t + 1) * s.h, (s.t + 1) * s.h, 1}),
        state(desc_of({1, 1, s.n, s.h}, Tag::ldnc)),
        w_ih(desc_of({1, 1, s.i, 4, s.h}, Tag::ldigo)),
        w_hh(desc_of({1, 1, s.h, 4, s.h}, Tag::ldigo)),
        any_w_ih(desc_of({1, 1, s.i, 4, s.h}, Tag::any)),
        any_w_hh(desc_of({1, 1, s.h, 4, s.h}, Tag::any)),
        bias(desc_of({1, 1, 4, s.h}, Tag::ldgo)) {}

  memory::desc input, hidden, cell, state, w_ih, w_hh, any_w_ih, any_w_hh, bias;
};

dnnl::lstm_forward::primitive_desc forward_desc(const Descs& d, dnnl::prop_kind prop) {
  const dnnl::lstm_forward::desc desc(prop, dnnl::rnn_direction::unidirectional_left2right, d.input, d.state, d.state,
                                      d.any_w_ih, d.any_w_hh, d.bias, d.hidden, d.state, d.cell);
  return dnnl::lstm_forward::primitive_desc(desc, internal::onednn::engine());
}

// x, h0, c0, w_ih, w_hh, bias: what both passes read first.
template <typename PrimitiveDesc>
std::vector<Operand> sequence_inputs(const Descs& d, const PrimitiveDesc& pd) {
  return {Operand(DNNL_ARG_SRC_LAYER, d.input, pd.src_layer_desc(), false),
          Operand(DNNL_ARG_SRC_ITER, d.state, pd.src_iter_desc(), false),
          Operand(DNNL_ARG_SRC_ITER_C, d.state, pd.src_iter_c_desc(), false),
          Operand(DNNL_ARG_WEIGHTS_LAYER, d.w_ih, pd.weights_layer_desc(), false),
          Operand(DNNL_ARG_WEIGHTS_ITER, d.w_hh, pd.weights_iter_desc(), false),
          Operand(DNNL_ARG_BIAS, d.bias, pd.bias_desc(), false)};
}

// Inputs: x, h0, c0, w_ih, w_hh, bias. Outputs: hidden, h_T, c_T (the first and last in the sequence), then
// the workspace when training.
Plan forward_plan(const Sizes& s, bool training) {
  const Descs d(s);
  const auto pd = forward_desc(d, training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference);
  std::vector<Operand> outputs{Operand(DNNL_ARG_DST_LAYER, d.hidden, pd.dst_layer_desc(), true),
                               Operand(DNNL_ARG_DST_ITER, d.state, pd.dst_iter_desc(), true),
                               Operand(DNNL_ARG_DST_ITER_C, d.cell, pd.dst_iter_c_desc(), true)};
  if (training) outputs.emplace_back(DNNL_ARG_WORKSPACE, pd.workspace_desc(), pd.workspace_desc(), true);
  return {dnnl::lstm_forward(pd), sequence_inputs(d, pd), std::move(outputs)};
}

// Inputs: x, h0, c0, w_ih, w_hh, bias, hidden, h_T, c_T, their gradients, workspace.
// Outputs: the gradients of x, h0, c0, w_ih, w_hh, bias.
Plan backward_plan(const Sizes& s) {
  const Descs d(s);
  const auto hint = forward_desc(d, dnnl::prop_kind::forward_training);
  const dnnl::lstm_backward::desc desc(dnnl::prop_kind::backward, dnnl::rnn_direction::unidirectional_left2right,
                                       d.input, d.state, d.state, d.any_w_ih, d.any_w_hh, d.bias, d.hidden, d.state,
                                       d.cell, d.input, d.state, d.state, d.w_ih, d.w_hh, d.bias, d.hidden, d.state,
                                       d.cell);
  const dnnl::lstm_backward::primitive_desc pd(desc, internal::onednn::engine(), hint);
  // Outputs that went through a reorder would start from scratch memory, not the zeros oneDNN adds to.
  NABLA_CHECK(
      pd.diff_weights_layer_desc() == d.w_ih && pd.diff_weights_iter_desc() == d.w_hh && pd.diff_bias_desc() == d.bias,
      "lstm_backward: oneDNN chose other layouts for the weight gradients than ldigo / ldgo");
  std::vector<Operand> inputs = sequence_inputs(d, pd);
  inputs.insert(inputs.end(),
                {Operand(DNNL_ARG_DST_LAYER, d.hidden, pd.dst_layer_desc(), false),
                 Operand(DNNL_ARG_DST_ITER, d.state, pd.dst_iter_desc(), false),
                 Operand(DNNL_ARG_DST_ITER_C, d.cell, pd.dst_iter_c_desc(), false),
                 Operand(DNNL_ARG_DIFF_DST_LAYER, d.hidden, pd.diff_dst_layer_desc(), false),
                 Operand(DNNL_ARG_DIFF_DST_ITER, d.state, pd.diff_dst_iter_desc(), false),
                 Operand(DNNL_ARG_DIFF_DST_ITER_C, d.cell, pd.diff_dst_iter_c_desc(), false),
                 Operand(DNNL_ARG_WORKSPACE, hint.workspace_desc(), pd.workspace_desc(), false)});
  return {dnnl::lstm_backward(pd), std::move(inputs),
          {Operand(DNNL_ARG_DIFF_SRC_LAYER, d.input, pd.diff_src_layer_desc(), true),
           Operand(DNNL_ARG_DIFF_SRC_ITER, d.state, pd.diff_src_iter_desc(), true),
           Operand(DNNL_ARG_DIFF_SRC_ITER_C, d.state, pd.diff_src_iter_c_desc(), true),
           Operand(DNNL_ARG_DIFF_WEIGHTS_LAYER, d.w_ih, pd.diff_weights_layer_desc(), true),
           Operand(DNNL_ARG_DIFF_WEIGHTS_ITER, d.w_hh, pd.diff_weights_iter_desc(), true),
           Operand(DNNL_ARG_DIFF_BIAS, d.bias, pd.diff_bias_desc(), true)}};
}

std::shared_ptr<const Plan> plan_for(PrimitiveOp op, const Sizes& s, const char* name) {
  return internal::onednn::cached_plan({op, {s.n, s.t, s.i, s.h}}, name, [&] {
    return op == PrimitiveOp::kLstmBackward ? backward_plan(s)
                                            : forward_plan(s, op == PrimitiveOp::kLstmForwardTraining);
  });
}

// "input [2, 3, 4], h0 [2, 5], ...": for messages.
std::string shapes_text(const LstmInputs& in) {
  return ::nabla::internal::concat_message("input ", in.input.shape(), ", h0 ", in.h0.shape(), ", c0 ", in.c0.shape(),
                                           ", w_ih ", in.w_ih.shape(), ", w_hh ", in.w_hh.shape(), ", bias ",
                                           in.bias.shape());
}

// step(), with every shape added to an error it throws.
template <typename Step>
auto naming_shapes(const LstmInputs& in, Step&& step) {
  try {
    return step();
  } catch (const Error& error) {
    throw Error(::nabla::internal::concat_message(error.what(), " (", shapes_text(in), ")"));
  }
}

void run(const char* name, const LstmInputs& in, const Plan& plan, const std::vector<const void*>& inputs,
         const std::vector<void*>& outputs) {
  naming_shapes(in, [&] { internal::onednn::run(name, plan, inputs, outputs); });
}

// Every tensor reaches oneDNN as a raw pointer, so a wrong shape, dtype or
// layout would be read out of bounds: each is checked against the sizes
// that input [N, T, I] and h0 [N, H] give.
void check_operand(const char* name, const LstmInputs& in, const char* role, const Tensor& t, const Shape& shape) {
  NABLA_CHECK(t.defined(), name, ": ", role, " is undefined (", shapes_text(in), ")");
  NABLA_CHECK(t.shape() == shape && t.dtype() == kFloat32 && t.is_contiguous(), name, ": ", role,
              " must be a contiguous float32 tensor ", shape, ", got ", t.dtype(), " ", t.shape(),
              t.is_contiguous() ? "" : " (strided)", " (", shapes_text(in), ")");
}

Sizes checked_sizes(const char* name, const LstmInputs& in) {
  NABLA_CHECK(in.input.rank() == 3 && in.h0.rank() == 2, name, ": needs input [N, T, I] and h0 [N, H] (",
              shapes_text(in), ")");
  const Sizes s = sizes_of(in);
  NABLA_CHECK(s.t > 0, name, ": needs at least one time step (", shapes_text(in), ")");
  check_operand(name, in, "input", in.input, {s.n, s.t, s.i});
  check_operand(name, in, "h0", in.h0, {s.n, s.h});
  check_operand(name, in, "c0", in.c0, {s.n, s.h});
  check_operand(name, in, "w_ih", in.w_ih, {s.i, 4 * s.h});
  check_operand(name, in, "w_hh", in.w_hh, {s.h, 4 * s.h});
  check_operand(name, in, "bias", in.bias, {4 * s.h});
  return s;
}

std::shared_ptr<const Plan> checked_plan(PrimitiveOp op, const LstmInputs& in, const char* name) {
  return naming_shapes(in, [&] { return plan_for(op, sizes_of(in), name); });
}

}  // namespace

bool lstm_onednn_supports(DType dtype, std::int64_t batch, std::int64_t input_size, std::int64_t hidden_size) {
  return current_backend() == Backend::kOneDnn && dtype == kFloat32 && batch > 0 && input_size > 0 && hidden_size > 0;
}

LstmForward lstm_forward_onednn(const LstmInputs& in, bool training) {
  constexpr const char* kName = "lstm";
  const Sizes s = checked_sizes(kName, in);
  const auto plan =
      checked_plan(training ? PrimitiveOp::kLstmForwardTraining : PrimitiveOp::kLstmForwardInference, in, kName);
  LstmForward out{empty({s.n, s.t + 1, s.h}, kFloat32), Tensor(), {}};
  Tensor last_hidden = empty({s.n, s.h}, kFloat32);  // h_T is also in the sequence; oneDNN wants it with c_T
  float* sequence = out.sequence.data<float>();
  std::vector<void*> outputs{sequence, last_hidden.data<float>(), sequence + s.t * s.h};
  if (training) {
    out.workspace = internal::onednn::buffer_for(plan->outputs[3].plain);
    out.workspace_sizes = {s.n, s.t, s.i, s.h};
    outputs.push_back(out.workspace.data<float>());
  }
  run(kName, in, *plan,
      {in.input.data<float>(), in.h0.data<float>(), in.c0.data<float>(), in.w_ih.data<float>(), in.w_hh.data<float>(),
       in.bias.data<float>()},
      outputs);
  return out;
}

LstmGradients lstm_backward_onednn(const LstmInputs& in, const LstmForward& forward, const Tensor& grad_sequence) {
  constexpr const char* kName = "lstm_backward";
  const Sizes s = checked_sizes(kName, in);
  check_operand(kName, in, "forward.sequence", forward.sequence, {s.n, s.t + 1, s.h});
  check_operand(kName, in, "grad_sequence", grad_sequence, {s.n, s.t + 1, s.h});
  const auto plan = checked_plan(PrimitiveOp::kLstmBackward, in, kName);
  NABLA_CHECK((internal::onednn::fits(forward.workspace, plan->inputs.back().plain) &&
               forward.workspace_sizes == Shape{s.n, s.t, s.i, s.h}),
              kName, ": the workspace is not one lstm_forward_onednn made in training for ", shapes_text(in),
              " (it was made for [N, T, I, H] ", forward.workspace_sizes, ")");
  const Tensor last_hidden = forward.sequence.select(1, s.t - 1).contiguous();
  // h_T's gradient arrives with the other hidden states' in grad_sequence.
  const Tensor grad_last_hidden = zeros({s.n, s.h}, kFloat32);
  LstmGradients grads{empty(in.input.shape(), kFloat32), empty({s.n, s.h}, kFloat32),
                      empty({s.n, s.h}, kFloat32),       zeros(in.w_ih.shape(), kFloat32),
                      zeros(in.w_hh.shape(), kFloat32),  zeros(in.bias.shape(), kFloat32)};
  const float* sequence = forward.sequence.data<float>();
  const float* grad = grad_sequence.data<float>();
  run(kName, in, *plan,
      {in.input.data<float>(), in.h0.data<float>(), in.c0.data<float>(), in.w_ih.data<float>(), in.w_hh.data<float>(),
       in.bias.data<float>(), sequence, last_hidden.data<float>(), sequence + s.t * s.h, grad,
       grad_last_hidden.data<float>(), grad + s.t * s.h, forward.workspace.data<float>()},
      {grads.input.data<float>(), grads.h0.data<float>(), grads.c0.data<float>(), grads.w_ih.data<float>(),
       grads.w_hh.data<float>(), grads.bias.data<float>()});
  return grads;
}

}  // namespace nabla::kernels
