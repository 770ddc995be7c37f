#pragma once
// Line charts as standalone SVG 1.1 (no dependencies, opens in any browser): several named series of (x, y) points,
// linear or logarithmic axes with ticks and labels, a legend and a title. Used for barren-plateau plots and training
// curves.
//
//   Chart chart{.title = "gradient variance", .x = {.label = "qubits"}, .y = {.label = "Var", .log = true}};
//   chart.add("global", {2, 3, 4}, {0.25, 0.12, 0.06});
//   write_svg("variance.svg", chart);
#include <filesystem>
#include <string>
#include <vector>

namespace qnn {

// Every member has an initializer, so designated initializers may name any subset (-Wmissing-field-initializers).
struct PlotAxis {
  std::string label = {};
  /// Base-10 logarithmic scale; points with a value ≤ 0 on it are skipped.
  bool log = false;
};

struct PlotSeries {
  std::string name = {};
  std::vector<double> x = {};
  std::vector<double> y = {};
  /// A dot at every point as well as the line.
  bool markers = true;
  bool dashed = false;
};

struct Chart {
  std::string title = {};
  PlotAxis x = {};
  PlotAxis y = {};
  std::vector<PlotSeries> series = {};
  unsigned width = 720;
  unsigned height = 450;

  /// Appends a series (colours follow the order of the series).
  Chart& add(std::string name, std::vector<double> xs, std::vector<double> ys, bool dashed = false) {
    series.push_back({std::move(name), std::move(xs), std::move(ys), true, dashed});
    return *this;
  }
};

/// The chart as SVG text. A point with a non-finite coordinate (or one ≤ 0 on a log axis) is skipped and breaks its
/// line there; a series without drawable points stays in the legend; a chart without any draws its axes over
/// [0, 1] and says "no data". Throws ValueError if a series has different numbers of x and y values, or if the
/// chart is smaller than 200 × 150.
std::string render_svg(const Chart& chart);

/// render_svg written atomically (write_file_atomic): a reader never sees half a file. Throws IoError on failure.
void write_svg(const std::filesystem::path& path, const Chart& chart);

}  // namespace qnn
