// `citytwin traffic ...`: the traffic microsimulation without a scenario file (for users coming from SUMO),
// and the demand generator for a City.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>

#include "engine/city/import.hpp"
#include "engine/core/atomic_write.hpp"
#include "engine/core/error.hpp"
#include "engine/core/time.hpp"
#include "engine/data/results_io.hpp"
#include "models/traffic/demand_generator.hpp"
#include "models/traffic/io/demand.hpp"
#include "models/traffic/io/sumo_net.hpp"
#include "models/traffic/kpis.hpp"
#include "models/traffic/outputs.hpp"
#include "models/traffic/recording.hpp"
#include "models/traffic/simulation.hpp"
#include "tools/citytwin/commands.hpp"

namespace citytwin::cli {
namespace {

struct RunOptions {
  std::string network, trips, out;
  double step_s = 1;
  int threads = 0;
  double end_s = 0;
  double interval_s = 300;
  double reroute_s = 0;
  double teleport_s = 300;
  bool no_collision_teleport = false;
  double positions_every_s = 0;
  std::uint64_t seed = 42;
};

std::string hms(double s) {
  char buf[32];
  const long t = static_cast<long>(std::lround(s));
  std::snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  return buf;
}

void traffic_run(const RunOptions& o) {
  using namespace citytwin::traffic;
  const auto t_load = std::chrono::steady_clock::now();
  Network net;
  RunInfo info;
  info.city_source = o.network;
  if (o.network.ends_with(".xml")) {
    net = io::read_sumo_net(o.network);
  } else {
    const City city = load_city({o.network, "", "", ""});
    net = network_from_city(city.roads);
    info.crs = city.crs;
    info.origin = city.origin;
  }
  auto demand = io::read_demand(o.trips, net);
  double end = o.end_s;
  if (!(end > 0)) {
    double last = 0;
    for (const auto& t : demand.trips) last = std::max(last, t.depart_s);
    end = last + 3600;
  }
  SimulationOptions so;
  so.step_s = o.step_s;
  so.threads = o.threads;
  so.seed = o.seed;
  so.teleport_after_s = o.teleport_s;
  so.collision_teleport = !o.no_collision_teleport;
  so.reroute_period_s = o.reroute_s;
  Simulation sim(net, demand.types, std::move(demand.trips), so);
  const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count();

  info.scenario_name = "traffic run";
  info.duration_s = end;
  info.step_s = o.step_s;
  info.seed = o.seed;
  Recorder recorder;
  recorder.add_set(network_roads_set(net));
  TrafficRecording recording(recorder, o.positions_every_s > 0);
  const LanePlacer placer(net);
  double next_sample = o.positions_every_s > 0 ? 0 : std::numeric_limits<double>::infinity();
  long long peak_running = 0;

  const auto t0 = std::chrono::steady_clock::now();
  for (double t = 0; t < end - 1e-9;) {
    // Like SUMO, stop early once every trip is done (the last interval is then shorter).
    const double next = std::min(end, t + o.interval_s);
    while (sim.time() + 1e-9 < next && !sim.finished()) {
      if (sim.time() + 1e-9 >= next_sample) {
        recording.record_vehicles(sim, placer);
        next_sample += o.positions_every_s;
      }
      sim.step();
      peak_running = std::max(peak_running, sim.counters().running);
    }
    if (sim.time() <= t) break;
    recording.record(sim.time(), sim, net, sim.time() - t);
    t = sim.time();
    if (sim.finished()) break;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  recording.finish(sim);
  recorder.kpi("traffic.wall_s", wall, "s", "wall-clock time of the simulation loop");
  Results results = recorder.take();
  results.info = info;

  std::printf("%s: %d edges, %d lanes, %d junctions (%d signalised), %zu trips; loaded in %.2f s\n", o.network.c_str(),
              net.edges(), net.lanes(), net.junctions(), net.signalised_junctions(), sim.trips().size(), load_s);
  for (const auto& k : results.kpis)
    if (k.name != "traffic.wall_s") std::printf("  %-22s %14.2f %s\n", k.name.substr(8).c_str(), k.value, k.unit.c_str());
  std::printf("  %-22s %14lld veh\n", "peak_running", peak_running);
  std::printf("  %-22s %14.3f s\n", "wall", wall);
  const Kpi* updates = results.find_kpi("traffic.vehicle_updates");
  std::printf("  %-22s %14.0f /s\n", "updates_per_s", wall > 0 && updates ? updates->value / wall : 0);

  if (o.out.empty()) return;
  // The GeoPackage also for a SUMO network (local coordinates without a CRS), so that the directory reads back.
  write_results(o.out, results, WriteOptions{});
  std::printf("wrote %s\n", o.out.c_str());
}

struct GenerateOptions {
  std::string city, out;
  double trips_per_day = 20000;
  double begin_s = 0, end_s = kSecondsPerDay, start_hour = 0;
  std::uint64_t seed = 42;
};

void traffic_generate(const GenerateOptions& o) {
  using namespace citytwin::traffic;
  const City city = load_city({o.city, "", "", ""});
  const Network net = network_from_city(city.roads);
  GeneratorOptions g;
  g.trips_per_day = o.trips_per_day;
  g.seed = o.seed;
  g.start_unix_s = std::llround(o.start_hour * 3600);  // that hour of 1970-01-01, UTC
  const auto d = generate_city_trips(city, net, g, o.begin_s, o.end_s);
  write_file_atomically(o.out, [&](std::ostream& out) {
    out << "depart,from,to\n";
    for (const auto& t : d.trips) out << hms(t.depart_s) << ',' << net.edge_id[t.from_edge] << ',' << net.edge_id[t.to_edge] << '\n';
  });
  std::printf("wrote %zu trips to %s\n", d.trips.size(), o.out.c_str());
}

}  // namespace

void add_traffic(CLI::App& app) {
  auto* traffic = app.add_subcommand("traffic", "Traffic microsimulation (IDM, lane changes, junctions, signals)");
  traffic->require_subcommand(1);

  auto ro = std::make_shared<RunOptions>();
  auto* run = traffic->add_subcommand("run", "Run trips on a network and print the KPIs");
  run->add_option("NETWORK", ro->network, "City file (OSM, GeoPackage, ...) or SUMO .net.xml")->required();
  run->add_option("TRIPS", ro->trips, "Trips CSV (depart,from,to[,vehicle_type]) or SUMO .trips.xml/.rou.xml")->required();
  run->add_option("--step", ro->step_s, "Step length in seconds (default 1)")->check(CLI::Range(0.05, 5.0));
  run->add_option("--threads", ro->threads, "Threads (default: all cores)")->check(CLI::Range(0, 1024));
  run->add_option("--end", ro->end_s, "End time in seconds (default: last departure + 1 h)");
  run->add_option("--interval", ro->interval_s, "Recording interval in seconds (default 300)")->check(CLI::Range(1.0, kSecondsPerDay));
  run->add_option("--reroute", ro->reroute_s, "Rerouting period in seconds (0 = off, default)");
  run->add_option("--teleport", ro->teleport_s, "Gridlock: teleport a vehicle standing this long (default 300 s)");
  run->add_flag("--no-collision-teleport", ro->no_collision_teleport,
                "Do not teleport a vehicle that enters a lane closer than its minimum gap (as SUMO "
                "with --collision.action warn)");
  run->add_option("--seed", ro->seed, "Random seed (default 42)");
  run->add_option("--positions-every", ro->positions_every_s,
                  "Sample vehicle positions (table traffic.vehicles) every S seconds (default 0 = off)")
      ->check(CLI::Range(0.0, kSecondsPerDay));
  run->add_option("-o,--output", ro->out, "Results directory");
  run->callback([ro] { traffic_run(*ro); });

  auto go = std::make_shared<GenerateOptions>();
  auto* gen = traffic->add_subcommand("generate", "Derive a day of trips from a city's buildings (trips CSV)");
  gen->add_option("CITY", go->city, "City file")->required();
  gen->add_option("-o,--output", go->out, "Trips CSV to write")->required();
  gen->add_option("--trips-per-day", go->trips_per_day, "Trips over 24 h (default 20000)")->check(CLI::Range(0.0, 1e8));
  gen->add_option("--begin", go->begin_s, "First departure, seconds from the start (default 0)");
  gen->add_option("--end", go->end_s, "Last departure, seconds from the start (default 86400)");
  gen->add_option("--start-hour", go->start_hour, "Hour of day at the start (default 0)")->check(CLI::Range(0.0, 24.0));
  gen->add_option("--seed", go->seed, "Random seed (default 42)");
  gen->callback([go] { traffic_generate(*go); });
}

}  // namespace citytwin::cli
