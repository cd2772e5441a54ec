#include "optim/optimizer.h"

#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "tensor/error.h"

namespace nabla {
namespace optim {
namespace {

// "parameter 1 of group 0 ('w')": parameters are often unnamed.
std::string describe(std::size_t group, std::size_t index, const Variable& param) {
  std::string text = internal::concat_message("parameter ", index, " of group ", group);
  if (param.defined() && !param.name().empty()) text += " ('" + param.name() + "')";
  return text;
}

std::string prefix(std::size_t group, std::size_t index) {
  return internal::concat_message("group", group, ".param", index, ".");
}

// Counts are saved and loaded as int64 directly: scalar() and item() go
// through double, which rounds above 2^53 and cannot hold 2^63 - 1.
Tensor count_tensor(std::int64_t count) { return from_vector(std::vector<std::int64_t>{count}, {}); }
std::int64_t count_of(const Tensor& count) { return count.to_vector<std::int64_t>()[0]; }

}  // namespace

Optimizer::Optimizer(std::string name, std::vector<ParamGroup> groups, double default_lr, double default_weight_decay)
    : name_(std::move(name)) {
  check_option(default_lr >= 0, "lr", ">= 0", default_lr);
  check_option(default_weight_decay >= 0, "weight_decay", ">= 0", default_weight_decay);
  std::size_t total = 0;
  for (const ParamGroup& group : groups) total += group.params.size();
  NABLA_CHECK(total > 0, name_, ": got an empty parameter list");
  // Where each parameter was first seen, to report a repeat by both places.
  std::unordered_map<const internal::Node*, std::pair<std::size_t, std::size_t>> seen;
  groups_.reserve(groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    ParamGroup& given = groups[g];
    NABLA_CHECK(!given.params.empty(), name_, ": parameter group ", g, " is empty");
    Group group;
    group.base_lr = group.lr = given.lr.value_or(default_lr);
    group.weight_decay = given.weight_decay.value_or(default_weight_decay);
    NABLA_CHECK(group.lr >= 0, name_, ": lr must be >= 0, got ", group.lr, " for group ", g);
    NABLA_CHECK(group.weight_decay >= 0, name_, ": weight_decay must be >= 0, got ", group.weight_decay, " for group ",
                g);
    for (std::size_t i = 0; i < given.params.size(); ++i) {
      Variable& param = given.params[i];
      NABLA_CHECK(param.defined(), name_, ": ", describe(g, i, param), " is undefined (default-constructed)");
      NABLA_CHECK(std::string_view(param.op()) == "leaf", name_, ": ", describe(g, i, param),
                  " is not a leaf: it is the result of '", param.op(), "'; optimise the leaves it comes from");
      NABLA_CHECK(is_floating(param.dtype()), name_, ": ", describe(g, i, param), " is ", param.dtype(),
                  "; only float32 and float64 parameters can be optimised");
      // step() writes each element in place: a broadcast view's repeats share memory and copy_ would throw
      // half-way through a step, after other parameters and this one's state were updated.
      const Tensor& value = param.value();
      for (int axis = 0; axis < value.rank(); ++axis) {
        NABLA_CHECK(value.strides()[axis] != 0 || value.shape()[axis] <= 1, name_, ": ", describe(g, i, param),
                    " is a broadcast view (shape ", value.shape(), ", strides ", value.strides(),
                    "): its elements share memory; optimise a clone()");
      }
      const auto [where, fresh] = seen.try_emplace(param.node().get(), g, i);
      NABLA_CHECK(fresh, name_, ": ", describe(g, i, param), " is listed twice: it is also ",
                  describe(where->second.first, where->second.second, param));
      ParamState state;
      state.param = std::move(param);
      group.params.push_back(std::move(state));
    }
    groups_.push_back(std::move(group));
  }
}

Optimizer::~Optimizer() = default;

void Optimizer::check_option(bool ok, const char* what, const char* rule, double value) const {
  NABLA_CHECK(ok, name_, ": ", what, " must be ", rule, ", got ", value);
}

void Optimizer::add_buffer(const std::string& name, double initial_value) {
  buffer_names_.push_back(name);
  for (Group& group : groups_) {
    for (ParamState& state : group.params) {
      state.buffers.push_back(full(state.param.shape(), initial_value, state.param.dtype()));
    }
  }
}

void Optimizer::zero_grad() {
  for (Group& group : groups_) {
    for (ParamState& state : group.params) state.param.zero_grad();
  }
}

std::vector<Variable> Optimizer::params(std::size_t group) const {
  NABLA_CHECK(group < groups_.size(), name_, ": params: group ", group, " out of range for ", groups_.size(),
              " groups");
  std::vector<Variable> result;
  result.reserve(groups_[group].params.size());
  for (const ParamState& state : groups_[group].params) result.push_back(state.param);
  return result;
}

double Optimizer::learning_rate(std::size_t group) const {
  NABLA_CHECK(group < groups_.size(), name_, ": learning_rate: group ", group, " out of range for ", groups_.size(),
              " groups");
  return groups_[group].lr;
}

double Optimizer::base_learning_rate(std::size_t group) const {
  NABLA_CHECK(group < groups_.size(), name_, ": base_learning_rate: group ", group, " out of range for ",
              groups_.size(), " groups");
  return groups_[group].base_lr;
}

double Optimizer::weight_decay(std::size_t group) const {
  NABLA_CHECK(group < groups_.size(), name_, ": weight_decay: group ", group, " out of range for ", groups_.size(),
              " groups");
  return groups_[group].weight_decay;
}

void Optimizer::set_learning_rate(std::size_t group, double lr) {
  NABLA_CHECK(group < groups_.size(), name_, ": set_learning_rate: group ", group, " out of range for ", groups_.size(),
              " groups");
  NABLA_CHECK(lr >= 0 && std::isfinite(lr), name_, ": set_learning_rate: lr must be >= 0 and finite, got ", lr,
              " (group ", group, ")");
  groups_[group].lr = lr;
}

void Optimizer::for_each_update(const Update& update) {
  // Checks every gradient and count first, so that a bad one leaves all
  // parameters as they were. A loaded count may be the last int64 holds.
  constexpr std::int64_t kLastCount = std::numeric_limits<std::int64_t>::max();
  NABLA_CHECK(steps_ < kLastCount, name_, ": step: the step count ", steps_, " is the last int64 holds");
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    for (std::size_t i = 0; i < groups_[g].params.size(); ++i) {
      const ParamState& state = groups_[g].params[i];
      const Variable& param = state.param;
      const Tensor& grad = param.grad();
      NABLA_CHECK(!grad.defined() || (grad.shape() == param.shape() && grad.dtype() == param.dtype()), name_, ": ",
                  describe(g, i, param), " is ", param.dtype(), " ", param.shape(), " but its gradient is ",
                  grad.dtype(), " ", grad.shape());
      NABLA_CHECK(!grad.defined() || state.step < kLastCount, name_, ": step: the step count of ",
                  describe(g, i, param), ", ", state.step, ", is the last int64 holds");
    }
  }
  NoGradGuard no_grad;
  for (Group& group : groups_) {
    for (ParamState& state : group.params) {
      const Tensor& grad = state.param.grad();
      if (!grad.defined()) continue;
      ++state.step;
      const Tensor dense_grad = grad.contiguous();
      Tensor& values = state.param.data();
      if (values.is_contiguous()) {
        update(group, state, values, dense_grad);
      } else {
        Tensor dense = values.contiguous();
        update(group, state, dense, dense_grad);
        values.copy_(dense);
      }
    }
  }
  ++steps_;
}

NamedTensors Optimizer::state() const {
  NamedTensors result;
  result.emplace_back("step", count_tensor(steps_));
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    result.emplace_back(internal::concat_message("group", g, ".lr"), scalar(groups_[g].lr, kFloat64));
  }
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const Group& group = groups_[g];
    for (std::size_t i = 0; i < group.params.size(); ++i) {
      const ParamState& state = group.params[i];
      if (save_param_steps_) {
        result.emplace_back(prefix(g, i) + "step", count_tensor(state.step));
      }
      for (std::size_t b = 0; b < buffer_names_.size(); ++b) {
        result.emplace_back(prefix(g, i) + buffer_names_[b], state.buffers[b].clone());
      }
    }
  }
  return result;
}

void Optimizer::load_state(const NamedTensors& state) {
  // Checks everything against this optimiser's own layout before changing
  // anything, so a failed load leaves the optimiser as it was.
  const NamedTensors expected = this->state();
  std::unordered_map<std::string, const Tensor*> given;
  for (const auto& [name, tensor] : state) {
    NABLA_CHECK(given.emplace(name, &tensor).second, name_, ": load_state: tensor '", name, "' appears twice");
  }
  std::vector<const Tensor*> sources;
  sources.reserve(expected.size());
  for (std::size_t k = 0; k < expected.size(); ++k) {
    const auto& [name, like] = expected[k];
    auto found = given.find(name);
    NABLA_CHECK(found != given.end(), name_, ": load_state: tensor '", name, "' is missing");
    const Tensor& source = *found->second;
    NABLA_CHECK(source.defined(), name_, ": load_state: tensor '", name, "' is undefined");
    NABLA_CHECK(source.shape() == like.shape() && source.dtype() == like.dtype(), name_, ": load_state: tensor '", name,
                "' is ", source.dtype(), " ", source.shape(), ", expected ", like.dtype(), " ", like.shape());
    // Entry 0 and the per-parameter "step"s are counts; entries 1..groups are lrs.
    if (like.dtype() == kInt64) {
      NABLA_CHECK(count_of(source) >= 0, name_, ": load_state: tensor '", name, "' must be >= 0, got ",
                  count_of(source));
    } else if (k >= 1 && k <= groups_.size()) {
      NABLA_CHECK(source.item() >= 0 && std::isfinite(source.item()), name_, ": load_state: tensor '", name,
                  "' must be >= 0 and finite, got ", source.item());
    }
    given.erase(found);
    sources.push_back(&source);
  }
  if (!given.empty()) {
    // Report the first unexpected name in the caller's order.
    for (const auto& [name, tensor] : state) {
      NABLA_CHECK(given.count(name) == 0, name_, ": load_state: unexpected tensor '", name,
                  "'; the optimiser has no state of that name");
    }
  }

  // Same order as state(): "step", the groups' lrs, then every parameter.
  std::size_t next = 0;
  steps_ = count_of(*sources[next++]);
  for (Group& group : groups_) group.lr = sources[next++]->item();
  for (Group& group : groups_) {
    for (ParamState& param : group.params) {
      if (save_param_steps_) param.step = count_of(*sources[next++]);
      for (Tensor& buffer : param.buffers) buffer.copy_(*sources[next++]);
    }
  }
}

}  // namespace optim
}  // namespace nabla
