#ifndef NABLA_CHECKPOINT_INTERNAL_JSON_STRUCTURE_H_
#define NABLA_CHECKPOINT_INTERNAL_JSON_STRUCTURE_H_

// JSON parsing for the checkpoint readers, stricter than nlohmann's: a
// reader must not silently pick one of two equal keys, nor accept nesting
// that a recursive dump() in an error message would overflow the stack on.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace nabla::checkpoint::internal {

// What a document may be, and how its errors read.
struct JsonLimits {
  // Starts every error message: "load_tensors: 'model.safetensors': ".
  std::string error_prefix;
  // Names the text in errors: "the header".
  const char* subject;
  // What the text should be, for the nesting error: "a safetensors header".
  const char* kind;
  // The deepest nesting of a valid document; the top-level value is depth 1.
  int max_depth;
};

// Parses `text`, throwing nabla::Error when it is not valid JSON, nests
// deeper than `limits.max_depth` or repeats a key within one object.
// Appends the top-level keys to `top_level_keys`, when given, in document
// order (nlohmann::json's objects are sorted maps).
nlohmann::json parse_strict_json(std::string_view text, const JsonLimits& limits,
                                 std::vector<std::string>* top_level_keys = nullptr);

}  // namespace nabla::checkpoint::internal

#endif  // NABLA_CHECKPOINT_INTERNAL_JSON_STRUCTURE_H_
