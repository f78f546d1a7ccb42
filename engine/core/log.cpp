#include "engine/core/log.hpp"

#include <iostream>

namespace citytwin {

void Log::open(const std::string& path) {
  std::lock_guard lock(mutex_);
  file_.open(path, std::ios::trunc);
  file_ << text_;
}

void Log::info(const std::string& line) { write("info", line, echo_); }
void Log::warn(const std::string& line) { write("warning", line, true); }

void Log::write(const char* level, const std::string& line, bool to_stderr) {
  std::lock_guard lock(mutex_);
  std::string full = std::string(level) + ": " + line + "\n";
  text_ += full;
  if (file_.is_open()) file_ << full << std::flush;
  if (to_stderr) std::cerr << full;
}

}  // namespace citytwin
