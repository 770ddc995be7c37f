#pragma once
// Data sets compiled into the library, so `qnn train --data iris` works from any directory with no files around.
#include <string>
#include <string_view>
#include <vector>

#include "qnn/ml/dataset.hpp"

namespace qnn {

/// Names of the bundled data files: "iris", "wine", "breast_cancer", "digits" (data/README.md states their sources).
std::vector<std::string> builtin_dataset_names();
/// Names of the generated data sets with fixed parameters and seed 0 (qnn/ml/synthetic_datasets.hpp): "moons"
/// (200 samples, noise 0.1), "circles" (200, noise 0.05, factor 0.5), "xor" (200, noise 0.2), "spirals" (200, 2 arms,
/// noise 0.05).
std::vector<std::string> generated_dataset_names();
/// True if `name` is one of either list.
bool is_builtin_dataset(std::string_view name);
/// The bundled or generated data set `name`; throws ValueError listing the names otherwise.
Dataset builtin_dataset(std::string_view name);
/// A bundled or generated name, or else a CSV file path, optionally followed by `:`-separated options applied in
/// order: `classes=LIST` keeps those classes (select_classes: names, indices or ranges, relabelled 0 … k−1) and
/// `pool=F` average-pools square images by F (downsample_images). `digits:classes=0,1:pool=2` is digits 0-vs-1 at 4×4
/// pixels (16 features). The spec is all a model file needs to rebuild its data. An existing file whose name contains
/// ':' is read as a file.
Dataset load_dataset(const std::string& spec);

}  // namespace qnn
