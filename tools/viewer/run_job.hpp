#pragma once
/// A scenario run in the background: `citytwin run SCENARIO -o DIR` as a child process, so that the viewer
/// stays responsive and a what-if is run by exactly the command that reproduces it later.
#include <sys/types.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

namespace citytwin::viewer {

class RunJob {
 public:
  /// Starts `citytwin_exe run scenario -o out_dir`. Throws std::runtime_error when it cannot be started.
  RunJob(const std::string& citytwin_exe, const std::string& scenario, const std::string& out_dir);
  /// Stops the child if it still runs (SIGTERM) and waits for it.
  ~RunJob();
  RunJob(const RunJob&) = delete;
  RunJob& operator=(const RunJob&) = delete;

  /// Thread-safe. Fraction of the run's steps done, from the run's own progress lines (tenths).
  double progress() const { return progress_.load(); }
  bool done() const { return done_.load(); }
  /// After done(): true when `citytwin run` exited 0.
  bool ok() const { return exit_code_.load() == 0; }
  /// The last line the run printed (its progress, or its error message). Thread-safe.
  std::string status() const;
  const std::string& scenario() const { return scenario_; }
  const std::string& out_dir() const { return out_dir_; }

 private:
  void read_output(int fd);
  std::string scenario_, out_dir_;
  pid_t pid_ = -1;
  std::thread reader_;
  std::atomic<double> progress_{0};
  std::atomic<bool> done_{false};
  std::atomic<int> exit_code_{-1};
  mutable std::mutex mutex_;
  std::string status_;
};

}  // namespace citytwin::viewer
