// `citytwin grid ...`: the electric grid (models/energy). The file is named after the model, as
// tools/citytwin/CMakeLists.txt expects (<model>_command.cpp).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

#include "engine/core/error.hpp"
#include "models/energy/building/bestest.hpp"
#include "models/energy/grid/power_flow.hpp"
#include "models/energy/io/epw.hpp"
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

void add_energy_weather(CLI::App& energy) {
  auto path = std::make_shared<std::string>();
  auto* cmd = energy.add_subcommand("weather", "Read an EnergyPlus weather file (.epw) and print its location and annual figures");
  cmd->add_option("EPW", *path, "Weather file")->required();
  cmd->callback([path] {
    energy::Weather w = energy::read_epw(*path);
    const auto& loc = w.location;
    std::printf("%s: %s, %s (%s %s), lat %.2f, lon %.2f, UTC%+.1f, %.0f m\n", path->c_str(), loc.city.c_str(),
                loc.country.c_str(), loc.source.c_str(), loc.wmo.c_str(), loc.latitude_deg, loc.longitude_deg,
                loc.timezone_h, loc.elevation_m);
    double tmin = 1e9, tmax = -1e9, tsum = 0, ghi = 0, dni = 0, dhi = 0, wind = 0;
    for (size_t i = 0; i < w.size(); ++i) {
      tmin = std::min(tmin, w.dry_bulb_c[i]);
      tmax = std::max(tmax, w.dry_bulb_c[i]);
      tsum += w.dry_bulb_c[i];
      ghi += w.ghi_wm2[i];
      dni += w.dni_wm2[i];
      dhi += w.dhi_wm2[i];
      wind += w.wind_speed_ms[i];
    }
    const double n = static_cast<double>(w.size()), kwh = w.step_s() / 3600.0 / 1000.0;
    std::printf("%zu records (%d per hour)\n", w.size(), w.records_per_hour);
    std::printf("dry bulb min / mean / max: %.1f / %.2f / %.1f C\n", tmin, tsum / n, tmax);
    std::printf("global / direct normal / diffuse: %.1f / %.1f / %.1f kWh/m2a, mean wind %.2f m/s\n", ghi * kwh,
                dni * kwh, dhi * kwh, wind / n);
  });
}

void add_energy_bestest(CLI::App& energy) {
  struct Options {
    std::string weather;
    int case_id = 600;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = energy.add_subcommand("bestest", "Run the ASHRAE 140 (BESTEST) Case 600 or 900 building for a year");
  cmd->add_option("EPW", opt->weather, "Weather file (the standard's is 725650TYCST.epw)")->required();
  cmd->add_option("--case", opt->case_id, "600 (light) or 900 (heavy)")->check(CLI::IsMember({600, 900}));
  cmd->callback([opt] {
    energy::Weather w = energy::read_epw(opt->weather);
    auto r = energy::run_bestest(opt->case_id == 600 ? energy::BestestCase::case600 : energy::BestestCase::case900, w);
    std::printf("case %d: heating %.3f MWh, cooling %.3f MWh, peak heating %.3f kW (hour %d), peak cooling %.3f kW (hour %d)\n",
                opt->case_id, r.heating_mwh, r.cooling_mwh, r.peak_heating_kw, r.peak_heating_hour + 1,
                r.peak_cooling_kw, r.peak_cooling_hour + 1);
    std::printf("UA %.1f W/K, window U %.3f W/m2K, SHGC at normal incidence %.3f, largest balance residual %.2g W\n",
                r.ua_w_k, r.window_u, r.window_shgc_normal, r.max_balance_error_w);
  });
}

}  // namespace

void add_grid(CLI::App& app) {
  auto* grid = app.add_subcommand("grid", "Electric grid: MATPOWER cases and AC power flow");
  grid->require_subcommand(1);
  add_grid_solve(*grid);
  // The building side of the energy model has its own group, registered here with the grid's.
  auto* energy = app.add_subcommand("energy", "Energy model: weather files, building thermal model checks");
  energy->require_subcommand(1);
  add_energy_weather(*energy);
  add_energy_bestest(*energy);
}

}  // namespace citytwin::cli
