#include "optim/adam.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <utility>

#include "tensor/elementwise.h"
#include "tensor/internal/exact_math.h"

namespace nabla {
namespace optim {

Adam::Adam(std::vector<Variable> params, AdamOptions options)
    : Adam(std::vector<ParamGroup>{ParamGroup{std::move(params), {}, {}}}, options) {}

Adam::Adam(std::vector<ParamGroup> groups, AdamOptions options) : Adam("Adam", std::move(groups), options, false) {}

Adam::Adam(const char* name, std::vector<ParamGroup> groups, AdamOptions options, bool decoupled_weight_decay)
    : Optimizer(name, std::move(groups), options.lr(), options.weight_decay()),
      options_(options),
      decoupled_weight_decay_(decoupled_weight_decay) {
  const auto [beta1, beta2] = options.betas();
  check_option(beta1 >= 0 && beta1 < 1, "beta1", "in [0, 1)", beta1);
  check_option(beta2 >= 0 && beta2 < 1, "beta2", "in [0, 1)", beta2);
  check_option(options.eps() > 0, "eps", "> 0", options.eps());
  save_param_steps();  // the bias corrections read it
  add_buffer("exp_avg");
  add_buffer("exp_avg_sq");
  if (options.amsgrad()) add_buffer("max_exp_avg_sq");
}

void Adam::step() {
  const auto [beta1, beta2] = options_.betas();
  const double eps = options_.eps();
  const bool amsgrad = options_.amsgrad();
  const bool decoupled = decoupled_weight_decay_;
  for_each_update([&](const Group& group, ParamState& state, Tensor& values, const Tensor& grad) {
    // The scalar factors are computed in double, as PyTorch does in Python.
    const double t = static_cast<double>(state.step);
    const double step_size = group.lr / (1 - std::pow(beta1, t));
    const double bias_correction2_sqrt = std::sqrt(1 - std::pow(beta2, t));
    dispatch_floating("Adam", grad.dtype(), [&](auto tag) {
      using T = decltype(tag);
      // One pass over each block of parameter, gradient and moments: the
      // update as separate tensor ops read and wrote every array ~12 times.
      constexpr std::int64_t kBlock = 1024;
      using Block = Eigen::Array<T, Eigen::Dynamic, 1, 0, kBlock, 1>;
      using Map = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
      using ConstMap = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;
      T* param = values.data<T>();
      const T* g = grad.data<T>();
      T* exp_avg = state.buffers[0].data<T>();
      T* exp_avg_sq = state.buffers[1].data<T>();
      T* max_exp_avg_sq = amsgrad ? state.buffers[2].data<T>() : nullptr;
      const std::int64_t n = grad.numel();
      for (std::int64_t start = 0; start < n; start += kBlock) {
        const std::int64_t length = std::min(kBlock, n - start);
        Map p(param + start, length), m(exp_avg + start, length), v(exp_avg_sq + start, length);
        Block gradient = ConstMap(g + start, length);
        if (group.weight_decay != 0) {
          if (decoupled) {
            p *= static_cast<T>(1 - group.lr * group.weight_decay);
          } else {
            gradient += p * static_cast<T>(group.weight_decay);
          }
        }
        m = m * static_cast<T>(beta1) + gradient * static_cast<T>(1 - beta1);
        v = v * static_cast<T>(beta2) + gradient.square() * static_cast<T>(1 - beta2);
        // Eigen's fast packet sqrt is NaN at inf (x · rsqrt(x)); PyTorch's step is 0 there.
        const auto root = [](const auto& second_moment) {
          return second_moment.unaryExpr(internal::Exact<internal::SqrtMath<T>>());
        };
        if (amsgrad) {
          Map v_max(max_exp_avg_sq + start, length);
          v_max = v_max.max(v);
          p -= m / (root(v_max) / static_cast<T>(bias_correction2_sqrt) + static_cast<T>(eps)) *
               static_cast<T>(step_size);
        } else {
          p -= m / (root(v) / static_cast<T>(bias_correction2_sqrt) + static_cast<T>(eps)) * static_cast<T>(step_size);
        }
      }
    });
  });
}

AdamW::AdamW(std::vector<Variable> params, AdamWOptions options)
    : AdamW(std::vector<ParamGroup>{ParamGroup{std::move(params), {}, {}}}, options) {}

AdamW::AdamW(std::vector<ParamGroup> groups, AdamWOptions options) : Adam("AdamW", std::move(groups), options, true) {}

}  // namespace optim
}  // namespace nabla
