#pragma once
/// The Exchange carries coupled signals between models: named arrays of numbers (one value per element,
/// e.g. per building), double-buffered. What a model writes during a sync interval becomes visible to every
/// reader at the next sync point, so results do not depend on the order or number of threads.
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin {

class Exchange {
 public:
  using SignalId = size_t;

  /// Setup phase: the writer declares its signal (a second declaration throws std::logic_error).
  SignalId declare(const std::string& name, size_t size, double initial = 0.0);
  /// The id of a declared signal, or throws std::out_of_range naming it.
  SignalId id(std::string_view name) const;
  bool has(std::string_view name) const;

  /// Values as of the last sync point. Safe from any thread during an interval.
  std::span<const double> read(SignalId id) const { return signals_[id].current; }
  /// The buffer that becomes visible at the next sync point; one writer per signal. It starts each
  /// interval holding the current values, so a writer may update only some elements.
  std::span<double> write(SignalId id) { return signals_[id].next; }

  /// Makes written values visible (the Scheduler calls it between intervals, single-threaded).
  void sync();
  /// Makes one signal's written values visible now (a feed's values for the first interval, before any step).
  void publish(SignalId id) { signals_[id].current = signals_[id].next; }

  const std::string& name(SignalId id) const { return signals_[id].name; }
  size_t count() const { return signals_.size(); }

 private:
  struct Signal {
    std::string name;
    std::vector<double> current, next;
  };
  std::vector<Signal> signals_;
};

}  // namespace citytwin
