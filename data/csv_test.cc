#include "data/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

#include "data/internal/test_files.h"

namespace nabla::data {
namespace {

using internal::gzip;
using internal::write_test_file;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(CsvTest, ReadsFeaturesAndStringLabelsByName) {
  const CsvTable table = parse_csv(
      "length,species,width\n"
      "1.5,versicolor,2\n"
      "-3e2,setosa,+0.25\n"
      "4,versicolor,5\n",
      "flowers.csv", CsvOptions().label_name("species"));
  EXPECT_EQ(table.features.shape(), (Shape{3, 2}));
  EXPECT_EQ(table.features.dtype(), kFloat32);
  EXPECT_EQ(table.features.to_vector<float>(), (std::vector<float>{1.5f, 2.0f, -300.0f, 0.25f, 4.0f, 5.0f}));
  EXPECT_THAT(table.feature_names, ElementsAre("length", "width"));
  // Class names are sorted, so setosa = 0 and versicolor = 1.
  EXPECT_THAT(table.class_names, ElementsAre("setosa", "versicolor"));
  EXPECT_EQ(table.labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 0, 1}));
}

TEST(CsvTest, IntegerLabelsStayAsTheyAre) {
  const CsvTable table = parse_csv("a,b,label\n1,2,3\n4,5,0\n", "ints.csv");  // label: last column by default
  EXPECT_EQ(table.labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{3, 0}));
  EXPECT_TRUE(table.class_names.empty());
  EXPECT_EQ(table.features.to_vector<float>(), (std::vector<float>{1, 2, 4, 5}));
}

TEST(CsvTest, LabelByIndexWithoutHeader) {
  const CsvTable table = parse_csv("7,0.5,1\n8,1.5,2\n", "plain.csv", CsvOptions().header(false).label_index(0));
  EXPECT_EQ(table.labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{7, 8}));
  EXPECT_EQ(table.features.to_vector<float>(), (std::vector<float>{0.5f, 1, 1.5f, 2}));
  EXPECT_THAT(table.feature_names, ElementsAre("column_1", "column_2"));
}

TEST(CsvTest, ValuesTooSmallForFloat32BecomeZeroOrSubnormal) {
  // As strtof: 1e-50 and 1e-400 (too small even for a double) underflow to
  // 0, 1e-40 and 7.1e-46 to subnormals.
  const CsvTable table =
      parse_csv("a,b,c,d,e\n1e-50,-1e-50,1e-40,7.1e-46,-1e-400\n", "tiny.csv", CsvOptions().no_label());
  const std::vector<float> values = table.features.to_vector<float>();
  EXPECT_EQ(values[0], 0.0f);
  EXPECT_EQ(values[1], 0.0f);
  EXPECT_TRUE(std::signbit(values[1]));
  EXPECT_EQ(values[2], std::strtof("1e-40", nullptr));
  EXPECT_EQ(values[3], std::numeric_limits<float>::denorm_min());
  EXPECT_EQ(values[4], 0.0f);
  EXPECT_TRUE(std::signbit(values[4]));
}

TEST(CsvTest, NoLabelColumn) {
  const CsvTable table = parse_csv("x;y\n1;2\n", "semicolon.csv", CsvOptions().delimiter(';').no_label());
  EXPECT_EQ(table.features.shape(), (Shape{1, 2}));
  EXPECT_FALSE(table.labels.defined());
}

TEST(CsvTest, QuotesSpacesCrLfAndBlankLines) {
  const CsvTable table = parse_csv(
      "\"a, first\",\"say \"\"hi\"\"\"\r\n"
      "\r\n"
      " 1 , \"x\ny\" \r\n"
      "2,z\n"
      "\n",
      "quoted.csv");
  EXPECT_THAT(table.feature_names, ElementsAre("a, first"));
  EXPECT_EQ(table.features.to_vector<float>(), (std::vector<float>{1, 2}));
  EXPECT_THAT(table.class_names, ElementsAre("x\ny", "z"));
}

TEST(CsvTest, SkipsAByteOrderMark) {
  const CsvTable table = parse_csv("\xEF\xBB\xBFx,y\n1,2\n", "bom.csv");
  EXPECT_THAT(table.feature_names, ElementsAre("x"));
}

TEST(CsvTest, ReadsGzipFiles) {
  const CsvTable table = load_csv(write_test_file("table.csv.gz", gzip("a,b\n1,0\n2,1\n")));
  EXPECT_EQ(table.labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1}));
}

TEST(CsvTest, BadInputNamesFileLineAndColumn) {
  const auto parse = [](std::string text, CsvOptions options = CsvOptions()) {
    return [text, options] { parse_csv(text, "bad.csv", options); };
  };
  EXPECT_THAT(parse(""), ThrowsMessage<Error>(HasSubstr("csv: 'bad.csv' is empty")));
  EXPECT_THAT(parse("\n \n"), ThrowsMessage<Error>(HasSubstr("'bad.csv' is empty")));
  EXPECT_THAT(parse("a,b\n"), ThrowsMessage<Error>(HasSubstr("'bad.csv' holds no data rows")));
  EXPECT_THAT(parse("a,b\n1,2\n3\n"),
              ThrowsMessage<Error>(HasSubstr("'bad.csv' line 3 has 1 fields, expected 2 (as in the header)")));
  EXPECT_THAT(parse("a,b,c\n1,x1,0\n"),
              ThrowsMessage<Error>(HasSubstr("'bad.csv' line 2, column 1 ('b'): 'x1' is not a finite number")));
  EXPECT_THAT(parse("a,b\n,0\n"), ThrowsMessage<Error>(HasSubstr("column 0 ('a'): '' is not a finite number")));
  EXPECT_THAT(parse("a,b\nnan,0\n"), ThrowsMessage<Error>(HasSubstr("'nan' is not a finite number")));
  EXPECT_THAT(parse("a,b\n1e999,0\n"), ThrowsMessage<Error>(HasSubstr("column 0 ('a'): '1e999' is out of range for float32")));
  EXPECT_THAT(parse("a,b\n-1e39,0\n"), ThrowsMessage<Error>(HasSubstr("'-1e39' is out of range for float32")));
  EXPECT_THAT(parse("a,b\n1 2,0\n"), ThrowsMessage<Error>(HasSubstr("'1 2' is not a finite number")));
  EXPECT_THAT(parse("a,b\n1,\"open\n"), ThrowsMessage<Error>(HasSubstr("line 2: unterminated quoted field")));
  EXPECT_THAT(parse("a,b\n\"1\"x,0\n"),
              ThrowsMessage<Error>(HasSubstr("line 2: unexpected character 'x' after a closing quote")));
  EXPECT_THAT(parse("a,b\n1,0\n", CsvOptions().label_name("c")),
              ThrowsMessage<Error>(HasSubstr("'bad.csv' has no column 'c'; its columns are 'a', 'b'")));
  EXPECT_THAT(parse("1,0\n", CsvOptions().header(false).label_name("c")),
              ThrowsMessage<Error>(HasSubstr("a label column by name ('c') needs a header row")));
  EXPECT_THAT(parse("a,b\n1,0\n", CsvOptions().label_index(2)),
              ThrowsMessage<Error>(HasSubstr("label column 2 is out of range for 2 columns")));
  EXPECT_THAT(parse(gzip("a,b\n1,0\n").substr(0, 12)), ThrowsMessage<Error>(HasSubstr("truncated gzip")));
}

TEST(CsvTest, MissingFileIsNamed) {
  EXPECT_THAT([] { load_csv("/nonexistent/table.csv"); },
              ThrowsMessage<Error>(HasSubstr("csv: cannot open '/nonexistent/table.csv'")));
}

TEST(SklearnCsvTest, ReadsTheBundledLayout) {
  const CsvTable table = parse_sklearn_csv(
      "3,2,setosa,versicolor,virginica\n"
      "5.1,3.5,0\n"
      "7.0,3.2,1\n"
      "6.3,3.3,2\n",
      "iris.csv");
  EXPECT_EQ(table.features.shape(), (Shape{3, 2}));
  EXPECT_EQ(table.features.to_vector<float>(), (std::vector<float>{5.1f, 3.5f, 7.0f, 3.2f, 6.3f, 3.3f}));
  EXPECT_EQ(table.labels.to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_THAT(table.class_names, ElementsAre("setosa", "versicolor", "virginica"));
  EXPECT_THAT(table.feature_names, ElementsAre("column_0", "column_1"));
}

TEST(SklearnCsvTest, RowsMustMatchTheFirstLine) {
  const auto parse = [](std::string text) { return [text] { parse_sklearn_csv(text, "sk.csv"); }; };
  EXPECT_THAT(parse(""), ThrowsMessage<Error>(HasSubstr("'sk.csv' is empty")));
  EXPECT_THAT(parse("3,2\n1,2,0\n"), ThrowsMessage<Error>(HasSubstr("starts with 'n_samples,n_features,class names")));
  EXPECT_THAT(parse("x,2,a\n"), ThrowsMessage<Error>(HasSubstr("starts with 'n_samples,n_features")));
  EXPECT_THAT(parse("2,2,a,b\n1,2,0\n"), ThrowsMessage<Error>(HasSubstr("announces 2 rows on line 1 but holds 1")));
  EXPECT_THAT(parse("1,2,a,b\n1,2,0\n1,2,1\n"),
              ThrowsMessage<Error>(HasSubstr("line 3: more rows than the 1 announced on line 1")));
  EXPECT_THAT(parse("1,2,a,b\n1,0\n"),
              ThrowsMessage<Error>(HasSubstr("line 2 has 2 fields, expected 3 (2 features and a label)")));
  EXPECT_THAT(parse("1,2,a,b\n1,2,2\n"),
              ThrowsMessage<Error>(HasSubstr("line 2: label '2' is not an integer in [0, 2)")));
  EXPECT_THAT(parse("1,2,a,b\n1,?,1\n"), ThrowsMessage<Error>(HasSubstr("'?' is not a finite number")));
  EXPECT_THAT(parse("0,2,a\n"), ThrowsMessage<Error>(HasSubstr("holds no data rows")));
}

}  // namespace
}  // namespace nabla::data
