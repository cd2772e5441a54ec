#include "nn/recurrent.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "autodiff/nn_ops.h"
#include "autodiff/ops.h"
#include "autodiff/recurrent_ops.h"

namespace nabla::nn {
namespace {

constexpr std::int64_t kToTheEnd = std::numeric_limits<std::int64_t>::max();

std::int64_t gate_count(Recurrent::Cell cell) {
  switch (cell) {
    case Recurrent::Cell::kLstm:
      return 4;
    case Recurrent::Cell::kGru:
      return 3;
    case Recurrent::Cell::kRnnTanh:
      break;
  }
  return 1;
}

void check_state_shape(const std::string& module, std::int64_t layers, std::int64_t hidden_size, const Shape& shape) {
  NABLA_CHECK(shape.size() == 3 && shape[0] == layers && shape[2] == hidden_size, module,
              ": the initial state must be [num_layers, N, hidden_size] = [", layers, ", N, ", hidden_size, "], got ",
              shape);
}

// PyTorch's default for every recurrent weight and bias: uniform in ±1/sqrt(H).
Tensor initial(const char* layer, const Initializer& init, const Shape& shape, std::int64_t hidden_size,
               Generator& generator) {
  if (!init) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_size));
    return uniform(shape, -bound, bound, generator);
  }
  Tensor value = init(shape, generator);
  NABLA_CHECK(value.defined() && value.shape() == shape, layer, ": the initializer returned shape ",
              value.defined() ? value.shape() : Shape{}, " for a parameter of shape ", shape);
  return value;
}

// [N, T, F] -> [N, F]: step T - from_end (1 for the last). Asks no shapes, so it works in build-once graphs.
Variable step_from_end(const Variable& sequence, std::int64_t from_end) {
  return flatten(slice(sequence, 1, -from_end, from_end == 1 ? kToTheEnd : 1 - from_end), 1, 2);
}

// state [L, N, H] -> [N, H] of layer l; undefined stays undefined (zeros).
Variable layer_state(const Variable& state, std::int64_t layer) {
  return state.defined() ? flatten(slice(state, 0, layer, layer + 1), 0, 1) : Variable();
}

}  // namespace

Recurrent::Recurrent(Cell cell, const char* name, const Config& config)
    : cell_(cell),
      name_(name),
      input_size_(config.input_size),
      hidden_size_(config.hidden_size),
      dropout_(config.dropout),
      generator_(config.generator) {
  NABLA_CHECK(config.input_size > 0, name, ": input_size must be positive, got ", config.input_size);
  NABLA_CHECK(config.hidden_size > 0, name, ": hidden_size must be positive, got ", config.hidden_size);
  NABLA_CHECK(config.num_layers > 0, name, ": num_layers must be positive, got ", config.num_layers);
  NABLA_CHECK(config.dropout >= 0 && config.dropout <= 1, name, ": dropout must be in [0, 1], got ", config.dropout);
  NABLA_CHECK(config.bias || !config.forget_bias.has_value(), name, ": forget_bias ", config.forget_bias.value_or(0),
              " is set but bias is off");
  std::int64_t gh = 0;
  NABLA_CHECK(!__builtin_mul_overflow(gate_count(cell), config.hidden_size, &gh), name, ": hidden_size ",
              config.hidden_size, " is too large");
  const std::int64_t h = config.hidden_size;
  Generator& generator = config.generator != nullptr ? *config.generator : default_generator();
  auto bias = [&](const std::string& parameter_name) {
    Tensor value = initial(name, config.bias_init, {gh}, h, generator);
    if (cell == Cell::kLstm && config.forget_bias.has_value()) value.slice(0, h, 2 * h).fill_(*config.forget_bias);
    return register_parameter(parameter_name, value);
  };
  for (std::int64_t l = 0; l < config.num_layers; ++l) {
    const std::string suffix = "_l" + std::to_string(l);
    const std::int64_t in = l == 0 ? config.input_size : h;
    Layer layer;
    layer.weight_ih =
        register_parameter("weight_ih" + suffix, initial(name, config.weight_ih_init, {in, gh}, h, generator));
    layer.weight_hh =
        register_parameter("weight_hh" + suffix, initial(name, config.weight_hh_init, {h, gh}, h, generator));
    if (config.bias && cell == Cell::kGru) {
      layer.bias_ih = bias("bias_ih" + suffix);
      layer.bias_hh = bias("bias_hh" + suffix);
    } else if (config.bias) {
      layer.bias_ih = bias("bias" + suffix);
    }
    layers_.push_back(std::move(layer));
  }
}

Variable Recurrent::run_layer(const Layer& layer, const Variable& input, const Variable& h0, const Variable& c0,
                              Variable& h_last, Variable& c_last) const {
  switch (cell_) {
    case Cell::kLstm: {
      // [N, T + 1, H]: h_1 .. h_T, then c_T; counted from the end, so no shapes are asked (build-once graphs).
      const Variable rows = lstm(input, h0, c0, layer.weight_ih, layer.weight_hh, layer.bias_ih);
      h_last = step_from_end(rows, 2);
      c_last = step_from_end(rows, 1);
      return slice(rows, 1, 0, -1);
    }
    case Cell::kGru: {
      const Variable hs = gru(input, h0, layer.weight_ih, layer.weight_hh, layer.bias_ih, layer.bias_hh);
      h_last = step_from_end(hs, 1);
      return hs;
    }
    case Cell::kRnnTanh:
      break;
  }
  const Variable hs = rnn_tanh(input, h0, layer.weight_ih, layer.weight_hh, layer.bias_ih);
  h_last = step_from_end(hs, 1);
  return hs;
}

RecurrentOutput Recurrent::forward_with_state(const Variable& input, const RecurrentState& initial_state) {
  const std::int64_t layers = num_layers();
  NABLA_CHECK(cell_ == Cell::kLstm || !initial_state.c.defined(), name_, ": only an LSTM has a cell state c");
  RecurrentState state = initial_state;
  for (Variable* part : {&state.h, &state.c}) {
    if (!part->defined()) continue;
    if (!part->node()->deferred) {
      check_state_shape(name_, layers, hidden_size_, part->shape());
      continue;
    }
    // A placeholder-dependent state has its shape only in Graph::run, and
    // the ops see one layer's slice of it: an identity op checks it there.
    *part =
        checked_identity("recurrent_state", {*part}, [name = name_, layers, hidden = hidden_size_](const Tensors& in) {
          check_state_shape(name, layers, hidden, in[0].shape());
        });
  }
  RecurrentOutput result;
  std::vector<Variable> hs, cs;
  Variable x = input;
  for (std::int64_t l = 0; l < layers; ++l) {
    if (l > 0 && dropout_ > 0 && is_training()) {
      x = dropout(x, dropout_, generator_ != nullptr ? *generator_ : default_generator());
    }
    Variable h_last, c_last;
    x = run_layer(layers_[l], x, layer_state(state.h, l), layer_state(state.c, l), h_last, c_last);
    hs.push_back(h_last);
    if (c_last.defined()) cs.push_back(c_last);
  }
  result.output = x;
  result.h = stack(hs, 0);
  if (!cs.empty()) result.c = stack(cs, 0);
  return result;
}

std::string Recurrent::describe() const {
  std::string text = internal::concat_message(input_size_, " -> ", hidden_size_);
  if (num_layers() > 1) text += internal::concat_message(", ", num_layers(), " layers");
  if (!layers_.front().bias_ih.defined()) text += ", no bias";
  if (dropout_ > 0) text += internal::concat_message(", dropout ", dropout_);
  return text;
}

RNN::RNN(const RNNOptions& o)
    : Recurrent(Cell::kRnnTanh, "RNN",
                {o.input_size(), o.hidden_size(), o.num_layers(), o.bias(), o.dropout(), o.weight_ih_init(),
                 o.weight_hh_init(), o.bias_init(), std::nullopt, o.generator()}),
      options_(o) {}

LSTM::LSTM(const LSTMOptions& o)
    : Recurrent(Cell::kLstm, "LSTM",
                {o.input_size(), o.hidden_size(), o.num_layers(), o.bias(), o.dropout(), o.weight_ih_init(),
                 o.weight_hh_init(), o.bias_init(), o.forget_bias(), o.generator()}),
      options_(o) {}

GRU::GRU(const GRUOptions& o)
    : Recurrent(Cell::kGru, "GRU",
                {o.input_size(), o.hidden_size(), o.num_layers(), o.bias(), o.dropout(), o.weight_ih_init(),
                 o.weight_hh_init(), o.bias_init(), std::nullopt, o.generator()}),
      options_(o) {}

}  // namespace nabla::nn
