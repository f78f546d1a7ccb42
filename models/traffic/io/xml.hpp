#pragma once
/// A thin streaming layer over expat for the SUMO readers: element callbacks with their attributes and
/// line numbers, and errors as "file:line: what" (InputError).
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/error.hpp"
#include "engine/core/time.hpp"

namespace citytwin::traffic::io {

/// The attributes of one element, with typed getters that throw InputError naming file, line and key.
class XmlElement {
 public:
  XmlElement(const char* name, const char** attrs, const std::string& file, int line)
      : name_(name), attrs_(attrs), file_(file), line_(line) {}
  std::string_view name() const { return name_; }
  int line() const { return line_; }
  const char* find(std::string_view key) const;
  std::string text(std::string_view key) const;                 ///< required
  std::string text_or(std::string_view key, std::string fallback) const;
  double number(std::string_view key) const;                    ///< required
  double number_or(std::string_view key, double fallback) const;
  /// A SUMO time: seconds, or "HH:MM:SS" / "D:HH:MM:SS".
  double time(std::string_view key) const;
  [[noreturn]] void fail(const std::string& message) const;

 private:
  const char* name_;
  const char** attrs_;
  const std::string& file_;
  int line_;
};

/// Streams `text` (named `file` in errors) through expat; `start` is called for every opening tag, `end`
/// (may be empty) for every closing tag. Malformed XML throws InputError with the line.
void parse_xml(std::string_view text, const std::string& file, const std::function<void(const XmlElement&)>& start,
               const std::function<void(std::string_view)>& end = {});

/// Reads a whole file; InputError naming it when it cannot be read.
std::string read_file(const std::string& path);

/// Parses a number (the whole string), or nothing.
std::optional<double> parse_number(std::string_view s);
/// Latest time a demand file may name (a year of 366 days): a later one is a typo, and a run to it would not end.
inline constexpr double kMaxTimeS = 366 * kSecondsPerDay;
/// Parses a time: seconds, or H:MM:SS (also D:HH:MM:SS), from 0 to kMaxTimeS; nothing if malformed or out of range.
std::optional<double> parse_time(std::string_view s);

}  // namespace citytwin::traffic::io
