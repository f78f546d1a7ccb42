// EPANET exactness: Net1 and Net2 against EPANET 2.2's own results at every reporting period
// (tests/data/water/*.reference.csv, produced with epanet-js, see the README there).
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "models/water/io/inp_reader.hpp"
#include "models/water/io/inp_writer.hpp"
#include "models/water/report.hpp"

using namespace citytwin::water;

namespace {

using Key = std::tuple<long, std::string, std::string, std::string>;  // time, kind, id, property

std::map<Key, double> read_reference(const std::string& path) {
  std::ifstream in(path);
  BOOST_REQUIRE_MESSAGE(in, "cannot open " << path);
  std::map<Key, double> ref;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string t, kind, id, prop, value;
    std::getline(ss, t, ',');
    std::getline(ss, kind, ',');
    std::getline(ss, id, ',');
    std::getline(ss, prop, ',');
    std::getline(ss, value, ',');
    ref[{std::stol(t), kind, id, prop}] = std::stod(value);
  }
  return ref;
}

struct Deviation {
  double pressure_psi = 0, head_ft = 0, flow_excess = 0;
  size_t compared = 0;
};

// Runs the network and compares every reference value; returns the worst deviations.
Deviation compare(const std::string& name, const Network& net) {
  const std::string dir = std::string(CITYTWIN_TEST_DATA) + "/water/";
  const auto ref = read_reference(dir + name + ".reference.csv");
  HydraulicRun run(net);
  Deviation dev;
  // Flows: the larger of 0.1% and 0.01 L/s; heads and pressures: 0.02 psi (US files) or 0.01 m (SI).
  const double abs_flow = 0.01e-3 / net.units.flow();
  const double tol_p_abs = net.units.si ? 0.01 : 0.02;
  const double tol_h_abs = net.units.si ? 0.01 : 0.02 / 0.4333;
  size_t periods = 0;
  std::set<long> ref_times;
  for (const auto& [key, v] : ref) ref_times.insert(std::get<0>(key));
  run_extended_period(run, [&](const HydraulicRun& r) {
    const long t = r.time_s();
    if (!ref_times.count(t)) return;  // a reference may keep only some periods
    ++periods;
    for (int n = 0; n < net.num_nodes(); ++n) {
      const auto p = ref.find({t, "node", net.node_ids[n], "pressure"});
      const auto h = ref.find({t, "node", net.node_ids[n], "head"});
      BOOST_REQUIRE_MESSAGE(p != ref.end() && h != ref.end(), name << ": no reference for node " << net.node_ids[n]
                                                                    << " at t=" << t);
      const double dp = std::abs(report_pressure(r, n) - p->second);
      const double dh = std::abs(report_head(r, n) - h->second);
      // A junction cut off from every source gets a head of about -1e7 (closed links conduct 1e-8 in
      // EPANET): there both solvers agree to rounding, 1e-7 of the value.
      const double tol_p = std::max(tol_p_abs, 1e-7 * std::abs(p->second));
      const double tol_h = std::max(tol_h_abs, 1e-7 * std::abs(h->second));
      BOOST_CHECK_MESSAGE(dp <= tol_p, name << " t=" << t << " node " << net.node_ids[n] << " pressure "
                                           << report_pressure(r, n) << " vs " << p->second);
      BOOST_CHECK_MESSAGE(dh <= tol_h, name << " t=" << t << " node " << net.node_ids[n] << " head "
                                                    << report_head(r, n) << " vs " << h->second);
      dev.pressure_psi = std::max(dev.pressure_psi, dp);
      dev.head_ft = std::max(dev.head_ft, dh);
      dev.compared += 2;
    }
    for (int k = 0; k < net.num_links(); ++k) {
      const auto q = ref.find({t, "link", net.link_ids[k], "flow"});
      BOOST_REQUIRE_MESSAGE(q != ref.end(), name << ": no reference for link " << net.link_ids[k] << " at t=" << t);
      const double tol = std::max(1e-3 * std::abs(q->second), abs_flow);
      const double dq = std::abs(report_flow(r, k) - q->second);
      BOOST_CHECK_MESSAGE(dq <= tol, name << " t=" << t << " link " << net.link_ids[k] << " flow "
                                          << report_flow(r, k) << " vs " << q->second);
      dev.flow_excess = std::max(dev.flow_excess, dq / tol);
      ++dev.compared;
    }
  });
  // Every reference row must have been compared: same reporting periods as EPANET.
  BOOST_CHECK_EQUAL(dev.compared, ref.size());
  BOOST_TEST_MESSAGE(name << ": " << periods << " periods, " << dev.compared << " values; max |dp| "
                          << dev.pressure_psi << " psi, max |dh| " << dev.head_ft << " ft, max flow error "
                          << dev.flow_excess << " of tolerance");
  return dev;
}

Network load(const std::string& name) {
  return read_inp(std::string(CITYTWIN_TEST_DATA) + "/water/" + name + ".inp");
}

// The network written back to .inp text and read again.
Network round_trip(const Network& net) {
  std::ostringstream out;
  write_inp(out, net);
  return parse_inp(out.str(), "written.inp");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(exactness)

BOOST_AUTO_TEST_CASE(net1_matches_epanet_every_report_step) {
  const Deviation d = compare("Net1", load("Net1"));
  BOOST_CHECK_EQUAL(d.compared, 875u);
  // Far inside the tolerances: the same iterations as EPANET, not just a close answer.
  BOOST_CHECK_LT(d.pressure_psi, 1e-4);
}

BOOST_AUTO_TEST_CASE(net2_matches_epanet_every_report_step) {
  const Deviation d = compare("Net2", load("Net2"));
  BOOST_CHECK_EQUAL(d.compared, 6272u);
  BOOST_CHECK_LT(d.pressure_psi, 1e-4);
}

// Networks written for this project that exercise what Net1 and Net2 do not (references from EPANET 2.2
// through epanet-js, see tests/data/water/README.md).
BOOST_AUTO_TEST_CASE(every_valve_type_and_check_valve_match_epanet) {
  const Deviation d = compare("valves", load("valves"));
  BOOST_CHECK_EQUAL(d.compared, 637u);
}

BOOST_AUTO_TEST_CASE(pumps_tanks_controls_and_rules_match_epanet) {
  const Deviation d = compare("pumps", load("pumps"));
  BOOST_CHECK_EQUAL(d.compared, 1147u);
  BOOST_CHECK_LT(d.pressure_psi, 1e-4);
}

BOOST_AUTO_TEST_CASE(pressure_driven_demand_and_emitters_match_epanet) {
  const Deviation d = compare("pda", load("pda"));
  BOOST_CHECK_EQUAL(d.compared, 147u);
  BOOST_CHECK_LT(d.pressure_psi, 1e-3);
}

// The network generated for the bundled city (citytwin water generate), as EPANET solves it.
BOOST_AUTO_TEST_CASE(generated_city_network_matches_epanet) {
  const Deviation d = compare("monaco_generated", load("monaco_generated"));
  BOOST_CHECK_EQUAL(d.compared, 10887u);
  BOOST_CHECK_LT(d.pressure_psi, 1e-3);
}

// Pumps whose speed patterns stop both feeds of a zone for hours: EPANET solves every step (closed links keep a
// tiny conductance), warns of negative pressures and carries on to the end; so must we, every period written.
BOOST_AUTO_TEST_CASE(disconnected_zone_carries_on_as_epanet_does) {
  const Network net = load("disconnect");
  const Deviation d = compare("disconnect", net);
  BOOST_CHECK_EQUAL(d.compared, 650u);
  HydraulicRun run(net);
  long periods = 0;
  run_extended_period(run, [&](const HydraulicRun&) { ++periods; });
  BOOST_CHECK_EQUAL(periods, 25);
  bool disconnected = false, negative = false;
  for (const auto& w : run.warnings()) {
    BOOST_CHECK(w.kind != HydraulicWarning::Kind::IllConditioned);
    disconnected = disconnected || w.kind == HydraulicWarning::Kind::Disconnected;
    negative = negative || w.kind == HydraulicWarning::Kind::NegativePressure;
  }
  BOOST_CHECK(disconnected && negative);
}

BOOST_AUTO_TEST_CASE(written_inp_gives_the_same_results) {
  for (const char* name : {"Net1", "Net2", "valves", "pumps", "pda"}) {
    const Network net = round_trip(load(name));
    const Deviation d = compare(name, net);
    BOOST_CHECK_LT(d.pressure_psi, 2e-3);
  }
}

BOOST_AUTO_TEST_SUITE_END()
