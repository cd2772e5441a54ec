#ifndef NABLA_DATA_CSV_H_
#define NABLA_DATA_CSV_H_

/// Numeric CSV tables with a label column, and scikit-learn's CSV layout.
///
/// Fields are separated by a delimiter; a field in double quotes may hold
/// delimiters, newlines and "" for a quote. Surrounding spaces are ignored,
/// \r\n line ends and blank lines are accepted. Files may be gzip-compressed.
///
/// Every feature field must be a finite number within float32's range (as
/// with strtof, values too small become 0 or subnormal). The label column may hold
/// non-negative integers, which are the labels as they are, or anything
/// else, which are class names: the labels are then indices into their
/// sorted list `class_names`.
///
///   CsvTable iris = load_csv("iris.csv", CsvOptions().label_name("species"));
///   // iris.features: float32 [150, 4]; iris.labels: int64 [150];
///   // iris.class_names: {"setosa", "versicolor", "virginica"}
///
/// Errors (nabla::Error) name the file, the line and the column: an empty
/// file, no data rows, a ragged row, a field that is not a number, an
/// unterminated quote, a label column that does not exist.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tensor/tensor.h"

namespace nabla::data {

struct CsvTable {
  Tensor features;  ///< float32 [rows, columns other than the label]
  Tensor labels;    ///< int64 [rows]; undefined without a label column
  std::vector<std::string> feature_names;  ///< from the header, else "column_<i>"
  std::vector<std::string> class_names;    ///< empty when the labels are integers in the file
};

class CsvOptions {
 public:
  /// The first row names the columns (default true).
  CsvOptions& header(bool value) { header_ = value; return *this; }
  CsvOptions& delimiter(char value) { delimiter_ = value; return *this; }
  /// The label column by header name (needs a header).
  CsvOptions& label_name(std::string name) {
    label_name_ = std::move(name);
    label_index_.reset();
    return *this;
  }
  /// The label column by index; negative counts from the end (default -1).
  CsvOptions& label_index(std::int64_t index) {
    label_index_ = index;
    label_name_.reset();
    return *this;
  }
  /// Every column is a feature.
  CsvOptions& no_label() {
    label_index_.reset();
    label_name_.reset();
    return *this;
  }

  bool header() const { return header_; }
  char delimiter() const { return delimiter_; }
  const std::optional<std::string>& label_name() const { return label_name_; }
  const std::optional<std::int64_t>& label_index() const { return label_index_; }

 private:
  bool header_ = true;
  char delimiter_ = ',';
  std::optional<std::string> label_name_;
  std::optional<std::int64_t> label_index_ = -1;
};

/// Parses CSV text (raw or gzip); `source` names it in error messages.
CsvTable parse_csv(std::string_view text, const std::string& source, const CsvOptions& options = CsvOptions());
CsvTable load_csv(const std::string& path, const CsvOptions& options = CsvOptions());

/// scikit-learn's bundled layout (iris.csv, wine_data.csv, breast_cancer.csv):
/// a first line "n_samples,n_features,class name,...", then n_samples rows of
/// n_features numbers and an integer label in [0, number of class names).
/// feature_names are "column_<i>". Throws when the rows disagree with the
/// first line.
CsvTable parse_sklearn_csv(std::string_view text, const std::string& source);
CsvTable load_sklearn_csv(const std::string& path);

}  // namespace nabla::data

#endif  // NABLA_DATA_CSV_H_
