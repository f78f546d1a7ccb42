#include "engine/sim/exchange.hpp"

#include <stdexcept>

namespace citytwin {

Exchange::SignalId Exchange::declare(const std::string& name, size_t size, double initial) {
  if (has(name)) throw std::logic_error("signal " + name + " declared twice (one writer declares a signal)");
  signals_.push_back(Signal{name, std::vector<double>(size, initial), std::vector<double>(size, initial)});
  return signals_.size() - 1;
}

bool Exchange::has(std::string_view name) const {
  for (const auto& s : signals_)
    if (s.name == name) return true;
  return false;
}

Exchange::SignalId Exchange::id(std::string_view name) const {
  for (size_t i = 0; i < signals_.size(); ++i)
    if (signals_[i].name == name) return i;
  throw std::out_of_range("no Exchange signal named " + std::string(name));
}

void Exchange::sync() {
  for (auto& s : signals_) s.current = s.next;
}

}  // namespace citytwin
