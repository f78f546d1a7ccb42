#include "engine/core/error.hpp"

namespace citytwin {

std::string SourceLocation::str() const {
  std::string s = file;
  if (line > 0) s.append(":").append(std::to_string(line));
  if (!element.empty()) {
    if (!s.empty()) s.append(": ");
    s.append(element);
  }
  return s;
}

InputError::InputError(const SourceLocation& where, const std::string& message)
    : std::runtime_error(where.str() + ": " + message) {}

void ErrorList::add(const SourceLocation& where, const std::string& message) {
  messages_.push_back(where.str() + ": " + message);
}

void ErrorList::add(const std::string& message) { messages_.push_back(message); }

void ErrorList::throw_if_any() const {
  if (messages_.empty()) return;
  std::string all;
  for (const auto& m : messages_) {
    if (!all.empty()) all += "\n";
    all += m;
  }
  throw InputError(all);
}

}  // namespace citytwin
