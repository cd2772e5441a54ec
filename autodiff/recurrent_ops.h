#ifndef NABLA_AUTODIFF_RECURRENT_OPS_H_
#define NABLA_AUTODIFF_RECURRENT_OPS_H_

/// Fused recurrent layers over whole sequences: an Elman RNN (tanh), an LSTM
/// and a GRU, each one op (one `record` call) whose backward is hand-written
/// backpropagation through time. Batch-first: input [N, T, I] holds N
/// sequences of T steps of I features; H is the hidden size.
///
/// Weights use nabla's [in, out] layout (PyTorch's transposed), the gates of
/// a weight side by side in PyTorch's order: w_ih [I, G·H], w_hh [H, G·H]
/// with G = 4 gates (i, f, g, o) for the LSTM, 3 (r, z, n) for the GRU and 1
/// for the RNN. Every bias is optional (pass Variable() for none), and so is
/// the initial state (Variable() for zeros, which then gets no gradient).
///
/// Each op runs one GEMM for the input projection of all steps, one
/// h_{t-1}·w_hh GEMM per step, and in backward one GEMM per step for the
/// recurrent gradient plus single GEMMs for dW_ih, dW_hh and d_input; the
/// float32 LSTM runs oneDNN's lstm_forward / lstm_backward instead on the
/// oneDNN backend (tensor/backend.h). float32 and float64; all tensors must
/// share the dtype.
///
///   Variable y = lstm(x, Variable(), Variable(), w_ih, w_hh, b);  // [N, T + 1, H]
///   Variable h = slice(y, 1, 0, steps);                           // [N, T, H]
///
/// Throws nabla::Error naming the op and every shape when the shapes do not
/// fit together, when T is 0, or when dtypes differ or are not float. Works
/// define-by-run and in build-once graphs (checks then run in Graph::run).

#include "autodiff/variable.h"

namespace nabla {

/// A single-layer LSTM over a sequence (PyTorch's equations):
///   [i f g o] = x_t·w_ih + h_{t-1}·w_hh + bias,  i, f, o through sigmoid, g through tanh
///   c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
///
/// input [N, T, I], h0 and c0 [N, H], w_ih [I, 4H], w_hh [H, 4H], bias [4H]
/// -> [N, T + 1, H]: along axis 1, rows 0 .. T-1 are the hidden states
/// h_1 .. h_T and row T is the final cell state c_T (oneDNN gives no other
/// cell state). One output keeps the op single-output; slice it along axis
/// 1: [0, T) for the hidden states, T - 1 for the final h, T for the final
/// c. Gradients may flow into any row.
Variable lstm(const Variable& input, const Variable& h0, const Variable& c0, const Variable& w_ih,
              const Variable& w_hh, const Variable& bias = Variable());

/// A single-layer GRU over a sequence (PyTorch's equations):
///   r = σ(x_t·W_ir + b_ir + h·W_hr + b_hr),  z = σ(x_t·W_iz + b_iz + h·W_hz + b_hz)
///   n = tanh(x_t·W_in + b_in + r ⊙ (h·W_hn + b_hn)),  h_t = (1 - z) ⊙ n + z ⊙ h
///
/// input [N, T, I], h0 [N, H], w_ih [I, 3H], w_hh [H, 3H], b_ih and b_hh
/// [3H] (both or neither) -> the hidden states [N, T, H].
Variable gru(const Variable& input, const Variable& h0, const Variable& w_ih, const Variable& w_hh,
             const Variable& b_ih = Variable(), const Variable& b_hh = Variable());

/// An Elman RNN over a sequence: h_t = tanh(x_t·w_ih + h_{t-1}·w_hh + bias).
///
/// input [N, T, I], h0 [N, H], w_ih [I, H], w_hh [H, H], bias [H] -> the
/// hidden states [N, T, H].
Variable rnn_tanh(const Variable& input, const Variable& h0, const Variable& w_ih, const Variable& w_hh,
                  const Variable& bias = Variable());

}  // namespace nabla

#endif  // NABLA_AUTODIFF_RECURRENT_OPS_H_
