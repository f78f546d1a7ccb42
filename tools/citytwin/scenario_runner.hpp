#pragma once
/// Loading a scenario, its city, and running it: shared by `run`, `render` and the viewer.
#include <string>

#include "engine/core/log.hpp"
#include "engine/data/results.hpp"
#include "engine/sim/scenario.hpp"

namespace citytwin::cli {

struct ScenarioRun {
  Scenario scenario;
  std::string scenario_text;
  Results results;
};

/// Loads and runs a scenario file. threads 0 = the scenario's setting. Throws InputError on bad input.
ScenarioRun run_scenario_file(const std::string& path, int threads, bool progress, Log& log);

/// A results directory as is, or a scenario file run in memory first.
Results results_from(const std::string& scenario_or_dir, Log& log);

}  // namespace citytwin::cli
