// Fused RNN, LSTM and GRU ops: each one `record` call whose forward walks the
// sequence and whose backward is hand-written backpropagation through time.
//
// Layout of the work, for G gates of width H (G·H = "GH"):
//   forward:  pre [N, T, GH] = x·w_ih + b in one GEMM over all N·T rows; then
//             per step pre[:, t] += h_{t-1}·w_hh (a GEMM writing rows T
//             steps apart, no copies) and the gate math, one sample row at a
//             time on Eigen maps (vectorised sigmoid and tanh).
//   backward: per step, from t = T-1 down to 0, the gate math backwards into
//             dpre[:, t] and one GEMM dpre[:, t]·w_hhᵀ carrying dh to t-1;
//             then single GEMMs over all steps for d_input, dw_ih and dw_hh
//             (the h_{t-1} of every step stacked as h_prev [N, T, H]).
// Buffers are batch-first like the input, so that the all-steps GEMMs see
// plain [N·T, ·] matrices.
//
// The LSTM in float32 on the oneDNN backend runs oneDNN's RNN primitives
// instead (kernels/lstm.h); its loops here are the reference path.

#include "autodiff/recurrent_ops.h"

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "autodiff/ops.h"
#include "kernels/internal/gemm.h"
#include "kernels/lstm.h"

namespace nabla {
namespace {

// ---- Inputs by role. ----

// The roles an input can play; an op uses some of them, optional ones may be absent.
enum Slot { kInput, kH0, kC0, kWeightIh, kWeightHh, kBiasIh, kBiasHh, kSlotCount };

struct Spec {
  const char* op;
  std::int64_t gates;
  // The name of each slot the op has, for messages; nullptr where it has none.
  std::array<const char*, kSlotCount> names;
  const char* expected;
};

const Spec kLstm{"lstm", 4, {"input", "h0", "c0", "w_ih", "w_hh", "bias", nullptr},
                 "input [N, T, I], h0 and c0 [N, H], w_ih [I, 4H], w_hh [H, 4H], bias [4H]"};
const Spec kGru{"gru", 3, {"input", "h0", nullptr, "w_ih", "w_hh", "b_ih", "b_hh"},
                "input [N, T, I], h0 [N, H], w_ih [I, 3H], w_hh [H, 3H], b_ih and b_hh [3H]"};
const Spec kRnnTanh{"rnn_tanh", 1, {"input", "h0", nullptr, "w_ih", "w_hh", "bias", nullptr},
                    "input [N, T, I], h0 [N, H], w_ih [I, H], w_hh [H, H], bias [H]"};

// record() takes the defined variables only; Slots remembers where each role went.
class Slots {
 public:
  // Fills `inputs` with the defined variables of `all`, indexed by Slot.
  Slots(const std::array<Variable, kSlotCount>& all, std::vector<Variable>& inputs) {
    for (int slot = 0; slot < kSlotCount; ++slot) {
      position_[slot] = all[slot].defined() ? static_cast<int>(inputs.size()) : -1;
      if (all[slot].defined()) inputs.push_back(all[slot]);
    }
  }
  bool has(Slot slot) const { return position_[slot] >= 0; }
  // The value in that role as given, for checks; only for a slot that is present.
  const Tensor& raw(const Tensors& values, Slot slot) const { return values[position_[slot]]; }
  // The value in that role, contiguous; undefined when absent.
  Tensor get(const Tensors& values, Slot slot) const { return has(slot) ? raw(values, slot).contiguous() : Tensor(); }
  bool needs_grad(const Context& c, Slot slot) const { return has(slot) && c.needs_grad[position_[slot]]; }
  void set_grad(Tensors& grads, Slot slot, Tensor grad) const { grads[position_[slot]] = std::move(grad); }

 private:
  std::array<int, kSlotCount> position_{};
};

struct Dims {
  std::int64_t n, t, i, h;
};

// "input [2, 3, 4], h0 [2, 5], c0 none, ...": every role of the op.
std::string shapes_text(const Spec& spec, const Slots& slots, const Tensors& values, bool with_dtypes) {
  std::string text;
  for (int slot = 0; slot < kSlotCount; ++slot) {
    if (spec.names[slot] == nullptr) continue;
    if (!text.empty()) text += ", ";
    text += spec.names[slot];
    if (!slots.has(Slot(slot))) {
      text += " none";
      continue;
    }
    const Tensor& t = slots.raw(values, Slot(slot));
    text += internal::concat_message(" ", t.shape());
    if (with_dtypes) text += internal::concat_message(" ", t.dtype());
  }
  return text;
}

// Checks that the shapes fit together and that every dtype is the input's
// float dtype; returns the sizes.
Dims check_inputs(const Spec& spec, const Slots& slots, const Tensors& values) {
  const Tensor& x = slots.raw(values, kInput);
  const Tensor& w_ih = slots.raw(values, kWeightIh);
  const Tensor& w_hh = slots.raw(values, kWeightHh);
  bool fits = x.rank() == 3 && w_hh.rank() == 2;
  Dims d{};
  if (fits) d = Dims{x.dim(0), x.dim(1), x.dim(2), w_hh.dim(0)};
  const std::int64_t gh = spec.gates * d.h;
  fits = fits && w_hh.shape() == Shape{d.h, gh} && w_ih.shape() == Shape{d.i, gh};
  for (Slot state : {kH0, kC0}) fits = fits && (!slots.has(state) || slots.raw(values, state).shape() == Shape{d.n, d.h});
  for (Slot bias : {kBiasIh, kBiasHh}) fits = fits && (!slots.has(bias) || slots.raw(values, bias).shape() == Shape{gh});
  NABLA_CHECK(fits, spec.op, ": shapes do not fit: expected ", spec.expected, "; got ",
              shapes_text(spec, slots, values, false));
  bool same_dtype = is_floating(x.dtype());
  for (int slot = 0; slot < kSlotCount; ++slot) {
    if (slots.has(Slot(slot))) same_dtype = same_dtype && slots.raw(values, Slot(slot)).dtype() == x.dtype();
  }
  NABLA_CHECK(same_dtype, spec.op, ": needs one float dtype (float32 or float64) for every tensor, got ",
              shapes_text(spec, slots, values, true));
  NABLA_CHECK(d.t > 0, spec.op, ": the sequence is empty (T = 0): ", shapes_text(spec, slots, values, false));
  return d;
}

// ---- Raw loops. ----

template <typename T>
using Vector = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
template <typename T>
using ConstVector = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;

template <typename T>
const T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

// C (+)= op(A)·op(B) on row-major pieces of larger buffers (see kernels/internal/gemm.h).
template <typename T>
void gemm(const char* op, bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, const T* a,
          std::int64_t lda, const T* b, std::int64_t ldb, bool accumulate, T* c, std::int64_t ldc) {
  NABLA_CHECK(kernels::internal::gemm<T>(trans_a, trans_b, m, n, k, a, lda, b, ldb, accumulate, c, ldc), op,
              ": GEMM failed for [", m, ", ", k, "] x [", k, ", ", n, "]");
}

// Sets `rows` rows of `cols` elements, `ld` apart, to `row` (zeros when null).
template <typename T>
void fill_rows(T* out, std::int64_t rows, std::int64_t cols, std::int64_t ld, const T* row) {
  for (std::int64_t r = 0; r < rows; ++r) {
    if (row != nullptr) {
      std::copy(row, row + cols, out + r * ld);
    } else {
      std::fill(out + r * ld, out + r * ld + cols, T(0));
    }
  }
}

// h_prev[:, 0] = h0 (zeros when absent): row n of `state` [N, H] into rows T apart.
template <typename T>
void set_first_step(T* out, const Dims& d, const T* state) {
  for (std::int64_t n = 0; n < d.n; ++n) {
    T* row = out + n * d.t * d.h;
    if (state != nullptr) {
      std::copy(state + n * d.h, state + (n + 1) * d.h, row);
    } else {
      std::fill(row, row + d.h, T(0));
    }
  }
}

// pre [N, T, GH] = x [N·T, I]·w_ih [I, GH] + bias: the input side of every step in one GEMM.
template <typename T>
Tensor input_projection(const char* op, const Tensor& x, const Tensor& w_ih, const Tensor& bias, const Dims& d) {
  const std::int64_t gh = w_ih.dim(1);
  Tensor pre({d.n, d.t, gh}, x.dtype());
  fill_rows(pre.data<T>(), d.n * d.t, gh, gh, data_or_null<T>(bias));
  gemm<T>(op, false, false, d.n * d.t, gh, d.i, x.data<T>(), d.i, w_ih.data<T>(), gh, bias.defined(), pre.data<T>(),
          gh);
  return pre;
}

// pre[:, t] += h_prev[:, t]·w_hh: [N, H]·[H, GH], both operands' rows T steps apart.
template <typename T>
void add_recurrent_step(const char* op, const Dims& d, std::int64_t t, const T* h_prev, const T* w_hh,
                        std::int64_t gh, T* pre) {
  gemm<T>(op, false, false, d.n, gh, d.h, h_prev + t * d.h, d.t * d.h, w_hh, gh, true, pre + t * gh, d.t * gh);
}

// dh [N, H] (+)= dpre[:, t]·w_hhᵀ: [N, GH]·[GH, H], the gradient carried to step t-1.
template <typename T>
void carry_recurrent_step(const char* op, const Dims& d, std::int64_t t, const T* dpre, const T* w_hh,
                          std::int64_t gh, bool accumulate, T* dh) {
  gemm<T>(op, false, true, d.n, d.h, gh, dpre + t * gh, d.t * gh, w_hh, gh, accumulate, dh, d.h);
}

// The gradients of the all-steps projections x·w_ih + b_ih and h_prev·w_hh
// + b_hh, from the pre-activation gradients of each ([N, T, GH]; the same
// tensor when one bias serves both).
void projection_grads(const Slots& slots, const Context& c, const Dims& d, const Tensor& x, const Tensor& w_ih,
                      const Tensor& dpre_x, const Tensor& h_prev, const Tensor& dpre_h,
                      Tensors& grads) {
  const std::int64_t gh = w_ih.dim(1);
  const Tensor dx_rows = dpre_x.reshape({d.n * d.t, gh});
  const Tensor dh_rows = dpre_h.reshape({d.n * d.t, gh});
  if (slots.needs_grad(c, kInput)) {  // dpre:[N·T, GH] · w_ihᵀ:[GH, I] → [N·T, I]
    slots.set_grad(grads, kInput, matmul(dx_rows, w_ih.transpose(0, 1)).reshape({d.n, d.t, d.i}));
  }
  if (slots.needs_grad(c, kWeightIh)) {  // xᵀ:[I, N·T] · dpre:[N·T, GH] → [I, GH]
    slots.set_grad(grads, kWeightIh, matmul(x.reshape({d.n * d.t, d.i}).transpose(0, 1), dx_rows));
  }
  if (slots.needs_grad(c, kWeightHh)) {  // h_prevᵀ:[H, N·T] · dpre:[N·T, GH] → [H, GH]
    slots.set_grad(grads, kWeightHh, matmul(h_prev.reshape({d.n * d.t, d.h}).transpose(0, 1), dh_rows));
  }
  if (slots.needs_grad(c, kBiasIh)) slots.set_grad(grads, kBiasIh, sum(dx_rows, {0}));
  if (slots.needs_grad(c, kBiasHh)) slots.set_grad(grads, kBiasHh, sum(dh_rows, {0}));
}

// σ(x) = 1 / (1 + e^-x), as tensor's sigmoid: Eigen's float32 logistic is
// e^x below -9, a relative error up to 1.2e-4.
template <typename X>
auto sigmoid_of(const X& x) {
  using T = typename X::Scalar;
  return (T(1) + (-x).exp()).inverse();
}

// ---- LSTM cell, one sample row. Gates i, f, g, o side by side, H each. ----

// gates: the pre-activations in, the activations out; writes c_t, tanh(c_t), h_t.
template <typename T>
void lstm_cell_forward(std::int64_t h_size, T* gates, const T* c_prev, T* c, T* tanh_c, T* h) {
  Vector<T> sigmoid_gates(gates, 2 * h_size);  // i and f
  Vector<T> g(gates + 2 * h_size, h_size), o(gates + 3 * h_size, h_size);
  sigmoid_gates = sigmoid_of(sigmoid_gates);
  g = g.tanh();
  o = sigmoid_of(o);
  const Vector<T> i(gates, h_size), f(gates + h_size, h_size);
  Vector<T> c_t(c, h_size), tanh_c_t(tanh_c, h_size);
  c_t = f * ConstVector<T>(c_prev, h_size) + i * g;
  tanh_c_t = c_t.tanh();
  Vector<T>(h, h_size) = o * tanh_c_t;
}

// From the gradients reaching h_t (grad_h from the output, dh_next from
// step t+1) and c_t (dc: from step t+1, plus the output's at the last step),
// the pre-activation gradients dgates; dc becomes the gradient carried to
// c_{t-1}.
template <typename T>
void lstm_cell_backward(std::int64_t h_size, const T* gates, const T* c_prev, const T* tanh_c, const T* grad_h,
                        const T* dh_next, T* dc, T* dgates) {
  const ConstVector<T> i(gates, h_size), f(gates + h_size, h_size), g(gates + 2 * h_size, h_size),
      o(gates + 3 * h_size, h_size), tanh_c_t(tanh_c, h_size);
  const auto dh = ConstVector<T>(grad_h, h_size) + ConstVector<T>(dh_next, h_size);
  Vector<T> dc_t(dc, h_size);
  dc_t += dh * o * (T(1) - tanh_c_t.square());  // h = o·tanh(c)
  // σ' = s(1 - s), tanh' = 1 - t²
  Vector<T>(dgates, h_size) = dc_t * g * i * (T(1) - i);
  Vector<T>(dgates + h_size, h_size) = dc_t * ConstVector<T>(c_prev, h_size) * f * (T(1) - f);
  Vector<T>(dgates + 2 * h_size, h_size) = dc_t * i * (T(1) - g.square());
  Vector<T>(dgates + 3 * h_size, h_size) = dh * tanh_c_t * o * (T(1) - o);
  dc_t *= f;  // c_t = f·c_{t-1} + ...
}

// ---- GRU cell, one sample row. Gates r, z, n side by side, H each. ----

// gates: the input-side pre-activations in, the activations r, z, n out;
// hidden: h_{t-1}·w_hh + b_hh of this row. Saves hidden_n (the n part) and
// writes h_t.
template <typename T>
void gru_cell_forward(std::int64_t h_size, T* gates, const T* hidden, const T* h_prev, T* hidden_n, T* h) {
  Vector<T> rz(gates, 2 * h_size), n(gates + 2 * h_size, h_size);
  rz = sigmoid_of(rz + ConstVector<T>(hidden, 2 * h_size));
  const Vector<T> r(gates, h_size), z(gates + h_size, h_size);
  Vector<T> saved_n(hidden_n, h_size);
  saved_n = ConstVector<T>(hidden + 2 * h_size, h_size);
  n = (n + r * saved_n).tanh();
  Vector<T>(h, h_size) = (T(1) - z) * n + z * ConstVector<T>(h_prev, h_size);
}

// dh: the gradient reaching h_t from step t+1 in, the direct part carried to
// h_{t-1} (z ⊙ dh) out. Writes the pre-activation gradients of the input
// side (dgates_x) and of the hidden side (dgates_h).
template <typename T>
void gru_cell_backward(std::int64_t h_size, const T* gates, const T* hidden_n, const T* h_prev, const T* grad_h,
                       T* dh, T* dgates_x, T* dgates_h) {
  const ConstVector<T> r(gates, h_size), z(gates + h_size, h_size), n(gates + 2 * h_size, h_size),
      hn(hidden_n, h_size);
  Vector<T> dh_t(dh, h_size);
  dh_t += ConstVector<T>(grad_h, h_size);
  Vector<T> dn(dgates_x + 2 * h_size, h_size), dr(dgates_x, h_size), dz(dgates_x + h_size, h_size);
  dn = dh_t * (T(1) - z) * (T(1) - n.square());                         // h = (1 - z)·n + z·h_prev
  dr = dn * hn * r * (T(1) - r);                                         // n = tanh(a_n + r·hn)
  dz = dh_t * (ConstVector<T>(h_prev, h_size) - n) * z * (T(1) - z);
  Vector<T>(dgates_h, 2 * h_size) = ConstVector<T>(dgates_x, 2 * h_size);  // r, z: a_x + a_h
  Vector<T>(dgates_h + 2 * h_size, h_size) = dn * r;
  dh_t *= z;
}

}  // namespace

// ---- LSTM ----

namespace {

// Context::path of the two LSTM paths.
enum LstmPath { kLstmReference, kLstmOneDnn };

// input, h0, c0, w_ih, w_hh, bias as the oneDNN kernels take them: float32,
// contiguous, zeros for an absent state or bias.
kernels::LstmInputs onednn_inputs(const Slots& slots, const Tensors& values, const Dims& d) {
  auto or_zeros = [&](Slot slot, const Shape& shape) {
    return slots.has(slot) ? slots.get(values, slot) : zeros(shape, kFloat32);
  };
  return {slots.get(values, kInput),     or_zeros(kH0, {d.n, d.h}),         or_zeros(kC0, {d.n, d.h}),
          slots.get(values, kWeightIh), slots.get(values, kWeightHh), or_zeros(kBiasIh, {4 * d.h})};
}

// Keeps oneDNN's training workspace only when backward can run.
Tensor lstm_forward_onednn(const Slots& slots, const Tensors& values, const Dims& d, Context& c) {
  const bool training = c.requires_grad;
  const kernels::LstmInputs in = onednn_inputs(slots, values, d);
  const kernels::LstmForward out = kernels::lstm_forward_onednn(in, training);
  if (training) c.saved = {in.input, in.h0, in.c0, in.w_ih, in.w_hh, in.bias, out.sequence, out.workspace};
  return out.sequence;
}

Tensors lstm_backward_onednn(const Slots& slots, const Tensor& grad, const Context& c) {
  const kernels::LstmInputs in{c.saved[0], c.saved[1], c.saved[2], c.saved[3], c.saved[4], c.saved[5]};
  // The inputs saved beside the workspace are the ones that made it.
  const kernels::LstmForward forward{c.saved[6], c.saved[7],
                                     {in.input.dim(0), in.input.dim(1), in.input.dim(2), in.h0.dim(1)}};
  kernels::LstmGradients all = kernels::lstm_backward_onednn(in, forward, grad.contiguous());
  Tensors grads(c.needs_grad.size());
  const std::pair<Slot, Tensor*> results[] = {{kInput, &all.input}, {kH0, &all.h0},       {kC0, &all.c0},
                                              {kWeightIh, &all.w_ih}, {kWeightHh, &all.w_hh}, {kBiasIh, &all.bias}};
  for (const auto& [slot, result] : results) {
    if (slots.needs_grad(c, slot)) slots.set_grad(grads, slot, std::move(*result));
  }
  return grads;
}

// Rows of the output y [N, T + 1, H]: h_t of sample n, and its c_T.
std::int64_t hidden_row(const Dims& d, std::int64_t n, std::int64_t t) { return n * (d.t + 1) + t; }
std::int64_t final_cell_row(const Dims& d, std::int64_t n) { return n * (d.t + 1) + d.t; }

Tensor lstm_forward_reference(const Slots& slots, const Tensors& values, const Dims& d, Context& c) {
  const Tensor x = slots.get(values, kInput), w_ih = slots.get(values, kWeightIh), w_hh = slots.get(values, kWeightHh);
  return dispatch_floating("lstm", x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const std::int64_t gh = 4 * d.h;
    Tensor gates = input_projection<T>("lstm", x, w_ih, slots.get(values, kBiasIh), d);
    // One block for the three [N, T, H] buffers: large blocks are pooled (tensor/internal/allocator.h).
    const Tensor block({3, d.n, d.t, d.h}, x.dtype());
    Tensor h_prev = block.select(0, 0), c_prev = block.select(0, 1), tanh_c = block.select(0, 2);
    Tensor y({d.n, d.t + 1, d.h}, x.dtype());
    T* gates_p = gates.data<T>();
    T* h_prev_p = h_prev.data<T>();
    T* c_prev_p = c_prev.data<T>();
    T* y_p = y.data<T>();
    set_first_step(h_prev_p, d, data_or_null<T>(slots.get(values, kH0)));
    set_first_step(c_prev_p, d, data_or_null<T>(slots.get(values, kC0)));
    for (std::int64_t t = 0; t < d.t; ++t) {
      if (t > 0 || slots.has(kH0)) add_recurrent_step("lstm", d, t, h_prev_p, w_hh.data<T>(), gh, gates_p);
      for (std::int64_t n = 0; n < d.n; ++n) {
        const std::int64_t row = n * d.t + t;
        const bool last = t + 1 == d.t;
        T* h = y_p + hidden_row(d, n, t) * d.h;
        // c_t goes where step t+1 reads it, or to the output at the last step.
        T* cell = last ? y_p + final_cell_row(d, n) * d.h : c_prev_p + (row + 1) * d.h;
        lstm_cell_forward(d.h, gates_p + row * gh, c_prev_p + row * d.h, cell, tanh_c.data<T>() + row * d.h, h);
        if (!last) std::copy(h, h + d.h, h_prev_p + (row + 1) * d.h);
      }
    }
    c.saved = {x, w_ih, w_hh, gates, h_prev, c_prev, tanh_c};
    return y;
  });
}

Tensors lstm_backward_reference(const Slots& slots, const Tensor& grad, const Context& c) {
  const Tensor &x = c.saved[0], &w_ih = c.saved[1], &w_hh = c.saved[2], &gates = c.saved[3], &h_prev = c.saved[4],
               &c_prev = c.saved[5], &tanh_c = c.saved[6];
  const Dims d{x.dim(0), x.dim(1), x.dim(2), w_hh.dim(0)};
  const Tensor g = grad.contiguous();
  Tensors grads(c.needs_grad.size());
  dispatch_floating("lstm", x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const std::int64_t gh = 4 * d.h;
    Tensor dgates({d.n, d.t, gh}, x.dtype());
    Tensor dh_next = zeros({d.n, d.h}, x.dtype());
    Tensor dc = g.select(1, d.t).clone();  // c_T's gradient starts the carried dc; a copy, as it is updated in place
    const bool wants_dh0 = slots.needs_grad(c, kH0);
    for (std::int64_t t = d.t - 1; t >= 0; --t) {
      for (std::int64_t n = 0; n < d.n; ++n) {
        const std::int64_t row = n * d.t + t;
        lstm_cell_backward(d.h, gates.data<T>() + row * gh, c_prev.data<T>() + row * d.h,
                           tanh_c.data<T>() + row * d.h, g.data<T>() + hidden_row(d, n, t) * d.h,
                           dh_next.data<T>() + n * d.h, dc.data<T>() + n * d.h, dgates.data<T>() + row * gh);
      }
      if (t > 0 || wants_dh0) {
        carry_recurrent_step("lstm", d, t, dgates.data<T>(), w_hh.data<T>(), gh, false, dh_next.data<T>());
      }
    }
    if (wants_dh0) slots.set_grad(grads, kH0, dh_next);
    if (slots.needs_grad(c, kC0)) slots.set_grad(grads, kC0, dc);
    projection_grads(slots, c, d, x, w_ih, dgates, h_prev, dgates, grads);
  });
  return grads;
}

}  // namespace

Variable lstm(const Variable& input, const Variable& h0, const Variable& c0, const Variable& w_ih,
              const Variable& w_hh, const Variable& bias) {
  std::vector<Variable> inputs;
  const Slots slots({input, h0, c0, w_ih, w_hh, bias, Variable()}, inputs);
  return record(
      "lstm", inputs,
      [slots](const Tensors& values, Context& c) {
        const Dims d = check_inputs(kLstm, slots, values);
        if (kernels::lstm_onednn_supports(slots.raw(values, kInput).dtype(), d.n, d.i, d.h)) {
          c.path = kLstmOneDnn;
          return lstm_forward_onednn(slots, values, d, c);
        }
        c.path = kLstmReference;
        return lstm_forward_reference(slots, values, d, c);
      },
      [slots](const Tensor& grad, const Context& c) {
        return c.path == kLstmOneDnn ? lstm_backward_onednn(slots, grad, c) : lstm_backward_reference(slots, grad, c);
      });
}

// ---- GRU ----

Variable gru(const Variable& input, const Variable& h0, const Variable& w_ih, const Variable& w_hh,
             const Variable& b_ih, const Variable& b_hh) {
  NABLA_CHECK(b_ih.defined() == b_hh.defined(), "gru: give both b_ih and b_hh, or neither");
  std::vector<Variable> inputs;
  const Slots slots({input, h0, Variable(), w_ih, w_hh, b_ih, b_hh}, inputs);
  return record(
      "gru", inputs,
      [slots](const Tensors& values, Context& c) {
        const Dims d = check_inputs(kGru, slots, values);
        const Tensor x = slots.get(values, kInput), w_ih = slots.get(values, kWeightIh),
                     w_hh = slots.get(values, kWeightHh), b_hh = slots.get(values, kBiasHh);
        return dispatch_floating("gru", x.dtype(), [&](auto tag) {
          using T = decltype(tag);
          const std::int64_t gh = 3 * d.h;
          Tensor gates = input_projection<T>("gru", x, w_ih, slots.get(values, kBiasIh), d);
          const Tensor block({2, d.n, d.t, d.h}, x.dtype());  // pooled when large, as in lstm
          Tensor h_prev = block.select(0, 0), hidden_n = block.select(0, 1);
          Tensor hidden({d.n, gh}, x.dtype()), y({d.n, d.t, d.h}, x.dtype());
          T* h_prev_p = h_prev.data<T>();
          set_first_step(h_prev_p, d, data_or_null<T>(slots.get(values, kH0)));
          for (std::int64_t t = 0; t < d.t; ++t) {
            // hidden = h_{t-1}·w_hh + b_hh: [N, H]·[H, 3H], kept apart from the input side for n.
            fill_rows(hidden.data<T>(), d.n, gh, gh, data_or_null<T>(b_hh));
            if (t > 0 || slots.has(kH0)) {
              gemm<T>("gru", false, false, d.n, gh, d.h, h_prev_p + t * d.h, d.t * d.h, w_hh.data<T>(), gh, true,
                      hidden.data<T>(), gh);
            }
            for (std::int64_t n = 0; n < d.n; ++n) {
              const std::int64_t row = n * d.t + t;
              T* h = y.data<T>() + row * d.h;
              gru_cell_forward(d.h, gates.data<T>() + row * gh, hidden.data<T>() + n * gh, h_prev_p + row * d.h,
                               hidden_n.data<T>() + row * d.h, h);
              if (t + 1 < d.t) std::copy(h, h + d.h, h_prev_p + (row + 1) * d.h);
            }
          }
          c.saved = {x, w_ih, w_hh, gates, h_prev, hidden_n};
          return y;
        });
      },
      [slots](const Tensor& grad, const Context& c) {
        const Tensor &x = c.saved[0], &w_ih = c.saved[1], &w_hh = c.saved[2], &gates = c.saved[3],
                     &h_prev = c.saved[4], &hidden_n = c.saved[5];
        const Dims d{x.dim(0), x.dim(1), x.dim(2), w_hh.dim(0)};
        const Tensor g = grad.contiguous();
        Tensors grads(c.needs_grad.size());
        dispatch_floating("gru", x.dtype(), [&](auto tag) {
          using T = decltype(tag);
          const std::int64_t gh = 3 * d.h;
          Tensor dgates_x({d.n, d.t, gh}, x.dtype()), dgates_h({d.n, d.t, gh}, x.dtype());
          Tensor dh = zeros({d.n, d.h}, x.dtype());
          const bool wants_dh0 = slots.needs_grad(c, kH0);
          for (std::int64_t t = d.t - 1; t >= 0; --t) {
            for (std::int64_t n = 0; n < d.n; ++n) {
              const std::int64_t row = n * d.t + t;
              gru_cell_backward(d.h, gates.data<T>() + row * gh, hidden_n.data<T>() + row * d.h,
                                h_prev.data<T>() + row * d.h, g.data<T>() + row * d.h, dh.data<T>() + n * d.h,
                                dgates_x.data<T>() + row * gh, dgates_h.data<T>() + row * gh);
            }
            if (t > 0 || wants_dh0) {
              carry_recurrent_step("gru", d, t, dgates_h.data<T>(), w_hh.data<T>(), gh, true, dh.data<T>());
            }
          }
          if (wants_dh0) slots.set_grad(grads, kH0, dh);
          projection_grads(slots, c, d, x, w_ih, dgates_x, h_prev, dgates_h, grads);
        });
        return grads;
      });
}

// ---- RNN (tanh) ----

Variable rnn_tanh(const Variable& input, const Variable& h0, const Variable& w_ih, const Variable& w_hh,
                  const Variable& bias) {
  std::vector<Variable> inputs;
  const Slots slots({input, h0, Variable(), w_ih, w_hh, bias, Variable()}, inputs);
  return record(
      "rnn_tanh", inputs,
      [slots](const Tensors& values, Context& c) {
        const Dims d = check_inputs(kRnnTanh, slots, values);
        const Tensor x = slots.get(values, kInput), w_ih = slots.get(values, kWeightIh),
                     w_hh = slots.get(values, kWeightHh), h0 = slots.get(values, kH0);
        return dispatch_floating("rnn_tanh", x.dtype(), [&](auto tag) {
          using T = decltype(tag);
          // The pre-activations become the hidden states in place: y [N, T, H].
          Tensor y = input_projection<T>("rnn_tanh", x, w_ih, slots.get(values, kBiasIh), d);
          T* y_p = y.data<T>();
          for (std::int64_t t = 0; t < d.t; ++t) {
            if (t > 0) {  // h_{t-1} is y[:, t-1]
              gemm<T>("rnn_tanh", false, false, d.n, d.h, d.h, y_p + (t - 1) * d.h, d.t * d.h, w_hh.data<T>(), d.h,
                      true, y_p + t * d.h, d.t * d.h);
            } else if (h0.defined()) {
              gemm<T>("rnn_tanh", false, false, d.n, d.h, d.h, h0.data<T>(), d.h, w_hh.data<T>(), d.h, true, y_p,
                      d.t * d.h);
            }
            for (std::int64_t n = 0; n < d.n; ++n) {
              Vector<T> h(y_p + (n * d.t + t) * d.h, d.h);
              h = h.tanh();
            }
          }
          c.saved = {x, w_ih, w_hh, h0, y};
          return y;
        });
      },
      [slots](const Tensor& grad, const Context& c) {
        const Tensor &x = c.saved[0], &w_ih = c.saved[1], &w_hh = c.saved[2], &h0 = c.saved[3], &y = c.saved[4];
        const Dims d{x.dim(0), x.dim(1), x.dim(2), w_hh.dim(0)};
        const Tensor g = grad.contiguous();
        Tensors grads(c.needs_grad.size());
        dispatch_floating("rnn_tanh", x.dtype(), [&](auto tag) {
          using T = decltype(tag);
          Tensor dpre({d.n, d.t, d.h}, x.dtype());
          Tensor dh = zeros({d.n, d.h}, x.dtype());
          const bool wants_dh0 = slots.needs_grad(c, kH0);
          for (std::int64_t t = d.t - 1; t >= 0; --t) {
            for (std::int64_t n = 0; n < d.n; ++n) {
              const std::int64_t row = n * d.t + t;
              const ConstVector<T> h(y.data<T>() + row * d.h, d.h);
              Vector<T>(dpre.data<T>() + row * d.h, d.h) =
                  (ConstVector<T>(g.data<T>() + row * d.h, d.h) + ConstVector<T>(dh.data<T>() + n * d.h, d.h)) *
                  (T(1) - h.square());
            }
            if (t > 0 || wants_dh0) {
              carry_recurrent_step("rnn_tanh", d, t, dpre.data<T>(), w_hh.data<T>(), d.h, false, dh.data<T>());
            }
          }
          if (wants_dh0) slots.set_grad(grads, kH0, dh);
          Tensor h_prev;
          if (slots.needs_grad(c, kWeightHh)) {  // h_prev[:, 0] = h0, h_prev[:, t] = y[:, t-1]
            h_prev = Tensor({d.n, d.t, d.h}, x.dtype());
            set_first_step(h_prev.data<T>(), d, data_or_null<T>(h0));
            for (std::int64_t n = 0; n < d.n; ++n) {
              const T* from = y.data<T>() + n * d.t * d.h;
              std::copy(from, from + (d.t - 1) * d.h, h_prev.data<T>() + (n * d.t + 1) * d.h);
            }
          }
          projection_grads(slots, c, d, x, w_ih, dpre, h_prev, dpre, grads);
        });
        return grads;
      });
}

}  // namespace nabla
