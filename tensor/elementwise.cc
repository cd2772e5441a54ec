#include "tensor/elementwise.h"

#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <limits>
#include <type_traits>

#include "tensor/internal/exact_math.h"
#include "tensor/internal/int64.h"
#include "tensor/internal/strided_loop.h"

namespace nabla {
namespace {

// Each op is one struct: its name for messages, the dtypes it accepts, and its
// formula on Eigen arrays, which vectorises it (exp, tanh, ... included).
template <typename T>
using Array = Eigen::Array<T, Eigen::Dynamic, 1>;

// fn(x) or fn(a, b), with int64 values taken as uint64 (internal/int64.h)
// so that the arithmetic wraps around.
template <typename X, typename Fn>
auto wrapping(const X& x, Fn fn) {
  using T = typename X::Scalar;
  if constexpr (std::is_integral_v<T>) {
    using U = internal::WrappingType<T>;
    return x.unaryExpr([fn](T v) { return static_cast<T>(fn(static_cast<U>(v))); });
  } else {
    return fn(x);
  }
}
template <typename A, typename B, typename Fn>
auto wrapping(const A& a, const B& b, Fn fn) {
  using T = typename A::Scalar;
  if constexpr (std::is_integral_v<T>) {
    using U = internal::WrappingType<T>;
    return a.binaryExpr(b, [fn](T x, T y) { return static_cast<T>(fn(static_cast<U>(x), static_cast<U>(y))); });
  } else {
    return fn(a, b);
  }
}

// |x|, where int64's lowest value stays itself, as in NumPy.
template <typename X>
auto absolute(const X& x) {
  using T = typename X::Scalar;
  if constexpr (std::is_integral_v<T>) {
    return wrapping(x, [](auto v) { return static_cast<T>(v) < 0 ? 0 - v : v; });
  } else {
    return x.abs();
  }
}

using internal::Exact;
using internal::ExpMath;
using internal::LogMath;
using internal::PowMath;
using internal::SqrtMath;

#define NABLA_UNARY_OP(Name, op_name, float_only, formula) \
  struct Name {                                            \
    static constexpr const char* kName = op_name;          \
    static constexpr bool kFloatOnly = float_only;         \
    template <typename X>                                  \
    static auto apply(const X& x) {                        \
      using T = typename X::Scalar;                        \
      (void)sizeof(T);                                     \
      return formula;                                      \
    }                                                      \
  };

NABLA_UNARY_OP(Neg, "neg", false, wrapping(x, [](const auto& v) { return -v; }))
NABLA_UNARY_OP(Abs, "abs", false, absolute(x))
NABLA_UNARY_OP(Sign, "sign", false, x.sign())
NABLA_UNARY_OP(Square, "square", false, wrapping(x, [](const auto& v) { return v * v; }))
NABLA_UNARY_OP(Relu, "relu", false, x.max(T(0)))
NABLA_UNARY_OP(Exp, "exp", true, x.unaryExpr(Exact<ExpMath<T>>()))
NABLA_UNARY_OP(Log, "log", true, x.unaryExpr(Exact<LogMath<T>>()))
NABLA_UNARY_OP(Log1p, "log1p", true, x.log1p())
NABLA_UNARY_OP(Sqrt, "sqrt", true, x.unaryExpr(Exact<SqrtMath<T>>()))
NABLA_UNARY_OP(Tanh, "tanh", true, x.tanh())
// Not Eigen's logistic: its float32 one is e^x below -9, a relative error up to 1.2e-4.
NABLA_UNARY_OP(Sigmoid, "sigmoid", true, (T(1) + (-x).unaryExpr(Exact<ExpMath<T>>())).inverse())
NABLA_UNARY_OP(Sin, "sin", true, x.sin())
NABLA_UNARY_OP(Cos, "cos", true, x.cos())
#undef NABLA_UNARY_OP

// Runs `formula(Eigen array of a piece)` over a dense copy of x, in parallel
// pieces; `formula` is a generic lambda or an op struct's apply.
template <bool kFloatOnly, typename Formula>
Tensor map_unary(const char* name, const Tensor& x, Formula&& formula) {
  NABLA_CHECK(x.defined(), name, ": the tensor is undefined (default-constructed)");
  NABLA_CHECK(!kFloatOnly || is_floating(x.dtype()), name, ": needs a float32 or float64 tensor, got ", x.dtype(),
              " of shape ", x.shape());
  // A channels-last x gives a channels-last result, as in PyTorch.
  const MemoryFormat format = x.suggest_memory_format();
  const Tensor input = x.contiguous(format);
  Tensor result = empty(x.shape(), x.dtype(), format);
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!kFloatOnly || std::is_floating_point_v<T>) {
      const T* in = input.data<T>();
      T* out = result.data<T>();
      // Both are dense in one order: a single run over memory.
      internal::StridedLoop<2> loop({result.numel()}, {Strides{1}, Strides{1}}, {0, 0});
      loop.for_each_piece([&](const auto& offsets, std::int64_t n) {
        Eigen::Map<Array<T>>(out + offsets[0], n) = formula(Eigen::Map<const Array<T>>(in + offsets[1], n));
      });
    }
  });
  return result;
}

template <typename Op>
Tensor unary(const Tensor& x) {
  return map_unary<Op::kFloatOnly>(Op::kName, x, [](const auto& array) { return Op::apply(array); });
}

#define NABLA_BINARY_OP(Name, op_name, float_only, formula) \
  struct Name {                                             \
    static constexpr const char* kName = op_name;           \
    static constexpr bool kFloatOnly = float_only;          \
    template <typename A, typename B>                       \
    static auto apply(const A& a, const B& b) {             \
      using T = typename A::Scalar;                         \
      (void)sizeof(T);                                      \
      return formula;                                       \
    }                                                       \
  };

NABLA_BINARY_OP(Add, "add", false, wrapping(a, b, std::plus<>()))
NABLA_BINARY_OP(Sub, "sub", false, wrapping(a, b, std::minus<>()))
NABLA_BINARY_OP(Mul, "mul", false, wrapping(a, b, std::multiplies<>()))
NABLA_BINARY_OP(Div, "div", false, a / b)
NABLA_BINARY_OP(Pow, "pow", true, a.binaryExpr(b, Exact<PowMath<T>>()))
// A NaN on either side is the result, as NumPy's and PyTorch's (Eigen's
// max and min propagate only the first operand's).
NABLA_BINARY_OP(Maximum, "maximum", false, (a > b || a != a).select(a, b))
NABLA_BINARY_OP(Minimum, "minimum", false, (a < b || a != a).select(a, b))
NABLA_BINARY_OP(Eq, "eq", false, (a == b).template cast<T>())
NABLA_BINARY_OP(Ne, "ne", false, (a != b).template cast<T>())
NABLA_BINARY_OP(Lt, "lt", false, (a < b).template cast<T>())
NABLA_BINARY_OP(Le, "le", false, (a <= b).template cast<T>())
NABLA_BINARY_OP(Gt, "gt", false, (a > b).template cast<T>())
NABLA_BINARY_OP(Ge, "ge", false, (a >= b).template cast<T>())
#undef NABLA_BINARY_OP

template <typename Op>
void check_binary_operands(const Tensor& a, const Tensor& b) {
  NABLA_CHECK(a.defined() && b.defined(), Op::kName, ": an operand is undefined (default-constructed)");
  NABLA_CHECK(a.dtype() == b.dtype(), Op::kName, ": dtypes differ: ", a.dtype(), " ", a.shape(), " vs ", b.dtype(),
              " ", b.shape());
  NABLA_CHECK(!Op::kFloatOnly || is_floating(a.dtype()), Op::kName, ": needs float32 or float64 tensors, got ",
              a.dtype(), " ", a.shape(), " and ", b.dtype(), " ", b.shape());
  if constexpr (std::is_same_v<Op, Div>) {
    // An empty result divides nothing, as in PyTorch, whose check is per element.
    if (a.dtype() == kInt64 && numel(broadcast_shapes("div", a.shape(), b.shape())) > 0) {
      const std::vector<std::int64_t> divisors = b.to_vector<std::int64_t>();
      NABLA_CHECK(std::find(divisors.begin(), divisors.end(), 0) == divisors.end(),
                  "div: int64 division by zero (divisor of shape ", b.shape(), ")");
      // The one int64 quotient that overflows; x86 traps on it (SIGFPE).
      // Pairs are compared only in the rare case that both values occur.
      constexpr std::int64_t kLowest = std::numeric_limits<std::int64_t>::min();
      if (std::find(divisors.begin(), divisors.end(), -1) != divisors.end()) {
        const std::vector<std::int64_t> dividends = a.to_vector<std::int64_t>();
        if (std::find(dividends.begin(), dividends.end(), kLowest) != dividends.end()) {
          const Shape shape = broadcast_shapes("div", a.shape(), b.shape());
          const std::vector<std::int64_t> x = a.broadcast_to(shape).to_vector<std::int64_t>();
          const std::vector<std::int64_t> y = b.broadcast_to(shape).to_vector<std::int64_t>();
          for (std::size_t i = 0; i < x.size(); ++i) {
            NABLA_CHECK(x[i] != kLowest || y[i] != -1, "div: int64 overflow: ", kLowest, " / -1 (shapes ", a.shape(),
                        " and ", b.shape(), ")");
          }
        }
      }
    }
  }
}

// out = Op(a, b) where out is dense with the broadcast shape; `out` may be a
// itself (the in-place ops), since each element is read before it is written.
template <typename Op>
void binary_into(const Tensor& a, const Tensor& b, Tensor& out) {
  // Dense operands make every row stride 1 (or 0 where broadcast).
  const Tensor dense_a = a.contiguous().broadcast_to(out.shape());
  const Tensor dense_b = b.contiguous().broadcast_to(out.shape());
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!Op::kFloatOnly || std::is_floating_point_v<T>) {
      internal::StridedLoop<3> loop(out.shape(), {out.strides(), dense_a.strides(), dense_b.strides()}, {0, 0, 0});
      const bool a_varies = loop.row_stride(1) != 0;
      const bool b_varies = loop.row_stride(2) != 0;
      T* out_data = out.data<T>();
      const T* a_data = dense_a.data<T>();
      const T* b_data = dense_b.data<T>();
      loop.for_each_piece([&](const auto& offsets, std::int64_t n) {
        Eigen::Map<Array<T>> result(out_data + offsets[0], n);
        const Eigen::Map<const Array<T>> a_row(a_data + offsets[1], n);
        const Eigen::Map<const Array<T>> b_row(b_data + offsets[2], n);
        const auto a_same = Array<T>::Constant(n, a_data[offsets[1]]);
        const auto b_same = Array<T>::Constant(n, b_data[offsets[2]]);
        if (a_varies && b_varies) {
          result = Op::apply(a_row, b_row);
        } else if (a_varies) {
          result = Op::apply(a_row, b_same);
        } else if (b_varies) {
          result = Op::apply(a_same, b_row);
        } else {
          result = Op::apply(a_same, b_same);
        }
      });
    }
  });
}

// Whether a binary op's result keeps a channels-last operand's format, as
// PyTorch's does: the other operand is channels-last of the same shape, a
// scalar, or one value per channel ([1, C, 1, 1] or [C, 1, 1]: a bias).
bool keeps_channels_last(const Tensor& a, const Tensor& b) {
  if (a.rank() != 4 && b.rank() != 4) return false;  // the common case, decided without a stride check
  auto channels_last = [](const Tensor& t) { return t.suggest_memory_format() == MemoryFormat::kChannelsLast; };
  auto goes_with = [](const Tensor& t, const Tensor& other) {
    if (t.shape() == other.shape()) return t.is_contiguous(MemoryFormat::kChannelsLast);
    if (t.rank() > 4) return false;
    Shape four(4 - t.rank(), 1);
    four.insert(four.end(), t.shape().begin(), t.shape().end());
    return four[0] == 1 && four[2] == 1 && four[3] == 1 && (four[1] == 1 || four[1] == other.dim(1));
  };
  return (channels_last(a) && goes_with(b, a)) || (channels_last(b) && goes_with(a, b));
}

// The [N, H, W, C] view of an [N, C, H, W] tensor (leading 1s added first):
// row-major for a channels-last tensor, so that binary_into's rows are dense.
Tensor nhwc_view(const Tensor& t) {
  Tensor four = t;
  while (four.rank() < 4) four = four.unsqueeze(0);
  return four.permute({0, 2, 3, 1});
}

// Out of line: inlined into binary(), it cost the 1-element add ~5 ns.
template <typename Op>
[[gnu::noinline]] Tensor binary_channels_last(const Tensor& a, const Tensor& b) {
  Tensor out = empty(broadcast_shapes(Op::kName, a.shape(), b.shape()), a.dtype(), MemoryFormat::kChannelsLast);
  Tensor out_nhwc = nhwc_view(out);
  if (out.numel() > 0) binary_into<Op>(nhwc_view(a), nhwc_view(b), out_nhwc);
  return out;
}

template <typename Op>
Tensor binary(const Tensor& a, const Tensor& b) {
  check_binary_operands<Op>(a, b);
  if (a.shape() == b.shape() && a.numel() < internal::kParallelGrain && a.is_contiguous() && b.is_contiguous()) {
    // Small dense operands of one shape: a single flat loop, no broadcast views.
    Tensor out(a.shape(), a.dtype());
    dispatch(a.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (!Op::kFloatOnly || std::is_floating_point_v<T>) {
        const std::int64_t n = a.numel();
        Eigen::Map<Array<T>>(out.data<T>(), n) =
            Op::apply(Eigen::Map<const Array<T>>(a.data<T>(), n), Eigen::Map<const Array<T>>(b.data<T>(), n));
      }
    });
    return out;
  }
  if (keeps_channels_last(a, b)) return binary_channels_last<Op>(a, b);
  Tensor out(broadcast_shapes(Op::kName, a.shape(), b.shape()), a.dtype());
  if (out.numel() > 0) binary_into<Op>(a, b, out);
  return out;
}

template <typename Op>
Tensor& binary_in_place(Tensor& a, const Tensor& b) {
  check_binary_operands<Op>(a, b);
  const Shape shape = broadcast_shapes(Op::kName, a.shape(), b.shape());
  NABLA_CHECK(shape == a.shape(), Op::kName, " in place: the result shape ", shape, " differs from the target's ",
              a.shape());
  if (a.numel() == 0) return a;
  if (a.is_contiguous() && !a.shares_storage_with(b)) {
    binary_into<Op>(a, b, a);
  } else if (a.suggest_memory_format() == MemoryFormat::kChannelsLast && keeps_channels_last(a, b) &&
             !a.shares_storage_with(b)) {
    Tensor a_nhwc = nhwc_view(a);
    binary_into<Op>(a_nhwc, nhwc_view(b), a_nhwc);
  } else {
    a.copy_(binary<Op>(a, b));
  }
  return a;
}

// A scalar operand in the tensor's dtype. An int64 tensor takes only whole
// numbers: truncating 0.5 to 0 would silently turn x * 0.5 into zeros.
Tensor scalar_like(const char* op, const Tensor& t, double value) {
  NABLA_CHECK(t.defined(), op, ": the tensor operand is undefined (default-constructed)");
  NABLA_CHECK(t.dtype() != kInt64 || (std::trunc(value) == value && internal::fits_int64(value)), op,
              ": scalar ", value, " is not an int64 value, so it cannot combine with the int64 tensor of shape ",
              t.shape());
  return scalar(value, t.dtype());
}

// A clip bound in T. An int64 tensor's is rounded inward (no whole number
// lies between) and saturated to int64's range, where a cast would be
// undefined behaviour.
template <typename T>
T clip_bound(double bound, bool lower) {
  if constexpr (std::is_integral_v<T>) {
    const double whole = lower ? std::ceil(bound) : std::floor(bound);
    if (internal::fits_int64(whole)) return static_cast<T>(whole);
    return whole < 0 ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max();
  } else {
    return static_cast<T>(bound);
  }
}

}  // namespace

Tensor neg(const Tensor& x) { return unary<Neg>(x); }
Tensor abs(const Tensor& x) { return unary<Abs>(x); }
Tensor sign(const Tensor& x) { return unary<Sign>(x); }
Tensor square(const Tensor& x) { return unary<Square>(x); }
Tensor relu(const Tensor& x) { return unary<Relu>(x); }
Tensor exp(const Tensor& x) { return unary<Exp>(x); }
Tensor log(const Tensor& x) { return unary<Log>(x); }
Tensor log1p(const Tensor& x) { return unary<Log1p>(x); }
Tensor sqrt(const Tensor& x) { return unary<Sqrt>(x); }
Tensor tanh(const Tensor& x) { return unary<Tanh>(x); }
Tensor sigmoid(const Tensor& x) { return unary<Sigmoid>(x); }
Tensor sin(const Tensor& x) { return unary<Sin>(x); }
Tensor cos(const Tensor& x) { return unary<Cos>(x); }

Tensor clip(const Tensor& x, double low, double high) {
  NABLA_CHECK(x.defined(), "clip: the tensor is undefined (default-constructed)");
  NABLA_CHECK(low <= high, "clip: low ", low, " is above high ", high, " (tensor of shape ", x.shape(), ")");
  return map_unary<false>("clip", x, [low, high](const auto& array) {
    using T = typename std::decay_t<decltype(array)>::Scalar;
    return array.max(clip_bound<T>(low, true)).min(clip_bound<T>(high, false));
  });
}

Tensor pow(const Tensor& x, double exponent) {
  if (exponent == 2) return map_unary<true>("pow", x, [](const auto& array) { return array.square(); });
  return map_unary<true>("pow", x, [exponent](const auto& array) {
    using T = typename std::decay_t<decltype(array)>::Scalar;
    return array.binaryExpr(Array<T>::Constant(array.size(), static_cast<T>(exponent)), Exact<PowMath<T>>());
  });
}

Tensor add(const Tensor& a, const Tensor& b) { return binary<Add>(a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return binary<Sub>(a, b); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary<Mul>(a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return binary<Div>(a, b); }
Tensor pow(const Tensor& a, const Tensor& b) { return binary<Pow>(a, b); }
Tensor maximum(const Tensor& a, const Tensor& b) { return binary<Maximum>(a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return binary<Minimum>(a, b); }
Tensor eq(const Tensor& a, const Tensor& b) { return binary<Eq>(a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return binary<Ne>(a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return binary<Lt>(a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return binary<Le>(a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return binary<Gt>(a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return binary<Ge>(a, b); }

Tensor operator-(const Tensor& x) { return neg(x); }
Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }

Tensor operator+(const Tensor& a, double b) { return add(a, scalar_like("add", a, b)); }
Tensor operator-(const Tensor& a, double b) { return sub(a, scalar_like("sub", a, b)); }
Tensor operator*(const Tensor& a, double b) { return mul(a, scalar_like("mul", a, b)); }
Tensor operator/(const Tensor& a, double b) { return div(a, scalar_like("div", a, b)); }
Tensor operator+(double a, const Tensor& b) { return add(scalar_like("add", b, a), b); }
Tensor operator-(double a, const Tensor& b) { return sub(scalar_like("sub", b, a), b); }
Tensor operator*(double a, const Tensor& b) { return mul(scalar_like("mul", b, a), b); }
Tensor operator/(double a, const Tensor& b) { return div(scalar_like("div", b, a), b); }
Tensor operator==(const Tensor& a, double b) { return eq(a, scalar_like("eq", a, b)); }
Tensor operator!=(const Tensor& a, double b) { return ne(a, scalar_like("ne", a, b)); }
Tensor operator<(const Tensor& a, double b) { return lt(a, scalar_like("lt", a, b)); }
Tensor operator<=(const Tensor& a, double b) { return le(a, scalar_like("le", a, b)); }
Tensor operator>(const Tensor& a, double b) { return gt(a, scalar_like("gt", a, b)); }
Tensor operator>=(const Tensor& a, double b) { return ge(a, scalar_like("ge", a, b)); }

Tensor& operator+=(Tensor& a, const Tensor& b) { return binary_in_place<Add>(a, b); }
Tensor& operator-=(Tensor& a, const Tensor& b) { return binary_in_place<Sub>(a, b); }
Tensor& operator*=(Tensor& a, const Tensor& b) { return binary_in_place<Mul>(a, b); }
Tensor& operator/=(Tensor& a, const Tensor& b) { return binary_in_place<Div>(a, b); }
Tensor& operator+=(Tensor& a, double b) { return a += scalar_like("add", a, b); }
Tensor& operator-=(Tensor& a, double b) { return a -= scalar_like("sub", a, b); }
Tensor& operator*=(Tensor& a, double b) { return a *= scalar_like("mul", a, b); }
Tensor& operator/=(Tensor& a, double b) { return a /= scalar_like("div", a, b); }

}  // namespace nabla
