#pragma once
/// Plays a run's feeds on its clock: places their sensors on elements after the models' setup, writes
/// driving feeds' values into the Exchange at each sync point (so they reach the models as any coupled
/// signal does, whatever the thread count), records measured values beside the simulated ones, and counts
/// what each feed's policy dropped.
#include <deque>
#include <memory>
#include <vector>

#include "engine/city/city.hpp"
#include "engine/core/log.hpp"
#include "engine/data/recorder.hpp"
#include "engine/sim/exchange.hpp"
#include "engine/sim/scenario.hpp"

namespace citytwin {

class FeedPlayer {
 public:
  FeedPlayer(const Scenario& scenario, const City& city, Exchange& exchange, Log& log);
  ~FeedPlayer();

  /// After every model's setup (their element sets are declared) and before connect(): places sensors,
  /// checks each can be compared or driven in this run, opens the feeds and declares the driving signals.
  /// Throws InputError (registry line, feed file and record) for what does not fit.
  void setup(const Recorder& recorder);
  /// Signals this player writes (for the Scheduler's check).
  std::vector<std::string> signals() const;
  /// Writes the driving values for the interval starting at t_s into the Exchange's next buffers; the
  /// Scheduler then syncs. For t_s = 0, call before the first step and publish.
  void drive(double t_s);
  /// Records the measured values as of t_s (after the models' record).
  void record(double t_s);
  /// Fills the simulated side of each trace from the run's results, adds the feeds' KPIs.
  void finish(Results& results);
  bool empty() const { return feeds_.empty(); }

  struct FeedRun;

 private:
  double value_at(FeedRun& f, size_t sensor, std::int64_t unix_s);
  /// The measured value beside the simulated one of the step ending at unix_s (QuantityInfo::labelled_by_start).
  double measured_at(FeedRun& f, size_t sensor, const SensorTrace& trace, std::int64_t unix_s);
  /// Throws InputError when another driving sensor already sets that element of that signal.
  void check_one_driver(const Sensor& sensor, Exchange::SignalId signal, size_t element, const FeedRun& current) const;

  const Scenario& scenario_;
  const City& city_;
  Exchange& exchange_;
  Log& log_;
  std::vector<std::unique_ptr<FeedRun>> feeds_;
  std::vector<SensorTrace> traces_;
  std::vector<std::string> declared_;
};

}  // namespace citytwin
