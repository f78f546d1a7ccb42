#pragma once
/// Loading a scenario, its city, and running it: shared by `run`, `batch`, `render` and the viewer.
#include <functional>
#include <string>
#include <vector>

#include "engine/core/log.hpp"
#include "engine/data/results.hpp"
#include "engine/sim/scenario.hpp"
#include "engine/sim/scenario_keys.hpp"
#include "engine/sim/session.hpp"

namespace citytwin::cli {

struct ScenarioRun {
  Scenario scenario;
  std::string scenario_text;
  Results results;
};

/// Reads and checks a scenario file (not its model parameters), keeping its text for the results' copy;
/// with settings (`--set`), the keys set and the copy written from the tree with them.
ScenarioRun load_scenario_file(const std::string& path, const std::vector<KeySetting>& settings = {});

/// Opens a Session on the scenario's city with every model, logging what was loaded.
Session open_session(const Scenario& scenario, Log& log);

/// Loads and runs a scenario file. threads 0 = the scenario's setting. Throws InputError on bad input.
ScenarioRun run_scenario_file(const std::string& path, int threads, bool progress, Log& log,
                              const std::vector<KeySetting>& settings = {});

/// Calls work(i) for i in [0, count) on `jobs` threads of their own, each taking the next i (every job is a
/// run with its own TBB arena, whatever TBB's worker pool holds). work must not throw.
void for_each_job(size_t count, int jobs, const std::function<void(size_t)>& work);

/// Throws InputError when dir exists and could not be replaced by results (a file, or a folder that holds
/// something other than results), so that a run is refused before it starts rather than after.
void check_output_folder(const std::string& dir);

/// Writes a run's results directory (run.log: log_before, then the log as it is now), as `citytwin run` does.
void write_run(const std::string& dir, const ScenarioRun& run, Log& log, const std::string& log_before = {});

/// A results directory as is, or a scenario file run in memory first.
Results results_from(const std::string& scenario_or_dir, Log& log);

}  // namespace citytwin::cli
