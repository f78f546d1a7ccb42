#pragma once
/// A run's log: every line goes to the log file; warnings and errors also go to stderr.
#include <fstream>
#include <mutex>
#include <string>

namespace citytwin {

class Log {
 public:
  Log() = default;
  /// Opens (truncates) a log file; without one the log only goes to stderr when echo is on.
  void open(const std::string& path);
  void set_echo(bool echo) { echo_ = echo; }
  /// Thread-safe.
  void info(const std::string& line);
  void warn(const std::string& line);
  const std::string& text() const { return text_; }

 private:
  void write(const char* level, const std::string& line, bool to_stderr);
  std::mutex mutex_;
  std::ofstream file_;
  std::string text_;
  bool echo_ = false;
};

}  // namespace citytwin
