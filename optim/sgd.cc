#include "optim/sgd.h"

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
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
    const Tensor dense_grad = grad.contiguous();
    dispatch_floating("SGD", dense_grad.dtype(), [&](auto tag) {
      using T = decltype(tag);
      // One pass per block over parameter, gradient and momentum buffer, the
      // options tested once per block so that the block's expressions
      // vectorise: tested per element, the loop ran scalar (29% of a small
      // MLP's training step).
      constexpr std::int64_t kBlock = 1024;
      using Block = Eigen::Array<T, Eigen::Dynamic, 1, 0, kBlock, 1>;
      using Map = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
      using ConstMap = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;
      T* param = state.param.data().template data<T>();
      const T* g = dense_grad.data<T>();
      T* buffer = momentum != 0 ? state.buffers[0].data<T>() : nullptr;
      const bool first = state.step == 1;  // the first update starts the buffer
      const T decay = static_cast<T>(group.weight_decay), lr = static_cast<T>(group.lr);
      const T mu = static_cast<T>(momentum), keep = static_cast<T>(1 - dampening);
      const std::int64_t n = dense_grad.numel();
      const std::int64_t blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (n >= (1 << 16))
      for (std::int64_t b = 0; b < blocks; ++b) {
        const std::int64_t start = b * kBlock;
        const std::int64_t length = std::min(kBlock, n - start);
        Map p(param + start, length);
        Block step = ConstMap(g + start, length);
        if (decay != 0) step += p * decay;
        if (buffer != nullptr) {
          Map velocity(buffer + start, length);
          if (first) {
            velocity = step;
          } else {
            velocity = velocity * mu + step * keep;
          }
          if (nesterov) {
            step += velocity * mu;
          } else {
            step = velocity;
          }
        }
        p -= step * lr;
      }
    });
  });
}

}  // namespace optim
}  // namespace nabla
