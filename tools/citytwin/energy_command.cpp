// `citytwin grid ...`: the electric grid (models/energy). The file is named after the model, as
// tools/citytwin/CMakeLists.txt expects (<model>_command.cpp).
#include <cstdio>
#include <iostream>
#include <memory>

#include "engine/core/error.hpp"
#include "models/energy/grid/power_flow.hpp"
#include "models/energy/io/bus_csv.hpp"
#include "models/energy/io/matpower.hpp"
#include "tools/citytwin/commands.hpp"

namespace citytwin::cli {

namespace {

void add_grid_solve(CLI::App& grid) {
  struct Options {
    std::string case_path, csv;
    energy::PowerFlowOptions pf;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = grid.add_subcommand("solve", "AC power flow (Newton-Raphson) of a MATPOWER case file");
  cmd->add_option("CASE", opt->case_path, "MATPOWER case file (.m, format version 2)")->required();
  cmd->add_option("--csv", opt->csv, "Write bus_id,vm_pu,va_deg to this CSV file");
  cmd->add_flag("--enforce-q-limits", opt->pf.enforce_q_limits,
                "Switch PV buses whose generators exceed their reactive limits to PQ (off by default, as in MATPOWER's runpf)");
  cmd->add_option("--tolerance", opt->pf.tolerance_pu, "Largest P/Q mismatch accepted, p.u. (default 1e-8)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-iterations", opt->pf.max_iterations, "Newton iterations (default 20)")->check(CLI::Range(1, 1000));
  cmd->callback([opt] {
    energy::GridCase grid = energy::read_matpower(opt->case_path);
    energy::PowerFlow pf(grid);
    energy::PowerFlowResult r = pf.solve(opt->pf);
    std::printf("%s: %zu buses, %zu branches, %zu generators\n", opt->case_path.c_str(), grid.buses.size(),
                grid.branches.size(), grid.generators.size());
    if (!r.islanded_buses.empty()) {
      std::string ids;
      for (size_t i = 0; i < r.islanded_buses.size() && i < 20; ++i)
        ids += (i ? ", " : "") + std::to_string(grid.buses[r.islanded_buses[i]].id);
      if (r.islanded_buses.size() > 20) ids += ", ...";
      std::fprintf(stderr, "warning: %zu buses have no path to a reference bus and are not energized: %s\n",
                   r.islanded_buses.size(), ids.c_str());
    }
    if (!r.converged) throw InputError(SourceLocation{opt->case_path, 0, {}}, "power flow " + r.message);
    std::printf("converged in %d iterations, largest mismatch %.3g p.u.\n", r.iterations, r.max_mismatch_pu);
    std::printf("losses: %.4f MW, %.4f MVAr (series I^2 R and I^2 X)\n", r.losses_w / 1e6, r.losses_series_var / 1e6);
    if (!r.q_limited.empty()) {
      std::string ids;
      for (int k : r.q_limited) ids += " " + std::to_string(grid.buses[grid.generators[k].bus].id);
      std::printf("generators held at a reactive limit (bus):%s\n", ids.c_str());
    }
    if (!opt->csv.empty()) energy::write_bus_csv(opt->csv, grid, r);
  });
}

}  // namespace

void add_grid(CLI::App& app) {
  auto* grid = app.add_subcommand("grid", "Electric grid: MATPOWER cases and AC power flow");
  grid->require_subcommand(1);
  add_grid_solve(*grid);
}

}  // namespace citytwin::cli
