#include "engine/core/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace citytwin {

Progress::Progress(std::string label, double total, bool enabled)
    : label_(std::move(label)),
      total_(total > 0 ? total : 1),
      enabled_(enabled),
      tty_(isatty(fileno(stderr)) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void Progress::update(double done, const std::string& status) {
  if (!enabled_) return;
  double frac = std::clamp(done / total_, 0.0, 1.0);
  auto now = std::chrono::steady_clock::now();
  double elapsed = std::chrono::duration<double>(now - start_).count();
  if (tty_) {
    if (frac < 1.0 && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    constexpr int kWidth = 30;
    int filled = static_cast<int>(frac * kWidth);
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r%s [%s] %5.1f%% %6.1fs %s\x1b[K", label_.c_str(), bar.c_str(), frac * 100, elapsed,
                 status.c_str());
    std::fflush(stderr);
  } else {
    int decile = static_cast<int>(frac * 10);
    if (decile == last_decile_) return;
    last_decile_ = decile;
    std::fprintf(stderr, "%s: %3d%% (%.1fs) %s\n", label_.c_str(), decile * 10, elapsed, status.c_str());
  }
}

void Progress::finish(const std::string& status) {
  if (!enabled_) return;
  update(total_, status);
  if (tty_) std::fprintf(stderr, "\n");
}

}  // namespace citytwin
