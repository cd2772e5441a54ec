#include "optim/adam.h"

#include <cmath>
#include <utility>

#include "tensor/elementwise.h"

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
  for_each_update([&](const Group& group, ParamState& state, const Tensor& grad) {
    Tensor p = state.param.data();
    Tensor g = grad;
    if (group.weight_decay != 0) {
      if (decoupled) {
        p *= 1 - group.lr * group.weight_decay;
      } else {
        g = g + p * group.weight_decay;
      }
    }
    Tensor& exp_avg = state.buffers[0];
    Tensor& exp_avg_sq = state.buffers[1];
    exp_avg *= beta1;
    exp_avg += g * (1 - beta1);
    exp_avg_sq *= beta2;
    exp_avg_sq += square(g) * (1 - beta2);

    // The scalar factors are computed in double, as PyTorch does in Python.
    const double t = static_cast<double>(state.step);
    const double bias_correction1 = 1 - std::pow(beta1, t);
    const double bias_correction2 = 1 - std::pow(beta2, t);
    const double step_size = group.lr / bias_correction1;
    const double bias_correction2_sqrt = std::sqrt(bias_correction2);
    Tensor second_moment = exp_avg_sq;
    if (amsgrad) {
      Tensor& max_exp_avg_sq = state.buffers[2];
      max_exp_avg_sq.copy_(maximum(max_exp_avg_sq, exp_avg_sq));
      second_moment = max_exp_avg_sq;
    }
    Tensor denominator = sqrt(second_moment) / bias_correction2_sqrt + eps;
    p -= exp_avg / denominator * step_size;
  });
}

AdamW::AdamW(std::vector<Variable> params, AdamWOptions options)
    : AdamW(std::vector<ParamGroup>{ParamGroup{std::move(params), {}, {}}}, options) {}

AdamW::AdamW(std::vector<ParamGroup> groups, AdamWOptions options) : Adam("AdamW", std::move(groups), options, true) {}

}  // namespace optim
}  // namespace nabla
