#pragma once
// A trained classifier on disk: model.json holds everything needed to predict (architecture, weights, the feature
// standardisation, class names) and how it was trained (data set, split seed and fraction), so `qnn eval` can rebuild
// the exact test split. Doubles are written in shortest round-trip form: a reloaded model predicts bit-identically.
#include <cstdint>
#include <filesystem>
#include <string>

#include "qnn/ml/classifier.hpp"

namespace qnn {

struct TrainingInfo {
  std::string data;           // "iris" or the CSV path given to `qnn train`
  std::uint64_t seed = 0;     // split and initialisation seed
  double test_fraction = 0.2;
  unsigned epochs = 0;
  unsigned batch_size = 0;
  double learning_rate = 0;
};

struct SavedModel {
  QuantumClassifier model;
  std::vector<std::string> class_names;
  std::vector<std::string> feature_names;
  TrainingInfo training;
};

/// JSON text of a model.
std::string model_to_json(const SavedModel& m);
/// Parse model JSON; `source` names the input in errors (ParseError with line and column for malformed JSON,
/// ValueError naming the field for a wrong or missing value).
SavedModel model_from_json(const std::string& text, const std::string& source);

/// Write atomically / read from a file.
void save_model(const std::filesystem::path& path, const SavedModel& m);
SavedModel load_model(const std::filesystem::path& path);

}  // namespace qnn
