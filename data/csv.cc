#include "data/csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <clocale>
#include <cstdlib>
#include <cstring>
#include <map>

#include "io/file.h"

namespace nabla::data {
namespace {

// Splits CSV text into records of fields, tracking line numbers for messages.
class RecordReader {
 public:
  RecordReader(std::string_view text, char delimiter, const std::string& source)
      : text_(text), delimiter_(delimiter), source_(source) {
    // Spreadsheet programs start UTF-8 CSV files with a byte-order mark.
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  // Reads the next record that is not blank into `fields`; false at the end.
  // `line` receives the line on which the record starts.
  bool next(std::vector<std::string>& fields, std::int64_t& line) {
    while (pos_ < text_.size()) {
      line = line_;
      fields.clear();
      bool any_content = false;
      for (;;) {
        bool quoted = false;
        fields.push_back(read_field(quoted));
        any_content = any_content || quoted || !fields.back().empty();
        if (pos_ < text_.size() && text_[pos_] == delimiter_) {
          any_content = true;
          ++pos_;
          continue;
        }
        if (pos_ < text_.size()) {  // at the '\n' that ends the record
          ++pos_;
          ++line_;
        }
        break;
      }
      if (any_content) return true;
    }
    return false;
  }

 private:
  // '\r' counts as space so that \r\n line ends need no special case.
  bool is_space(char c) const { return (c == ' ' || c == '\t' || c == '\r') && c != delimiter_; }

  std::string read_field(bool& quoted) {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      quoted = true;
      return read_quoted();
    }
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != delimiter_ && text_[pos_] != '\n') ++pos_;
    std::size_t end = pos_;
    while (end > start && is_space(text_[end - 1])) --end;
    return std::string(text_.substr(start, end - start));
  }

  std::string read_quoted() {
    const std::int64_t start_line = line_;
    std::string field;
    ++pos_;  // the opening quote
    for (;;) {
      NABLA_CHECK(pos_ < text_.size(), "csv: '", source_, "' line ", start_line, ": unterminated quoted field");
      const char c = text_[pos_++];
      if (c == '"') {
        if (pos_ < text_.size() && text_[pos_] == '"') {
          field.push_back('"');
          ++pos_;
          continue;
        }
        break;
      }
      if (c == '\n') ++line_;
      field.push_back(c);
    }
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
    NABLA_CHECK(pos_ == text_.size() || text_[pos_] == delimiter_ || text_[pos_] == '\n', "csv: '", source_,
                "' line ", line_, ": unexpected character '", text_[pos_], "' after a closing quote");
    return field;
  }

  std::string_view text_;
  char delimiter_;
  const std::string& source_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 1;
};

enum class FloatField { kOk, kNotANumber, kOutOfRange };

FloatField parse_float(const std::string& field, float& value) {
  const char* first = field.data();
  const char* last = field.data() + field.size();
  // from_chars takes no '+'; CSV writers sometimes emit one.
  if (first != last && *first == '+' && last - first > 1 && first[1] != '-' && first[1] != '+') ++first;
  const auto [end, error] = std::from_chars(first, last, value);
  if (first == last || end != last) return FloatField::kNotANumber;
  if (error == std::errc::result_out_of_range) {
    // from_chars also rejects values too small for a normal float (1e-40,
    // 1e-400), which strtof rounds to a subnormal or 0: round them as it
    // does, in the C locale so a decimal comma elsewhere cannot cut the field.
    static const locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", locale_t(0));
    value = strtof_l(field.c_str(), nullptr, c_locale);
    if (std::isinf(value)) return FloatField::kOutOfRange;
  }
  return std::isfinite(value) ? FloatField::kOk : FloatField::kNotANumber;
}

bool parse_index(const std::string& field, std::int64_t& value) {
  const char* last = field.data() + field.size();
  const auto [end, error] = std::from_chars(field.data(), last, value);
  return !field.empty() && error == std::errc() && end == last && value >= 0;
}

std::string column_name(const std::vector<std::string>& names, std::size_t column) {
  return names.empty() ? "column_" + std::to_string(column) : names[column];
}

float parse_feature(const std::string& field, const std::string& source, std::int64_t line, std::size_t column,
                    const std::vector<std::string>& names) {
  float value = 0;
  const FloatField parsed = parse_float(field, value);
  NABLA_CHECK(parsed == FloatField::kOk, "csv: '", source, "' line ", line, ", column ", column, " ('",
              column_name(names, column), "'): '", field, "' ",
              parsed == FloatField::kOutOfRange ? "is out of range for float32" : "is not a finite number");
  return value;
}

Tensor features_tensor(const std::vector<float>& values, std::int64_t rows, std::int64_t columns) {
  Tensor features({rows, columns}, kFloat32);
  std::copy(values.begin(), values.end(), features.data<float>());
  return features;
}

// Integer labels stay as they are; anything else names classes, numbered
// in sorted order so that the numbering does not depend on row order.
void set_labels(CsvTable& table, const std::vector<std::string>& raw) {
  table.labels = Tensor({static_cast<std::int64_t>(raw.size())}, kInt64);
  std::int64_t* out = table.labels.data<std::int64_t>();
  bool integers = true;
  for (std::size_t i = 0; i < raw.size() && integers; ++i) integers = parse_index(raw[i], out[i]);
  if (integers) return;
  std::map<std::string, std::int64_t> classes;
  for (const std::string& name : raw) classes.emplace(name, 0);
  for (auto& [name, index] : classes) {
    index = static_cast<std::int64_t>(table.class_names.size());
    table.class_names.push_back(name);
  }
  for (std::size_t i = 0; i < raw.size(); ++i) out[i] = classes[raw[i]];
}

std::string join(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "'" : ", '") + name + "'";
  return joined;
}

}  // namespace

CsvTable parse_csv(std::string_view compressed, const std::string& source, const CsvOptions& options) {
  const std::string text = io::maybe_gunzip(std::string(compressed), source, "csv");
  RecordReader reader(text, options.delimiter(), source);
  std::vector<std::string> fields;
  std::int64_t line = 0;
  NABLA_CHECK(reader.next(fields, line), "csv: '", source, "' is empty");

  CsvTable table;
  std::vector<std::string> names;
  if (options.header()) names = fields;
  const std::size_t columns = fields.size();

  std::optional<std::size_t> label;
  if (options.label_name()) {
    NABLA_CHECK(options.header(), "csv: '", source, "': a label column by name ('", *options.label_name(),
                "') needs a header row");
    const auto found = std::find(names.begin(), names.end(), *options.label_name());
    NABLA_CHECK(found != names.end(), "csv: '", source, "' has no column '", *options.label_name(),
                "'; its columns are ", join(names));
    label = static_cast<std::size_t>(found - names.begin());
  } else if (options.label_index()) {
    const std::int64_t index = *options.label_index();
    const auto count = static_cast<std::int64_t>(columns);
    NABLA_CHECK(index >= -count && index < count, "csv: '", source, "': label column ", index,
                " is out of range for ", columns, " columns");
    label = static_cast<std::size_t>(index < 0 ? index + count : index);
  }
  for (std::size_t c = 0; c < columns; ++c) {
    if (c != label) table.feature_names.push_back(column_name(names, c));
  }

  std::vector<float> values;
  std::vector<std::string> raw_labels;
  std::int64_t rows = 0;
  bool have_row = !options.header();  // without a header the first record is data
  while (have_row || reader.next(fields, line)) {
    have_row = false;
    NABLA_CHECK(fields.size() == columns, "csv: '", source, "' line ", line, " has ", fields.size(),
                " fields, expected ", columns, options.header() ? " (as in the header)" : " (as in the first row)");
    for (std::size_t c = 0; c < columns; ++c) {
      if (c == label) {
        raw_labels.push_back(fields[c]);
      } else {
        values.push_back(parse_feature(fields[c], source, line, c, names));
      }
    }
    ++rows;
  }
  NABLA_CHECK(rows > 0, "csv: '", source, "' holds no data rows");
  table.features = features_tensor(values, rows, static_cast<std::int64_t>(table.feature_names.size()));
  if (label) set_labels(table, raw_labels);
  return table;
}

CsvTable load_csv(const std::string& path, const CsvOptions& options) {
  return parse_csv(io::read_file(path, "csv"), path, options);
}

CsvTable parse_sklearn_csv(std::string_view compressed, const std::string& source) {
  const std::string text = io::maybe_gunzip(std::string(compressed), source, "csv");
  RecordReader reader(text, ',', source);
  std::vector<std::string> fields;
  std::int64_t line = 0;
  NABLA_CHECK(reader.next(fields, line), "csv: '", source, "' is empty");
  std::int64_t samples = 0;
  std::int64_t features = 0;
  NABLA_CHECK(fields.size() >= 3 && parse_index(fields[0], samples) && parse_index(fields[1], features) &&
                  features > 0,
              "csv: '", source, "' line ", line,
              ": a scikit-learn CSV starts with 'n_samples,n_features,class names...' (n_features >= 1, at least "
              "one class name)");
  CsvTable table;
  table.class_names.assign(fields.begin() + 2, fields.end());
  const auto classes = static_cast<std::int64_t>(table.class_names.size());
  const auto columns = static_cast<std::size_t>(features) + 1;

  std::vector<float> values;
  std::vector<std::int64_t> labels;
  while (reader.next(fields, line)) {
    NABLA_CHECK(static_cast<std::int64_t>(labels.size()) < samples, "csv: '", source, "' line ", line,
                ": more rows than the ", samples, " announced on line 1");
    NABLA_CHECK(fields.size() == columns, "csv: '", source, "' line ", line, " has ", fields.size(),
                " fields, expected ", columns, " (", features, " features and a label)");
    for (std::size_t c = 0; c + 1 < columns; ++c) {
      values.push_back(parse_feature(fields[c], source, line, c, /*names=*/{}));
    }
    std::int64_t label = 0;
    NABLA_CHECK(parse_index(fields.back(), label) && label < classes, "csv: '", source, "' line ", line,
                ": label '", fields.back(), "' is not an integer in [0, ", classes, ")");
    labels.push_back(label);
  }
  const auto rows = static_cast<std::int64_t>(labels.size());
  NABLA_CHECK(rows == samples, "csv: '", source, "' announces ", samples, " rows on line 1 but holds ", rows);
  NABLA_CHECK(rows > 0, "csv: '", source, "' holds no data rows");
  // Named only now: the rows have shown that the first line's count is real.
  for (std::int64_t c = 0; c < features; ++c) table.feature_names.push_back(column_name({}, c));
  table.features = features_tensor(values, rows, features);
  table.labels = Tensor({rows}, kInt64);
  std::copy(labels.begin(), labels.end(), table.labels.data<std::int64_t>());
  return table;
}

CsvTable load_sklearn_csv(const std::string& path) { return parse_sklearn_csv(io::read_file(path, "csv"), path); }

}  // namespace nabla::data
