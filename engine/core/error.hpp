#pragma once
/// Errors that point at the input: file, line (or element) and what was expected.
#include <stdexcept>
#include <string>
#include <vector>

namespace citytwin {

/// Where a piece of input came from. line 0 means "no line" (a whole file, an element ID).
struct SourceLocation {
  std::string file;
  int line = 0;
  std::string element;  ///< key, layer/fid or element ID, when there is one

  std::string str() const;
};

/// Bad input: a broken file, a wrong key, an unknown ID. The CLI prints what() on one line and exits 2.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
  InputError(const SourceLocation& where, const std::string& message);
};

/// Gathers every error of one input so they can be reported together, then thrown as one InputError.
class ErrorList {
 public:
  void add(const SourceLocation& where, const std::string& message);
  void add(const std::string& message);
  bool empty() const { return messages_.empty(); }
  const std::vector<std::string>& messages() const { return messages_; }
  /// Throws an InputError holding all messages (one per line) if any were added.
  void throw_if_any() const;

 private:
  std::vector<std::string> messages_;
};

}  // namespace citytwin
