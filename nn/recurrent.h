#ifndef NABLA_NN_RECURRENT_H_
#define NABLA_NN_RECURRENT_H_

/// Recurrent layers: RNN (tanh), LSTM and GRU, stacked num_layers deep, on
/// the fused ops of autodiff/recurrent_ops.h. Batch-first, as the ops:
///
///   auto lstm = std::make_shared<LSTM>(LSTMOptions(64, 128).num_layers(2));
///   Variable y = lstm->forward(x);                       // x [N, T, 64] -> y [N, T, 128]
///   RecurrentOutput out = lstm->forward_with_state(x);   // out.h, out.c: [2, N, 128]
///   RecurrentOutput next = lstm->forward_with_state(x2, {out.h, out.c});  // carry the state on
///
/// forward() returns the last layer's hidden state at every step; layer l
/// reads layer l-1's hidden states. forward_with_state() also returns each
/// layer's final state, h and (LSTM only) c as [num_layers, N, H], and takes
/// an initial one of that shape (undefined parts are zeros). Between layers,
/// in training, dropout(p) may be applied (PyTorch's `dropout` option).
///
/// Parameters per layer l, named as PyTorch's but in nabla's [in, out]
/// layout (the transpose of PyTorch's), with gates side by side in
/// PyTorch's order (LSTM i, f, g, o; GRU r, z, n):
///   weight_ih_l{l} [in, G·H] (in = input_size for l = 0, H above),
///   weight_hh_l{l} [H, G·H],
///   LSTM and RNN: bias_l{l} [G·H] — one bias vector, where PyTorch keeps
///     two (bias_ih + bias_hh) whose sum is the only thing that matters, so
///     LSTM(64, 128) has 4·128·(64 + 128) + 4·128 parameters, 512 fewer
///     than PyTorch's; to load PyTorch weights, transpose and add the biases;
///   GRU: bias_ih_l{l} and bias_hh_l{l} [3H] — two, as PyTorch, since b_hn
///     sits inside r ⊙ (h·W_hn + b_hn) and cannot be merged.
/// G = 4 (LSTM), 3 (GRU), 1 (RNN). Every weight and bias starts uniform in
/// ±1/sqrt(H) (PyTorch's default) unless an Initializer is given; draws use
/// the options' generator, else nabla::default_generator().
///
/// Throws nabla::Error for non-positive sizes, a dropout outside [0, 1], an
/// input that is not [N, T, input_size] (from the op, with every shape), and
/// an initial state of the wrong shape.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nn/layers.h"
#include "nn/module.h"
#include "nn/options.h"

namespace nabla::nn {

class RNNOptions {
 public:
  RNNOptions(std::int64_t input_size, std::int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  NABLA_ARG(std::int64_t, input_size);
  NABLA_ARG(std::int64_t, hidden_size);
  NABLA_ARG(std::int64_t, num_layers) = 1;
  NABLA_ARG(bool, bias) = true;
  /// Dropout probability on each layer's output but the last, in training.
  NABLA_ARG(double, dropout) = 0.0;
  NABLA_ARG(Initializer, weight_ih_init);
  NABLA_ARG(Initializer, weight_hh_init);
  NABLA_ARG(Initializer, bias_init);
  NABLA_ARG(Generator*, generator) = nullptr;
};

class LSTMOptions {
 public:
  LSTMOptions(std::int64_t input_size, std::int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  NABLA_ARG(std::int64_t, input_size);
  NABLA_ARG(std::int64_t, hidden_size);
  NABLA_ARG(std::int64_t, num_layers) = 1;
  NABLA_ARG(bool, bias) = true;
  NABLA_ARG(double, dropout) = 0.0;
  NABLA_ARG(Initializer, weight_ih_init);
  NABLA_ARG(Initializer, weight_hh_init);
  NABLA_ARG(Initializer, bias_init);
  /// When set (commonly 1.0), the forget-gate quarter of every bias starts
  /// at this value instead of the bias initialiser's draw.
  NABLA_ARG(std::optional<double>, forget_bias);
  NABLA_ARG(Generator*, generator) = nullptr;
};

class GRUOptions {
 public:
  GRUOptions(std::int64_t input_size, std::int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}
  NABLA_ARG(std::int64_t, input_size);
  NABLA_ARG(std::int64_t, hidden_size);
  NABLA_ARG(std::int64_t, num_layers) = 1;
  NABLA_ARG(bool, bias) = true;
  NABLA_ARG(double, dropout) = 0.0;
  NABLA_ARG(Initializer, weight_ih_init);
  NABLA_ARG(Initializer, weight_hh_init);
  NABLA_ARG(Initializer, bias_init);
  NABLA_ARG(Generator*, generator) = nullptr;
};

/// A recurrent state: h and, for an LSTM, c, each [num_layers, N, H].
/// Undefined members stand for zeros.
struct RecurrentState {
  Variable h;
  Variable c;
};

/// What forward_with_state returns.
struct RecurrentOutput {
  Variable output;  ///< [N, T, H]: the last layer's hidden state at every step
  Variable h;       ///< [num_layers, N, H]: each layer's hidden state after the last step
  Variable c;       ///< [num_layers, N, H]: each layer's cell state (LSTM only, else undefined)
};

/// What RNN, LSTM and GRU share: the stacking, the state handling and the
/// parameters. Use the three classes below.
class Recurrent : public Module {
 public:
  enum class Cell { kRnnTanh, kLstm, kGru };

  /// input [N, T, input_size] -> [N, T, hidden_size].
  Variable forward(const Variable& input) override { return forward_with_state(input).output; }
  RecurrentOutput forward_with_state(const Variable& input, const RecurrentState& state = {});

  std::string describe() const override;
  std::int64_t num_layers() const { return static_cast<std::int64_t>(layers_.size()); }
  std::int64_t hidden_size() const { return hidden_size_; }

 protected:
  struct Config {
    std::int64_t input_size, hidden_size, num_layers;
    bool bias;
    double dropout;
    Initializer weight_ih_init, weight_hh_init, bias_init;
    std::optional<double> forget_bias;
    Generator* generator;
  };
  Recurrent(Cell cell, const char* name, const Config& config);

 private:
  struct Layer {
    Variable weight_ih, weight_hh, bias_ih, bias_hh;  // bias_hh: GRU only
  };
  // One layer over the sequence: the hidden states [N, T, H] and the final h, c [N, H].
  Variable run_layer(const Layer& layer, const Variable& input, const Variable& h0, const Variable& c0,
                     Variable& h_last, Variable& c_last) const;

  Cell cell_;
  const char* name_;
  std::int64_t input_size_, hidden_size_;
  double dropout_;
  Generator* generator_;
  std::vector<Layer> layers_;
};

/// h_t = tanh(x_t·W_ih + h_{t-1}·W_hh + b).
class RNN : public Recurrent {
 public:
  explicit RNN(const RNNOptions& options);
  std::string type_name() const override { return "RNN"; }
  const RNNOptions& options() const { return options_; }

 private:
  RNNOptions options_;
};

/// Long short-term memory; see autodiff/recurrent_ops.h for the equations.
class LSTM : public Recurrent {
 public:
  explicit LSTM(const LSTMOptions& options);
  std::string type_name() const override { return "LSTM"; }
  const LSTMOptions& options() const { return options_; }

 private:
  LSTMOptions options_;
};

/// Gated recurrent unit; see autodiff/recurrent_ops.h for the equations.
class GRU : public Recurrent {
 public:
  explicit GRU(const GRUOptions& options);
  std::string type_name() const override { return "GRU"; }
  const GRUOptions& options() const { return options_; }

 private:
  GRUOptions options_;
};

}  // namespace nabla::nn

#endif  // NABLA_NN_RECURRENT_H_
