#include "optim/adagrad.h"

#include <utility>

#include "tensor/elementwise.h"

namespace nabla {
namespace optim {

Adagrad::Adagrad(std::vector<Variable> params, AdagradOptions options)
    : Adagrad(std::vector<ParamGroup>{ParamGroup{std::move(params), {}, {}}}, options) {}

Adagrad::Adagrad(std::vector<ParamGroup> groups, AdagradOptions options)
    : Optimizer("Adagrad", std::move(groups), options.lr(), options.weight_decay()), options_(options) {
  check_option(options.lr_decay() >= 0, "lr_decay", ">= 0", options.lr_decay());
  check_option(options.initial_accumulator_value() >= 0, "initial_accumulator_value", ">= 0",
               options.initial_accumulator_value());
  check_option(options.eps() > 0, "eps", "> 0", options.eps());
  save_param_steps();  // the lr decay reads it
  add_buffer("sum", options.initial_accumulator_value());
}

void Adagrad::step() {
  const double lr_decay = options_.lr_decay();
  const double eps = options_.eps();
  for_each_update([&](const Group& group, ParamState& state, Tensor& p, const Tensor& grad) {
    Tensor g = grad;
    if (group.weight_decay != 0) g = g + p * group.weight_decay;
    const double decayed_lr = group.lr / (1 + static_cast<double>(state.step - 1) * lr_decay);
    Tensor& sum = state.buffers[0];
    sum += square(g);
    p -= g / (sqrt(sum) + eps) * decayed_lr;
  });
}

}  // namespace optim
}  // namespace nabla
