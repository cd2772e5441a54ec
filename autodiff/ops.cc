// The differentiable ops: each is one `record` call with its forward and
// backward side by side. Backward formulas carry shape notes; gradients may
// come back at a broadcast shape, since the engine sums them to each input's
// shape (engine.cc, fit_gradient).

#include "autodiff/ops.h"

#include <limits>
#include <numeric>

#include "kernels/activation.h"
#include "kernels/softmax.h"

namespace nabla {
namespace {

// A reduction's result with kept dims, with the reduced axes dropped.
Tensor drop_axes(const Tensor& kept, const Axes& axes) {
  if (axes.empty()) return kept.reshape({});
  Shape shape;
  for (int a = 0; a < kept.rank(); ++a) {
    bool reduced = false;
    for (std::int64_t axis : axes) reduced = reduced || normalize_axis("reduce", axis, kept.shape()) == a;
    if (!reduced) shape.push_back(kept.dim(a));
  }
  return kept.reshape(shape);
}

}  // namespace

// ---- Element-wise binary. ----

Variable add(const Variable& a, const Variable& b) {
  return record(
      "add", {a, b}, [](const Tensors& x, Context&) { return x[0] + x[1]; },
      [](const Tensor& g, const Context&) { return Tensors{g, g}; });
}

Variable sub(const Variable& a, const Variable& b) {
  return record(
      "sub", {a, b}, [](const Tensors& x, Context&) { return x[0] - x[1]; },
      [](const Tensor& g, const Context& c) { return Tensors{g, c.needs_grad[1] ? -g : Tensor()}; });
}

Variable mul(const Variable& a, const Variable& b) {
  return record(
      "mul", {a, b},
      [](const Tensors& x, Context& c) {
        c.saved = x;
        return x[0] * x[1];
      },
      [](const Tensor& g, const Context& c) {
        return Tensors{c.needs_grad[0] ? g * c.saved[1] : Tensor(), c.needs_grad[1] ? g * c.saved[0] : Tensor()};
      });
}

Variable div(const Variable& a, const Variable& b) {
  return record(
      "div", {a, b},
      [](const Tensors& x, Context& c) {
        Tensor y = x[0] / x[1];
        c.saved = {x[1], y};
        return y;
      },
      [](const Tensor& g, const Context& c) {
        const Tensor& b = c.saved[0];
        const Tensor& y = c.saved[1];
        // d(a/b)/da = 1/b, d(a/b)/db = -a/b² = -(a/b)/b, which, unlike b², stays in float32's range
        return Tensors{c.needs_grad[0] ? g / b : Tensor(), c.needs_grad[1] ? -g * y / b : Tensor()};
      });
}

Variable pow(const Variable& a, const Variable& b) {
  return record(
      "pow", {a, b},
      [](const Tensors& x, Context& c) {
        Tensor y = pow(x[0], x[1]);
        c.saved = {x[0], x[1], y};
        return y;
      },
      [](const Tensor& g, const Context& c) {
        const Tensor& a = c.saved[0];
        const Tensor& b = c.saved[1];
        const Tensor& y = c.saved[2];
        // d(a^b)/da = b·a^(b-1), d(a^b)/db = a^b·log(a); as PyTorch, 0 where
        // b = 0 (a^b is 1 for every a) and where a = 0 and b >= 0 (0·log 0).
        Tensors grads(2);
        if (c.needs_grad[0]) {
          const Tensor da = g * b * pow(a, b - 1.0);
          grads[0] = where(b == 0.0, zeros_like(da), da);
        }
        if (c.needs_grad[1]) {
          const Tensor db = g * y * log(a);
          grads[1] = where((a == 0.0) * (b >= 0.0), zeros_like(db), db);
        }
        return grads;
      });
}

namespace {

// maximum and minimum, with PyTorch's gradient: the losing side gets none,
// a tie splits it, and where a NaN makes every comparison false both sides
// get all of it.
Variable pick(const char* op, const Variable& a, const Variable& b, bool largest) {
  return record(
      op, {a, b},
      [largest](const Tensors& x, Context& c) {
        c.saved = x;
        return largest ? maximum(x[0], x[1]) : minimum(x[0], x[1]);
      },
      [largest](const Tensor& g, const Context& c) {
        const Tensor& a = c.saved[0];
        const Tensor& b = c.saved[1];
        const Tensor half_tie = (a == b) * 0.5;
        return Tensors{c.needs_grad[0] ? g * (1.0 - (largest ? a < b : a > b) - half_tie) : Tensor(),
                       c.needs_grad[1] ? g * (1.0 - (largest ? a > b : a < b) - half_tie) : Tensor()};
      });
}

}  // namespace

Variable maximum(const Variable& a, const Variable& b) { return pick("maximum", a, b, true); }
Variable minimum(const Variable& a, const Variable& b) { return pick("minimum", a, b, false); }

// ---- Element-wise unary. ----

Variable neg(const Variable& x) {
  return record(
      "neg", {x}, [](const Tensors& in, Context&) { return -in[0]; },
      [](const Tensor& g, const Context&) { return Tensors{-g}; });
}

namespace {

// Scalar operands are attributes, not graph inputs: their dtype follows the
// tensor's at run time, and they need no node of their own.
Variable add_scalar(const Variable& x, double value) {
  return record(
      "add_scalar", {x}, [value](const Tensors& in, Context&) { return in[0] + value; },
      [](const Tensor& g, const Context&) { return Tensors{g}; });
}

Variable mul_scalar(const Variable& x, double value) {
  return record(
      "mul_scalar", {x}, [value](const Tensors& in, Context&) { return in[0] * value; },
      [value](const Tensor& g, const Context&) { return Tensors{g * value}; });
}

// x / value, divided as the tensor op divides (x · (1/value) is not always x / value)
Variable div_scalar(const Variable& x, double value) {
  return record(
      "div_scalar", {x}, [value](const Tensors& in, Context&) { return in[0] / value; },
      [value](const Tensor& g, const Context&) { return Tensors{g / value}; });
}

// value / x
Variable rdiv_scalar(double value, const Variable& x) {
  return record(
      "rdiv_scalar", {x},
      [value](const Tensors& in, Context& c) {
        c.saved = {in[0]};
        return value / in[0];
      },
      [value](const Tensor& g, const Context& c) {
        const Tensor& x = c.saved[0];
        return Tensors{g * (-value) / (x * x)};  // d(v/x)/dx = -v/x²
      });
}

}  // namespace

Variable pow(const Variable& x, double exponent) {
  return record(
      "pow_scalar", {x},
      [exponent](const Tensors& in, Context& c) {
        c.saved = {in[0]};
        return pow(in[0], exponent);
      },
      [exponent](const Tensor& g, const Context& c) {
        // x^0 is 1 for every x: 0, not 0·0^-1 = NaN at x = 0 (PyTorch's rule).
        if (exponent == 0) return Tensors{zeros_like(g)};
        return Tensors{g * exponent * pow(c.saved[0], exponent - 1)};
      });
}

Variable square(const Variable& x) {
  return record(
      "square", {x},
      [](const Tensors& in, Context& c) {
        c.saved = {in[0]};
        return square(in[0]);
      },
      [](const Tensor& g, const Context& c) { return Tensors{g * c.saved[0] * 2.0}; });
}

Variable exp(const Variable& x) {
  return record(
      "exp", {x},
      [](const Tensors& in, Context& c) {
        Tensor y = exp(in[0]);
        c.saved = {y};
        return y;
      },
      [](const Tensor& g, const Context& c) { return Tensors{g * c.saved[0]}; });
}

Variable log(const Variable& x) {
  return record(
      "log", {x},
      [](const Tensors& in, Context& c) {
        c.saved = {in[0]};
        return log(in[0]);
      },
      [](const Tensor& g, const Context& c) { return Tensors{g / c.saved[0]}; });
}

Variable sqrt(const Variable& x) {
  return record(
      "sqrt", {x},
      [](const Tensors& in, Context& c) {
        Tensor y = sqrt(in[0]);
        c.saved = {y};
        return y;
      },
      [](const Tensor& g, const Context& c) { return Tensors{g * 0.5 / c.saved[0]}; });
}

Variable abs(const Variable& x) {
  return record(
      "abs", {x},
      [](const Tensors& in, Context& c) {
        c.saved = {in[0]};
        return abs(in[0]);
      },
      [](const Tensor& g, const Context& c) { return Tensors{g * sign(c.saved[0])}; });
}

Variable sin(const Variable& x) {
  return record(
      "sin", {x},
      [](const Tensors& in, Context& c) {
        c.saved = {in[0]};
        return sin(in[0]);
      },
      [](const Tensor& g, const Context& c) { return Tensors{g * cos(c.saved[0])}; });
}

Variable cos(const Variable& x) {
  return record(
      "cos", {x},
      [](const Tensors& in, Context& c) {
        c.saved = {in[0]};
        return cos(in[0]);
      },
      [](const Tensor& g, const Context& c) { return Tensors{-g * sin(c.saved[0])}; });
}

namespace {

// The activations with a one-pass kernel (oneDNN eltwise on large float32
// tensors); backward reads the output or the input, as the kernel says.
Variable activation(const char* op, const Variable& x, kernels::Activation kind, double slope = 0.0) {
  return record(
      op, {x},
      [kind, slope](const Tensors& in, Context& c) {
        Tensor y = kernels::activation(kind, in[0], slope);
        c.saved = {kernels::activation_backward_reads(kind) == kernels::BackwardReads::kOutput ? y : in[0]};
        return y;
      },
      [kind, slope](const Tensor& g, const Context& c) {
        return Tensors{kernels::activation_backward(kind, g, c.saved[0], slope)};
      });
}

}  // namespace

Variable tanh(const Variable& x) { return activation("tanh", x, kernels::Activation::kTanh); }

Variable sigmoid(const Variable& x) { return activation("sigmoid", x, kernels::Activation::kSigmoid); }

Variable softplus(const Variable& x) {
  return record(
      "softplus", {x},
      [](const Tensors& in, Context& c) {
        c.saved = {in[0]};
        // log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large x.
        return relu(in[0]) + log1p(exp(-abs(in[0])));
      },
      [](const Tensor& g, const Context& c) { return Tensors{g * sigmoid(c.saved[0])}; });
}

Variable relu(const Variable& x) { return activation("relu", x, kernels::Activation::kRelu); }

Variable leaky_relu(const Variable& x, double negative_slope) {
  return activation("leaky_relu", x, kernels::Activation::kLeakyRelu, negative_slope);
}

Variable elu(const Variable& x, double alpha) {
  return record(
      "elu", {x},
      [alpha](const Tensors& in, Context& c) {
        Tensor y = where(in[0] > 0.0, in[0], (exp(minimum(in[0], zeros_like(in[0]))) - 1.0) * alpha);
        c.saved = {in[0], y};
        return y;
      },
      [alpha](const Tensor& g, const Context& c) {
        // x > 0: 1; otherwise alpha·e^x = y + alpha
        return Tensors{g * where(c.saved[0] > 0.0, ones_like(g), c.saved[1] + alpha)};
      });
}

Variable clip(const Variable& x, double low, double high) {
  return record(
      "clip", {x},
      [low, high](const Tensors& in, Context& c) {
        c.saved = {in[0]};
        return clip(in[0], low, high);
      },
      [low, high](const Tensor& g, const Context& c) {
        const Tensor& x = c.saved[0];
        return Tensors{g * ((x >= low) * (x <= high))};
      });
}

Variable operator-(const Variable& x) { return neg(x); }
Variable operator+(const Variable& a, const Variable& b) { return add(a, b); }
Variable operator-(const Variable& a, const Variable& b) { return sub(a, b); }
Variable operator*(const Variable& a, const Variable& b) { return mul(a, b); }
Variable operator/(const Variable& a, const Variable& b) { return div(a, b); }
Variable operator+(const Variable& a, double b) { return add_scalar(a, b); }
Variable operator-(const Variable& a, double b) { return add_scalar(a, -b); }
Variable operator*(const Variable& a, double b) { return mul_scalar(a, b); }
Variable operator/(const Variable& a, double b) { return div_scalar(a, b); }
Variable operator+(double a, const Variable& b) { return add_scalar(b, a); }
Variable operator-(double a, const Variable& b) { return add_scalar(neg(b), a); }
Variable operator*(double a, const Variable& b) { return mul_scalar(b, a); }
Variable operator/(double a, const Variable& b) { return rdiv_scalar(a, b); }

// ---- Linear algebra. ----

Variable matmul(const Variable& a, const Variable& b) {
  return record(
      "matmul", {a, b},
      [](const Tensors& x, Context& c) {
        c.saved = x;
        return matmul(x[0], x[1]);
      },
      [](const Tensor& g, const Context& c) {
        // Vectors take part as [1, K] (left) and [K, 1] (right) matrices.
        const bool a_vector = c.saved[0].rank() == 1;
        const bool b_vector = c.saved[1].rank() == 1;
        const Tensor a = a_vector ? c.saved[0].unsqueeze(0) : c.saved[0];
        const Tensor b = b_vector ? c.saved[1].unsqueeze(1) : c.saved[1];
        // Restore the dims matmul dropped: b's column, then a's row (a dot product's g is 0-d).
        Tensor g2 = b_vector ? g.unsqueeze(-1) : g;
        if (a_vector) g2 = g2.unsqueeze(-2);
        Tensor grad_a, grad_b;
        if (c.needs_grad[0]) {
          grad_a = matmul(g2, b.transpose(-1, -2));  // g:[..,M,N] · bᵀ:[..,N,K] → [..,M,K]
          if (a_vector) grad_a = grad_a.squeeze(-2);
        }
        if (c.needs_grad[1]) {
          grad_b = matmul(a.transpose(-1, -2), g2);  // aᵀ:[..,K,M] · g:[..,M,N] → [..,K,N]
          if (b_vector) grad_b = grad_b.squeeze(-1);
        }
        return Tensors{grad_a, grad_b};
      });
}

// ---- Reductions. ----

namespace {

// The gradient of a reduction, at the reduced shape with kept dims, ready to
// broadcast against the input.
Tensor kept_gradient(const Tensor& g, const Shape& input_shape, const Axes& axes) {
  Shape kept = input_shape;
  if (axes.empty()) {
    std::fill(kept.begin(), kept.end(), 1);
  } else {
    for (std::int64_t axis : axes) kept[normalize_axis("reduce", axis, input_shape)] = 1;
  }
  return g.reshape(kept);
}

Variable extreme(const char* op, const Variable& x, const Axes& axes, bool keepdims, bool largest) {
  return record(
      op, {x},
      [axes, keepdims, largest](const Tensors& in, Context& c) {
        Tensor kept = largest ? max(in[0], axes, true) : min(in[0], axes, true);
        c.saved = {in[0], kept};
        return keepdims ? kept : drop_axes(kept, axes);
      },
      [axes](const Tensor& g, const Context& c) {
        const Tensor& x = c.saved[0];
        const Tensor& extreme = c.saved[1];
        // 1 where x attains the extreme, or is the NaN it is (NaN == NaN is false)
        const Tensor hits = (x == extreme) + (x != x) * (extreme != extreme);
        const Tensor share = hits / sum(hits, axes, true);
        return Tensors{kept_gradient(g, c.input_shapes[0], axes) * share};
      });
}

}  // namespace

Variable sum(const Variable& x, const Axes& axes, bool keepdims) {
  return record(
      "sum", {x}, [axes, keepdims](const Tensors& in, Context&) { return sum(in[0], axes, keepdims); },
      [axes](const Tensor& g, const Context& c) {
        return Tensors{kept_gradient(g, c.input_shapes[0], axes).broadcast_to(c.input_shapes[0])};
      });
}

Variable mean(const Variable& x, const Axes& axes, bool keepdims) {
  return record(
      "mean", {x}, [axes, keepdims](const Tensors& in, Context&) { return mean(in[0], axes, keepdims); },
      [axes](const Tensor& g, const Context& c) {
        const Shape& shape = c.input_shapes[0];
        const double count = static_cast<double>(numel(shape)) / static_cast<double>(std::max<std::int64_t>(g.numel(), 1));
        return Tensors{(kept_gradient(g, shape, axes) / count).broadcast_to(shape)};
      });
}

Variable max(const Variable& x, const Axes& axes, bool keepdims) { return extreme("max", x, axes, keepdims, true); }
Variable min(const Variable& x, const Axes& axes, bool keepdims) { return extreme("min", x, axes, keepdims, false); }

Variable logsumexp(const Variable& x, const Axes& axes, bool keepdims) {
  return record(
      "logsumexp", {x},
      [axes, keepdims](const Tensors& in, Context& c) {
        for (std::int64_t axis : axes) normalize_axis("logsumexp", axis, in[0].shape());  // else "max" is blamed
        // The shift by the maximum keeps exp finite; an infinite maximum is
        // not subtracted (inf - inf), and nothing has none: a sum of no
        // terms, log 0 = -inf, as PyTorch's.
        Tensor peak = in[0].numel() == 0 ? sum(in[0], axes, true) : max(in[0], axes, true);
        peak = where(abs(peak) == std::numeric_limits<double>::infinity(), zeros_like(peak), peak);
        Tensor kept = log(sum(exp(in[0] - peak), axes, true)) + peak;
        c.saved = {in[0], kept};
        return keepdims ? kept : drop_axes(kept, axes);
      },
      [axes](const Tensor& g, const Context& c) {
        // d/dx log Σ e^x = softmax(x) = e^(x - lse)
        return Tensors{kept_gradient(g, c.input_shapes[0], axes) * exp(c.saved[0] - c.saved[1])};
      });
}

namespace {

Variable softmax_op(const Variable& x, std::int64_t axis, bool log) {
  return record(
      log ? "log_softmax" : "softmax", {x},
      [axis, log](const Tensors& in, Context& c) {
        Tensor y = kernels::softmax(in[0], axis, log);
        c.saved = {y};
        return y;
      },
      [axis, log](const Tensor& g, const Context& c) {
        return Tensors{kernels::softmax_backward(g, c.saved[0], axis, log)};
      });
}

}  // namespace

Variable softmax(const Variable& x, std::int64_t axis) { return softmax_op(x, axis, false); }

Variable log_softmax(const Variable& x, std::int64_t axis) { return softmax_op(x, axis, true); }

// ---- Shape. ----

Variable broadcast_to(const Variable& x, const Shape& shape) {
  return record(
      "broadcast_to", {x}, [shape](const Tensors& in, Context&) { return in[0].broadcast_to(shape); },
      [](const Tensor& g, const Context&) { return Tensors{g}; });  // the engine sums g back
}

Variable reshape(const Variable& x, const Shape& shape) {
  return record(
      "reshape", {x}, [shape](const Tensors& in, Context&) { return in[0].reshape(shape); },
      [](const Tensor& g, const Context& c) { return Tensors{g.reshape(c.input_shapes[0])}; });
}

Variable flatten(const Variable& x, std::int64_t start_axis, std::int64_t end_axis) {
  return record(
      "flatten", {x},
      [start_axis, end_axis](const Tensors& in, Context&) { return in[0].flatten(start_axis, end_axis); },
      [](const Tensor& g, const Context& c) { return Tensors{g.reshape(c.input_shapes[0])}; });
}

Variable transpose(const Variable& x, std::int64_t axis0, std::int64_t axis1) {
  return record(
      "transpose", {x}, [axis0, axis1](const Tensors& in, Context&) { return in[0].transpose(axis0, axis1); },
      [axis0, axis1](const Tensor& g, const Context&) { return Tensors{g.transpose(axis0, axis1)}; });
}

Variable permute(const Variable& x, const std::vector<std::int64_t>& dims) {
  return record(
      "permute", {x}, [dims](const Tensors& in, Context&) { return in[0].permute(dims); },
      [dims](const Tensor& g, const Context&) {
        std::vector<std::int64_t> inverse(dims.size());
        for (std::size_t i = 0; i < dims.size(); ++i) {
          inverse[normalize_axis("permute", dims[i], g.shape())] = static_cast<std::int64_t>(i);
        }
        return Tensors{g.permute(inverse)};
      });
}

Variable concat(const std::vector<Variable>& xs, std::int64_t axis) {
  return record(
      "concat", xs, [axis](const Tensors& in, Context&) { return concat(in, axis); },
      [axis](const Tensor& g, const Context& c) {
        Tensors grads;
        std::int64_t start = 0;
        for (const Shape& shape : c.input_shapes) {
          const std::int64_t size = shape[normalize_axis("concat", axis, shape)];
          grads.push_back(g.slice(axis, start, start + size));
          start += size;
        }
        return grads;
      });
}

Variable stack(const std::vector<Variable>& xs, std::int64_t axis) {
  return record(
      "stack", xs, [axis](const Tensors& in, Context&) { return stack(in, axis); },
      [axis](const Tensor& g, const Context& c) {
        Tensors grads;
        for (std::size_t i = 0; i < c.input_shapes.size(); ++i) grads.push_back(g.select(axis, static_cast<std::int64_t>(i)));
        return grads;
      });
}

Variable slice(const Variable& x, std::int64_t axis, std::int64_t start, std::int64_t stop, std::int64_t step) {
  return record(
      "slice", {x}, [=](const Tensors& in, Context&) { return in[0].slice(axis, start, stop, step); },
      [=](const Tensor& g, const Context& c) {
        Tensor grad = zeros(c.input_shapes[0], g.dtype());
        grad.slice(axis, start, stop, step).copy_(g);
        return Tensors{grad};
      });
}

Variable pad(const Variable& x, const std::vector<std::pair<std::int64_t, std::int64_t>>& padding, double value) {
  // The view of the padded tensor that holds the original elements.
  auto interior = [padding](Tensor padded) {
    const auto first = static_cast<std::int64_t>(padded.rank() - padding.size());
    for (std::size_t i = 0; i < padding.size(); ++i) {
      const std::int64_t axis = first + static_cast<std::int64_t>(i);
      padded = padded.slice(axis, padding[i].first, padded.dim(axis) - padding[i].second);
    }
    return padded;
  };
  return record(
      "pad", {x},
      [padding, value, interior](const Tensors& in, Context&) {
        NABLA_CHECK(padding.size() <= static_cast<std::size_t>(in[0].rank()), "pad: ", padding.size(),
                    " (before, after) pairs for shape ", in[0].shape());
        Shape shape = in[0].shape();
        const std::size_t first = shape.size() - padding.size();
        for (std::size_t i = 0; i < padding.size(); ++i) {
          NABLA_CHECK(padding[i].first >= 0 && padding[i].second >= 0, "pad: negative padding on axis ", first + i,
                      " of shape ", in[0].shape());
          NABLA_CHECK(!__builtin_add_overflow(shape[first + i], padding[i].first, &shape[first + i]) &&
                          !__builtin_add_overflow(shape[first + i], padding[i].second, &shape[first + i]),
                      "pad: padding (", padding[i].first, ", ", padding[i].second, ") of axis ", first + i,
                      " of shape ", in[0].shape(), " is too large");
        }
        Tensor padded = full(shape, value, in[0].dtype());
        interior(padded).copy_(in[0]);
        return padded;
      },
      [interior](const Tensor& g, const Context&) { return Tensors{interior(g)}; });
}

// ---- Indexing. ----

Variable index_select(const Variable& x, std::int64_t axis, const Variable& indices) {
  return record(
      "index_select", {x, indices},
      [axis](const Tensors& in, Context& c) {
        c.saved = {in[1]};
        return index_select(in[0], axis, in[1]);
      },
      [axis](const Tensor& g, const Context& c) {
        // Rows picked several times (a repeated token) add up.
        return Tensors{index_add(zeros(c.input_shapes[0], g.dtype()), axis, c.saved[0], g), Tensor()};
      });
}

Variable gather(const Variable& x, std::int64_t axis, const Variable& index) {
  return record(
      "gather", {x, index},
      [axis](const Tensors& in, Context& c) {
        c.saved = {in[1]};
        return gather(in[0], axis, in[1]);
      },
      [axis](const Tensor& g, const Context& c) {
        return Tensors{scatter_add(zeros(c.input_shapes[0], g.dtype()), axis, c.saved[0], g), Tensor()};
      });
}

Variable where(const Variable& condition, const Variable& a, const Variable& b) {
  return record(
      "where", {condition, a, b},
      [](const Tensors& in, Context& c) {
        c.saved = {in[0]};
        return where(in[0], in[1], in[2]);
      },
      [](const Tensor& g, const Context& c) {
        const Tensor none = zeros({}, g.dtype());
        return Tensors{c.needs_grad[0] ? zeros(c.input_shapes[0], g.dtype()) : Tensor(), c.needs_grad[1] ? where(c.saved[0], g, none) : Tensor(),
                       c.needs_grad[2] ? where(c.saved[0], none, g) : Tensor()};
      });
}

}  // namespace nabla
