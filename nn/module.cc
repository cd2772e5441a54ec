#include "nn/module.h"

#include <unordered_set>
#include <vector>

namespace nabla::nn {

Variable Module::forward_without_relu(const Variable&) {
  throw Error(type_name() + ": forward_without_relu on a module whose forward does not end in a ReLU");
}

Variable Module::forward_with_relu(const Variable&) {
  throw Error(type_name() + ": forward_with_relu on a module that cannot take a ReLU into its forward");
}

void Module::check_name(const std::string& name) const {
  NABLA_CHECK(!name.empty() && name.find('.') == std::string::npos, type_name(), ": invalid name '", name,
              "' (names are non-empty and contain no '.')");
  auto taken = [&name](const auto& entries) {
    for (const auto& entry : entries) {
      if (entry.first == name) return true;
    }
    return false;
  };
  NABLA_CHECK(!taken(parameters_) && !taken(buffers_) && !taken(children_), type_name(), ": the name '", name,
              "' is registered twice");
}

void Module::check_child(const std::string& name, const Module* child) const {
  check_name(name);
  NABLA_CHECK(child != nullptr, type_name(), ": module '", name, "' is null");
  // A module inside itself would make every walk over the tree endless.
  // Each module once: a shared (tied) child is reached on several paths.
  std::vector<const Module*> pending{child};
  std::unordered_set<const Module*> seen{child};
  while (!pending.empty()) {
    const Module* module = pending.back();
    pending.pop_back();
    NABLA_CHECK(module != this, type_name(), ": module '", name, "' is or contains this ", type_name(),
                "; a module cannot hold itself");
    for (const auto& entry : module->children_) {
      if (seen.insert(entry.second.get()).second) pending.push_back(entry.second.get());
    }
  }
}

Variable Module::register_parameter(std::string name, Tensor value) {
  check_name(name);
  Variable parameter = nabla::parameter(std::move(value), name);
  parameters_.emplace_back(std::move(name), parameter);
  return parameter;
}

Tensor Module::register_buffer(std::string name, Tensor value) {
  check_name(name);
  buffers_.emplace_back(std::move(name), value);
  return value;
}

template <typename Value>
void Module::collect(std::vector<std::pair<std::string, Value>> Module::*entries, const std::string& prefix,
                     std::unordered_set<const Module*>& seen, std::vector<std::pair<std::string, Value>>& out) const {
  if (!seen.insert(this).second) return;
  for (const auto& [name, value] : this->*entries) out.emplace_back(prefix + name, value);
  for (const auto& [child_name, child] : children_) child->collect(entries, prefix + child_name + ".", seen, out);
}

std::vector<std::pair<std::string, Variable>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Variable>> result;
  std::unordered_set<const Module*> seen;
  collect(&Module::parameters_, "", seen, result);
  return result;
}

std::vector<Variable> Module::parameters() const {
  std::vector<Variable> result;
  for (auto& [name, parameter] : named_parameters()) result.push_back(parameter);
  return result;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers() const {
  std::vector<std::pair<std::string, Tensor>> result;
  std::unordered_set<const Module*> seen;
  collect(&Module::buffers_, "", seen, result);
  return result;
}

std::int64_t Module::parameter_count() const {
  std::int64_t count = 0;
  for (const auto& [name, parameter] : named_parameters()) count += parameter.value().numel();
  return count;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::zero_grad() {
  for (auto& [name, parameter] : named_parameters()) parameter.zero_grad();
}

EvaluationMode::EvaluationMode(Module& module) {
  std::vector<Module*> pending{&module};
  std::unordered_set<const Module*> seen{&module};
  while (!pending.empty()) {
    Module* next = pending.back();
    pending.pop_back();
    modes_.emplace_back(next, next->training_);
    for (const auto& entry : next->children_) {
      if (seen.insert(entry.second.get()).second) pending.push_back(entry.second.get());
    }
  }
  module.eval();
}

EvaluationMode::~EvaluationMode() {
  for (const auto& [module, training] : modes_) module->training_ = training;
}

}  // namespace nabla::nn
