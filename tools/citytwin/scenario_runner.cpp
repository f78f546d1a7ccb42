#include "tools/citytwin/scenario_runner.hpp"

#include <sys/wait.h>

#include <atomic>
#include <cstdlib>
#include <thread>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/data/results_io.hpp"
#include "models/all_models.hpp"

namespace citytwin::cli {

ScenarioRun load_scenario_file(const std::string& path, const std::vector<KeySetting>& settings) {
  ScenarioRun run;
  if (!settings.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError({path, 0, ""}, std::filesystem::exists(path) ? "cannot read the file" : "no such file");
    std::ostringstream text;
    text << in.rdbuf();
    const toml::table tree = tree_with(parse_scenario_toml(text.str(), path), settings);
    run.scenario = scenario_with(tree, path, settings);
    run.scenario_text = scenario_text_with(tree, path, settings);
    return run;
  }
  run.scenario = load_scenario(path);
#ifndef CITYTWIN_HAS_RENDER
  if (!run.scenario.outputs.render_layer.empty())
    throw InputError({path, 0, "outputs.render_layer"}, "this build has no renderer (configured with CITYTWIN_RENDER=OFF)");
#endif
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  run.scenario_text = text.str();
  return run;
}

Session open_session(const Scenario& scenario, Log& log) {
  ModelRegistry registry = all_models();
  // Check model parameters before the (slower) city import.
  registry.create(scenario);
  log.info("loading city " + scenario.city.path);
  Session session = Session::open(scenario.city, std::move(registry));
  log.info("city: " + std::to_string(session.city().buildings.size()) + " buildings, " +
           std::to_string(session.city().roads.edges.size()) + " road edges, CRS " + session.city().crs);
  return session;
}

ScenarioRun run_scenario_file(const std::string& path, int threads, bool progress, Log& log,
                              const std::vector<KeySetting>& settings) {
  ScenarioRun run = load_scenario_file(path, settings);
  check_settings(run.scenario, settings, [](const Scenario& s) { all_models().create(s); });
  const Session session = open_session(run.scenario, log);
  RunOptions options;
  options.threads = threads;
  options.show_progress = progress;
  options.log = &log;
  run.results = session.run(run.scenario, options);
  return run;
}

void for_each_job(size_t count, int jobs, const std::function<void(size_t)>& work) {
  std::atomic<size_t> next{0};
  auto job = [&] {
    for (size_t i = next++; i < count; i = next++) work(i);
  };
  std::vector<std::thread> threads;
  for (int j = 0; j < std::min<int>(jobs, static_cast<int>(count)); ++j) threads.emplace_back(job);
  for (auto& t : threads) t.join();
}

namespace {

/// Draws measured against simulated for every sensor (tools/citytwin/sensor_charts.py, matplotlib) into the
/// results folder before it is renamed into place; a machine without matplotlib gets a warning, not charts.
void draw_sensor_charts(const std::filesystem::path& folder, Log& log) {
  const std::string python = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  const std::string cmd = python + " '" + std::string(CITYTWIN_SENSOR_CHARTS) + "' '" + folder.string() + "' 2>&1";
  const int status = std::system(cmd.c_str());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    log.warn("sensor charts not drawn (" + cmd + " failed; tools/install-deps installs python3-matplotlib)");
}

}  // namespace

void check_output_folder(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!fs::is_directory(dir, ec)) throw InputError({dir, 0, ""}, "exists and is not a folder: not replacing it");
  if (!is_results_dir(dir) && !fs::is_empty(dir, ec))
    throw InputError({dir, 0, ""}, "exists and is not a results directory: not replacing it");
}

void write_run(const std::string& dir, const ScenarioRun& run, Log& log, const std::string& log_before) {
  WriteOptions w;
  if (!run.results.sensors.empty()) w.extra = [&log](const std::filesystem::path& folder) { draw_sensor_charts(folder, log); };
  w.geopackage = run.scenario.outputs.geopackage;
  w.timeseries = run.scenario.outputs.timeseries;
  w.scenario_text = run.scenario_text;
  log.info("writing results to " + dir);
  w.log_text = log_before + log.text();
  write_results(dir, run.results, w);
}

Results results_from(const std::string& scenario_or_dir, Log& log) {
  if (std::filesystem::is_directory(scenario_or_dir)) return load_results(scenario_or_dir);
  return run_scenario_file(scenario_or_dir, 0, false, log).results;
}

}  // namespace citytwin::cli
