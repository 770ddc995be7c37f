// qnn predict: class predictions and probabilities of a saved model for the rows of a CSV file.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "qnn/core/error.hpp"
#include "qnn/io/atomic_file.hpp"
#include "qnn/io/model_json.hpp"
#include "qnn/ml/loss.hpp"

namespace qnn::cli {

namespace {

struct PredictArgs {
  std::string model;
  std::string input;
  std::string out;
};

struct Rows {
  std::vector<std::vector<double>> features;
  std::vector<std::string> labels;  // the extra last column, if the file has one (else empty)
};

std::string trim(std::string s) {
  const auto a = s.find_first_not_of(" \t\r\"");
  const auto b = s.find_last_not_of(" \t\r\"");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

bool parse_number(const std::string& cell, double& v) {
  const char* end = cell.data() + cell.size();
  const auto r = std::from_chars(cell.data(), end, v);
  return r.ec == std::errc() && r.ptr == end && std::isfinite(v);
}

// One sample per row: F numbers (the model's features), optionally followed by a label (kept, reported as `label`).
// A first row that is not all numbers is a header. Errors name the line and column.
Rows read_rows(const std::string& text, const std::string& source, std::size_t F) {
  Rows rows;
  std::istringstream in(text);
  std::string line;
  std::size_t line_no = 0;
  bool first = true;
  while (std::getline(in, line)) {
    ++line_no;
    if (trim(line).empty()) continue;
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream ls(line);
    while (std::getline(ls, cell, ',')) cells.push_back(trim(cell));
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    std::vector<double> x;
    std::size_t bad = 0;
    for (std::size_t k = 0; k < std::min(cells.size(), F); ++k) {
      double v = 0;
      if (!parse_number(cells[k], v)) {
        bad = k + 1;
        break;
      }
      x.push_back(v);
    }
    if (first && bad != 0) {  // a header row
      first = false;
      continue;
    }
    first = false;
    if (cells.size() != F && cells.size() != F + 1) {
      throw ParseError(source, line_no, 1,
                       "expected " + std::to_string(F) + " feature values (and optionally a label), found " +
                           std::to_string(cells.size()) + " cells");
    }
    if (bad != 0) throw ParseError(source, line_no, bad, "not a finite number: '" + cells[bad - 1] + "'");
    rows.features.push_back(std::move(x));
    if (cells.size() == F + 1) rows.labels.push_back(cells[F]);
  }
  if (rows.features.empty()) throw ValueError(source + ": no samples");
  if (!rows.labels.empty() && rows.labels.size() != rows.features.size()) {
    throw ValueError(source + ": some rows have a label column and some do not");
  }
  return rows;
}

void run_predict(const PredictArgs& a) {
  if (!a.out.empty()) {
    // Fail before the work, not after it.
    const std::filesystem::path parent = std::filesystem::path(a.out).parent_path();
    ensure_directory(parent.empty() ? std::filesystem::path(".") : parent);
  }
  const SavedModel saved = load_model(a.model);
  const QuantumClassifier& model = saved.model;
  const std::size_t F = model.config().num_features, C = model.config().num_classes;
  const Rows rows = read_rows(read_file(a.input), a.input, F);
  std::ostringstream out;
  out.precision(10);
  out << "row,prediction";
  for (const std::string& name : saved.class_names) out << ",p_" << name;
  if (!rows.labels.empty()) out << ",label";
  out << '\n';
  std::size_t correct = 0;
  for (std::size_t i = 0; i < rows.features.size(); ++i) {
    const std::vector<double> p = model.probabilities(rows.features[i]);
    std::size_t best = 0;
    for (std::size_t k = 1; k < C; ++k)
      if (p[k] > p[best]) best = k;
    out << i + 1 << ',' << saved.class_names[best];
    for (double v : p) out << ',' << v;
    if (!rows.labels.empty()) {
      out << ',' << rows.labels[i];
      // A label may be the class name or its index.
      correct += rows.labels[i] == saved.class_names[best] || rows.labels[i] == std::to_string(best);
    }
    out << '\n';
  }
  if (a.out.empty()) {
    std::fputs(out.str().c_str(), stdout);
  } else {
    write_file_atomic(a.out, out.str());
    std::printf("wrote %zu predictions to %s\n", rows.features.size(), a.out.c_str());
  }
  if (!rows.labels.empty() && !a.out.empty()) {
    std::printf("accuracy against the label column: %.4f (%zu samples)\n",
                double(correct) / double(rows.features.size()), rows.features.size());
  }
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto args = std::make_shared<PredictArgs>();
  CLI::App* cmd = app.add_subcommand("predict", "predict the class of every row of a CSV file with a saved model");
  cmd->add_option("model", args->model, "model.json written by qnn train")->required();
  cmd->add_option("--input", args->input, "CSV: one sample per row (raw features, optional header and label column)")
      ->required();
  cmd->add_option("--out", args->out, "write the predictions (CSV) to this file atomically instead of stdout");
  cmd->callback([args] { run_predict(*args); });
}

}  // namespace qnn::cli
