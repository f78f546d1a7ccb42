// `citytwin grid ...`: the electric grid (models/energy). The file is named after the model, as
// tools/citytwin/CMakeLists.txt expects (<model>_command.cpp).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

#include "engine/core/error.hpp"
#include <oneapi/tbb/task_arena.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <numeric>

#include "engine/city/import.hpp"
#include "models/energy/building/bestest.hpp"
#include "models/energy/building/stock.hpp"
#include "models/energy/grid/synthetic_grid.hpp"
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

/// CPU time of the whole process (every thread), ms: with the wall time it shows how much of a parallel section
/// really ran in parallel even on a loaded machine.
double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void add_grid_bench(CLI::App& grid) {
  struct Options {
    std::vector<std::string> cases;
    std::vector<int> buses{1000, 10000};
    int repeat = 10;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = grid.add_subcommand("bench", "Time the power flow on case files and on generated grids");
  cmd->add_option("CASES", opt->cases, "MATPOWER case files");
  cmd->add_option("--buses", opt->buses, "Sizes of generated grids (default 1000 10000)");
  cmd->add_option("--repeat", opt->repeat, "Solves per grid (median reported)")->check(CLI::Range(1, 1000));
  cmd->callback([opt] {
    std::printf("| grid | buses | branches | build ms | first solve ms | solve ms (median of the rest) | Newton iterations | largest mismatch p.u. |\n"
                "|---|---|---|---|---|---|---|---|\n");
    auto run = [&](const std::string& name, const energy::GridCase& g) {
      auto t0 = std::chrono::steady_clock::now();
      energy::PowerFlow pf(g);
      const double build = ms_since(t0);
      std::vector<double> times;
      energy::PowerFlowResult r;
      energy::PowerFlowWorkspace workspace;  // repeated solves of one network, as in a simulation's steps
      for (int k = 0; k < opt->repeat; ++k) {
        auto t1 = std::chrono::steady_clock::now();
        r = pf.solve({}, {}, {}, &workspace);
        times.push_back(ms_since(t1));
      }
      if (!r.converged) throw InputError(SourceLocation{name, 0, {}}, "power flow " + r.message);
      const double first = times.front();
      if (times.size() > 1) times.erase(times.begin());
      std::sort(times.begin(), times.end());
      std::printf("| %s | %zu | %zu | %.2f | %.2f | %.2f | %d | %.1e |\n", name.c_str(), g.buses.size(), g.branches.size(),
                  build, first, times[times.size() / 2], r.iterations, r.max_mismatch_pu);
    };
    for (const auto& path : opt->cases) run(path, energy::read_matpower(path));
    for (int n : opt->buses) run("generated-" + std::to_string(n), energy::synthetic_grid(n, 1));
  });
}

void add_energy_bench(CLI::App& energy) {
  struct Options {
    CitySource city;
    std::string weather;
    int threads = 0;
    int buildings = 0;
    int hours = 8760;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = energy.add_subcommand("bench", "Time a year of hourly building steps for every building of a city");
  cmd->add_option("CITY", opt->city.path, "City file")->required();
  cmd->add_option("--weather", opt->weather, "EnergyPlus weather file")->required();
  cmd->add_option("--threads", opt->threads, "Worker threads (0 = all cores)")->check(CLI::Range(0, 1024));
  cmd->add_option("--buildings", opt->buildings,
                  "Replicate the city's buildings on a grid until there are at least this many (a synthetic city)");
  cmd->add_option("--hours", opt->hours, "Hours to simulate (default a year)")->check(CLI::Range(1, 87600));
  cmd->callback([opt] {
    City city = load_city(opt->city);
    const size_t original = city.buildings.size();
    if (opt->buildings > 0 && original > 0 && static_cast<size_t>(opt->buildings) > original) {
      const size_t copies = (opt->buildings + original - 1) / original;
      const int side = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(copies))));
      const double dx = city.extent.width() + 100, dy = city.extent.height() + 100;
      for (size_t c = 1; c < copies; ++c)
        for (size_t i = 0; i < original; ++i) {
          Building b = city.buildings[i];
          const double ox = dx * static_cast<double>(c % side), oy = dy * static_cast<double>(c / side);
          for (auto& poly : b.footprint) {
            for (auto& p : poly.outer) p.x += ox, p.y += oy;
            for (auto& h : poly.holes)
              for (auto& p : h) p.x += ox, p.y += oy;
          }
          b.id += "#" + std::to_string(c);
          city.buildings.push_back(std::move(b));
        }
    }
    energy::Weather w = energy::read_epw(opt->weather);
    tbb::task_arena arena(opt->threads > 0 ? opt->threads : tbb::task_arena::automatic);
    arena.execute([&] {
      auto t0 = std::chrono::steady_clock::now();
      energy::BuildingStock stock = energy::make_stock(city);
      std::vector<energy::ClimateHour> climate = energy::climate_hours(w, stock.envelope);
      const double setup = ms_since(t0);
      energy::StockState state(stock.size());
      energy::StockStepInputs in;
      in.ground_c = std::accumulate(w.dry_bulb_c.begin(), w.dry_bulb_c.end(), 0.0) / w.size();
      in.reference_pressure_pa = std::accumulate(w.pressure_pa.begin(), w.pressure_pa.end(), 0.0) / w.size();
      // The whole period in one time-blocked call (run_stock): each task carries a block of buildings through
      // the hours with the weather of every hour precomputed; totals per hour summed in a fixed order.
      std::vector<energy::StockStepInputs> steps(static_cast<size_t>(opt->hours), in);
      for (int h = 0; h < opt->hours; ++h) {
        steps[h].climate = &climate[h % climate.size()];
        steps[h].hour_of_day = h % 24;
        steps[h].weekend = (h / 24) % 7 >= 5;
      }
      energy::StockTotals totals;
      const double cpu0 = process_cpu_ms();
      auto t1 = std::chrono::steady_clock::now();
      energy::run_stock(stock, steps, state, &totals);
      double heating = 0, cooling = 0, electric = 0;
      for (int h = 0; h < opt->hours; ++h) {
        heating += totals.heating_w[h];
        cooling += totals.cooling_w[h];
        electric += totals.electric_w[h];
      }
      const double year = ms_since(t1), cpu = process_cpu_ms() - cpu0;
      std::printf("buildings %zu, threads %d, hours %d: setup %.0f ms, steps %.0f ms (%.1f ns per building-hour), "
                  "steps cpu %.0f ms\n",
                  stock.size(), arena.max_concurrency(), opt->hours, setup, year,
                  year * 1e6 / (static_cast<double>(stock.size()) * opt->hours), cpu);
      std::printf("heating %.3f GWh, cooling %.3f GWh, electricity %.3f GWh\n", heating / 1e9, cooling / 1e9, electric / 1e9);
    });
  });
}

}  // namespace

void add_grid(CLI::App& app) {
  auto* grid = app.add_subcommand("grid", "Electric grid: MATPOWER cases and AC power flow");
  grid->require_subcommand(1);
  add_grid_solve(*grid);
  add_grid_bench(*grid);
  // The building side of the energy model has its own group, registered here with the grid's.
  auto* energy = app.add_subcommand("energy", "Energy model: weather files, building thermal model checks");
  energy->require_subcommand(1);
  add_energy_weather(*energy);
  add_energy_bestest(*energy);
  add_energy_bench(*energy);
}

}  // namespace citytwin::cli
