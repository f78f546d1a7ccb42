#include "tools/citytwin/scenario_runner.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/data/results_io.hpp"
#include "engine/sim/session.hpp"
#include "models/all_models.hpp"

namespace citytwin::cli {

ScenarioRun run_scenario_file(const std::string& path, int threads, bool progress, Log& log) {
  ScenarioRun run;
  run.scenario = load_scenario(path);
  {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    run.scenario_text = text.str();
  }
  ModelRegistry registry = all_models();
  // Check model parameters before the (slower) city import.
  registry.create(run.scenario);
  log.info("loading city " + run.scenario.city.path);
  Session session = Session::open(run.scenario.city, std::move(registry));
  log.info("city: " + std::to_string(session.city().buildings.size()) + " buildings, " +
           std::to_string(session.city().roads.edges.size()) + " road edges, CRS " + session.city().crs);
  RunOptions options;
  options.threads = threads;
  options.show_progress = progress;
  options.log = &log;
  run.results = session.run(run.scenario, options);
  return run;
}

Results results_from(const std::string& scenario_or_dir, Log& log) {
  if (std::filesystem::is_directory(scenario_or_dir)) return load_results(scenario_or_dir);
  return run_scenario_file(scenario_or_dir, 0, false, log).results;
}

}  // namespace citytwin::cli
