#include "optim/adadelta.h"

#include <utility>

#include "tensor/elementwise.h"

namespace nabla {
namespace optim {

Adadelta::Adadelta(std::vector<Variable> params, AdadeltaOptions options)
    : Adadelta(std::vector<ParamGroup>{ParamGroup{std::move(params), {}, {}}}, options) {}

Adadelta::Adadelta(std::vector<ParamGroup> groups, AdadeltaOptions options)
    : Optimizer("Adadelta", std::move(groups), options.lr(), options.weight_decay()), options_(options) {
  check_option(options.rho() >= 0 && options.rho() <= 1, "rho", "in [0, 1]", options.rho());
  check_option(options.eps() > 0, "eps", "> 0", options.eps());
  add_buffer("square_avg");
  add_buffer("acc_delta");
}

void Adadelta::step() {
  const double rho = options_.rho();
  const double eps = options_.eps();
  for_each_update([&](const Group& group, ParamState& state, Tensor& p, const Tensor& grad) {
    Tensor g = grad;
    if (group.weight_decay != 0) g = g + p * group.weight_decay;
    Tensor& square_avg = state.buffers[0];
    Tensor& acc_delta = state.buffers[1];
    square_avg *= rho;
    square_avg += square(g) * (1 - rho);
    // PyTorch's order: delta = sqrt(u + eps) / sqrt(v + eps) * g.
    const Tensor delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g;
    acc_delta *= rho;
    acc_delta += square(delta) * (1 - rho);
    p -= delta * group.lr;
  });
}

}  // namespace optim
}  // namespace nabla
