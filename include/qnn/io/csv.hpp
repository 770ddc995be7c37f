#pragma once
// Labelled numeric data sets from CSV text. Three layouts are recognised from the first line, so the bundled
// scikit-learn files and ordinary spreadsheet exports load without options:
//   (a) scikit-learn: `n_samples,n_features,class0,class1,...`, then rows of n_features numbers and an integer label;
//   (b) a header row of names, then rows of numbers with a last label column;
//   (c) no header: every row is numbers and a last label column.
// Numbers are read with std::from_chars, so a file means the same thing in every locale. Errors are ParseError with
// the 1-based line and the 1-based cell index as column. The result is the ml layer's Dataset, so one type flows from
// file to trainer.
#include <filesystem>
#include <string>
#include <string_view>

#include "qnn/ml/dataset.hpp"

namespace qnn {

/// Parses CSV text in any of the three layouts. Labels that are all integers keep their numeric order (remapped to
/// 0..k-1 when not contiguous, class names are their decimal text); any other labels are class names in order of first
/// appearance. `source_name` names the input in errors and becomes the data set's name.
/// Accepts a UTF-8 BOM, CRLF, blank lines, spaces around cells and double-quoted cells.
Dataset parse_dataset_csv(std::string_view text, const std::string& source_name);

/// read_file + parse_dataset_csv; the name is the file's stem ("iris" for data/iris.csv).
Dataset read_dataset_csv(const std::filesystem::path& path);

}  // namespace qnn
