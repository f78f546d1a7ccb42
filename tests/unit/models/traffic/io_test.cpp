#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "engine/core/error.hpp"
#include "engine/data/results_io.hpp"
#include "models/traffic/io/demand.hpp"
#include "models/traffic/io/sumo_net.hpp"
#include "models/traffic/simulation.hpp"
#include "test_networks.hpp"

using namespace citytwin;
using namespace citytwin::traffic;

namespace {
/// The InputError message of f(), or "" when it does not throw.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const char* kTinyNet = R"(<?xml version="1.0"?>
<net version="1.9">
  <edge id="a" from="J0" to="J1" priority="2">
    <lane id="a_0" index="0" speed="13.89" length="200" shape="0,0 200,0"/>
  </edge>
  <edge id="b" from="J1" to="J2" priority="2">
    <lane id="b_0" index="0" speed="13.89" length="200" shape="200,0 400,0"/>
  </edge>
  <edge id="c" from="J3" to="J1" priority="1">
    <lane id="c_0" index="0" speed="13.89" length="100" shape="200,100 200,0"/>
  </edge>
  <tlLogic id="J1" type="static" programID="0" offset="0">
    <phase duration="30" state="Gr"/>
    <phase duration="3" state="yr"/>
    <phase duration="30" state="rG"/>
    <phase duration="3" state="ry"/>
  </tlLogic>
  <junction id="J0" type="dead_end" x="0" y="0" incLanes="" intLanes=""/>
  <junction id="J1" type="traffic_light" x="200" y="0" incLanes="a_0 c_0" intLanes="">
    <request index="0" response="00" foes="10"/>
    <request index="1" response="01" foes="01"/>
  </junction>
  <junction id="J2" type="dead_end" x="400" y="0" incLanes="b_0" intLanes=""/>
  <junction id="J3" type="dead_end" x="200" y="100" incLanes="" intLanes=""/>
  <connection from="a" to="b" fromLane="0" toLane="0" tl="J1" linkIndex="0" dir="s" state="O"/>
  <connection from="c" to="b" fromLane="0" toLane="0" tl="J1" linkIndex="1" dir="l" state="o"/>
</net>
)";
}  // namespace

BOOST_AUTO_TEST_SUITE(traffic_io)

BOOST_AUTO_TEST_CASE(sumo_net_tiny) {
  const Network n = io::parse_sumo_net(kTinyNet, "tiny.net.xml");
  BOOST_TEST(n.edges() == 3);
  BOOST_TEST(n.connections() == 2);
  const int j1 = 1;
  BOOST_TEST((n.junction_kind[j1] == JunctionKind::traffic_light));
  // Link 1 (from c) yields to link 0 (from a); both are foes.
  BOOST_TEST(n.conn_first_response[2] - n.conn_first_response[1] == 1);
  BOOST_TEST(n.conn_response[n.conn_first_response[1]] == 0);
  const SignalProgram& p = n.programs[n.junction_program[j1]];
  BOOST_TEST(p.phases[0].state == "Gr");
  BOOST_TEST(p.cycle_s() == 66.0);
  BOOST_TEST(n.conn_stop[0] == 0);
  // SUMO's 's' link state (a stop sign) makes the link one to stop at first.
  std::string with_stop = kTinyNet;
  with_stop.replace(with_stop.find("state=\"o\""), 9, "state=\"s\"");
  BOOST_TEST(io::parse_sumo_net(with_stop, "stop.net.xml").conn_stop[1] == 1);
}

BOOST_AUTO_TEST_CASE(sumo_net_errors_name_the_line) {
  std::string bad = kTinyNet;
  bad.replace(bad.find("speed=\"13.89\" length=\"100\""), 26, "speed=\"fast\" length=\"100\"");
  BOOST_TEST(error_of([&] { io::parse_sumo_net(bad, "x.net.xml"); }).starts_with("x.net.xml:10: <lane>"));
  BOOST_TEST(error_of([&] { io::parse_sumo_net("<net><edge id='a'", "y.net.xml"); }).starts_with("y.net.xml:1: malformed XML"));
  std::string unknown = kTinyNet;
  unknown.replace(unknown.find("to=\"b\" fromLane=\"0\" toLane=\"0\" tl=\"J1\" linkIndex=\"0\""), 6, "to=\"z\"");
  BOOST_TEST(error_of([&] { io::parse_sumo_net(unknown, "z.net.xml"); }).find("unknown edge") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(trips_csv_and_sumo_routes) {
  const Network n = io::parse_sumo_net(kTinyNet, "tiny.net.xml");
  const auto d = io::parse_trips_csv("depart,from,to,vehicle_type\n0,a,b\n0:01:00,c,b,truck\n5,1 1,399 0\n", "t.csv", n);
  BOOST_REQUIRE(d.trips.size() == 3u);
  BOOST_TEST(d.trips[1].depart_s == 60.0);
  BOOST_TEST(d.types[d.trips[1].type].id == "truck");
  BOOST_TEST(d.trips[2].from_edge == n.find_edge("a"));  // snapped
  BOOST_TEST(d.trips[2].to_edge == n.find_edge("b"));
  BOOST_TEST(error_of([&] { io::parse_trips_csv("0,a,b\n1,a,nowhere\n", "t.csv", n); }).starts_with("t.csv:2: to:"));
  BOOST_TEST(error_of([&] { io::parse_trips_csv("x,a,b\n", "t.csv", n); }).starts_with("t.csv:1: depart"));
  const auto r = io::parse_sumo_demand(R"(<routes>
  <vType id="slow" maxSpeed="10" carFollowModel="IDM"/>
  <route id="r1" edges="a b"/>
  <vehicle id="v1" depart="3" route="r1" type="slow"/>
  <vehicle id="v2" depart="1"><route edges="c b"/></vehicle>
  <trip id="t1" depart="2" from="a" to="b"/>
  <flow id="f" begin="0" end="10" period="5" from="c" to="b"/>
</routes>)", "r.rou.xml", n);
  BOOST_REQUIRE(r.trips.size() == 5u);
  BOOST_TEST(r.trips[0].depart_s == 0.0);
  BOOST_TEST(r.trips[3].id == "v1");
  BOOST_TEST(r.types[r.trips[3].type].max_speed_mps == 10.0);
  BOOST_TEST(error_of([&] { io::parse_sumo_demand("<routes>\n<trip id='x' depart='0' from='a' to='q'/></routes>", "e.xml", n); })
                 .starts_with("e.xml:2: <trip>: to: unknown edge"));
}

BOOST_AUTO_TEST_CASE(bad_demand_names_file_line_and_what) {
  const Network n = io::parse_sumo_net(kTinyNet, "tiny.net.xml");
  auto csv = [&](const std::string& text) { return error_of([&] { io::parse_trips_csv(text, "t.csv", n); }); };
  auto rou = [&](const std::string& text) { return error_of([&] { io::parse_sumo_demand(text, "r.rou.xml", n); }); };
  BOOST_TEST(csv("depart,from,to\n-5,a,b\n").starts_with("t.csv:2: depart: expected seconds"));
  BOOST_TEST(csv("depart,from,to\n1e300,a,b\n").starts_with("t.csv:2: depart:"));
  BOOST_TEST(csv("depart,from,to\n0,a,b\n400:00:00:00,a,b\n").starts_with("t.csv:3: depart:"));
  BOOST_TEST(csv("depart,from,to\n0,200 3100,b\n").starts_with("t.csv:2: from: '200 3100' lies 3000 m from the nearest road"));
  BOOST_TEST(csv("depart,from,to\n0,1e300 1,b\n").starts_with("t.csv:2: from: '1e300 1' lies"));
  BOOST_TEST(csv("").starts_with("t.csv: no trips"));
  BOOST_TEST(csv("depart,from,to\n\n").starts_with("t.csv: no trips"));
  // A spreadsheet's UTF-8 byte order mark before the header is not data.
  BOOST_TEST(io::parse_trips_csv("\xEF\xBB\xBF" "depart,from,to\n0,a,b\n", "t.csv", n).trips.size() == 1u);
  BOOST_TEST(rou("<routes>\n<flow id='f' begin='0' end='10' number='0' from='a' to='b'/></routes>")
                 .starts_with("r.rou.xml:2: <flow>: flow: number must be at least 1"));
  BOOST_TEST(rou("<routes>\n<flow id='f' begin='0' end='10' vehsPerHour='0' from='a' to='b'/></routes>")
                 .starts_with("r.rou.xml:2: <flow>: flow: period"));
  BOOST_TEST(rou("<routes>\n<trip id='x' depart='-1' from='a' to='b'/></routes>").starts_with("r.rou.xml:2: <trip>: depart:"));
  BOOST_TEST(rou("<routes>\n</routes>").starts_with("r.rou.xml: no vehicle"));
}

BOOST_AUTO_TEST_CASE(monaco_sumo_network_runs) {
  const Network n = io::read_sumo_net(CITYTWIN_TEST_DATA "/traffic/monaco.net.xml");
  BOOST_TEST(n.edges() > 500);
  BOOST_TEST(n.signalised_junctions() > 0);
  const auto d = io::read_demand(CITYTWIN_TEST_DATA "/traffic/monaco_2000.trips.xml", n);
  SimulationOptions o;
  o.end_s = 600;
  std::vector<Trip> first(d.trips.begin(), d.trips.begin() + 300);
  Simulation sim(n, d.types, first, o);
  sim.run_until(900);
  const Counters& c = sim.counters();
  BOOST_TEST(c.unroutable == 0);
  BOOST_TEST(c.inserted == c.arrived + c.running + c.removed);
  BOOST_TEST(c.arrived > 200);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(traffic_sumo_comparison)

// The same network and trips as SUMO 1.15 (IDM) ran for tests/data/traffic/monaco_2000_sumo.txt.
BOOST_AUTO_TEST_CASE(monaco_matches_sumo) {
  std::map<std::string, double> ref;
  {
    std::ifstream in(CITYTWIN_TEST_DATA "/traffic/monaco_2000_sumo.txt");
    std::string key;
    double value;
    while (in >> key) {
      if (key.starts_with("#")) {
        std::getline(in, key);
        continue;
      }
      in >> value;
      ref[key] = value;
    }
  }
  BOOST_REQUIRE(ref.count("arrived") && ref.count("mean_travel_time_s"));
  const Network n = io::read_sumo_net(CITYTWIN_TEST_DATA "/traffic/monaco.net.xml");
  const auto d = io::read_demand(CITYTWIN_TEST_DATA "/traffic/monaco_2000.trips.xml", n);
  SimulationOptions o;
  o.step_s = 1;
  Simulation sim(n, d.types, d.trips, o);
  sim.run_until(7200);
  double tt = 0;
  for (const auto& r : sim.completed()) tt += r.arrive_s - r.insert_s;
  const double arrived = static_cast<double>(sim.completed().size());
  tt /= std::max(1.0, arrived);
  std::printf("citytwin: arrived %.0f mean travel time %.1f s teleports %lld; SUMO: arrived %.0f mean %.1f s\n", arrived,
              tt, sim.counters().teleports, ref["arrived"], ref["mean_travel_time_s"]);
  BOOST_TEST(std::abs(arrived - ref["arrived"]) <= 0.05 * ref["arrived"]);
  BOOST_TEST(std::abs(tt - ref["mean_travel_time_s"]) <= 0.15 * ref["mean_travel_time_s"]);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(traffic_cli)

// `citytwin traffic run`: a malformed trips file gives one located line and exit code 2; a good run writes
// the results directory with one row per completed trip.
BOOST_AUTO_TEST_CASE(traffic_run_command) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("citytwin_traffic_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string net = CITYTWIN_TEST_DATA "/traffic/monaco.net.xml";
  {
    std::ofstream bad(dir / "bad.csv");
    bad << "depart,from,to\n0,-1008869948#1,1008869948#0\nsoon,-1008869948#1,1008869948#0\n";
  }
  auto run = [&](const std::string& args, std::string& out) {
    const std::string log = (dir / "out.txt").string();
    const int rc = std::system((std::string(CITYTWIN_CLI) + " traffic run " + args + " > " + log + " 2>&1").c_str());
    std::ifstream in(log);
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  std::string out;
  BOOST_TEST(run(net + " " + (dir / "bad.csv").string(), out) == 2);
  BOOST_TEST(out.find("bad.csv:3: depart:") != std::string::npos, out);
  BOOST_TEST(run(net + " " + CITYTWIN_TEST_DATA "/traffic/monaco_2000.trips.xml --threads 2 -o " + (dir / "res").string(),
                 out) == 0, out);
  BOOST_TEST(out.find("trips_completed") != std::string::npos);
  BOOST_TEST(fs::exists(dir / "res" / "kpis.json"));
  // Per-trip records through the results writer, read back: one per trip, outcomes as the KPIs count them.
  const Results res = load_results((dir / "res").string());
  const Table* trips = res.find_table("traffic.trips");
  BOOST_REQUIRE(trips);
  BOOST_TEST(trips->rows() == 1921u);
  const size_t status = *trips->column("status"), travel = *trips->column("travel_time_s");
  std::map<int, int> by_status;
  double travel_sum = 0;
  for (size_t r = 0; r < trips->rows(); ++r) {
    BOOST_TEST_REQUIRE(trips->at(r, *trips->column("trip")) == static_cast<double>(r));
    ++by_status[static_cast<int>(trips->at(r, status))];
    if (trips->at(r, status) == 0) travel_sum += trips->at(r, travel);
  }
  BOOST_TEST(by_status[0] == res.find_kpi("traffic.trips_completed")->value);
  BOOST_TEST(by_status[1] == res.find_kpi("traffic.running_at_end")->value);
  BOOST_TEST(by_status[2] == res.find_kpi("traffic.removed")->value);
  BOOST_TEST(by_status[3] == res.find_kpi("traffic.trips_unroutable")->value);
  BOOST_TEST(travel_sum / by_status[0] == res.find_kpi("traffic.mean_travel_time_s")->value,
             boost::test_tools::tolerance(1e-6));
  BOOST_TEST(!fs::exists(dir / "res" / "trips.csv"));
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
