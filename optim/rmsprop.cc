#include "optim/rmsprop.h"

#include <utility>

#include "tensor/elementwise.h"

namespace nabla {
namespace optim {

RMSProp::RMSProp(std::vector<Variable> params, RMSPropOptions options)
    : RMSProp(std::vector<ParamGroup>{ParamGroup{std::move(params), {}, {}}}, options) {}

RMSProp::RMSProp(std::vector<ParamGroup> groups, RMSPropOptions options)
    : Optimizer("RMSProp", std::move(groups), options.lr(), options.weight_decay()), options_(options) {
  check_option(options.alpha() >= 0 && options.alpha() <= 1, "alpha", "in [0, 1]", options.alpha());
  check_option(options.eps() > 0, "eps", "> 0", options.eps());
  check_option(options.momentum() >= 0 && options.momentum() < 1, "momentum", "in [0, 1)", options.momentum());
  add_buffer("square_avg");
  if (options.momentum() > 0) add_buffer("momentum_buffer");
  if (options.centered()) add_buffer("grad_avg");
}

void RMSProp::step() {
  const double alpha = options_.alpha();
  const double eps = options_.eps();
  const double momentum = options_.momentum();
  const bool centered = options_.centered();
  for_each_update([&](const Group& group, ParamState& state, Tensor& p, const Tensor& grad) {
    Tensor g = grad;
    if (group.weight_decay != 0) g = g + p * group.weight_decay;
    Tensor& square_avg = state.buffers[0];
    square_avg *= alpha;
    square_avg += square(g) * (1 - alpha);
    Tensor denominator;
    if (centered) {
      Tensor& grad_avg = state.buffers[momentum > 0 ? 2 : 1];
      grad_avg *= alpha;
      grad_avg += g * (1 - alpha);
      denominator = sqrt(square_avg - square(grad_avg)) + eps;
    } else {
      denominator = sqrt(square_avg) + eps;
    }
    if (momentum > 0) {
      Tensor& buffer = state.buffers[1];
      buffer *= momentum;
      buffer += g / denominator;
      p -= buffer * group.lr;
    } else {
      p -= g / denominator * group.lr;
    }
  });
}

}  // namespace optim
}  // namespace nabla
