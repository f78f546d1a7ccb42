#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "engine/data/results_io.hpp"
#include "tools/citytwin/commands.hpp"
#include "tools/citytwin/scenario_runner.hpp"

namespace citytwin::cli {

void print_kpis(const Results& results) {
  std::printf("KPIs of %s\n", results.info.scenario_name.c_str());
  for (const auto& k : results.kpis) std::printf("  %-40s %14.6g %s\n", k.name.c_str(), k.value, k.unit.c_str());
}

void add_run(CLI::App& app) {
  struct Options {
    std::string scenario, out;
    std::vector<std::string> set;
    int threads = 0;
    bool quiet = false;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("run", "Run a scenario and write its results directory");
  cmd->add_option("SCENARIO", opt->scenario, "Scenario file (TOML)")->required();
  cmd->add_option("-o,--output", opt->out, "Results directory to write (replaced if it holds older results)")
      ->required();
  cmd->add_option("-t,--threads", opt->threads, "Worker threads (default: the scenario's, else all cores)")
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--set", opt->set, "KEY=VALUE: sets a key of the scenario (models.energy.pv_share=0.5, "
                                     "period.duration=6h, interventions[0].factor=0.8); repeatable");
  cmd->add_flag("-q,--quiet", opt->quiet, "No progress bar");
  cmd->callback([opt] {
    Log log;
    log.set_echo(false);
    std::vector<KeySetting> settings;
    for (const auto& s : opt->set) settings.push_back(parse_key_setting(s));
    check_output_folder(opt->out);  // before the run, not after it
    auto run = run_scenario_file(opt->scenario, opt->threads, !opt->quiet, log, settings);
    write_run(opt->out, run, log);
    print_kpis(run.results);
    std::printf("results: %s\n", opt->out.c_str());
  });
}

}  // namespace citytwin::cli
