#include "nn/sequential.h"

#include <iomanip>
#include <sstream>

#include "nn/layers.h"

namespace nabla::nn {

Sequential::Sequential(const std::vector<std::shared_ptr<Module>>& modules) {
  for (const auto& module : modules) add(module);
}

Sequential& Sequential::add(std::shared_ptr<Module> module) {
  NABLA_CHECK(module != nullptr, "Sequential: cannot add a null module");
  register_module(std::to_string(size()), std::move(module));
  return *this;
}

Variable Sequential::forward(const Variable& input) {
  const auto& layers = children();
  Variable x = input;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    Module& layer = *layers[i].second;
    Module* next = i + 1 < layers.size() ? layers[i + 1].second.get() : nullptr;
    auto* pool = dynamic_cast<MaxPool2D*>(next);
    // A ReLU layer with a MaxPool2D after it goes into the pooling, whose
    // backward masks for free, where a Conv2D's would take a pass.
    const bool relu_before_pool = next != nullptr && next->is_relu() && i + 2 < layers.size() &&
                                  dynamic_cast<MaxPool2D*>(layers[i + 2].second.get()) != nullptr;
    if (pool != nullptr && layer.ends_in_relu()) {
      x = pool->forward_after_relu(layer.forward_without_relu(x));
      ++i;
    } else if (next != nullptr && next->is_relu() && !relu_before_pool && layer.absorbs_relu()) {
      x = layer.forward_with_relu(x);
      ++i;
    } else {
      x = layer.forward(x);
    }
  }
  return x;
}

std::string summary(Module& model, const Shape& sample_shape, DType dtype) {
  const EvaluationMode evaluation(model);
  struct Row {
    std::string layer, shape;
    std::int64_t parameters;
  };
  std::vector<Row> rows;
  auto shape_text = [](Shape shape) {
    if (!shape.empty()) shape[0] = -1;  // the batch; a scalar output has none
    std::ostringstream out;
    out << shape;
    return out.str();
  };
  {
    NoGradGuard no_grad;
    Shape batch_shape{1};
    batch_shape.insert(batch_shape.end(), sample_shape.begin(), sample_shape.end());
    Variable x(zeros(batch_shape, dtype));
    if (auto* sequential = dynamic_cast<Sequential*>(&model)) {
      for (const auto& [name, child] : sequential->children()) {
        x = child->forward(x);
        const std::string description = child->describe();
        rows.push_back({name + " " + child->type_name() + (description.empty() ? "" : " (" + description + ")"),
                        shape_text(x.shape()), child->parameter_count()});
      }
    } else {
      x = model.forward(x);
      rows.push_back({model.type_name(), shape_text(x.shape()), model.parameter_count()});
    }
  }
  std::ostringstream out;
  out << std::left << std::setw(48) << "Layer" << std::setw(22) << "Output shape" << std::right << std::setw(12)
      << "Params" << "\n"
      << std::string(82, '=') << "\n";
  for (const Row& row : rows) {
    out << std::left << std::setw(48) << row.layer << std::setw(22) << row.shape << std::right << std::setw(12)
        << row.parameters << "\n";
  }
  out << std::string(82, '=') << "\nTotal params: " << model.parameter_count() << "\n";
  return out.str();
}

}  // namespace nabla::nn
