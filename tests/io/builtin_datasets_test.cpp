#include "qnn/io/builtin_datasets.hpp"

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

TEST(BuiltinDatasets, Iris) {
  EXPECT_EQ(builtin_dataset_names(), std::vector<std::string>{"iris"});
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

TEST(BuiltinDatasets, UnknownNameThrows) {
  try {
    (void)builtin_dataset("mnist");
    ADD_FAILURE() << "no ValueError";
  } catch (const ValueError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("mnist"), std::string::npos) << what;
    EXPECT_NE(what.find("iris"), std::string::npos) << what;
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
