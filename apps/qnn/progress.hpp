#pragma once
// A one-line progress bar on stderr, drawn only when stderr is a terminal (plain logs stay clean).
#include <unistd.h>

#include <cstdio>
#include <string>

namespace qnn::cli {

class ProgressBar {
 public:
  ProgressBar() : enabled_(isatty(STDERR_FILENO) == 1) {}
  [[nodiscard]] bool enabled() const { return enabled_; }
  void draw(const std::string& label, double fraction) {
    if (!enabled_) return;
    constexpr int width = 30;
    const int filled = static_cast<int>(fraction * width + 0.5);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "\r%s [%s] %3d%%", label.c_str(), bar.c_str(), static_cast<int>(fraction * 100 + 0.5));
    std::fflush(stderr);
    drawn_ = true;
  }
  void clear() {
    if (!enabled_ || !drawn_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }

 private:
  bool enabled_;
  bool drawn_ = false;
};

}  // namespace qnn::cli
