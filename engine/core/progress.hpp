#pragma once
/// Progress of a long run: a bar redrawn in place on a terminal, a line every 10% otherwise.
#include <chrono>
#include <string>

namespace citytwin {

class Progress {
 public:
  /// enabled=false makes every call a no-op (tests, batch sweeps).
  Progress(std::string label, double total, bool enabled = true);
  /// Not thread-safe: call from the thread that drives the run.
  void update(double done, const std::string& status = {});
  void finish(const std::string& status = {});

 private:
  std::string label_;
  double total_;
  bool enabled_;
  bool tty_;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace citytwin
