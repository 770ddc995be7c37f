#include "qnn/io/builtin_datasets.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"

namespace qnn {
namespace {

namespace fs = std::filesystem;

std::vector<int> class_counts(const Dataset& d) {
  std::vector<int> n(d.num_classes(), 0);
  for (int y : d.labels) {
    EXPECT_GE(y, 0);
    EXPECT_LT(static_cast<std::size_t>(y), d.num_classes());
    if (y >= 0 && static_cast<std::size_t>(y) < n.size()) ++n[static_cast<std::size_t>(y)];
  }
  return n;
}

TEST(BuiltinDatasets, Iris) {
  EXPECT_EQ(builtin_dataset_names(), (std::vector<std::string>{"iris", "wine", "breast_cancer", "digits"}));
  EXPECT_TRUE(is_builtin_dataset("iris"));
  EXPECT_FALSE(is_builtin_dataset("mnist"));
  const Dataset d = builtin_dataset("iris");
  EXPECT_EQ(d.name, "iris");
  ASSERT_EQ(d.num_samples(), 150u);
  EXPECT_EQ(d.num_features(), 4u);
  EXPECT_EQ(d.num_classes(), 3u);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
  int per_class[3] = {0, 0, 0};
  for (int y : d.labels) {
    ASSERT_GE(y, 0);
    ASSERT_LT(y, 3);
    ++per_class[y];
  }
  EXPECT_EQ(per_class[0], 50);
  EXPECT_EQ(per_class[1], 50);
  EXPECT_EQ(per_class[2], 50);
  for (const auto& row : d.features) ASSERT_EQ(row.size(), 4u);
  // First and last rows of Fisher's table.
  EXPECT_EQ(d.features.front(), (std::vector<double>{5.1, 3.5, 1.4, 0.2}));
  EXPECT_EQ(d.labels.front(), 0);
  EXPECT_EQ(d.features.back(), (std::vector<double>{5.9, 3.0, 5.1, 1.8}));
  EXPECT_EQ(d.labels.back(), 2);
}

TEST(BuiltinDatasets, Wine) {
  const Dataset d = builtin_dataset("wine");
  EXPECT_EQ(d.name, "wine");
  ASSERT_EQ(d.num_samples(), 178u);
  EXPECT_EQ(d.num_features(), 13u);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"class_0", "class_1", "class_2"}));
  EXPECT_EQ(class_counts(d), (std::vector<int>{59, 71, 48}));
  EXPECT_EQ(d.feature_names.front(), "alcohol");
  EXPECT_EQ(d.feature_names.back(), "proline");
  for (const auto& row : d.features) ASSERT_EQ(row.size(), 13u);
  EXPECT_EQ(d.features.front()[0], 14.23);
  EXPECT_EQ(d.features.front()[12], 1065.0);
  EXPECT_EQ(d.features.back()[12], 560.0);
  EXPECT_EQ(d.labels.back(), 2);
}

TEST(BuiltinDatasets, BreastCancer) {
  const Dataset d = builtin_dataset("breast_cancer");
  ASSERT_EQ(d.num_samples(), 569u);
  EXPECT_EQ(d.num_features(), 30u);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"malignant", "benign"}));
  EXPECT_EQ(class_counts(d), (std::vector<int>{212, 357}));
  ASSERT_EQ(d.feature_names.size(), 30u);
  EXPECT_EQ(d.feature_names[0], "mean radius");
  EXPECT_EQ(d.feature_names[10], "radius error");
  EXPECT_EQ(d.feature_names[29], "worst fractal dimension");
  for (const auto& row : d.features) ASSERT_EQ(row.size(), 30u);
  EXPECT_EQ(d.features.front()[0], 17.99);
  EXPECT_EQ(d.labels.front(), 0);
  EXPECT_EQ(d.features.back()[0], 7.76);
  EXPECT_EQ(d.labels.back(), 1);
}

TEST(BuiltinDatasets, Digits) {
  const Dataset d = builtin_dataset("digits");
  EXPECT_EQ(d.name, "digits");
  ASSERT_EQ(d.num_samples(), 1797u);
  EXPECT_EQ(d.num_features(), 64u);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));
  EXPECT_EQ(class_counts(d), (std::vector<int>{178, 182, 177, 183, 181, 182, 181, 179, 174, 180}));
  EXPECT_EQ(d.feature_names[9], "pixel_1_1");
  for (const auto& row : d.features) {
    ASSERT_EQ(row.size(), 64u);
    for (double v : row) {
      ASSERT_GE(v, 0.0);
      ASSERT_LE(v, 16.0);
      ASSERT_EQ(v, std::round(v));
    }
  }
  // The first image is a 0: its centre column is empty, its left and right strokes are not.
  EXPECT_EQ(d.labels.front(), 0);
  EXPECT_EQ(d.features.front()[2], 5.0);
  EXPECT_EQ(d.features.front()[3], 13.0);
  EXPECT_EQ(d.labels.back(), 8);
}

TEST(BuiltinDatasets, GeneratedSetsAreFixed) {
  EXPECT_EQ(generated_dataset_names(), (std::vector<std::string>{"moons", "circles", "xor", "spirals"}));
  for (const auto& name : generated_dataset_names()) {
    EXPECT_TRUE(is_builtin_dataset(name)) << name;
    const Dataset a = load_dataset(name), b = builtin_dataset(name);
    EXPECT_EQ(a.num_samples(), 200u) << name;
    EXPECT_EQ(a.num_features(), 2u) << name;
    EXPECT_EQ(a.num_classes(), 2u) << name;
    EXPECT_EQ(a.features, b.features) << name;  // the same every time, so a model's split can be rebuilt
    EXPECT_EQ(a.labels, b.labels) << name;
  }
}

TEST(BuiltinDatasets, SpecOptionsSelectClassesAndPool) {
  const Dataset d01 = load_dataset("digits:classes=0,1");
  EXPECT_EQ(d01.num_samples(), 178u + 182u);
  EXPECT_EQ(d01.class_names, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(d01.num_features(), 64u);
  const Dataset small = load_dataset("digits:classes=0-3:pool=2");
  EXPECT_EQ(small.num_samples(), 178u + 182u + 177u + 183u);
  EXPECT_EQ(small.num_features(), 16u);
  EXPECT_EQ(class_counts(small), (std::vector<int>{178, 182, 177, 183}));
  // Pooling averages 2×2 blocks of the first image.
  const Dataset digits = builtin_dataset("digits");
  const auto& img = digits.features.front();
  EXPECT_DOUBLE_EQ(small.features.front()[1], (img[2] + img[3] + img[10] + img[11]) / 4);
  EXPECT_EQ(load_dataset("iris:classes=virginica,setosa").class_names,
            (std::vector<std::string>{"virginica", "setosa"}));
  EXPECT_THROW((void)load_dataset("digits:pool=3"), ValueError);
  EXPECT_THROW((void)load_dataset("wine:pool=2"), ValueError);  // 13 features are no square image
  EXPECT_EQ(load_dataset("iris:pool=2").num_features(), 1u);     // 4 features as a 2×2 image, pooled to one
  EXPECT_THROW((void)load_dataset("iris:classes=9"), ValueError);
  try {
    (void)load_dataset("iris:colour=red");
    ADD_FAILURE() << "no error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("classes=LIST"), std::string::npos) << e.what();
  }
}

TEST(BuiltinDatasets, UnknownNameThrows) {
  try {
    (void)builtin_dataset("mnist");
    ADD_FAILURE() << "no ValueError";
  } catch (const ValueError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("mnist"), std::string::npos) << what;
    EXPECT_NE(what.find("iris"), std::string::npos) << what;
    EXPECT_NE(what.find("digits"), std::string::npos) << what;
    EXPECT_NE(what.find("moons"), std::string::npos) << what;
  }
  EXPECT_THROW((void)builtin_dataset(""), ValueError);
}

TEST(BuiltinDatasets, LoadDatasetByNameOrPath) {
  const Dataset by_name = load_dataset("iris");
  EXPECT_EQ(by_name.num_samples(), 150u);

  const fs::path dir = fs::temp_directory_path() / ("qnn_builtin_datasets_test." + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path csv = dir / "tiny.csv";
  std::ofstream(csv) << "a,b,label\n1,2,x\n3,4,y\n5,6,x\n";
  const Dataset d = load_dataset(csv.string());
  EXPECT_EQ(d.name, "tiny");
  EXPECT_EQ(d.num_samples(), 3u);
  EXPECT_EQ(d.num_features(), 2u);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(d.labels, (std::vector<int>{0, 1, 0}));
  EXPECT_EQ(d.features[2], (std::vector<double>{5, 6}));

  EXPECT_THROW((void)load_dataset((dir / "missing.csv").string()), IoError);
  EXPECT_THROW((void)load_dataset("not-a-builtin-or-file"), IoError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace qnn
