// `citytwin water ...`: EPANET-compatible hydraulics on .inp files.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "engine/core/error.hpp"
#include "models/water/io/inp_reader.hpp"
#include "models/water/io/inp_writer.hpp"
#include "models/water/report.hpp"
#include "tools/citytwin/commands.hpp"

namespace citytwin::cli {
namespace {

void water_solve(const std::string& inp, const std::string& csv) {
  using namespace citytwin::water;
  const Network net = read_inp(inp);
  HydraulicRun run(net);
  std::ofstream out;
  std::string tmp;
  if (!csv.empty()) {
    tmp = csv + ".tmp";
    out.open(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(csv + ": cannot write");
    write_csv_header(out);
  }
  long periods = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const long solves = run_extended_period(run, [&](const HydraulicRun& r) {
    ++periods;
    if (out.is_open()) write_csv_rows(out, r);
  });
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (out.is_open()) {
    out.close();
    if (!out) throw InputError(csv + ": write failed");
    std::filesystem::rename(tmp, csv);
  }
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
}

}  // namespace

void add_water(CLI::App& app) {
  auto* water = app.add_subcommand("water", "Water distribution hydraulics (EPANET 2.2 compatible)");
  water->require_subcommand(1);

  struct SolveOptions {
    std::string inp, csv;
  };
  auto solve = std::make_shared<SolveOptions>();
  auto* cmd = water->add_subcommand("solve", "Run an extended-period hydraulic simulation of an EPANET .inp file");
  cmd->add_option("NET", solve->inp, "EPANET input file (.inp)")->required();
  cmd->add_option("--csv", solve->csv,
                  "Write every reporting period as long CSV: time_s,kind,id,property,value (file units)");
  cmd->callback([solve] { water_solve(solve->inp, solve->csv); });

  auto conv = std::make_shared<SolveOptions>();
  auto* convert = water->add_subcommand("convert", "Read an .inp file and write it back (checked, normalised)");
  convert->add_option("NET", conv->inp, "EPANET input file (.inp)")->required();
  convert->add_option("OUT", conv->csv, "Output .inp file")->required();
  convert->callback([conv] { water::write_inp_file(conv->csv, water::read_inp(conv->inp)); });
}

}  // namespace citytwin::cli
