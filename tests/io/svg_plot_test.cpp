#include "qnn/io/svg_plot.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/io/atomic_file.hpp"

namespace qnn {
namespace {

// Checks that every element is closed in order (a small XML well-formedness check: tags balance, attributes are
// quoted, no stray '<' or '&' in text). Returns an empty string when well-formed, else what is wrong.
std::string xml_problem(const std::string& s) {
  std::vector<std::string> open;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '&') {
      const std::size_t semi = s.find(';', i);
      if (semi == std::string::npos || semi - i > 8) return "bare '&' at " + std::to_string(i);
      i = semi + 1;
      continue;
    }
    if (s[i] != '<') {
      if (s[i] == '>') return "stray '>' at " + std::to_string(i);
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    bool in_quote = false;
    for (; j < s.size(); ++j) {
      if (s[j] == '"') in_quote = !in_quote;
      else if (!in_quote && s[j] == '<') return "'<' inside a tag at " + std::to_string(j);
      else if (!in_quote && s[j] == '>') break;
    }
    if (j == s.size()) return "unterminated tag at " + std::to_string(i);
    const std::string tag = s.substr(i + 1, j - i - 1);
    i = j + 1;
    if (tag.starts_with("?")) continue;
    const bool closing = tag.starts_with("/"), self_closing = tag.ends_with("/");
    std::string name = tag.substr(closing ? 1 : 0);
    name = name.substr(0, name.find_first_of(" \n/"));
    if (closing) {
      if (open.empty() || open.back() != name) return "</" + name + "> does not close <" + (open.empty() ? "" : open.back()) + ">";
      open.pop_back();
    } else if (!self_closing) {
      open.push_back(name);
    }
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  return "";
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

Chart two_series() {
  Chart c{.title = "gradient variance", .x = {.label = "qubits"}, .y = {.label = "Var[∂C/∂θ]", .log = true}};
  c.add("global cost", {2, 3, 4, 5}, {0.25, 0.125, 0.0625, 0.03125});
  c.add("local cost", {2, 3, 4, 5}, {0.2, 0.15, 0.11, 0.09}, true);
  return c;
}

TEST(SvgPlot, WellFormedStandaloneSvgWithSeriesLegendAndTitle) {
  const std::string svg = render_svg(two_series());
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_TRUE(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_NE(svg.find("version=\"1.1\""), std::string::npos);
  EXPECT_NE(svg.find(">gradient variance</text>"), std::string::npos);
  EXPECT_NE(svg.find(">global cost</text>"), std::string::npos);
  EXPECT_NE(svg.find(">local cost</text>"), std::string::npos);
  EXPECT_NE(svg.find(">qubits</text>"), std::string::npos);
  EXPECT_EQ(count(svg, "<path "), 2u);
  EXPECT_EQ(count(svg, "<circle "), 8u + 2);  // the points and one marker per legend entry
  EXPECT_EQ(count(svg, "stroke-dasharray"), 2u);  // the dashed series and its legend line
  // Decades 10^-2 … 10^0 on the log axis, with a raised exponent.
  EXPECT_NE(svg.find("10<tspan dy=\"-6\" font-size=\"9\">\u22122</tspan>"), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
}

TEST(SvgPlot, LinearTicksAreRoundNumbers) {
  Chart c{.x = {.label = "epoch"}, .y = {.label = "loss"}};
  c.add("train", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {1.1, 0.9, 0.7, 0.6, 0.5, 0.45, 0.4, 0.38, 0.36, 0.35, 0.34});
  const std::string svg = render_svg(c);
  EXPECT_EQ(xml_problem(svg), "");
  for (const char* label : {">0</text>", ">5</text>", ">10</text>", ">0.3</text>", ">0.5</text>", ">1.1</text>"})
    EXPECT_NE(svg.find(label), std::string::npos) << label;
}

TEST(SvgPlot, NonFiniteAndNonPositivePointsAreSkippedWithAGap) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  Chart c{.y = {.log = true}};
  c.add("gappy", {1, 2, 3, 4, 5, 6}, {1e-1, nan, 1e-2, inf, -1.0, 1e-4});
  const std::string svg = render_svg(c);
  EXPECT_EQ(xml_problem(svg), "");
  // Drawn: 1, 3 and 6; the line restarts after each gap.
  EXPECT_EQ(count(svg, "<circle "), 3u + 1);
  const std::size_t d = svg.find("<path d=\"");
  ASSERT_NE(d, std::string::npos);
  const std::string path = svg.substr(d, svg.find('"', d + 9) - d);
  EXPECT_EQ(count(path, "M"), 3u) << path;
  EXPECT_EQ(count(path, "L"), 0u) << path;
  for (const char* bad : {"nan", "inf", "NaN"}) EXPECT_EQ(svg.find(bad), std::string::npos) << bad;
}

TEST(SvgPlot, EmptyChartsAndSeriesStillRender) {
  Chart nothing{.title = "empty"};
  std::string svg = render_svg(nothing);
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_NE(svg.find(">no data</text>"), std::string::npos);

  Chart blank{.title = "blank", .y = {.log = true}};
  blank.add("no points", {}, {});
  blank.add("only NaN", {1}, {std::nan("")});
  svg = render_svg(blank);
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_NE(svg.find(">no data</text>"), std::string::npos);
  EXPECT_NE(svg.find(">only NaN</text>"), std::string::npos);  // still in the legend
  EXPECT_EQ(count(svg, "<path "), 0u);

  Chart single;
  single.add("one point", {3}, {7});
  svg = render_svg(single);
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_EQ(svg.find("no data"), std::string::npos);
}

TEST(SvgPlot, TextIsEscaped) {
  Chart c{.title = "a < b & \"c\"", .x = {.label = "x's"}};
  c.add("<script>", {0, 1}, {0, 1});
  const std::string svg = render_svg(c);
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_NE(svg.find("a &lt; b &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
}

TEST(SvgPlot, BadChartsAreRefused) {
  Chart c{.title = "mismatch"};
  c.add("short", {1, 2, 3}, {1, 2});
  try {
    render_svg(c);
    ADD_FAILURE() << "mismatched series accepted";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("'short' has 3 x values but 2 y values"), std::string::npos) << e.what();
  }
  Chart tiny{.width = 100, .height = 50};
  EXPECT_THROW(render_svg(tiny), ValueError);
}

TEST(SvgPlot, WritesAtomically) {
  const auto dir = std::filesystem::temp_directory_path() / ("qnn_svg_plot_test." + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const Chart c = two_series();
  write_svg(dir / "plot.svg", c);
  EXPECT_EQ(read_file(dir / "plot.svg"), render_svg(c));
  EXPECT_THROW(write_svg(dir / "missing" / "plot.svg", c), IoError);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace qnn
