#pragma once
/// One simulation run: the Clock, the Scheduler stepping every model on one clock with TBB, the Exchange,
/// the interventions timeline and the Recorder.
#include <functional>

#include "engine/city/city.hpp"
#include "engine/core/log.hpp"
#include "engine/data/results.hpp"
#include "engine/sim/prepared_cache.hpp"
#include "engine/sim/registry.hpp"
#include "engine/sim/scenario.hpp"

namespace citytwin {

struct RunOptions {
  int threads = 0;          ///< 0 = the scenario's setting (0 there = all cores)
  bool show_progress = false;
  Log* log = nullptr;       ///< optional
  /// Where the models' prepared data is kept (a Session's); null = prepared for this run alone.
  PreparedCache* prepared = nullptr;
};

/// The thread count a run uses: options.threads, else the scenario's, else every core.
int run_threads(const Scenario& scenario, const RunOptions& options);

/// Runs a scenario on a loaded City. Throws InputError for bad model parameters or interventions before
/// any step is taken. Thread-safe: several runs may share one City and one PreparedCache.
Results run_simulation(const Scenario& scenario, const City& city, const ModelRegistry& registry,
                       const RunOptions& options);

/// The element sets every run records on: "buildings" and "roads" of the City, with static attributes.
ElementSet buildings_set(const City& city);
ElementSet roads_set(const City& city);

}  // namespace citytwin
