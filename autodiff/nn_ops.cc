// Convolution, pooling, normalisation and dropout: each op one `record` call
// with forward and backward side by side, on the kernels of //kernels.

#include "autodiff/nn_ops.h"

#include <cmath>

#include "autodiff/ops.h"
#include "kernels/activation.h"

namespace nabla {
namespace {

// The inputs of an op with an optional bias, and whether it has one.
std::vector<Variable> with_bias(const Variable& input, const Variable& weight, const Variable& bias) {
  std::vector<Variable> inputs{input, weight};
  if (bias.defined()) inputs.push_back(bias);
  return inputs;
}

Tensor bias_of(const Tensors& inputs) { return inputs.size() > 2 ? inputs[2] : Tensor(); }

// The bias gradient of a convolution: the sum over all but the channel axis.
Tensor bias_gradient(const Tensor& g) {
  Axes axes{0};
  for (int axis = 2; axis < g.rank(); ++axis) axes.push_back(axis);
  return sum(g, axes);
}

Conv2dOptions as_2d(const Conv1dOptions& options) {
  Conv2dOptions result;
  result.stride = {1, options.stride};
  result.padding = {0, options.padding};
  result.dilation = {1, options.dilation};
  result.groups = options.groups;
  return result;
}

// conv2d on 4-D views; conv1d runs it with a height of 1.
Variable convolution(const char* op, const std::vector<Variable>& inputs, const Conv2dOptions& options,
                     bool one_dimensional) {
  auto to_4d = [one_dimensional](const Tensor& t) { return one_dimensional ? t.unsqueeze(2) : t; };
  auto from_4d = [one_dimensional](const Tensor& t) { return one_dimensional ? t.squeeze(2) : t; };
  return record(
      op, inputs,
      [=](const Tensors& in, Context& c) {
        NABLA_CHECK(!one_dimensional || (in[0].rank() == 3 && in[1].rank() == 3), op,
                    ": needs input [N, C, L] and weight [C_out, C_in / groups, K], got ", in[0].shape(), " and ",
                    in[1].shape());
        Tensor output = from_4d(kernels::conv2d(to_4d(in[0]), to_4d(in[1]), bias_of(in), options));
        c.saved = {in[0], in[1]};
        if (options.relu) c.saved.push_back(output);
        return output;
      },
      [=](const Tensor& grad_output, const Context& c) {
        const Tensor& x = c.saved[0];
        const Tensor& w = c.saved[1];
        // The fused ReLU's gradient first: the kernels take the pre-activation gradient.
        const kernels::Activation relu =
            options.relu_slope > 0 ? kernels::Activation::kLeakyRelu : kernels::Activation::kRelu;
        const Tensor g =
            options.relu ? kernels::activation_backward(relu, grad_output, c.saved[2], options.relu_slope) : grad_output;
        const Tensor g4 = to_4d(g);
        Tensors grads(c.needs_grad.size());
        if (c.needs_grad[0]) grads[0] = from_4d(kernels::conv2d_backward_input(g4, to_4d(w), to_4d(x).shape(), options));
        if (c.needs_grad[1]) grads[1] = from_4d(kernels::conv2d_backward_weight(g4, to_4d(x), to_4d(w).shape(), options));
        if (grads.size() > 2 && c.needs_grad[2]) grads[2] = bias_gradient(g);
        return grads;
      });
}

Variable pooling(const char* op, const Variable& input, const Pool2dOptions& options, bool max) {
  return record(
      op, {input},
      [=](const Tensors& in, Context& c) {
        if (!max) return kernels::avg_pool2d(in[0], options);
        kernels::MaxPool2dResult pooled = kernels::max_pool2d(in[0], options);
        c.saved = {pooled.output, pooled.indices};
        return pooled.output;
      },
      [=](const Tensor& g, const Context& c) {
        const Shape& shape = c.input_shapes[0];
        if (!max) return Tensors{kernels::avg_pool2d_backward(g, shape, options)};
        return Tensors{kernels::max_pool2d_backward(g, {c.saved[0], c.saved[1]}, shape, options)};
      });
}

}  // namespace

Variable linear(const Variable& x, const Variable& weight, const Variable& bias, bool relu) {
  return record(
      relu ? "linear_relu" : "linear", with_bias(x, weight, bias),
      [relu](const Tensors& in, Context& c) {
        Tensor output = kernels::linear(in[0], in[1], bias_of(in), relu);
        c.saved = {in[0], in[1]};
        if (relu) c.saved.push_back(output);
        return output;
      },
      [relu](const Tensor& g, const Context& c) {
        const bool need_bias = c.needs_grad.size() > 2 && c.needs_grad[2];
        kernels::LinearGrads grads = kernels::linear_backward(g, c.saved[0], c.saved[1], relu ? c.saved[2] : Tensor(),
                                                              relu, c.needs_grad[0], c.needs_grad[1], need_bias);
        Tensors result{grads.input, grads.weight};
        if (c.needs_grad.size() > 2) result.push_back(grads.bias);
        return result;
      });
}

Variable conv2d(const Variable& input, const Variable& weight, const Variable& bias, const Conv2dOptions& options) {
  return convolution("conv2d", with_bias(input, weight, bias), options, false);
}

Variable conv1d(const Variable& input, const Variable& weight, const Variable& bias, const Conv1dOptions& options) {
  return convolution("conv1d", with_bias(input, weight, bias), as_2d(options), true);
}

Variable conv_transpose2d(const Variable& input, const Variable& weight, const Variable& bias,
                          const ConvTranspose2dOptions& options) {
  return record(
      "conv_transpose2d", with_bias(input, weight, bias),
      [options](const Tensors& in, Context& c) {
        c.saved = {in[0], in[1]};
        return kernels::conv_transpose2d(in[0], in[1], bias_of(in), options);
      },
      [options](const Tensor& g, const Context& c) {
        const Tensor& x = c.saved[0];
        const Tensor& w = c.saved[1];
        Tensors grads(c.needs_grad.size());
        if (c.needs_grad[0]) grads[0] = kernels::conv_transpose2d_backward_input(g, w, x.shape(), options);
        if (c.needs_grad[1]) grads[1] = kernels::conv_transpose2d_backward_weight(g, x, w.shape(), options);
        if (grads.size() > 2 && c.needs_grad[2]) grads[2] = bias_gradient(g);
        return grads;
      });
}

Variable max_pool2d(const Variable& input, const Pool2dOptions& options) {
  return pooling(options.relu ? "max_pool2d_relu" : "max_pool2d", input, options, true);
}

Variable avg_pool2d(const Variable& input, const Pool2dOptions& options) {
  return pooling("avg_pool2d", input, options, false);
}

Variable embedding(const Variable& weight, const Variable& indices, std::optional<std::int64_t> padding_idx) {
  return record(
      "embedding", {weight, indices},
      [padding_idx](const Tensors& in, Context& c) {
        const Tensor& table = in[0];
        NABLA_CHECK(table.rank() == 2, "embedding: weight must be [num_embeddings, embedding_dim], got ",
                    table.shape());
        NABLA_CHECK(in[1].dtype() == kInt64, "embedding: indices must be int64, got ", in[1].dtype(), " ",
                    in[1].shape());
        NABLA_CHECK(!padding_idx || (*padding_idx >= 0 && *padding_idx < table.dim(0)), "embedding: padding_idx ",
                    padding_idx.value_or(0), " is outside [0, ", table.dim(0), ")");
        const Tensor ids = in[1].contiguous();
        const std::int64_t* id = ids.data<std::int64_t>();
        for (std::int64_t i = 0; i < ids.numel(); ++i) {
          NABLA_CHECK(id[i] >= 0 && id[i] < table.dim(0), "embedding: index ", id[i], " is outside [0, ", table.dim(0),
                      ") for weight ", table.shape());
        }
        c.saved = {ids};
        return index_select(table, 0, ids);
      },
      [padding_idx](const Tensor& g, const Context& c) {
        const Tensor& ids = c.saved[0];
        Tensor source = g;
        if (padding_idx) {
          Shape picked = ids.shape();
          picked.push_back(1);
          source = where((ids == full({}, *padding_idx, kInt64)).reshape(picked), zeros({}, g.dtype()), g);
        }
        return Tensors{index_add(zeros(c.input_shapes[0], g.dtype()), 0, ids, source), Tensor()};
      });
}

Variable dropout(const Variable& x, double p, Generator& generator, bool training) {
  NABLA_CHECK(p >= 0 && p <= 1, "dropout: p must be in [0, 1], got ", p);
  if (!training || p == 0) return x;
  Generator* source = &generator;
  return record(
      "dropout", {x},
      [p, source](const Tensors& in, Context& c) {
        // Keep with probability 1 - p, scaled so that the expectation is
        // unchanged; p = 1 keeps nothing (PyTorch's zeros, not 0 / 0).
        const Tensor mask = p == 1 ? zeros(in[0].shape(), in[0].dtype())
                                   : (uniform(in[0].shape(), 0, 1, *source, in[0].dtype()) >= p) / (1 - p);
        c.saved = {mask};
        return in[0] * mask;
      },
      [](const Tensor& g, const Context& c) { return Tensors{g * c.saved[0]}; });
}

Variable batch_norm(const Variable& x, const Variable& gamma, const Variable& beta, BatchNormState& state,
                    bool training, const NormActivation& activation) {
  NABLA_CHECK(gamma.defined() == beta.defined(), "batch_norm: give both gamma and beta, or neither");
  std::vector<Variable> inputs{x};
  if (gamma.defined()) inputs.insert(inputs.end(), {gamma, beta});
  BatchNormState* stats = &state;
  auto affine = [](const Tensors& in, std::size_t i) { return in.size() > 1 ? in[i] : Tensor(); };
  using Kind = NormActivation::Kind;
  NABLA_CHECK(std::isfinite(activation.slope), "batch_norm: the leaky_relu slope must be finite, got ",
              activation.slope);
  if (!training) {
    const Variable normalised = record(
        "batch_norm", inputs,
        [stats, affine](const Tensors& in, Context& c) {
          c.saved = {in[0], affine(in, 1)};
          return kernels::batch_norm_inference(in[0], affine(in, 1), affine(in, 2), stats->running_mean,
                                               stats->running_var, stats->eps);
        },
        [stats](const Tensor& g, const Context& c) {
          const kernels::BatchNormGrads grads = kernels::batch_norm_inference_backward(
              g, c.saved[0], c.saved[1], stats->running_mean, stats->running_var, stats->eps);
          if (c.needs_grad.size() == 1) return Tensors{grads.input};
          return Tensors{grads.input, grads.gamma, grads.beta};
        });
    switch (activation.kind) {
      case Kind::kRelu:
        return relu(normalised);
      case Kind::kLeakyRelu:
        return leaky_relu(normalised, activation.slope);
      case Kind::kNone:
        break;
    }
    return normalised;
  }
  const char* name = activation.kind == Kind::kRelu        ? "batch_norm_relu"
                     : activation.kind == Kind::kLeakyRelu ? "batch_norm_leaky_relu"
                                                           : "batch_norm";
  return record(
      name, inputs,
      [stats, affine, activation](const Tensors& in, Context& c) {
        kernels::BatchNormForward result =
            kernels::batch_norm_training(in[0], affine(in, 1), affine(in, 2), stats->eps, activation);
        // Checked after the kernel, which checks the input's rank, and
        // before either statistic changes. Without gamma and beta nothing
        // else ties the channels to the statistics'.
        for (const Tensor* running : {&stats->running_mean, &stats->running_var}) {
          NABLA_CHECK(running->defined() && running->shape() == Shape{in[0].dim(1)} &&
                          running->dtype() == in[0].dtype(),
                      "batch_norm: input ", in[0].dtype(), " ", in[0].shape(), " needs running statistics ",
                      in[0].dtype(), " [", in[0].dim(1), "], got ", running->defined() ? running->dtype() : kFloat32,
                      " ", running->defined() ? running->shape() : Shape{});
        }
        // One value per channel has no variance to normalise by (PyTorch's rule).
        const double per_channel = static_cast<double>(in[0].numel() / in[0].dim(1));
        NABLA_CHECK(per_channel > 1, "batch_norm: training needs more than 1 value per channel, got input ",
                    in[0].shape());
        const double unbiased = per_channel / (per_channel - 1);
        const double m = stats->momentum;
        stats->running_mean.copy_(stats->running_mean * (1 - m) + result.mean * m);
        stats->running_var.copy_(stats->running_var * (1 - m) + result.var * (m * unbiased));
        c.saved = {in[0], affine(in, 1), result.mean, result.invstd, affine(in, 2)};
        return result.output;
      },
      [activation](const Tensor& g, const Context& c) {
        const kernels::BatchNormGrads grads = kernels::batch_norm_backward(g, c.saved[0], c.saved[1], c.saved[2],
                                                                           c.saved[3], activation, c.saved[4]);
        if (c.needs_grad.size() == 1) return Tensors{grads.input};
        return Tensors{grads.input, grads.gamma, grads.beta};
      });
}

}  // namespace nabla
