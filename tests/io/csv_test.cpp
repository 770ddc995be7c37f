#include "qnn/io/csv.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"

namespace qnn {
namespace {

namespace fs = std::filesystem;
using Names = std::vector<std::string>;
using Labels = std::vector<int>;

Dataset parse(std::string_view text) { return parse_dataset_csv(text, "mem.csv"); }

// Parses `text`, which must fail, and checks the error's position and its whole message.
void expect_parse_error(std::string_view text, std::size_t line, std::size_t column, const std::string& message) {
  try {
    (void)parse(text);
    ADD_FAILURE() << "no ParseError for:\n" << text;
  } catch (const ParseError& e) {
    EXPECT_EQ(e.file(), "mem.csv");
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.column(), column) << e.what();
    EXPECT_EQ(std::string(e.what()), message);
  }
}

// ---- layout (a): scikit-learn header ----

TEST(Csv, SklearnLayout) {
  const Dataset d = parse("3,2,cat,dog\n1.5,2,0\n3,-4e-1,1\n5,6,1\n");
  EXPECT_EQ(d.name, "mem.csv");
  EXPECT_EQ(d.num_samples(), 3u);
  EXPECT_EQ(d.num_features(), 2u);
  EXPECT_EQ(d.num_classes(), 2u);
  EXPECT_EQ(d.feature_names, (Names{"x0", "x1"}));
  EXPECT_EQ(d.class_names, (Names{"cat", "dog"}));
  EXPECT_EQ(d.labels, (Labels{0, 1, 1}));
  EXPECT_EQ(d.features[0], (std::vector<double>{1.5, 2.0}));
  EXPECT_EQ(d.features[1], (std::vector<double>{3.0, -0.4}));
  EXPECT_EQ(d.features[2], (std::vector<double>{5.0, 6.0}));
}

TEST(Csv, SklearnClassesWithoutSamplesOfEveryClass) {
  // The header fixes the class list even when a class has no rows.
  const Dataset d = parse("2,1,a,b,c\n1,0\n2,0\n");
  EXPECT_EQ(d.class_names, (Names{"a", "b", "c"}));
  EXPECT_EQ(d.labels, (Labels{0, 0}));
}

TEST(Csv, SklearnHeaderWithNumericClassNamesIsRecognisedByShape) {
  const Dataset d = parse("2,2,0,1\n1,2,1\n3,4,0\n");
  EXPECT_EQ(d.num_samples(), 2u);
  EXPECT_EQ(d.class_names, (Names{"0", "1"}));
  EXPECT_EQ(d.labels, (Labels{1, 0}));
  EXPECT_EQ(d.features[0], (std::vector<double>{1, 2}));
}

TEST(Csv, IntegerDataRowsAreNotMistakenForSklearnHeader) {
  // "1,2,0" fits the shape a header "1 sample, 2 features" declares, but is as wide as the row below it.
  const Dataset ints = parse("1,2,0\n3,4,1\n");
  EXPECT_EQ(ints.num_samples(), 2u);
  EXPECT_EQ(ints.features[0], (std::vector<double>{1, 2}));
  // Integer features and string labels.
  const Dataset strs = parse("1,2,3,setosa\n4,5,6,virginica\n");
  EXPECT_EQ(strs.num_samples(), 2u);
  EXPECT_EQ(strs.class_names, (Names{"setosa", "virginica"}));
}

TEST(Csv, SklearnHeaderWithSingleClass) {
  const Dataset d = parse("2,2,only\n1,2,0\n3,4,0\n");
  EXPECT_EQ(d.num_samples(), 2u);
  EXPECT_EQ(d.class_names, (Names{"only"}));
  EXPECT_EQ(d.feature_names, (Names{"x0", "x1"}));
}

TEST(Csv, NumericFirstLineNotMatchingItsShapeIsData) {
  // "2,2,0" would declare 2 samples, but only one row follows: a header-less file.
  const Dataset d = parse("2,2,0\n1,2,1\n");
  EXPECT_EQ(d.num_samples(), 2u);
  EXPECT_EQ(d.features[0], (std::vector<double>{2, 2}));
  EXPECT_EQ(d.labels, (Labels{0, 1}));
}

TEST(Csv, SklearnRowCountMismatch) {
  expect_parse_error("4,2,a,b\n1,2,0\n3,4,1\n", 1, 1, "mem.csv:1:1: header declares 4 samples, found 2");
  expect_parse_error("1,2,a,b\n1,2,0\n3,4,1\n", 1, 1, "mem.csv:1:1: header declares 1 samples, found 2");
}

TEST(Csv, SklearnLabelOutOfRange) {
  expect_parse_error("2,2,a,b\n1,2,0\n3,4,2\n", 3, 3, "mem.csv:3:3: label '2' is not a class index in 0..1");
  expect_parse_error("2,2,a,b\n1,2,-1\n3,4,0\n", 2, 3, "mem.csv:2:3: label '-1' is not a class index in 0..1");
  expect_parse_error("2,2,a,b\n1,2,a\n3,4,0\n", 2, 3, "mem.csv:2:3: label 'a' is not a class index in 0..1");
}

TEST(Csv, SklearnWrongRowWidth) {
  expect_parse_error("2,2,a,b\n1,2,0\n1,2,3,0\n", 3, 4, "mem.csv:3:4: line 3 has 4 cells, expected 3");
}

TEST(Csv, SklearnZeroFeatures) {
  expect_parse_error("2,0,a,b\n0\n1\n", 1, 2, "mem.csv:1:2: header declares 0 features");
}

TEST(Csv, SklearnHeaderWithoutRows) {
  expect_parse_error("150,4,setosa,versicolor,virginica\n", 1, 0, "mem.csv:1: header but no data rows");
}

// ---- layout (b): header of names ----

TEST(Csv, NameHeaderWithStringLabels) {
  const Dataset d = parse("sepal length, sepal width ,species\n5.1,3.5,setosa\n4.9,3.0,versicolor\n6.0,2.2,setosa\n");
  EXPECT_EQ(d.feature_names, (Names{"sepal length", "sepal width"}));
  EXPECT_EQ(d.class_names, (Names{"setosa", "versicolor"}));
  EXPECT_EQ(d.labels, (Labels{0, 1, 0}));
  EXPECT_EQ(d.features[1], (std::vector<double>{4.9, 3.0}));
}

TEST(Csv, NameHeaderWithIntegerLabels) {
  const Dataset d = parse("a,b,y\n1,2,1\n3,4,0\n5,6,2\n");
  EXPECT_EQ(d.feature_names, (Names{"a", "b"}));
  EXPECT_EQ(d.class_names, (Names{"0", "1", "2"}));
  EXPECT_EQ(d.labels, (Labels{1, 0, 2}));
}

TEST(Csv, HeaderRecognisedByTextualLabelNameOnly) {
  // Numeric-looking feature names, but "label" above a numeric label column marks the line as a header.
  const Dataset d = parse("1,2,label\n0.5,0.25,1\n0.75,1,0\n");
  EXPECT_EQ(d.feature_names, (Names{"1", "2"}));
  EXPECT_EQ(d.num_samples(), 2u);
  EXPECT_EQ(d.labels, (Labels{1, 0}));
}

TEST(Csv, EmptyHeaderNamesAreGenerated) {
  const Dataset d = parse("a,,y\n1,2,0\n");
  EXPECT_EQ(d.feature_names, (Names{"a", "x1"}));
}

TEST(Csv, HeaderWithoutRows) {
  expect_parse_error("a,b,y\n", 1, 0, "mem.csv:1: header but no data rows");
  expect_parse_error("\n\na,b,y\n\n\n", 3, 0, "mem.csv:3: header but no data rows");
}

// ---- layout (c): no header ----

TEST(Csv, NoHeaderIntegerLabels) {
  const Dataset d = parse("0.1,0.2,0\n0.3,0.4,2\n0.5,0.6,1\n");
  EXPECT_EQ(d.num_samples(), 3u);
  EXPECT_EQ(d.feature_names, (Names{"x0", "x1"}));
  EXPECT_EQ(d.class_names, (Names{"0", "1", "2"}));
  EXPECT_EQ(d.labels, (Labels{0, 2, 1}));
  EXPECT_EQ(d.features[2], (std::vector<double>{0.5, 0.6}));
}

TEST(Csv, NoHeaderStringLabels) {
  const Dataset d = parse("5.1,3.5,setosa\n7.0,3.2,versicolor\n4.9,3.0,setosa\n6.3,3.3,virginica\n");
  EXPECT_EQ(d.num_samples(), 4u);
  EXPECT_EQ(d.class_names, (Names{"setosa", "versicolor", "virginica"}));
  EXPECT_EQ(d.labels, (Labels{0, 1, 0, 2}));
  EXPECT_EQ(d.features[0], (std::vector<double>{5.1, 3.5}));
}

TEST(Csv, NonContiguousIntegerLabelsAreRemappedInNumericOrder) {
  const Dataset d = parse("1,5\n2,-1\n3,10\n4,5\n5,+10\n");
  EXPECT_EQ(d.class_names, (Names{"-1", "5", "10"}));
  EXPECT_EQ(d.labels, (Labels{1, 0, 2, 1, 2}));
}

TEST(Csv, SingleClassIsAccepted) {
  const Dataset d = parse("1,2,0\n3,4,0\n");
  EXPECT_EQ(d.num_classes(), 1u);
  EXPECT_EQ(d.labels, (Labels{0, 0}));
}

TEST(Csv, SingleDataLine) {
  const Dataset d = parse("1,2,setosa");
  EXPECT_EQ(d.num_samples(), 1u);
  EXPECT_EQ(d.class_names, (Names{"setosa"}));
}

// ---- text conventions ----

TEST(Csv, CrlfBomSpacesAndTrailingBlankLines) {
  const Dataset d = parse("\xEF\xBB\xBF" "a , b,y\r\n 1 , 2 ,0\r\n3,\t4, 1 \r\n\r\n  \r\n\n");
  EXPECT_EQ(d.feature_names, (Names{"a", "b"}));
  EXPECT_EQ(d.num_samples(), 2u);
  EXPECT_EQ(d.features[0], (std::vector<double>{1, 2}));
  EXPECT_EQ(d.features[1], (std::vector<double>{3, 4}));
  EXPECT_EQ(d.class_names, (Names{"0", "1"}));
}

TEST(Csv, NoTrailingNewline) {
  const Dataset d = parse("1,2,0\n3,4,1");
  EXPECT_EQ(d.num_samples(), 2u);
  EXPECT_EQ(d.labels, (Labels{0, 1}));
}

TEST(Csv, QuotedCells) {
  const Dataset d = parse("\"x,1\", \"y\" ,\"label\"\n1,\"2\",\"Iris-setosa\"\n3,4,\"say \"\"hi\"\"\"\n");
  EXPECT_EQ(d.feature_names, (Names{"x,1", "y"}));
  EXPECT_EQ(d.class_names, (Names{"Iris-setosa", "say \"hi\""}));
  EXPECT_EQ(d.features[0], (std::vector<double>{1, 2}));
}

TEST(Csv, NumberFormats) {
  const Dataset d = parse("+1.5,-2e-3,.5,1E3,-0,7.,0\n");
  EXPECT_EQ(d.features[0], (std::vector<double>{1.5, -2e-3, 0.5, 1000.0, 0.0, 7.0}));
}

TEST(Csv, LocaleAndNonStandardNumbersAreRejected) {
  expect_parse_error("1,0\n0x10,0\n", 2, 1, "mem.csv:2:1: non-numeric value '0x10' in column 1");
  expect_parse_error("1,2,0\n1.5.2,2,0\n", 2, 1, "mem.csv:2:1: non-numeric value '1.5.2' in column 1");
  expect_parse_error("1,2,0\n1 2,3,0\n", 2, 1, "mem.csv:2:1: non-numeric value '1 2' in column 1");
  expect_parse_error("1,2,0\n1,+-2,0\n", 2, 2, "mem.csv:2:2: non-numeric value '+-2' in column 2");
}

// ---- errors: exact line and cell ----

TEST(Csv, MissingCell) {
  expect_parse_error("a,b,c,d,y\n1,2,3,4,0\n1,2,3,4,0\n1,2,3,4,1\n1,2,3,4,1\n1,2,3,4,1\n1,2,3,4\n1,2,3,4,0\n", 7, 5,
                     "mem.csv:7:5: line 7 has 4 cells, expected 5");
  expect_parse_error("1,2,0\n1\n", 2, 2, "mem.csv:2:2: line 2 has 1 cell, expected 3");
}

TEST(Csv, ExtraCell) {
  expect_parse_error("a,b,y\n1,2,0\n1,2,3,0\n", 3, 4, "mem.csv:3:4: line 3 has 4 cells, expected 3");
  expect_parse_error("1,2,0\n1,2,0,\n", 2, 4, "mem.csv:2:4: line 2 has 4 cells, expected 3");
}

TEST(Csv, NonNumericFeature) {
  expect_parse_error("a,b,c,y\n1,2,3,0\n1,2,abc,0\n", 3, 3, "mem.csv:3:3: non-numeric value 'abc' in column 3");
  expect_parse_error("1,2,3,x\n1,2,3,y\n1,two,3,y\n", 3, 2, "mem.csv:3:2: non-numeric value 'two' in column 2");
}

TEST(Csv, MissingFeatureValue) {
  expect_parse_error("a,b,y\n1,,0\n", 2, 2, "mem.csv:2:2: missing value in column 2");
  // An empty cell in the first line marks a data row with a gap, not a header.
  expect_parse_error("1,,0\n2,3,1\n", 1, 2, "mem.csv:1:2: missing value in column 2");
}

TEST(Csv, MissingLabel) {
  expect_parse_error("1,2,0\n3,4,\n", 2, 3, "mem.csv:2:3: missing label in column 3");
}

TEST(Csv, NonFiniteValues) {
  expect_parse_error("a,b,y\n1,nan,0\n", 2, 2, "mem.csv:2:2: value 'nan' is not finite");
  expect_parse_error("a,b,y\n1,2,0\n-inf,2,0\n", 3, 1, "mem.csv:3:1: value '-inf' is not finite");
  expect_parse_error("a,b,y\n1,Infinity,0\n", 2, 2, "mem.csv:2:2: value 'Infinity' is not finite");
  // A first line with NaN is a bad data row, not a header.
  expect_parse_error("NaN,1,0\n2,3,1\n", 1, 1, "mem.csv:1:1: value 'NaN' is not finite");
  expect_parse_error("a,b,y\n1e999,2,0\n", 2, 1, "mem.csv:2:1: value '1e999' is out of the range of a double");
}

TEST(Csv, LineNumbersCountBlankLines) {
  expect_parse_error("a,b,y\n\n1,2,0\r\n\r\n1,x,1\n", 5, 2, "mem.csv:5:2: non-numeric value 'x' in column 2");
  expect_parse_error("\xEF\xBB\xBF" "1,2,0\n1,y,0\n", 2, 2, "mem.csv:2:2: non-numeric value 'y' in column 2");
}

TEST(Csv, EmptyFile) {
  expect_parse_error("", 0, 0, "mem.csv: empty file");
  expect_parse_error("\n\r\n  \n", 0, 0, "mem.csv: empty file");
  expect_parse_error("\xEF\xBB\xBF", 0, 0, "mem.csv: empty file");
}

// Found by fuzz/csv_fuzz.cpp: a lone scikit-learn header declaring 10^12 features. It has no rows, which is the
// error; the reader used to name 10^12 features first (hanging, then running out of memory).
TEST(Csv, HeaderOnlyWithAbsurdFeatureCountIsRefusedQuickly) {
  try {
    (void)parse_dataset_csv("3,999999999999,setosa,versicolor\n", "absurd.csv");
    ADD_FAILURE() << "expected ParseError";
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("no data rows"), std::string::npos) << e.what();
  }
}

TEST(Csv, SingleColumn) {
  expect_parse_error("1\n2\n", 1, 0, "mem.csv:1: need at least one feature column and a label column");
}

TEST(Csv, BadQuoting) {
  expect_parse_error("a,b,y\n1,\"2,0\n", 2, 2, "mem.csv:2:2: unterminated quoted cell");
  expect_parse_error("\"a\"x,b,y\n1,2,0\n", 1, 1, "mem.csv:1:1: unexpected text after closing quote");
}

// ---- files ----

fs::path find_iris() {
  // CMake compiles with absolute source paths, so the repository is three levels above this file; when it is not
  // (a relocated build), walk up from the working directory (ctest runs in build/<type>/tests).
  const fs::path from_source = fs::path(__FILE__).parent_path().parent_path().parent_path() / "data" / "iris.csv";
  if (fs::exists(from_source)) return from_source;
  for (fs::path dir = fs::current_path();; dir = dir.parent_path()) {
    if (fs::exists(dir / "data" / "iris.csv")) return dir / "data" / "iris.csv";
    if (dir == dir.parent_path()) break;
  }
  return {};
}

TEST(Csv, BundledIris) {
  const fs::path path = find_iris();
  ASSERT_FALSE(path.empty()) << "data/iris.csv not found";
  const Dataset d = read_dataset_csv(path);
  EXPECT_EQ(d.name, "iris");
  EXPECT_EQ(d.num_samples(), 150u);
  EXPECT_EQ(d.num_features(), 4u);
  EXPECT_EQ(d.num_classes(), 3u);
  EXPECT_EQ(d.class_names, (Names{"setosa", "versicolor", "virginica"}));
  EXPECT_EQ(d.feature_names, (Names{"x0", "x1", "x2", "x3"}));
  EXPECT_EQ(d.features[0], (std::vector<double>{5.1, 3.5, 1.4, 0.2}));
  EXPECT_EQ(d.labels[0], 0);
  std::vector<int> counts(3, 0);
  for (int label : d.labels) ++counts.at(static_cast<std::size_t>(label));
  EXPECT_EQ(counts, (std::vector<int>{50, 50, 50}));
  for (const auto& row : d.features) EXPECT_EQ(row.size(), 4u);
}

TEST(Csv, ReadFileErrorsNameThePath) {
  const fs::path dir = fs::temp_directory_path() / ("qnn_csv_test." + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path bad = dir / "bad.csv";
  std::ofstream(bad) << "a,b,y\n1,oops,0\n";
  try {
    (void)read_dataset_csv(bad);
    ADD_FAILURE() << "expected ParseError";
  } catch (const ParseError& e) {
    EXPECT_EQ(std::string(e.what()), bad.string() + ":2:2: non-numeric value 'oops' in column 2");
  }
  EXPECT_THROW((void)read_dataset_csv(dir / "missing.csv"), IoError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace qnn
