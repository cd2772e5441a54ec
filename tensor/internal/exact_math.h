#ifndef NABLA_TENSOR_INTERNAL_EXACT_MATH_H_
#define NABLA_TENSOR_INTERNAL_EXACT_MATH_H_

// Eigen functors for exp, log, sqrt and pow that keep Eigen's vectorised
// speed but are right at the edges of the domains, for //tensor's
// element-wise ops and the optimisers' own Eigen loops:
//
//   array.unaryExpr(internal::Exact<internal::SqrtMath<float>>())

#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <type_traits>

namespace nabla::internal {

// Eigen 3.4's vectorised exp, log, sqrt and pow are wrong at the edges of
// their domains, where the standard library's (and PyTorch's) are right:
// exp(-inf) is 5.6e-309 in float64, float32's exp(88.5) is inf and its
// subnormal results 0, the log of a subnormal is that of the smallest normal, sqrt(inf) is NaN and a
// subnormal's sqrt 0 (AVX-512), pow(-inf, 3) and pow(-0, -1) are +inf. A
// packet with a lane there (`Math::edge`, of the first operand) is computed
// lane by lane with `Math::exact`, as the tail of an array is.
template <typename Math>
struct Exact {
  using T = typename Math::Scalar;
  template <typename... Xs>
  T operator()(const Xs&... x) const {
    return Math::exact(x...);
  }
  template <typename Packet, typename... Rest>
  Packet packetOp(const Packet& x, const Rest&... rest) const {
    if (EIGEN_PREDICT_FALSE(Eigen::internal::predux_any(Math::edge(x)))) return lane_by_lane(x, rest...);
    return typename Math::Fast().packetOp(x, rest...);
  }
  // Out of line, so that the common path stays a tight loop.
  template <typename Packet, typename... Rest>
  [[gnu::noinline, gnu::cold]] static Packet lane_by_lane(const Packet& x, const Rest&... y) {
    namespace ei = Eigen::internal;
    constexpr int kLanes = ei::unpacket_traits<Packet>::size;
    T xs[kLanes];
    [[maybe_unused]] T ys[kLanes];
    ei::pstoreu(xs, x);
    (ei::pstoreu(ys, y), ...);
    for (int i = 0; i < kLanes; ++i) {
      if constexpr (sizeof...(Rest) == 0) {
        xs[i] = Math::exact(xs[i]);
      } else {
        xs[i] = Math::exact(xs[i], ys[i]);
      }
    }
    return ei::ploadu<Packet>(xs);
  }
};

// Lanes strictly between 0 and the smallest normal: subnormals.
template <typename Packet>
Packet subnormal(const Packet& x) {
  namespace ei = Eigen::internal;
  using T = typename ei::unpacket_traits<Packet>::type;
  return ei::pand(ei::pcmp_lt(ei::pzero(x), x), ei::pcmp_lt(x, ei::pset1<Packet>(std::numeric_limits<T>::min())));
}

template <typename T>
struct ExpMath {
  using Scalar = T;
  using Fast = Eigen::internal::scalar_exp_op<T>;
  static T exact(T x) { return std::exp(x); }
  // Below log(smallest normal), -87.3 in float32 and -708.4 in float64, exp is
  // subnormal or 0; float32's exp above 88.37 (before its overflow at 88.72)
  // was infinite.
  template <typename Packet>
  static Packet edge(const Packet& x) {
    namespace ei = Eigen::internal;
    constexpr bool kFloat = std::is_same_v<T, float>;
    return ei::por(ei::pcmp_lt(x, ei::pset1<Packet>(kFloat ? T(-87) : T(-708))),
                   ei::pcmp_lt(ei::pset1<Packet>(kFloat ? T(88) : T(709)), x));
  }
};

template <typename T>
struct LogMath {
  using Scalar = T;
  using Fast = Eigen::internal::scalar_log_op<T>;
  static T exact(T x) { return std::log(x); }
  template <typename Packet>
  static Packet edge(const Packet& x) {
    return subnormal(x);
  }
};

template <typename T>
struct SqrtMath {
  using Scalar = T;
  using Fast = Eigen::internal::scalar_sqrt_op<T>;
  static T exact(T x) { return std::sqrt(x); }
  template <typename Packet>
  static Packet edge(const Packet& x) {
    namespace ei = Eigen::internal;
    return ei::por(subnormal(x), ei::pcmp_eq(x, ei::pset1<Packet>(std::numeric_limits<T>::infinity())));
  }
};

template <typename T>
struct PowMath {
  using Scalar = T;
  using Fast = Eigen::internal::scalar_pow_op<T, T>;
  static T exact(T x, T y) { return std::pow(x, y); }
  // Bases 0 and ±inf, whose sign an odd exponent keeps.
  template <typename Packet>
  static Packet edge(const Packet& x) {
    namespace ei = Eigen::internal;
    return ei::por(ei::pcmp_eq(x, ei::pzero(x)),
                   ei::pcmp_eq(ei::pabs(x), ei::pset1<Packet>(std::numeric_limits<T>::infinity())));
  }
};

}  // namespace nabla::internal

namespace Eigen::internal {
template <typename Math>
struct functor_traits<nabla::internal::Exact<Math>> {
  enum {
    Cost = functor_traits<typename Math::Fast>::Cost,
    PacketAccess = functor_traits<typename Math::Fast>::PacketAccess,
  };
};
}  // namespace Eigen::internal

#endif  // NABLA_TENSOR_INTERNAL_EXACT_MATH_H_
