#include "checkpoint/internal/json_structure.h"

#include <set>

#include "tensor/error.h"

namespace nabla::checkpoint::internal {
namespace {

using Json = nlohmann::json;

// A first pass over the text, building nothing: checks the limits before
// the second pass, whose memory the depth limit also bounds.
class StructureCheck : public nlohmann::json_sax<Json> {
 public:
  StructureCheck(const JsonLimits& limits, std::vector<std::string>* top_level_keys)
      : limits_(limits), top_level_keys_(top_level_keys) {}

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    enter();
    keys_.emplace_back();
    return true;
  }
  bool end_object() override {
    keys_.pop_back();
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    enter();
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool key(string_t& key) override {
    NABLA_CHECK(keys_.back().insert(key).second, limits_.error_prefix, limits_.subject, " names '", key, "' twice",
                depth_ == 1 ? "" : " within one entry");
    if (depth_ == 1 && top_level_keys_ != nullptr) top_level_keys_->push_back(key);
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::json::exception& error) override {
    NABLA_CHECK(false, limits_.error_prefix, limits_.subject, " is not valid JSON: ", error.what());
    return false;
  }

 private:
  void enter() {
    ++depth_;
    NABLA_CHECK(depth_ <= limits_.max_depth, limits_.error_prefix, limits_.subject, " nests JSON deeper than ",
                limits_.kind, " (depth ", depth_, ")");
  }

  const JsonLimits& limits_;
  std::vector<std::string>* top_level_keys_;
  std::vector<std::set<std::string>> keys_;
  int depth_ = 0;
};

}  // namespace

// Two passes: nlohmann's parser with a callback would have done both in
// one, but it rescans an object's members at each object's end, which is
// quadratic in the number of tensors.
Json parse_strict_json(std::string_view text, const JsonLimits& limits, std::vector<std::string>* top_level_keys) {
  StructureCheck check(limits, top_level_keys);
  Json::sax_parse(text.begin(), text.end(), &check);
  // The first pass threw on any syntax error, so this one cannot throw.
  return Json::parse(text.begin(), text.end());
}

}  // namespace nabla::checkpoint::internal
