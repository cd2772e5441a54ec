#include "checkpoint/checkpoint.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <type_traits>
#include <set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "checkpoint/internal/json_structure.h"
#include "io/file.h"

namespace nabla::checkpoint {
namespace {

constexpr const char* kFormat = "nabla.checkpoint";
// A valid JSON checkpoint nests three deep (see to_json): the top object, a
// tensor's entry, its shape or values.
constexpr int kMaxJsonDepth = 3;

// A tensor of the model that a load writes into: the parameter's or
// buffer's own storage.
struct Target {
  std::string name;
  Tensor destination;
};

std::vector<Target> model_targets(const nn::Module& model) {
  std::vector<Target> targets;
  for (auto& [name, parameter] : model.named_parameters()) {
    targets.push_back({name, parameter.data()});
  }
  for (auto& [name, buffer] : model.named_buffers()) targets.push_back({name, buffer});
  return targets;
}

// "'a', 'b', 'c'", at most `limit` names, then "and N more".
std::string name_list(const std::vector<std::string>& names, std::size_t limit = 5) {
  std::string text;
  for (std::size_t i = 0; i < names.size() && i < limit; ++i) {
    if (i > 0) text += ", ";
    text += "'" + names[i] + "'";
  }
  if (names.size() > limit) text += " and " + std::to_string(names.size() - limit) + " more";
  return text;
}

// Error checks that name the operation and the file.
class FileCheck {
 public:
  FileCheck(const char* op, const std::string& path) : op_(op), path_(path) {}

  template <typename... Parts>
  void operator()(bool ok, const Parts&... parts) const {
    NABLA_CHECK(ok, prefix(), parts...);
  }

  std::string prefix() const { return std::string(op_) + ": '" + path_ + "': "; }

  // The same dtype and shape as the model's tensor.
  void same_layout(const std::string& name, const Tensor& given, const Tensor& expected, const char* owner) const {
    (*this)(given.dtype() == expected.dtype() && given.shape() == expected.shape(), "tensor '", name, "' is ",
            given.dtype(), " ", given.shape(), " in the file, but the ", owner, " has ", expected.dtype(), " ",
            expected.shape());
  }

  // Reports names the owner ("model", "Adam optimizer") expects but the
  // file lacks.
  void none_missing(const std::vector<std::string>& missing, const std::string& owner) const {
    (*this)(missing.empty(), "the file lacks ", missing.size(), " of the ", owner, "'s tensors: ", name_list(missing));
  }

  // Reports names in the file that nothing expects; `owners` is "the model
  // does" or "the model and the optimizer do".
  void none_unexpected(const std::vector<std::string>& unexpected, const char* owners) const {
    (*this)(unexpected.empty(), "the file has ", unexpected.size(), " tensor", unexpected.size() == 1 ? "" : "s",
            " that ", owners, " not have: ", name_list(unexpected));
  }

 private:
  const char* op_;
  const std::string& path_;
};

// ---- JSON export ----

// `value` converted to T, or nothing when it is finite but beyond T's range
// (a cast would be undefined). For float: from FLT_MAX plus half an ulp on,
// a double rounds to infinity.
template <typename T>
std::optional<T> narrow(double value) {
  if constexpr (std::is_same_v<T, double>) {
    return value;
  } else {
    constexpr double kFloatOverflow = 0x1.ffffffp127;
    if (std::isfinite(value) && std::fabs(value) >= kFloatOverflow) return std::nullopt;
    return static_cast<float>(value);
  }
}

// The shortest decimal that reads back (through strtod, as JSON parsers
// do, then a cast to T) to exactly `value`.
template <typename T>
std::string shortest_decimal(T value) {
  if (std::isnan(value)) return "\"NaN\"";
  if (std::isinf(value)) return value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  // "-0" would read back as the integer 0.
  if (value == 0 && std::signbit(value)) return "-0.0";
  char text[40];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, static_cast<double>(value));
    if (narrow<T>(std::strtod(text, nullptr)) == value) break;
  }
  return text;
}

std::string json_string(const std::string& text, const char* op) {
  try {
    return nlohmann::json(text).dump();
  } catch (const nlohmann::json::exception& error) {
    NABLA_CHECK(false, op, ": the name '", text, "' is not valid UTF-8: ", error.what());
  }
  return "";
}

void append_tensor_json(std::string& out, const std::string& name, const Tensor& tensor) {
  out += json_string(name, "checkpoint::to_json");
  out += ": {\"dtype\": \"";
  out += dtype_name(tensor.dtype());
  out += "\", \"shape\": [";
  for (std::size_t i = 0; i < tensor.shape().size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(tensor.shape()[i]);
  }
  out += "], \"values\": [";
  dispatch(tensor.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const std::vector<T> values = tensor.to_vector<T>();
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out += ", ";
      if constexpr (std::is_same_v<T, std::int64_t>) {
        out += std::to_string(values[i]);
      } else {
        out += shortest_decimal(values[i]);
      }
    }
  });
  out += "]}";
}

// One element of a "values" array, checked and converted to T.
template <typename T>
T json_element(const nlohmann::json& value, const FileCheck& check, const std::string& name, std::size_t index) {
  if constexpr (std::is_same_v<T, std::int64_t>) {
    check(value.is_number_integer() &&
              (!value.is_number_unsigned() ||
               value.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())),
          "tensor '", name, "': value ", index, " is ", value.dump(), ", not an int64");
    return value.get<std::int64_t>();
  } else {
    if (value.is_string()) {
      const std::string& text = value.get_ref<const std::string&>();
      if (text == "NaN") return std::numeric_limits<T>::quiet_NaN();
      if (text == "Infinity") return std::numeric_limits<T>::infinity();
      if (text == "-Infinity") return -std::numeric_limits<T>::infinity();
    }
    check(value.is_number(), "tensor '", name, "': value ", index, " is ", value.dump(), ", not a number");
    const std::optional<T> converted = narrow<T>(value.get<double>());
    check(converted.has_value(), "tensor '", name, "': value ", index, " is ", value.dump(), ", out of range for ",
          dtype_of<T>());
    return *converted;
  }
}

}  // namespace

void save(const std::string& path, const nn::Module& model, const optim::Optimizer* optimizer) {
  NamedTensors tensors;
  std::set<std::string> names;
  for (const Target& target : model_targets(model)) {
    NABLA_CHECK(names.insert(target.name).second, "checkpoint::save: '", path, "': the model names '", target.name,
                "' twice");
    tensors.emplace_back(target.name, target.destination);
  }
  if (optimizer != nullptr) {
    for (auto& [name, tensor] : optimizer->state()) {
      const std::string full_name = kOptimizerPrefix + name;
      NABLA_CHECK(names.insert(full_name).second, "checkpoint::save: '", path, "': the model's tensor '", full_name,
                  "' has the name of the optimiser's state '", name, "'");
      tensors.emplace_back(full_name, tensor);
    }
  }
  const std::map<std::string, std::string> metadata = {
      {"format", kFormat},
      {"format_version", kFormatVersion},
      {"optimizer", optimizer != nullptr ? optimizer->name() : "none"},
  };
  io::write_file_atomic(path, serialize_safetensors(tensors, metadata), "checkpoint::save");
}

void load(const std::string& path, nn::Module& model, optim::Optimizer* optimizer) {
  const FileCheck check("checkpoint::load", path);
  const TensorFile file = load_tensors(path);
  const auto version = file.metadata.find("format_version");
  check(version == file.metadata.end() || version->second == kFormatVersion, "format version '",
        version == file.metadata.end() ? "" : version->second, "' is not supported (this build reads version ",
        kFormatVersion, ")");

  std::map<std::string, const Tensor*> given;
  for (const auto& [name, tensor] : file.tensors) given.emplace(name, &tensor);

  // Phase 1: check everything, changing nothing.
  const std::vector<Target> targets = model_targets(model);
  std::vector<const Tensor*> sources;
  std::vector<std::string> missing;
  for (const Target& target : targets) {
    auto found = given.find(target.name);
    if (found == given.end()) {
      missing.push_back(target.name);
      continue;
    }
    check.same_layout(target.name, *found->second, target.destination, "model");
    sources.push_back(found->second);
    given.erase(found);
  }
  check.none_missing(missing, "model");

  optim::NamedTensors optimizer_state;
  if (optimizer != nullptr) {
    const auto saved = file.metadata.find("optimizer");
    if (saved != file.metadata.end()) {
      check(saved->second != "none", "the file holds no optimizer state (it was saved without an optimizer), but ",
            optimizer->name(), " state was asked for");
      check(saved->second == optimizer->name(), "the file holds ", saved->second, " state, but the optimizer is ",
            optimizer->name());
    }
    for (const auto& [name, like] : optimizer->state()) {
      const std::string full_name = kOptimizerPrefix + name;
      auto found = given.find(full_name);
      if (found == given.end()) {
        missing.push_back(full_name);
        continue;
      }
      check.same_layout(full_name, *found->second, like, "optimizer");
      optimizer_state.emplace_back(name, *found->second);
      given.erase(found);
    }
    check.none_missing(missing, optimizer->name() + " optimizer");
  } else {
    // A model-only load ignores the optimiser's state.
    for (auto it = given.begin(); it != given.end();) {
      it = it->first.rfind(kOptimizerPrefix, 0) == 0 ? given.erase(it) : std::next(it);
    }
  }
  std::vector<std::string> unexpected;
  for (const auto& [name, tensor] : file.tensors) {
    if (given.count(name) > 0) unexpected.push_back(name);
  }
  check.none_unexpected(unexpected, optimizer != nullptr ? "the model and the optimizer do" : "the model does");

  // Phase 2: the optimiser checks the values it depends on (counts and
  // learning rates >= 0) and changes nothing when they are wrong, so it goes
  // first; the model's copies below cannot fail.
  if (optimizer != nullptr) {
    try {
      optimizer->load_state(optimizer_state);
    } catch (const Error& error) {
      check(false, error.what());
    }
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    Tensor destination = targets[i].destination;
    destination.copy_(*sources[i]);
  }
}

std::string to_json(const nn::Module& model) {
  std::string out = "{\n";
  const std::vector<Target> targets = model_targets(model);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    append_tensor_json(out, targets[i].name, targets[i].destination);
    out += i + 1 < targets.size() ? ",\n" : "\n";
  }
  out += "}\n";
  return out;
}

void save_json(const std::string& path, const nn::Module& model) {
  io::write_file_atomic(path, to_json(model), "checkpoint::save_json");
}

void load_json(const std::string& path, nn::Module& model) {
  const FileCheck check("checkpoint::load_json", path);
  const std::string text = io::read_file(path, "checkpoint::load_json");
  const nlohmann::json json =
      internal::parse_strict_json(text, {check.prefix(), "the file", "a JSON checkpoint", kMaxJsonDepth});
  check(json.is_object(), "the top level is not an object but ", json.type_name());

  // Phase 1: every tensor read into fresh storage and checked.
  const std::vector<Target> targets = model_targets(model);
  std::vector<Tensor> sources;
  std::vector<std::string> missing;
  std::set<std::string> expected;
  for (const Target& target : targets) {
    expected.insert(target.name);
    const auto found = json.find(target.name);
    if (found == json.end()) {
      missing.push_back(target.name);
      continue;
    }
    const std::string& name = target.name;
    const nlohmann::json& entry = *found;
    check(entry.is_object() && entry.contains("shape") && entry.contains("values"), "tensor '", name,
          "': the entry is not an object with \"shape\" and \"values\"");
    const Tensor& like = target.destination;
    if (entry.contains("dtype")) {
      const nlohmann::json& dtype = entry.at("dtype");
      check(dtype.is_string() && dtype.get_ref<const std::string&>() == dtype_name(like.dtype()), "tensor '", name,
            "' is ", dtype.dump(), " in the file, but the model has ", like.dtype());
    }
    const nlohmann::json& shape = entry.at("shape");
    check(shape.is_array(), "tensor '", name, "': \"shape\" is not an array but ", shape.type_name());
    Shape file_shape;
    for (const nlohmann::json& size : shape) {
      check(size.is_number_integer() && size.get<std::int64_t>() >= 0 &&
                (!size.is_number_unsigned() ||
                 size.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())),
            "tensor '", name, "': \"shape\" ", shape.dump(), " is not a list of sizes");
      file_shape.push_back(size.get<std::int64_t>());
    }
    check(file_shape == like.shape(), "tensor '", name, "' is ", file_shape, " in the file, but the model has ",
          like.shape());
    const nlohmann::json& values = entry.at("values");
    check(values.is_array() && values.size() == static_cast<std::size_t>(like.numel()), "tensor '", name,
          "': \"values\" is not an array of ", like.numel(), " numbers (shape ", like.shape(), ")");
    Tensor source(like.shape(), like.dtype());
    dispatch(like.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T* out = source.data<T>();
      for (std::size_t i = 0; i < values.size(); ++i) out[i] = json_element<T>(values[i], check, name, i);
    });
    sources.push_back(std::move(source));
  }
  std::vector<std::string> unexpected;
  for (const auto& [name, entry] : json.items()) {
    if (expected.count(name) == 0) unexpected.push_back(name);
  }
  check.none_missing(missing, "model");
  check.none_unexpected(unexpected, "the model does");

  // Phase 2: copy in.
  for (std::size_t i = 0; i < targets.size(); ++i) {
    Tensor destination = targets[i].destination;
    destination.copy_(sources[i]);
  }
}

}  // namespace nabla::checkpoint
