#ifndef NABLA_OPTIM_OPTIMIZER_H_
#define NABLA_OPTIM_OPTIMIZER_H_

/// Optimizer: the base of every optimiser in //optim (sgd.h, adam.h,
/// rmsprop.h, adagrad.h, adadelta.h).
///
/// An optimiser holds parameter groups. Each group has its own learning rate
/// and weight decay (unset: the optimiser's default from its options). step()
/// updates every parameter whose grad() is defined, in place on
/// `param.data()` and under NoGradGuard; parameters without a gradient are
/// skipped and their state is left as it is. Per-parameter state (momentum
/// buffers, exp_avg, ...) is allocated once, at construction, with the
/// parameter's shape and dtype (float32 or float64).
///
///   Variable w = parameter(zeros({784, 10}), "w");
///   Variable b = parameter(zeros({10}), "b");
///   SGD sgd({ParamGroup{{w}}, ParamGroup{{b}, /*lr=*/0.01, /*weight_decay=*/0.0}},
///           SGDOptions(0.1).momentum(0.9).weight_decay(1e-4));
///   for (...) {
///     sgd.zero_grad();
///     loss(w, b).backward();
///     sgd.step();
///   }
///
/// Constructors throw nabla::Error, naming the optimiser and the value, for
/// an empty parameter list or group, a parameter listed twice, an undefined,
/// non-float or non-leaf parameter, a parameter that is a broadcast view, and
/// a negative lr or weight decay.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/variable.h"
#include "tensor/tensor.h"

namespace nabla {
namespace optim {

/// Parameters that share a learning rate and weight decay. An unset lr or
/// weight_decay takes the optimiser's default (from its options).
struct ParamGroup {
  ParamGroup() = default;
  /// ParamGroup{{w, b}}, ParamGroup{{w}, 0.01}, ParamGroup{{b}, {}, 0.0}.
  ParamGroup(std::vector<Variable> params, std::optional<double> lr = std::nullopt,  // NOLINT: braces convert
             std::optional<double> weight_decay = std::nullopt)
      : params(std::move(params)), lr(lr), weight_decay(weight_decay) {}

  std::vector<Variable> params;
  std::optional<double> lr;
  std::optional<double> weight_decay;
};

/// Named tensors of a checkpoint, in a fixed order.
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Optimizer {
 public:
  virtual ~Optimizer();
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  /// Updates every parameter that has a gradient, then counts the step.
  virtual void step() = 0;

  /// Calls zero_grad() on every parameter: their grad() becomes undefined.
  void zero_grad();

  /// "SGD", "Adam", ...: the name errors use.
  const std::string& name() const { return name_; }
  std::size_t num_groups() const { return groups_.size(); }
  /// The parameters of a group, in the order given. Throws for a bad index.
  std::vector<Variable> params(std::size_t group = 0) const;

  /// The current learning rate of a group. Throws for a bad index.
  double learning_rate(std::size_t group = 0) const;
  /// The learning rate the group was constructed with.
  double base_learning_rate(std::size_t group = 0) const;
  double weight_decay(std::size_t group = 0) const;
  /// Sets one group's learning rate. Throws for a bad index, or a negative
  /// or non-finite lr.
  void set_learning_rate(std::size_t group, double lr);

  /// The number of step() calls.
  std::int64_t steps() const { return steps_; }

  /// A snapshot (copies) of the state, for checkpoints:
  ///   "step"                     0-d int64: steps()
  ///   "group0.lr"                0-d float64: the group's current lr
  ///   "group0.param3.step"       0-d int64: updates of that parameter (optimisers that use it)
  ///   "group0.param3.exp_avg"    the parameter's shape and dtype
  /// Parameter values are not included.
  NamedTensors state() const;
  /// Restores a state() of an optimiser built the same way. Checks that the
  /// names are exactly those of state() and each tensor's shape and dtype,
  /// and throws nabla::Error naming the tensor otherwise, leaving this
  /// optimiser unchanged. The tensors are copied in.
  void load_state(const NamedTensors& state);

 protected:
  /// Everything step() knows about one parameter.
  struct ParamState {
    Variable param;
    /// Updates applied to this parameter (it is skipped while it has no grad).
    std::int64_t step = 0;
    /// The state tensors, in the order of add_buffer calls.
    std::vector<Tensor> buffers;
  };
  struct Group {
    std::vector<ParamState> params;
    double base_lr = 0;
    double lr = 0;
    double weight_decay = 0;
  };

  /// Checks the groups (see the class comment) and fills unset lr and
  /// weight_decay with the defaults.
  Optimizer(std::string name, std::vector<ParamGroup> groups, double default_lr, double default_weight_decay);

  /// Gives every parameter one more state tensor, named `name` in state(),
  /// of the parameter's shape and dtype and filled with `initial_value`.
  /// Call from the derived constructor.
  void add_buffer(const std::string& name, double initial_value = 0.0);
  /// Lists every parameter's step in state() (for optimisers whose update
  /// reads it). Call from the derived constructor.
  void save_param_steps() { save_param_steps_ = true; }

  /// The body of step(): under NoGradGuard, for every parameter with a
  /// gradient, increments its step and calls
  /// update(group, state, values, grad), where values and grad are the
  /// parameter's values and gradient as dense row-major arrays, the layout
  /// of its buffers, so that an update may index raw memory: the values are
  /// the parameter's own tensor when it is stored so, else a copy written
  /// back after (a parameter may be a strided view). Then counts the step.
  /// Throws, before updating anything, when a gradient's shape or dtype
  /// differs from its parameter's.
  using Update = std::function<void(const Group&, ParamState&, Tensor& values, const Tensor& grad)>;
  void for_each_update(const Update& update);

  /// Throws nabla::Error "<name>: <what> must be <rule>, got <value>" unless ok.
  void check_option(bool ok, const char* what, const char* rule, double value) const;

 private:
  std::string name_;
  std::vector<Group> groups_;
  std::vector<std::string> buffer_names_;
  bool save_param_steps_ = false;
  std::int64_t steps_ = 0;
};

}  // namespace optim
}  // namespace nabla

#endif  // NABLA_OPTIM_OPTIMIZER_H_
