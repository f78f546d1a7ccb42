#pragma once
/// Whole-file reading, field parsing and capped error collection for the energy model's text readers.
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "engine/core/error.hpp"

namespace citytwin::energy {

/// The file's bytes, or InputError "PATH: cannot open the file".
inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourceLocation{path, 0, {}}, "cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// s without leading blanks and tabs and without trailing blanks, tabs and carriage returns.
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

/// Parses the whole trimmed field (an optional leading '+' allowed) as a finite number into out.
inline bool to_number(std::string_view s, double& out) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(out);
}

/// Collects the first kMaxErrors messages "FILE:LINE: message" of one file and counts the rest, which
/// throw_if_any reports in one closing line: "N" + overflow_text, prefixed by "FILE: " when
/// overflow_names_file.
class CappedErrors {
 public:
  static constexpr int kMaxErrors = 20;

  CappedErrors(std::string file, std::string overflow_text, bool overflow_names_file)
      : file_(std::move(file)), overflow_text_(std::move(overflow_text)), overflow_names_file_(overflow_names_file) {}
  void add(int line, const std::string& msg) {
    if (count_++ < kMaxErrors) list_.add(SourceLocation{file_, line, {}}, msg);
  }
  /// Throws an InputError with every message collected so far, if any.
  void throw_if_any() {
    if (count_ > kMaxErrors) {
      const std::string more = std::to_string(count_ - kMaxErrors) + overflow_text_;
      if (overflow_names_file_) list_.add(SourceLocation{file_, 0, {}}, more);
      else list_.add(more);
    }
    list_.throw_if_any();
  }
  bool full() const { return count_ >= kMaxErrors; }
  int count() const { return count_; }

 private:
  std::string file_;
  std::string overflow_text_;
  bool overflow_names_file_;
  ErrorList list_;
  int count_ = 0;
};

}  // namespace citytwin::energy
