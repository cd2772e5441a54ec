#ifndef NABLA_KERNELS_LSTM_H_
#define NABLA_KERNELS_LSTM_H_

/// A single-layer LSTM over whole sequences on oneDNN's RNN primitives,
/// forward and backward (PyTorch's equations and gate order i, f, g, o,
/// which is oneDNN's i, f, c̃, o). autodiff's `lstm` op calls these when
/// lstm_onednn_supports() says so and runs its own reference loops otherwise.
///
/// Every tensor is float32 and contiguous, batch-first and in nabla's
/// [in, out] weight layout: input [N, T, I], h0 and c0 [N, H], w_ih [I, 4H],
/// w_hh [H, 4H], bias [4H]. Absent states or bias are passed as zeros.
///
///   LstmInputs in{x, zeros({n, h}), zeros({n, h}), w_ih, w_hh, zeros({4 * h})};
///   LstmForward out = lstm_forward_onednn(in, /*training=*/true);  // out.sequence [N, T + 1, H]
///   LstmGradients g = lstm_backward_onednn(in, out, grad_sequence);
///
/// Throws nabla::Error naming the op and the shapes when oneDNN fails or
/// rejects the shapes.

#include "tensor/tensor.h"

namespace nabla::kernels {

/// Whether the oneDNN kernels serve this call: float32, the oneDNN backend
/// (tensor/backend.h) and no empty dimension.
bool lstm_onednn_supports(DType dtype, std::int64_t batch, std::int64_t input_size, std::int64_t hidden_size);

struct LstmInputs {
  Tensor input;  ///< [N, T, I]
  Tensor h0;     ///< [N, H]
  Tensor c0;     ///< [N, H]
  Tensor w_ih;   ///< [I, 4H]
  Tensor w_hh;   ///< [H, 4H]
  Tensor bias;   ///< [4H]
};

struct LstmForward {
  /// [N, T + 1, H]: h_1 .. h_T, then the final cell state c_T (oneDNN
  /// writes both there, so the autodiff op returns it without a copy).
  Tensor sequence;
  Tensor workspace;  ///< training only: oneDNN's opaque record for lstm_backward_onednn
  /// Training only: [N, T, I, H] of the inputs that made the workspace,
  /// which backward checks (workspaces of different T can be the same size).
  Shape workspace_sizes;

  Tensor hidden() const { return sequence.slice(1, 0, sequence.dim(1) - 1); }  ///< [N, T, H]
  Tensor cell() const { return sequence.select(1, sequence.dim(1) - 1); }      ///< [N, H]
};

/// Runs the sequence; `training` also fills the workspace (oneDNN's
/// forward_training), else it runs forward_inference.
LstmForward lstm_forward_onednn(const LstmInputs& in, bool training);

/// The gradient of every input of LstmInputs, whose names it shares.
struct LstmGradients {
  Tensor input, h0, c0, w_ih, w_hh, bias;
};

/// From the gradient reaching the sequence, grad_sequence [N, T + 1, H]
/// (the hidden states', then the final cell state's), the gradients of every
/// input. `forward` is what lstm_forward_onednn(in, true) returned.
LstmGradients lstm_backward_onednn(const LstmInputs& in, const LstmForward& forward, const Tensor& grad_sequence);

}  // namespace nabla::kernels

#endif  // NABLA_KERNELS_LSTM_H_
