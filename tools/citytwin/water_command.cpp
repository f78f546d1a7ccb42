// `citytwin water ...`: EPANET-compatible hydraulics on .inp files.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "engine/core/atomic_write.hpp"
#include "engine/core/error.hpp"
#include "engine/city/import.hpp"
#include "models/water/city_network.hpp"
#include "models/water/criticality.hpp"
#include "models/water/io/inp_reader.hpp"
#include "models/water/io/inp_writer.hpp"
#include "models/water/report.hpp"
#include "tools/citytwin/commands.hpp"

namespace citytwin::cli {
namespace {

void water_solve(const std::string& inp, const std::string& csv, int repeat) {
  using namespace citytwin::water;
  const Network net = read_inp(inp);
  HydraulicRun run(net);
  long periods = 0, solves = 0;
  const auto t0 = std::chrono::steady_clock::now();
  auto solve = [&](std::ostream* out) {
    if (out) write_csv_header(*out);
    solves = run_extended_period(run, [&](const HydraulicRun& r) {
      ++periods;
      if (out) write_csv_rows(*out, r);
    });
  };
  if (csv.empty()) solve(nullptr);
  else write_file_atomically(csv, [&](std::ostream& out) { solve(&out); });
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s: %d nodes (%d junctions, %d tanks/reservoirs), %d links, flow units %s\n", inp.c_str(),
              net.num_nodes(), net.num_junctions, net.num_tanks(), net.num_links(), net.units.flow_name().c_str());
  std::printf("duration %ld s, %ld reporting periods, %ld hydraulic solutions in %.3f s\n", net.times.duration,
              periods, solves, secs);
  double energy = 0;
  for (double e : run.pump_energy_kwh()) energy += e;
  if (!net.pumps.empty()) std::printf("pump energy %.2f kWh\n", energy);
  const std::string warnings = warnings_summary(run);
  if (warnings.empty()) std::printf("no warnings\n");
  else std::fputs(warnings.c_str(), stdout);
  if (!csv.empty()) std::printf("wrote %s\n", csv.c_str());
  if (repeat > 1) {
    // Complete extended-period runs on one HydraulicRun (init included), no result output.
    std::vector<double> ms;
    for (int r = 0; r < repeat; ++r) {
      const auto a = std::chrono::steady_clock::now();
      run_extended_period(run, nullptr);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("timing: runs %d, solves %ld, median_ms %.4f, min_ms %.4f, per_solve_ms %.5f\n", repeat, solves,
                ms[ms.size() / 2], ms.front(), ms[ms.size() / 2] / static_cast<double>(solves));
  }
}

struct CriticalityArgs {
  std::string inp, csv;
  double required = -1, minimum = 0;
  int threads = 0, top = 20;
};

void water_criticality(const CriticalityArgs& a) {
  using namespace citytwin::water;
  const Network net = read_inp(a.inp);
  const UnitSystem& u = net.units;
  CriticalityOptions o;
  o.threads = a.threads;
  o.min_pressure_m = a.minimum * u.pressure_head();
  // Default service pressure: 20 m of water, in the file's pressure units on the command line.
  o.required_pressure_m = a.required >= 0 ? a.required * u.pressure_head() : 20.0;
  if (o.required_pressure_m <= o.min_pressure_m) throw InputError("--required-pressure must exceed --minimum-pressure");
  const auto t0 = std::chrono::steady_clock::now();
  const PipeCriticality base = baseline_criticality(net, o);
  const auto ranking = pipe_criticality(net, o);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double to_user_volume = 1.0 / u.volume();
  const char* vol = u.si ? "m3" : "ft3";
  std::printf("%s: %zu pipes closed one at a time, pressure-driven (minimum %.3g, required %.3g %s), %.3f s\n",
              a.inp.c_str(), ranking.size(), o.min_pressure_m / u.pressure_head(),
              o.required_pressure_m / u.pressure_head(), u.pressure_name().c_str(), secs);
  std::printf("baseline (nothing closed): unmet demand %.6g %s\n", base.unmet_demand_m3 * to_user_volume, vol);
  std::printf("%5s  %-16s %16s %16s %s\n", "rank", "pipe", (std::string("unmet ") + vol).c_str(),
              (std::string("min p ") + u.pressure_name()).c_str(), "");
  for (size_t i = 0; i < ranking.size() && static_cast<int>(i) < a.top; ++i) {
    const auto& r = ranking[i];
    std::printf("%5zu  %-16s %16.6g %16.6g %s\n", i + 1, net.link_ids[r.link].c_str(), r.unmet_demand_m3 * to_user_volume,
                r.min_pressure_m / u.pressure_head(), r.converged ? "" : "(unbalanced)");
  }
  if (!a.csv.empty()) {
    write_file_atomically(a.csv, [&](std::ostream& out) {
      out << "rank,pipe,unmet_demand_" << vol << ",min_pressure_" << u.pressure_name() << ",converged\n";
      for (size_t i = 0; i < ranking.size(); ++i) {
        const auto& r = ranking[i];
        out << i + 1 << ',' << net.link_ids[r.link] << ',' << r.unmet_demand_m3 * to_user_volume << ','
            << r.min_pressure_m / u.pressure_head() << ',' << (r.converged ? 1 : 0) << '\n';
      }
    });
    std::printf("wrote %s\n", a.csv.c_str());
  }
}

}  // namespace

void add_water(CLI::App& app) {
  auto* water = app.add_subcommand("water", "Water distribution hydraulics (EPANET 2.2 compatible)");
  water->require_subcommand(1);

  struct SolveOptions {
    std::string inp, csv;
    int repeat = 1;
  };
  auto solve = std::make_shared<SolveOptions>();
  auto* cmd = water->add_subcommand("solve", "Run an extended-period hydraulic simulation of an EPANET .inp file");
  cmd->add_option("NET", solve->inp, "EPANET input file (.inp)")->required();
  cmd->add_option("--csv", solve->csv,
                  "Write every reporting period as long CSV: time_s,kind,id,property,value (file units)");
  cmd->add_option("--repeat", solve->repeat, "Time N complete runs and print the median (benchmarks)")
      ->check(CLI::PositiveNumber);
  cmd->callback([solve] { water_solve(solve->inp, solve->csv, solve->repeat); });

  auto conv = std::make_shared<SolveOptions>();
  auto* convert = water->add_subcommand("convert", "Read an .inp file and write it back (checked, normalised)");
  convert->add_option("NET", conv->inp, "EPANET input file (.inp)")->required();
  convert->add_option("OUT", conv->csv, "Output .inp file")->required();
  convert->callback([conv] { water::write_inp_file(conv->csv, water::read_inp(conv->inp)); });

  struct GenerateArgs {
    CitySource source;
    std::string out;
    water::CityNetworkOptions options;
    int copies = 1;
  };
  auto gen = std::make_shared<GenerateArgs>();
  auto* gc = water->add_subcommand("generate", "Generate a water network for a city (pipes along its streets) as .inp");
  gc->add_option("CITY", gen->source.path, "City file (OSM .pbf, GeoPackage, GeoJSON, Shapefile)")->required();
  gc->add_option("-o,--output", gen->out, "Output .inp file")->required();
  gc->add_option("--crs", gen->source.crs, "Target metric CRS (default: the UTM zone of the data)");
  gc->add_option("--litres-per-m2-day", gen->options.litres_per_m2_day, "Demand per m2 of floor area and day")
      ->check(CLI::PositiveNumber);
  gc->add_option("--supply-head", gen->options.supply_head_m, "Reservoir head, m")->check(CLI::PositiveNumber);
  gc->add_option("--copies", gen->copies, "Lay N copies side by side, tied by pipes (a larger network for benchmarks)")
      ->check(CLI::PositiveNumber);
  gc->callback([gen] {
    const City city = load_city(gen->source);
    water::Network net = water::generate_city_network(city, gen->options);
    if (gen->copies > 1) net = water::tile_network(net, gen->copies, city.extent.max_x - city.extent.min_x + 100.0);
    water::write_inp_file(gen->out, net);
    std::printf("%s: %d junctions, %d pipes, total base demand %.2f L/s; wrote %s\n", gen->source.path.c_str(),
                net.num_junctions, net.num_links(), [&] {
                  double q = 0;
                  for (double d : net.demand_base_m3s) q += d;
                  return q * 1000.0;
                }(), gen->out.c_str());
  });

  auto crit = std::make_shared<CriticalityArgs>();
  auto* cc = water->add_subcommand("criticality",
                                   "Close each pipe in turn (parallel runs) and rank pipes by unmet demand (PDA)");
  cc->add_option("NET", crit->inp, "EPANET input file (.inp)")->required();
  cc->add_option("--required-pressure", crit->required,
                 "PDA pressure for full delivery, in the file's pressure units (default: 20 m of water)")
      ->check(CLI::NonNegativeNumber);
  cc->add_option("--minimum-pressure", crit->minimum, "PDA pressure below which nothing is delivered (default 0)")
      ->check(CLI::NonNegativeNumber);
  cc->add_option("--threads", crit->threads, "Worker threads (default: all cores)")->check(CLI::NonNegativeNumber);
  cc->add_option("--top", crit->top, "Pipes to print (default 20)")->check(CLI::NonNegativeNumber);
  cc->add_option("--csv", crit->csv, "Write the whole ranking as CSV");
  cc->callback([crit] { water_criticality(*crit); });
}

}  // namespace citytwin::cli
