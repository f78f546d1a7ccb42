#pragma once
/// The Model interface: a domain model (occupancy, traffic, water, energy) stepped on the run's clock.
///
/// Life of a model in one run:
///  1. created by its factory from the scenario's [models.NAME] table (ModelRegistry::create);
///  2. prepare(): builds the model's static data from the City and the parameters that shape it (a lane
///     graph, a pipe network, a building stock). A Session calls it once per City and prepare_key() and
///     shares the result, const, with every run that gives the same key;
///  3. setup(): builds the run's mutable state from the prepared data, declares the signals it writes, its
///     element sets and layers, and checks its interventions;
///  4. connect(): after every model's setup, looks up the signals it reads;
///  5. for each sync interval [t0, t1): apply() for due interventions, then advance(t0, t1), which may run
///     concurrently with other models' advance(); then record(t1);
///  6. finish(): KPIs.
///
/// What the Scheduler (run_simulation) checks, before setup: no signal has two writers in signals(), and
/// every signal in reads has a writer in this run (InputError naming the reader and the signal). After
/// setup: every signal a model lists in writes was declared, and every declared signal is listed by a writer.
#include <memory>
#include <string>
#include <vector>

#include "engine/city/city.hpp"
#include "engine/core/log.hpp"
#include "engine/data/recorder.hpp"
#include "engine/sim/exchange.hpp"
#include "engine/sim/scenario.hpp"

namespace citytwin {

/// A model's static data, built by prepare(). Immutable once built; shared read-only by runs on any thread.
class PreparedData {
 public:
  virtual ~PreparedData() = default;
};

/// What a model gets at setup. References stay valid for the whole run.
struct RunContext {
  const City& city;
  const Scenario& scenario;
  Exchange& exchange;
  Recorder& recorder;
  Log& log;
  /// What this model's prepare() returned (null when it prepares nothing). Kept alive for the whole run.
  const PreparedData* prepared = nullptr;
  /// Worker threads of this run (>= 1). A model that makes a task arena of its own sizes it with this; TBB
  /// algorithms called from advance() already run in the run's arena of this size.
  int threads = 1;

  /// The prepared data as the model's own type.
  template <class T>
  const T& prepared_as() const {
    return dynamic_cast<const T&>(*prepared);
  }
};

/// The Exchange signals a model writes and reads, by name (engine/sim/signals.hpp).
struct SignalAccess {
  /// Signals the model needs: a run where no model writes one is an error.
  std::vector<std::string> reads;
  std::vector<std::string> writes;
  /// Signals the model uses when some model writes them (connect() asks exchange.has()), and does without.
  std::vector<std::string> optional_reads;
};

/// A number with 17 significant digits (exact), for prepare keys: two keys are equal only when the
/// numbers are.
std::string prepare_key_number(double v);

class Model {
 public:
  virtual ~Model() = default;
  /// The model's name: prefix of its signals, layers and KPIs, and the `model` of its interventions.
  virtual std::string name() const = 0;
  virtual SignalAccess signals() const = 0;

  /// The parameters that shape the static data, as text: runs whose models give the same key (on the same
  /// City) share one prepare(). Empty (the default) when the model prepares nothing.
  virtual std::string prepare_key() const { return {}; }
  /// Builds the static data from the City. Const: it reads only the City and the model's parameters, and
  /// may be called from any thread. Throws InputError for a bad input file it reads.
  virtual std::shared_ptr<const PreparedData> prepare(const City& city) const {
    (void)city;
    return nullptr;
  }

  /// Setup (single-threaded).
  virtual void setup(RunContext& ctx) = 0;
  /// After setup, for each intervention of this model (single-threaded): records every problem of its
  /// action, target and parameters in p (p.error, p.number, ...; p.finish() for unknown keys). The
  /// Simulation reports the problems of every intervention at once and runs nothing if there are any.
  /// An InputError thrown here is reported the same way. Default: every action is unknown.
  virtual void check_intervention(const Intervention& iv, Params& p) { p.error("action", "unknown action \"" + iv.action + "\""); }
  /// After every model's setup (single-threaded): looks up the signals it reads.
  virtual void connect(RunContext& ctx) { (void)ctx; }
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
