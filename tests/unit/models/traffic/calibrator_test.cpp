// Calibrators (SUMO's <calibrator>): the vehicles entering a counted road follow the count, whatever the
// demand upstream, and the network's vehicle balance holds with the vehicles put on and taken off.
#include <boost/test/unit_test.hpp>

#include <limits>

#include "models/traffic/simulation.hpp"
#include "simulation_checks.hpp"
#include "test_networks.hpp"

using namespace citytwin;
using namespace citytwin::traffic;
using citytwin::traffic::test::check_state;

namespace {

/// Trips from edge `from` to edge `to`, one every 3600 / rate_vph s over [0, 1 h).
std::vector<Trip> steady_trips(double rate_vph, int from, int to) {
  std::vector<Trip> trips;
  for (double t = 0; t < 3600 - 1e-9; t += 3600 / rate_vph)
    trips.push_back({"t" + std::to_string(trips.size()), t, from, to, 0, {}});
  return trips;
}

/// Steps one hour, checking the balance at every step; the vehicles that entered each edge.
std::vector<double> run_hour(Simulation& sim) {
  const double end = sim.time() + 3600;
  while (sim.time() + 1e-9 < end) {
    sim.step();
    check_state(sim);
  }
  return sim.take_edge_stats().entered;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(traffic_calibrators)

BOOST_AUTO_TEST_CASE(an_empty_road_gets_the_count_hour_by_hour) {
  const Network n = network_from_city(test::line_road({400, 600, 400}, {13.89, 13.89, 13.89}));
  Simulation sim(n, {VehicleType{}}, {}, {});
  for (double count : {600.0, 250.0, 0.0, 1200.0}) {
    sim.set_calibrator(1, count);
    const auto entered = run_hour(sim);
    BOOST_TEST(entered[1] == count);
    BOOST_TEST(entered[0] == 0);
    BOOST_TEST(entered[2] == 0);  // inserted with no traffic to copy, they drive the counted road only
  }
  BOOST_TEST(sim.counters().calibrator_inserted == 2050);
  BOOST_TEST(sim.counters().removed == 0);
}

BOOST_AUTO_TEST_CASE(a_surplus_is_taken_off_as_it_enters) {
  // 1,200 veh/h drive e0 -> e2 through a road counted at 400: e1 sees 400, and e2 only what e1 let through.
  const Network n = network_from_city(test::line_road({400, 600, 400}, {13.89, 13.89, 13.89}));
  Simulation sim(n, {VehicleType{}}, steady_trips(1200, 0, 2), {});
  sim.set_calibrator(1, 400);
  const auto entered = run_hour(sim);
  BOOST_TEST(entered[1] == 400);
  BOOST_TEST(entered[2] <= 400);
  BOOST_TEST(entered[2] >= 400 - 30);  // the last ones still on e1 (600 m at 50 km/h, 3 a minute)
  // Every vehicle that reached e1 (driven from e0 or put on by the calibrator before the first came) went on
  // or was taken off: reached + inserted = 400 + removed.
  const Counters& c = sim.counters();
  const double reached = entered[0] - sim.lane_vehicle_count(n.edge_first_lane[0]);
  BOOST_TEST(c.calibrator_inserted <= 4);  // 400/h asks for one before the first vehicle arrives (29 s)
  BOOST_TEST(reached + static_cast<double>(c.calibrator_inserted) == 400 + static_cast<double>(c.removed));
}

BOOST_AUTO_TEST_CASE(a_deficit_is_inserted_with_the_routes_of_the_traffic_there) {
  // 300 veh/h drive e0 -> e2; the count on e1 is 900: the 600 added continue to e2 as the traffic does.
  const Network n = network_from_city(test::line_road({400, 600, 400}, {13.89, 13.89, 13.89}));
  Simulation sim(n, {VehicleType{}}, steady_trips(300, 0, 2), {});
  sim.set_calibrator(1, 900);
  const auto entered = run_hour(sim);
  BOOST_TEST(entered[1] == 900);
  BOOST_TEST(entered[2] >= 900 - 30);
  BOOST_TEST(sim.counters().calibrator_inserted >= 600);
  // Off: only the plain demand goes on (what was still on e0; no trips depart after the first hour).
  const int on_e0 = sim.lane_vehicle_count(n.edge_first_lane[0]);
  sim.set_calibrator(1, std::numeric_limits<double>::quiet_NaN());
  const auto after = run_hour(sim);
  BOOST_TEST(after[1] == on_e0);
  BOOST_TEST(sim.finished());
}

BOOST_AUTO_TEST_CASE(same_results_at_one_and_two_threads) {
  const Network n = network_from_city(test::grid(6, 6, 150, 2, true));
  std::vector<Trip> trips;
  for (int i = 0; i < 3000; ++i) trips.push_back({"r" + std::to_string(i), 1.2 * i, (i * 7) % n.edges(), (i * 13 + 5) % n.edges(), 0, {}});
  auto run = [&](int threads) {
    SimulationOptions o;
    o.threads = threads;
    Simulation sim(n, {VehicleType{}}, trips, o);
    for (int e = 0; e < n.edges(); e += 9) sim.set_calibrator(e, 100.0 + 20 * e);
    sim.run_until(3600);
    return std::make_pair(sim.counters(), sim.completed());
  };
  const auto [c1, r1] = run(1);
  const auto [c2, r2] = run(2);
  BOOST_TEST(c1.calibrator_inserted > 0);
  BOOST_TEST(c1.removed > 0);
  BOOST_TEST(c1.calibrator_inserted == c2.calibrator_inserted);
  BOOST_TEST(c1.removed == c2.removed);
  BOOST_REQUIRE(r1.size() == r2.size());
  for (size_t i = 0; i < r1.size(); ++i) {
    BOOST_TEST_REQUIRE(r1[i].trip == r2[i].trip);
    BOOST_TEST_REQUIRE(r1[i].arrive_s == r2[i].arrive_s);
  }
}

BOOST_AUTO_TEST_SUITE_END()
