#pragma once
/// The Model interface: a domain model (occupancy, traffic, water, energy) stepped on the run's clock.
///
/// Life of a model in one run:
///  1. created by its factory from the scenario's [models.NAME] table (ModelRegistry::create);
///  2. setup(): declares Exchange signals, element sets and layers; checks its interventions;
///  3. for each sync interval [t0, t1): apply() for due interventions, then advance(t0, t1), which may run
///     concurrently with other models' advance(); then record(t1);
///  4. finish(): KPIs.
/// A model owns its mutable state; the City and any network it was given are shared read-only.
#include <memory>
#include <string>
#include <vector>

#include "engine/city/city.hpp"
#include "engine/core/log.hpp"
#include "engine/data/recorder.hpp"
#include "engine/sim/exchange.hpp"
#include "engine/sim/scenario.hpp"

namespace citytwin {

/// What a model gets at setup. References stay valid for the whole run.
struct RunContext {
  const City& city;
  const Scenario& scenario;
  Exchange& exchange;
  Recorder& recorder;
  Log& log;
};

/// The Exchange signals a model reads and writes, by name: the Scheduler checks that each signal has one
/// writer and that readers' signals exist.
struct SignalAccess {
  std::vector<std::string> reads;
  std::vector<std::string> writes;
};

class Model {
 public:
  virtual ~Model() = default;
  /// The model's name: prefix of its signals, layers and KPIs, and the `model` of its interventions.
  virtual std::string name() const = 0;
  /// Setup (single-threaded). Must throw InputError (with the intervention's `where`) for an intervention
  /// of this model with an unknown action or element.
  virtual void setup(RunContext& ctx) = 0;
  virtual SignalAccess signals() const = 0;
  /// Applies one of its interventions at its time (single-threaded, between intervals).
  virtual void apply(const Intervention& iv, double t_s) = 0;
  /// Advances from t0 to t1 (seconds from the start), sub-stepping on the model's own dt. Reads the Exchange
  /// as of t0, writes its own signals. May run concurrently with other models; may use TBB inside.
  virtual void advance(double t0_s, double t1_s) = 0;
  /// Records its layers and series at time t (after advance).
  virtual void record(double t_s) = 0;
  /// Adds KPIs after the last interval.
  virtual void finish() = 0;
};

}  // namespace citytwin
