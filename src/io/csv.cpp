#include "qnn/io/csv.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <system_error>
#include <unordered_map>

#include "qnn/core/error.hpp"
#include "qnn/io/atomic_file.hpp"

namespace qnn {

namespace {

struct Row {
  std::size_t line;                // 1-based physical line, for errors
  std::vector<std::string> cells;  // trimmed and unquoted
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Splits one line at commas. A cell may be double-quoted (RFC 4180, "" for a quote) so that exported class names such
// as "Iris-setosa" or names containing commas survive; quoted cells cannot span lines.
std::vector<std::string> split_cells(std::string_view line, std::size_t line_no, const std::string& source) {
  std::vector<std::string> cells;
  std::size_t i = 0;
  const std::size_t n = line.size();
  for (;;) {
    const std::size_t column = cells.size() + 1;
    while (i < n && is_space(line[i])) ++i;
    if (i < n && line[i] == '"') {
      std::string cell;
      for (++i;; ++i) {
        if (i >= n) throw ParseError(source, line_no, column, "unterminated quoted cell");
        if (line[i] == '"') {
          if (i + 1 < n && line[i + 1] == '"') {
            cell += '"';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        cell += line[i];
      }
      while (i < n && is_space(line[i])) ++i;
      if (i < n && line[i] != ',') throw ParseError(source, line_no, column, "unexpected text after closing quote");
      cells.push_back(std::move(cell));
    } else {
      const std::size_t end = std::min(line.find(',', i), n);
      cells.emplace_back(trim(line.substr(i, end - i)));
      i = end;
    }
    if (i >= n) break;
    ++i;  // the comma
  }
  return cells;
}

enum class NumberStatus { ok, not_a_number, not_finite, out_of_range };

NumberStatus parse_number(std::string_view s, double& out) {
  // from_chars rejects a leading '+', which spreadsheets and printf("%+g") do write.
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && (s.front() == '+' || s.front() == '-')) return NumberStatus::not_a_number;
  }
  if (s.empty()) return NumberStatus::not_a_number;
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, out);
  if (ec == std::errc::invalid_argument || ptr != end) return NumberStatus::not_a_number;
  if (ec == std::errc::result_out_of_range) return NumberStatus::out_of_range;
  if (!std::isfinite(out)) return NumberStatus::not_finite;
  return NumberStatus::ok;
}

// "nan" and "1e999" count as numbers here: they are bad values in a data row, not column names.
bool looks_numeric(std::string_view s) {
  double ignored = 0;
  return parse_number(s, ignored) != NumberStatus::not_a_number;
}

std::optional<long long> parse_integer(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  const std::string_view digits = !s.empty() && s.front() == '-' ? s.substr(1) : s;
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  long long value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<std::size_t> parse_count(std::string_view s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  std::size_t value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

// `n_samples,n_features,class names...`. Two leading integers alone prove nothing (`1,2,0` is an ordinary data row), so
// the line must also fit the rest of the file: the next row has n_features + 1 cells, and unless class names sit
// between the counts and the last cell (which no data row has), the row count matches too.
bool is_sklearn_header(const std::vector<Row>& rows) {
  const auto& cells = rows.front().cells;
  if (cells.size() < 2) return false;
  const auto samples = parse_count(cells[0]);
  const auto features = parse_count(cells[1]);
  if (!samples || !features) return false;
  const auto textual = [](const std::string& c) { return !c.empty() && !looks_numeric(c); };
  const bool next_fits = rows.size() > 1 && rows[1].cells.size() == *features + 1;
  const bool count_fits = rows.size() - 1 == *samples;
  if (cells.size() > 3 && std::any_of(cells.begin() + 2, cells.end() - 1, textual)) return rows.size() == 1 || next_fits;
  if (cells.size() > 2 && textual(cells.back())) {
    // One class name, or a data row with a string label: only a numeric label column below settles it.
    return next_fits && count_fits && looks_numeric(rows[1].cells.back());
  }
  // All numbers: a data row would be as wide as the next one.
  return next_fits && count_fits && cells.size() != rows[1].cells.size();
}

// A name row has a non-empty, non-numeric feature cell, or a textual last cell above a numeric label column. Empty
// cells do not count: they are missing values in a data row far more often than unnamed columns.
bool is_name_header(const std::vector<Row>& rows) {
  const auto& cells = rows.front().cells;
  if (std::any_of(cells.begin(), cells.end() - 1,
                  [](const std::string& c) { return !c.empty() && !looks_numeric(c); })) {
    return true;
  }
  const std::string& last = cells.back();
  return !last.empty() && !looks_numeric(last) && rows.size() > 1 && looks_numeric(rows[1].cells.back());
}

std::vector<std::string> generated_names(std::size_t n) {
  std::vector<std::string> names;
  names.reserve(n);
  for (std::size_t i = 0; i < n; ++i) names.push_back("x" + std::to_string(i));
  return names;
}

// Integer labels keep their numeric order; anything else is a class name in order of first appearance.
void assign_labels(const std::vector<const std::string*>& texts, Dataset& ds) {
  std::vector<long long> values;
  values.reserve(texts.size());
  for (const std::string* t : texts) {
    const auto v = parse_integer(*t);
    if (!v) break;
    values.push_back(*v);
  }
  ds.labels.reserve(texts.size());
  if (values.size() == texts.size()) {
    std::map<long long, int> index;
    for (long long v : values) index.emplace(v, 0);
    for (auto& [value, label] : index) {
      label = static_cast<int>(ds.class_names.size());
      ds.class_names.push_back(std::to_string(value));
    }
    for (long long v : values) ds.labels.push_back(index.at(v));
    return;
  }
  std::unordered_map<std::string, int> index;
  for (const std::string* t : texts) {
    const auto [it, inserted] = index.try_emplace(*t, static_cast<int>(ds.class_names.size()));
    if (inserted) ds.class_names.push_back(*t);
    ds.labels.push_back(it->second);
  }
}

}  // namespace

Dataset parse_dataset_csv(std::string_view text, const std::string& source_name) {
  const std::string& source = source_name;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);

  std::vector<Row> rows;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++line_no;
    if (trim(line).empty()) continue;  // trailing blank lines are routine; inner ones carry no data either
    rows.push_back({line_no, split_cells(line, line_no, source)});
  }
  if (rows.empty()) throw ParseError(source, 0, 0, "empty file");

  Dataset ds;
  ds.name = source_name;
  const Row& first = rows.front();
  std::size_t width = 0;       // cells per data row
  std::size_t first_data = 0;  // index into rows
  bool sklearn = false;
  std::size_t declared_samples = 0;

  if (is_sklearn_header(rows)) {
    sklearn = true;
    declared_samples = *parse_count(first.cells[0]);
    const std::size_t features = *parse_count(first.cells[1]);
    if (features == 0) throw ParseError(source, first.line, 2, "header declares 0 features");
    width = features + 1;  // the names x0… are generated once every row has been checked to be this wide
    ds.class_names.assign(first.cells.begin() + 2, first.cells.end());
    first_data = 1;
  } else {
    width = first.cells.size();
    if (width < 2) throw ParseError(source, first.line, 0, "need at least one feature column and a label column");
    if (is_name_header(rows)) {
      for (std::size_t j = 0; j + 1 < width; ++j) {
        ds.feature_names.push_back(first.cells[j].empty() ? "x" + std::to_string(j) : first.cells[j]);
      }
      first_data = 1;
    } else {
      ds.feature_names = generated_names(width - 1);
    }
  }

  const std::size_t samples = rows.size() - first_data;
  if (samples == 0) throw ParseError(source, first.line, 0, "header but no data rows");
  if (sklearn && samples != declared_samples) {
    throw ParseError(source, first.line, 1,
                     "header declares " + std::to_string(declared_samples) + " samples, found " +
                         std::to_string(samples));
  }

  ds.features.reserve(samples);
  std::vector<const std::string*> label_texts;
  label_texts.reserve(samples);
  for (std::size_t r = first_data; r < rows.size(); ++r) {
    const Row& row = rows[r];
    if (row.cells.size() != width) {
      throw ParseError(source, row.line, std::min(row.cells.size(), width) + 1,
                       "line " + std::to_string(row.line) + " has " + std::to_string(row.cells.size()) +
                           (row.cells.size() == 1 ? " cell" : " cells") + ", expected " + std::to_string(width));
    }
    std::vector<double> x(width - 1);
    for (std::size_t j = 0; j + 1 < width; ++j) {
      const std::string& cell = row.cells[j];
      const std::size_t column = j + 1;
      switch (parse_number(cell, x[j])) {
        case NumberStatus::ok:
          break;
        case NumberStatus::not_a_number:
          throw ParseError(source, row.line, column,
                           cell.empty() ? "missing value in column " + std::to_string(column)
                                        : "non-numeric value '" + cell + "' in column " + std::to_string(column));
        case NumberStatus::not_finite:
          throw ParseError(source, row.line, column, "value '" + cell + "' is not finite");
        case NumberStatus::out_of_range:
          throw ParseError(source, row.line, column, "value '" + cell + "' is out of the range of a double");
      }
    }
    const std::string& label = row.cells.back();
    if (label.empty()) throw ParseError(source, row.line, width, "missing label in column " + std::to_string(width));
    if (sklearn && !ds.class_names.empty()) {
      // The header fixes the classes, so a label outside them is an error rather than a new class.
      const auto value = parse_integer(label);
      const auto k = static_cast<long long>(ds.class_names.size());
      if (!value || *value < 0 || *value >= k) {
        throw ParseError(source, row.line, width,
                         "label '" + label + "' is not a class index in 0.." + std::to_string(k - 1));
      }
      ds.labels.push_back(static_cast<int>(*value));
    }
    label_texts.push_back(&label);
    ds.features.push_back(std::move(x));
  }
  // Only now: a corrupted header count (`1,55555555,…`, found by fuzzing) would otherwise name that many features
  // before any row could contradict it, allocating gigabytes.
  if (sklearn) ds.feature_names = generated_names(width - 1);
  if (!sklearn || ds.class_names.empty()) assign_labels(label_texts, ds);
  return ds;
}

Dataset read_dataset_csv(const std::filesystem::path& path) {
  Dataset ds = parse_dataset_csv(read_file(path), path.string());
  ds.name = path.stem().string();
  return ds;
}

}  // namespace qnn
