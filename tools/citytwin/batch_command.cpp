#include <oneapi/tbb/task_arena.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>
#include <vector>

#include "engine/core/progress.hpp"
#include "engine/sim/session.hpp"
#include "tools/citytwin/commands.hpp"
#include "tools/citytwin/scenario_runner.hpp"

namespace citytwin::cli {
namespace {

struct BatchOptions {
  std::vector<std::string> scenarios;
  std::string out;
  int jobs = 1;
  int threads = 0;
  bool quiet = false;
};

/// Every scenario read and checked before anything runs; all on one city; one results folder name each.
std::vector<ScenarioRun> load_batch(const BatchOptions& opt) {
  std::vector<ScenarioRun> runs;
  std::set<std::string> names;
  ErrorList errors;
  for (const auto& path : opt.scenarios) {
    try {
      runs.push_back(load_scenario_file(path));
    } catch (const InputError& e) {
      errors.add(e.what());
      continue;
    }
    const std::string name = std::filesystem::path(path).stem().string();
    if (!names.insert(name).second) errors.add(SourceLocation{path, 0, {}}, "a second scenario file named " + name);
    if (!same_city(runs.back().scenario.city, runs.front().scenario.city))
      errors.add(SourceLocation{path, 0, "city"}, "not the city of " + opt.scenarios.front() +
                                                      " (a batch runs on one city)");
  }
  errors.throw_if_any();
  return runs;
}

/// Runs each scenario on the Session, `jobs` at a time, writing OUT/<file stem>/ as each one ends; a failed
/// run is reported and the others go on. Returns the number that failed.
int run_batch(const BatchOptions& opt, std::vector<ScenarioRun>& runs, const Session& session, const Log& city_log) {
  const int threads_each = opt.threads > 0 ? opt.threads
                                           : std::max(1, tbb::this_task_arena::max_concurrency() / opt.jobs);
  std::mutex mutex;
  int done = 0, failed = 0;
  Progress progress("batch", static_cast<double>(runs.size()), !opt.quiet);
  for_each_job(runs.size(), opt.jobs, [&](size_t i) {
    const auto start = std::chrono::steady_clock::now();
    Log log;
    std::string error;
    try {
      RunOptions options;
      options.threads = threads_each;
      options.log = &log;
      runs[i].results = session.run(runs[i].scenario, options);
      const auto dir = std::filesystem::path(opt.out) / std::filesystem::path(opt.scenarios[i]).stem();
      write_run(dir.string(), runs[i], log, city_log.text());
    } catch (const std::exception& e) {
      error = e.what();
    }
    runs[i].results = Results{};  // written: free it for the runs still to come
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::lock_guard lock(mutex);
    ++done;
    if (!error.empty()) {
      ++failed;
      std::fprintf(stderr, "citytwin batch: %s failed: %s\n", opt.scenarios[i].c_str(), error.c_str());
    }
    std::printf("%-40s %-6s %8.1f s\n", opt.scenarios[i].c_str(), error.empty() ? "ok" : "failed", s);
    std::fflush(stdout);
    progress.update(done, std::to_string(failed) + " failed");
  });
  progress.finish();
  return failed;
}

}  // namespace

void add_batch(CLI::App& app) {
  auto opt = std::make_shared<BatchOptions>();
  auto* cmd = app.add_subcommand("batch", "Run several scenarios of one city on one session (the city and the "
                                          "models' networks loaded once), writing OUT/<scenario file name>/ each");
  cmd->add_option("SCENARIOS", opt->scenarios, "Scenario files (TOML), all of the same city")->required();
  cmd->add_option("-o,--output", opt->out, "Folder for the results directories")->required();
  cmd->add_option("-j,--jobs", opt->jobs, "Scenarios run at once")->check(CLI::Range(1, 256))->capture_default_str();
  cmd->add_option("-t,--threads", opt->threads, "Worker threads of each run (default: the cores shared by the jobs)")
      ->check(CLI::Range(0, 1024));
  cmd->add_flag("-q,--quiet", opt->quiet, "No progress bar");
  cmd->callback([opt] {
    auto runs = load_batch(*opt);
    Log log;
    const Session session = open_session(runs.front().scenario, log);
    for (const auto& r : runs) session.check(r.scenario);
    std::filesystem::create_directories(opt->out);
    const int failed = run_batch(*opt, runs, session, log);
    std::printf("%zu runs, %d failed; results in %s\n", runs.size(), failed, opt->out.c_str());
    std::string prepared;
    for (const auto& m : session.registry().names())
      if (const size_t count = session.prepare_count(m)) prepared += " " + m + " " + std::to_string(count) + "x";
    if (!prepared.empty()) std::printf("static data prepared:%s\n", prepared.c_str());
    if (failed > 0) throw InputError(std::to_string(failed) + " of " + std::to_string(runs.size()) + " runs failed");
  });
}

}  // namespace citytwin::cli
