#pragma once
// Data sets compiled into the library, so `qnn train --data iris` works from any directory with no files around.
#include <string>
#include <string_view>
#include <vector>

#include "qnn/ml/dataset.hpp"

namespace qnn {

/// Names of the bundled data sets ("iris").
std::vector<std::string> builtin_dataset_names();
/// True if `name` is one of them.
bool is_builtin_dataset(std::string_view name);
/// The bundled data set `name`; throws ValueError listing the names otherwise.
Dataset builtin_dataset(std::string_view name);
/// A bundled name, or else a CSV file path.
Dataset load_dataset(const std::string& name_or_path);

}  // namespace qnn
