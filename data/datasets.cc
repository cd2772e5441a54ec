#include "data/datasets.h"

#include "data/idx.h"
#include "data/paths.h"

namespace nabla::data {
namespace {

Batch load_idx_pair(const std::string& directory, Part part, const char* suffix) {
  const std::string prefix = directory + (part == Part::kTrain ? "/train" : "/t10k");
  // Sequenced so that a missing images file is reported before the labels.
  const std::string images = dataset_file(prefix + "-images-idx3-ubyte" + suffix);
  return load_idx(images, dataset_file(prefix + "-labels-idx1-ubyte" + suffix));
}

}  // namespace

Batch load_fashion_mnist(Part part) { return load_idx_pair("fashion-mnist", part, ".gz"); }

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> classes = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                   "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return classes;
}

Batch load_mnist(Part part) { return load_idx_pair("mnist", part, ""); }

CsvTable load_iris() { return load_sklearn_csv(dataset_file("sklearn/iris.csv")); }

CsvTable load_wine() { return load_sklearn_csv(dataset_file("sklearn/wine_data.csv")); }

CsvTable load_breast_cancer() { return load_sklearn_csv(dataset_file("sklearn/breast_cancer.csv")); }

CsvTable load_digits() {
  // Unlike the other tables, scikit-learn's digits file has no first line.
  const std::string path = dataset_file("sklearn/digits.csv.gz");
  CsvTable digits = load_csv(path, CsvOptions().header(false).label_index(-1));
  NABLA_CHECK(digits.features.dim(1) == 64, "load_digits: '", path, "' has ", digits.features.dim(1),
              " pixel columns, expected 64 (8 x 8)");
  // When any label is not a non-negative integer, load_csv turns them all
  // into class names; the check below then fails on some row.
  const std::int64_t* labels = digits.labels.data<std::int64_t>();
  for (std::int64_t row = 0; row < digits.labels.numel(); ++row) {
    const std::string label =
        digits.class_names.empty() ? std::to_string(labels[row]) : digits.class_names[labels[row]];
    NABLA_CHECK(label.size() == 1 && label[0] >= '0' && label[0] <= '9', "load_digits: '", path, "' row ", row + 1,
                ": label '", label, "' is not an integer in [0, 10)");
  }
  for (int digit = 0; digit < 10; ++digit) digits.class_names.push_back(std::to_string(digit));
  return digits;
}

}  // namespace nabla::data
