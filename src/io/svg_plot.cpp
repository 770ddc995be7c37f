#include "qnn/io/svg_plot.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>

#include "qnn/core/error.hpp"
#include "qnn/io/atomic_file.hpp"

namespace qnn {

namespace {

// Tableau 10: distinguishable, and readable by most colour-blind viewers.
constexpr std::array<std::string_view, 10> kColors = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
constexpr double kCharWidth = 6.8;  // a generous average for 12 px Helvetica/Arial, for sizing the legend

// to_chars, not printf: the output must not depend on the C locale (a decimal comma would break the SVG).
std::string fixed(double v, int decimals) {
  std::array<char, 64> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::fixed, decimals);
  if (ec != std::errc{}) return "0";
  std::string s(buf.data(), end);
  // "-0.00" reads oddly on an axis.
  if (s.front() == '-' && s.find_first_not_of("0.", 1) == std::string::npos) s.erase(0, 1);
  return s;
}

std::string general(double v) {
  std::array<char, 64> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::general, 3);
  return ec == std::errc{} ? std::string(buf.data(), end) : "?";
}

std::string coord(double v) { return fixed(v, 2); }

std::string escape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters outright.
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t') out += ' ';
        else out += ch;
    }
  }
  return out;
}

struct Tick {
  double value;     // in data units
  std::string label;  // SVG text content (may hold a <tspan>); empty for an unlabelled minor tick
  bool major;
};

// An axis maps data values to [0, 1] of the plot's extent.
struct Scale {
  bool log = false;
  double lo = 0, hi = 1;  // log: exponents of 10
  std::vector<Tick> ticks;

  [[nodiscard]] double fraction(double v) const {
    const double t = log ? std::log10(v) : v;
    return (t - lo) / (hi - lo);
  }
};

bool drawable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }

// 1, 2 or 5 × 10^k: steps whose multiples read as round numbers.
double nice_step(double span, double target) {
  const double raw = span / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

Scale linear_scale(double lo, double hi, double target_ticks) {
  if (lo == hi) {
    const double pad = lo == 0 ? 1 : std::abs(lo) * 0.5;
    lo -= pad;
    hi += pad;
  }
  const double step = nice_step(hi - lo, target_ticks);
  Scale s;
  s.lo = std::floor(lo / step + 1e-9) * step;
  s.hi = std::ceil(hi / step - 1e-9) * step;
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  const bool use_general = decimals > 6 || std::max(std::abs(s.lo), std::abs(s.hi)) >= 1e7;
  const auto count = static_cast<long>(std::llround((s.hi - s.lo) / step));
  for (long i = 0; i <= count; ++i) {
    const double v = s.lo + static_cast<double>(i) * step;
    s.ticks.push_back({v, use_general ? general(v) : fixed(v, decimals), true});
  }
  return s;
}

std::string power_of_ten(long e) {
  // A raised exponent via dy: baseline-shift is not honoured by every browser.
  std::string exp = e < 0 ? "\u2212" + std::to_string(-e) : std::to_string(e);
  return "10<tspan dy=\"-6\" font-size=\"9\">" + exp + "</tspan>";
}

Scale log_scale(double lo, double hi) {
  Scale s;
  s.log = true;
  s.lo = std::floor(std::log10(lo));
  s.hi = std::ceil(std::log10(hi));
  if (s.hi <= s.lo) s.hi = s.lo + 1;
  const auto decades = static_cast<long>(s.hi - s.lo);
  const long every = (decades + 7) / 8;
  for (long e = static_cast<long>(s.lo); e <= static_cast<long>(s.hi); ++e) {
    const double base = std::pow(10.0, static_cast<double>(e));
    const bool labelled = (e - static_cast<long>(s.lo)) % every == 0;
    s.ticks.push_back({base, labelled ? power_of_ten(e) : "", labelled});
    if (decades <= 6 && e < static_cast<long>(s.hi))
      for (int m = 2; m <= 9; ++m)
        s.ticks.push_back({m * base, decades <= 1 && (m == 2 || m == 5) ? fixed(m, 0) + "×" + power_of_ten(e) : "",
                           false});
  }
  return s;
}

Scale make_scale(const PlotAxis& axis, double lo, double hi, bool any, double target_ticks) {
  if (!any) return axis.log ? log_scale(1, 10) : linear_scale(0, 1, target_ticks);
  return axis.log ? log_scale(lo, hi) : linear_scale(lo, hi, target_ticks);
}

void line(std::string& out, double x1, double y1, double x2, double y2, std::string_view style) {
  out += "<line x1=\"" + coord(x1) + "\" y1=\"" + coord(y1) + "\" x2=\"" + coord(x2) + "\" y2=\"" + coord(y2) +
         "\" " + std::string(style) + "/>\n";
}

void text(std::string& out, double x, double y, std::string_view anchor, const std::string& content,
          std::string_view extra = "") {
  out += "<text x=\"" + coord(x) + "\" y=\"" + coord(y) + "\" text-anchor=\"" + std::string(anchor) + "\"" +
         (extra.empty() ? "" : " " + std::string(extra)) + ">" + content + "</text>\n";
}

}  // namespace

std::string render_svg(const Chart& chart) {
  if (chart.width < 200 || chart.height < 150)
    throw ValueError("chart '" + chart.title + "': size " + std::to_string(chart.width) + "×" +
                     std::to_string(chart.height) + " is below the minimum 200×150");
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
  bool any = false;
  std::size_t longest_name = 0;
  for (const PlotSeries& s : chart.series) {
    if (s.x.size() != s.y.size())
      throw ValueError("chart '" + chart.title + "': series '" + s.name + "' has " + std::to_string(s.x.size()) +
                       " x values but " + std::to_string(s.y.size()) + " y values");
    longest_name = std::max(longest_name, s.name.size());
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!drawable(s.x[i], chart.x.log) || !drawable(s.y[i], chart.y.log)) continue;
      any = true;
      xmin = std::min(xmin, s.x[i]);
      xmax = std::max(xmax, s.x[i]);
      ymin = std::min(ymin, s.y[i]);
      ymax = std::max(ymax, s.y[i]);
    }
  }

  const double w = chart.width, h = chart.height;
  // Legend: 14 px gap, 22 px line sample, 6 px gap, the longest name, 8 px margin; at most 45 % of the width.
  const double legend_w =
      chart.series.empty() ? 0 : std::min(0.45 * w, 50 + kCharWidth * static_cast<double>(longest_name));
  const double left = 78, right = 12 + legend_w, top = chart.title.empty() ? 20 : 44, bottom = 54;
  const double px0 = left, px1 = w - right, py0 = top, py1 = h - bottom;
  const Scale sx = make_scale(chart.x, xmin, xmax, any, std::max(2.0, (px1 - px0) / 80));
  const Scale sy = make_scale(chart.y, ymin, ymax, any, std::max(2.0, (py1 - py0) / 60));
  auto X = [&](double v) { return px0 + sx.fraction(v) * (px1 - px0); };
  auto Y = [&](double v) { return py1 - sy.fraction(v) * (py1 - py0); };

  std::string out;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + std::to_string(chart.width) +
         "\" height=\"" + std::to_string(chart.height) + "\" viewBox=\"0 0 " + std::to_string(chart.width) + " " +
         std::to_string(chart.height) + "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n";
  out += "<title>" + escape(chart.title) + "</title>\n";
  out += "<rect x=\"0\" y=\"0\" width=\"" + std::to_string(chart.width) + "\" height=\"" +
         std::to_string(chart.height) + "\" fill=\"white\"/>\n";
  if (!chart.title.empty()) text(out, (px0 + px1) / 2, 26, "middle", escape(chart.title), "font-size=\"15\"");

  // Grid and ticks.
  out += "<g class=\"grid\">\n";
  for (const Tick& t : sx.ticks) {
    const double x = X(t.value);
    line(out, x, py0, x, py1, t.major ? "stroke=\"#e0e0e0\"" : "stroke=\"#f2f2f2\"");
  }
  for (const Tick& t : sy.ticks) {
    const double y = Y(t.value);
    line(out, px0, y, px1, y, t.major ? "stroke=\"#e0e0e0\"" : "stroke=\"#f2f2f2\"");
  }
  out += "</g>\n<g class=\"axes\" fill=\"#333\">\n";
  out += "<rect x=\"" + coord(px0) + "\" y=\"" + coord(py0) + "\" width=\"" + coord(px1 - px0) + "\" height=\"" +
         coord(py1 - py0) + "\" fill=\"none\" stroke=\"#333\"/>\n";
  for (const Tick& t : sx.ticks) {
    const double x = X(t.value);
    line(out, x, py1, x, py1 + (t.major ? 5 : 3), "stroke=\"#333\"");
    if (!t.label.empty()) text(out, x, py1 + 18, "middle", t.label);
  }
  for (const Tick& t : sy.ticks) {
    const double y = Y(t.value);
    line(out, px0 - (t.major ? 5 : 3), y, px0, y, "stroke=\"#333\"");
    if (!t.label.empty()) text(out, px0 - 8, y + 4, "end", t.label);
  }
  if (!chart.x.label.empty()) text(out, (px0 + px1) / 2, h - 14, "middle", escape(chart.x.label));
  if (!chart.y.label.empty()) {
    const double cx = 18, cy = (py0 + py1) / 2;
    text(out, cx, cy, "middle", escape(chart.y.label),
         "transform=\"rotate(-90 " + coord(cx) + " " + coord(cy) + ")\"");
  }
  out += "</g>\n";
  if (!any) text(out, (px0 + px1) / 2, (py0 + py1) / 2, "middle", "no data", "fill=\"#999\" font-size=\"14\"");

  // Series: one path each, broken where a point cannot be drawn.
  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    const PlotSeries& s = chart.series[k];
    const std::string color(kColors[k % kColors.size()]);
    const std::string dash = s.dashed ? " stroke-dasharray=\"6 4\"" : "";
    out += "<g class=\"series\" data-name=\"" + escape(s.name) + "\">\n";
    std::string d, dots;
    bool pen_down = false;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!drawable(s.x[i], chart.x.log) || !drawable(s.y[i], chart.y.log)) {
        pen_down = false;
        continue;
      }
      const double x = X(s.x[i]), y = Y(s.y[i]);
      d += (pen_down ? " L" : (d.empty() ? "M" : " M")) + coord(x) + " " + coord(y);
      pen_down = true;
      if (s.markers)
        dots += "<circle cx=\"" + coord(x) + "\" cy=\"" + coord(y) + "\" r=\"3\" fill=\"" + color + "\"/>\n";
    }
    if (!d.empty())
      out += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\"" + dash + "/>\n";
    out += dots;
    out += "</g>\n";
  }

  // Legend, right of the plot.
  if (!chart.series.empty()) {
    out += "<g class=\"legend\">\n";
    const double lx = px1 + 14;
    for (std::size_t k = 0; k < chart.series.size(); ++k) {
      const PlotSeries& s = chart.series[k];
      const std::string color(kColors[k % kColors.size()]);
      const double y = py0 + 10 + 18 * static_cast<double>(k);
      line(out, lx, y, lx + 22, y,
           "stroke=\"" + color + "\" stroke-width=\"2\"" + (s.dashed ? " stroke-dasharray=\"6 4\"" : ""));
      if (s.markers)
        out += "<circle cx=\"" + coord(lx + 11) + "\" cy=\"" + coord(y) + "\" r=\"3\" fill=\"" + color + "\"/>\n";
      text(out, lx + 28, y + 4, "start", escape(s.name));
    }
    out += "</g>\n";
  }
  out += "</svg>\n";
  return out;
}

void write_svg(const std::filesystem::path& path, const Chart& chart) { write_file_atomic(path, render_svg(chart)); }

}  // namespace qnn
