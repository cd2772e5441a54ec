#include "data/datasets.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "data/internal/test_files.h"
#include "data/paths.h"

namespace nabla::data {
namespace {

using internal::gzip;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// Counts of each label value in [0, classes).
std::vector<std::int64_t> histogram(const Tensor& labels, int classes) {
  std::vector<std::int64_t> counts(classes, 0);
  for (std::int64_t label : labels.to_vector<std::int64_t>()) {
    EXPECT_GE(label, 0);
    EXPECT_LT(label, classes);
    if (label >= 0 && label < classes) ++counts[label];
  }
  return counts;
}

// A row of scikit-learn's digits file: 64 pixels, then the label.
std::string digits_row(float pixel, const std::string& label) {
  std::string row;
  for (int i = 0; i < 64; ++i) row += std::to_string(pixel) + ",";
  return row + label + "\n";
}

// A data directory of tiny hand-written files under the real names.
class FakeDataDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = internal::test_dir() + "/fake-data";
    for (const char* sub : {"/fashion-mnist", "/mnist", "/sklearn"}) std::filesystem::create_directories(dir_ + sub);
    const std::string images("\0\0\x08\x03\0\0\0\x01\0\0\0\x01\0\0\0\x02\x00\xff", 18);
    const std::string labels("\0\0\x08\x01\0\0\0\x01\x05", 9);
    put("fashion-mnist/t10k-images-idx3-ubyte.gz", gzip(images));
    put("fashion-mnist/t10k-labels-idx1-ubyte.gz", gzip(labels));
    put("mnist/train-images-idx3-ubyte", images);
    put("mnist/train-labels-idx1-ubyte", labels);
    put("sklearn/iris.csv", "1,2,a,b,c\n0.5,1.5,2\n");
    put("sklearn/digits.csv.gz", gzip(digits_row(0, "3") + digits_row(16, "9")));
    ASSERT_EQ(setenv("NABLA_DATA_DIR", dir_.c_str(), 1), 0);
  }
  void TearDown() override { unsetenv("NABLA_DATA_DIR"); }
  void put(const std::string& name, const std::string& bytes) { internal::write_test_file("fake-data/" + name, bytes); }
  std::string dir_;
};

TEST_F(FakeDataDirTest, LoadsEachKindUnderItsName) {
  const Batch fashion = load_fashion_mnist(Part::kTest);
  EXPECT_EQ(fashion.inputs.shape(), (Shape{1, 1, 1, 2}));
  EXPECT_EQ(fashion.inputs.to_vector<float>(), (std::vector<float>{0, 1}));
  EXPECT_EQ(fashion.labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{5}));
  EXPECT_EQ(load_mnist(Part::kTrain).labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{5}));
  const CsvTable iris = load_iris();
  EXPECT_THAT(iris.class_names, ElementsAre("a", "b", "c"));
  EXPECT_EQ(iris.labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{2}));
  const CsvTable digits = load_digits();
  EXPECT_EQ(digits.features.shape(), (Shape{2, 64}));
  EXPECT_EQ(digits.features.at({1, 63}), 16.0f);
  EXPECT_EQ(digits.labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{3, 9}));
  EXPECT_EQ(digits.class_names.size(), 10u);
  EXPECT_EQ(fashion_mnist_classes()[9], "Ankle boot");
}

TEST_F(FakeDataDirTest, DigitsNeedSixtyFourPixelsAndLabelsZeroToNine) {
  const std::string path = dir_ + "/sklearn/digits.csv.gz";
  put("sklearn/digits.csv.gz", gzip(digits_row(0, "x") + digits_row(0, "9")));
  EXPECT_THAT([] { load_digits(); },
              ThrowsMessage<Error>(HasSubstr("load_digits: '" + path + "' row 1: label 'x' is not an integer in [0, 10)")));
  put("sklearn/digits.csv.gz", gzip(digits_row(0, "12") + digits_row(0, "255")));
  EXPECT_THAT([] { load_digits(); }, ThrowsMessage<Error>(HasSubstr("row 1: label '12' is not an integer in [0, 10)")));
  put("sklearn/digits.csv.gz", gzip("0,16,3\n4,8,9\n"));
  EXPECT_THAT([] { load_digits(); },
              ThrowsMessage<Error>(HasSubstr("load_digits: '" + path + "' has 2 pixel columns, expected 64 (8 x 8)")));
}

TEST_F(FakeDataDirTest, MissingFilesNameThePathAndTheFetchCommand) {
  EXPECT_THAT([] { load_fashion_mnist(Part::kTrain); },
              ThrowsMessage<Error>(HasSubstr("missing dataset file '" + dir_ +
                                             "/fashion-mnist/train-images-idx3-ubyte.gz'; fetch the datasets with "
                                             "`bash tools/fetch_data.sh`")));
  EXPECT_THAT([] { load_wine(); }, ThrowsMessage<Error>(HasSubstr("sklearn/wine_data.csv")));
  EXPECT_THAT([] { load_breast_cancer(); }, ThrowsMessage<Error>(HasSubstr("sklearn/breast_cancer.csv")));
}

// The real files, when tools/fetch_data.sh has put them in the default
// data directory; skipped otherwise.
bool have(const std::string& name) { return std::filesystem::exists(data_dir() + "/" + name); }

TEST(RealDataTest, FashionMnist) {
  if (!have("fashion-mnist/t10k-labels-idx1-ubyte.gz")) GTEST_SKIP() << "no Fashion-MNIST in " << data_dir();
  const Batch train = load_fashion_mnist(Part::kTrain);
  const Batch test = load_fashion_mnist(Part::kTest);
  EXPECT_EQ(train.inputs.shape(), (Shape{60000, 1, 28, 28}));
  EXPECT_EQ(test.inputs.shape(), (Shape{10000, 1, 28, 28}));
  EXPECT_EQ(histogram(train.labels, 10), std::vector<std::int64_t>(10, 6000));
  EXPECT_EQ(histogram(test.labels, 10), std::vector<std::int64_t>(10, 1000));
}

TEST(RealDataTest, Mnist) {
  if (!have("mnist/t10k-labels-idx1-ubyte")) GTEST_SKIP() << "no MNIST in " << data_dir();
  const Batch train = load_mnist(Part::kTrain);
  const Batch test = load_mnist(Part::kTest);
  EXPECT_EQ(train.inputs.shape(), (Shape{8000, 1, 28, 28}));
  EXPECT_EQ(test.inputs.shape(), (Shape{2000, 1, 28, 28}));
  // The npm package's digit counts, 1001 zeros to 978 nines, split 80/20 per digit.
  const std::vector<std::int64_t> totals = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
  const auto train_counts = histogram(train.labels, 10);
  const auto test_counts = histogram(test.labels, 10);
  for (int d = 0; d < 10; ++d) {
    EXPECT_EQ(train_counts[d] + test_counts[d], totals[d]) << d;
    EXPECT_NEAR(static_cast<double>(test_counts[d]), totals[d] * 0.2, 1.0) << d;
  }
}

TEST(RealDataTest, SklearnTables) {
  if (!have("sklearn/digits.csv.gz")) GTEST_SKIP() << "no scikit-learn tables in " << data_dir();
  const CsvTable iris = load_iris();
  EXPECT_EQ(iris.features.shape(), (Shape{150, 4}));
  EXPECT_THAT(iris.class_names, ElementsAre("setosa", "versicolor", "virginica"));
  EXPECT_EQ(histogram(iris.labels, 3), (std::vector<std::int64_t>{50, 50, 50}));
  EXPECT_EQ(load_wine().features.shape(), (Shape{178, 13}));
  const CsvTable cancer = load_breast_cancer();
  EXPECT_EQ(cancer.features.shape(), (Shape{569, 30}));
  EXPECT_THAT(cancer.class_names, ElementsAre("malignant", "benign"));
  const CsvTable digits = load_digits();
  EXPECT_EQ(digits.features.shape(), (Shape{1797, 64}));
  EXPECT_EQ(histogram(digits.labels, 10)[0], 178);
}

}  // namespace
}  // namespace nabla::data
