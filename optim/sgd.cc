#include "optim/sgd.h"

#include <utility>

#include "tensor/elementwise.h"

namespace nabla {
namespace optim {

SGD::SGD(std::vector<Variable> params, SGDOptions options)
    : SGD(std::vector<ParamGroup>{ParamGroup{std::move(params), {}, {}}}, options) {}

SGD::SGD(std::vector<ParamGroup> groups, SGDOptions options)
    : Optimizer("SGD", std::move(groups), options.lr(), options.weight_decay()), options_(options) {
  const double momentum = options.momentum();
  const double dampening = options.dampening();
  check_option(momentum >= 0 && momentum < 1, "momentum", "in [0, 1)", momentum);
  check_option(dampening >= 0 && dampening <= 1, "dampening", "in [0, 1]", dampening);
  NABLA_CHECK(!options.nesterov() || (momentum > 0 && dampening == 0),
              "SGD: nesterov needs momentum > 0 and dampening 0, got momentum ", momentum, " and dampening ",
              dampening);
  if (momentum != 0) {
    save_param_steps();  // the first update starts the buffer
    add_buffer("momentum_buffer");
  }
}

void SGD::step() {
  const double momentum = options_.momentum();
  const double dampening = options_.dampening();
  const bool nesterov = options_.nesterov();
  for_each_update([&](const Group& group, ParamState& state, const Tensor& grad) {
    Tensor g = grad;
    if (group.weight_decay != 0) g = g + state.param.value() * group.weight_decay;
    if (momentum != 0) {
      Tensor& buffer = state.buffers[0];
      if (state.step == 1) {
        buffer.copy_(g);
      } else {
        buffer *= momentum;
        buffer += g * (1 - dampening);
      }
      g = nesterov ? g + buffer * momentum : buffer;
    }
    Tensor p = state.param.data();
    p -= g * group.lr;
  });
}

}  // namespace optim
}  // namespace nabla
