#define BOOST_TEST_MODULE traffic
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdio>
#include <queue>
#include <random>

#include "models/traffic/simulation.hpp"
#include "simulation_checks.hpp"
#include "test_networks.hpp"

using namespace citytwin;
using namespace citytwin::traffic;
using citytwin::traffic::test::check_state;

namespace {

/// Trips at a constant rate (veh/h) on edges [from, to] between t0 and t1.
void add_uniform(std::vector<Trip>& trips, double rate_vph, double t0, double t1, int from, int to) {
  const double h = 3600.0 / rate_vph;
  for (double t = t0; t < t1 - 1e-9; t += h)
    trips.push_back({"t" + std::to_string(trips.size()), t, from, to, 0, {}});
}

/// Random trips between random edges of a network, seeded.
std::vector<Trip> random_trips(const Network& n, int count, double horizon_s, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> edge(0, n.edges() - 1);
  std::vector<Trip> trips;
  for (int i = 0; i < count; ++i) {
    int a = edge(rng), b = edge(rng);
    trips.push_back({"r" + std::to_string(i), horizon_s * i / count, a, b, 0, {}});
  }
  return trips;
}

/// IDM equilibrium flow (veh/s) at density k (veh/m): spacing 1/k = s_e(v) + length, solved for v.
double idm_equilibrium_flow(const VehicleType& t, double v0, double k) {
  const double spacing = 1.0 / k;
  if (spacing <= t.length_m + t.min_gap_m) return 0;
  double lo = 0, hi = v0;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (idm_equilibrium_gap(t, mid, v0) + t.length_m < spacing ? lo : hi) = mid;
  }
  return k * lo;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(traffic_dynamics)

BOOST_AUTO_TEST_CASE(free_flow_travel_time) {
  const Network n = network_from_city(test::line_road({1000}, {13.89}));
  VehicleType car;
  car.speed_dev = 0;
  for (double dt : {0.5, 1.0}) {
    SimulationOptions o;
    o.step_s = dt;
    Simulation sim(n, {car}, {{"a", 0, 0, 0, 0, {}}}, o);
    sim.run_until(200);
    BOOST_REQUIRE(sim.completed().size() == 1u);
    // Inserted at the speed limit with its front at one length: (1000 - 5) / 13.89 s, to within a step.
    const double tt = sim.completed()[0].arrive_s - sim.completed()[0].insert_s;
    BOOST_TEST(std::abs(tt - 995 / 13.89) <= dt + 1e-9);
  }
}

BOOST_AUTO_TEST_CASE(capacity_of_a_single_lane) {
  // Rising demand on one lane at 50 km/h, measured by a detector at x = 2000 m.
  const Network n = network_from_city(test::line_road({3000}, {13.89}));
  const double blocks[] = {600, 1200, 1800, 2400, 3000, 3600};
  for (double dt : {0.5, 1.0}) {
    std::vector<Trip> trips;
    for (int b = 0; b < 6; ++b) add_uniform(trips, blocks[b], b * 600.0, (b + 1) * 600.0, 0, 0);
    SimulationOptions o;
    o.step_s = dt;
    Simulation sim(n, {VehicleType{}}, trips, o);
    std::vector<double> last(trips.size(), -1);
    std::vector<int> count(6 * 2, 0);  // 5-minute windows
    while (sim.time() < 3600 + 150) {
      sim.step();
      check_state(sim);
      for (int v : sim.lane_vehicles(0)) {
        if (last[v] < 2000 && sim.vehicle_pos(v) >= 2000) {
          const int w = static_cast<int>((sim.time() - 150) / 300);  // travel time ~150 s to the detector
          if (w >= 0 && w < 12) ++count[w];
        }
        last[v] = sim.vehicle_pos(v);
      }
    }
    double max_flow = 0;
    for (int w = 0; w < 12; ++w) {
      const double q = count[w] * 12.0;  // veh/h
      std::printf("dt %.1f window %d demand %.0f flow %.0f veh/h\n", dt, w, blocks[w / 2], q);
      if (blocks[w / 2] <= 1200) BOOST_TEST(std::abs(q - blocks[w / 2]) <= 0.1 * blocks[w / 2]);
      max_flow = std::max(max_flow, q);
    }
    BOOST_TEST(max_flow >= 1800);
    BOOST_TEST(max_flow <= 2200);
  }
}

BOOST_AUTO_TEST_CASE(flow_density_points_follow_the_equilibrium) {
  // A 30 km/h bottleneck downstream makes a queue grow back through the detector zone [1800, 2200]:
  // the points go from the free branch to the congested branch of the fundamental diagram.
  const Network n = network_from_city(test::line_road({3000, 1000}, {13.89, 6.0}));
  std::vector<Trip> trips;
  add_uniform(trips, 700, 0, 900, 0, 1);
  add_uniform(trips, 1700, 900, 3600, 0, 1);
  VehicleType car;
  car.speed_dev = 0;  // identical drivers, so stationary states are IDM's equilibrium
  Simulation sim(n, {car}, trips, {});
  std::vector<double> last(trips.size(), -1);
  int crossings = 0;
  double veh_s_in_zone = 0;
  int free_points = 0, congested_points = 0;
  const double window = 120;
  // Analytic IDM capacities (max over k of the equilibrium flow) of the free road and of the bottleneck.
  double critical_density = 0, free_capacity = 0, bottleneck_capacity = 0;
  for (double k = 0.001; k < 0.15; k += 0.0001) {
    const double q = idm_equilibrium_flow(car, 13.89, k);
    if (q > free_capacity) free_capacity = q, critical_density = k;
    bottleneck_capacity = std::max(bottleneck_capacity, idm_equilibrium_flow(car, 6.0, k) * 3600);
  }
  while (sim.time() < 3600) {
    sim.step();
    for (int v : sim.lane_vehicles(0)) {
      const double x = sim.vehicle_pos(v);
      if (last[v] < 2000 && x >= 2000) ++crossings;
      if (x >= 1800 && x < 2200) veh_s_in_zone += 1.0;
      last[v] = x;
    }
    if (std::fmod(sim.time() + 1e-9, window) < 1e-6 && sim.time() > 300) {
      const double k = veh_s_in_zone / window / 400.0;  // veh/m
      const double q = crossings / window;               // veh/s
      const double qe = idm_equilibrium_flow(car, 13.89, k);
      std::printf("t %.0f density %.1f veh/km flow %.0f veh/h equilibrium %.0f\n", sim.time(), k * 1000, q * 3600,
                  qe * 3600);
      if (k > 0.004) {
        // Free branch: on the equilibrium curve. Congested branch (beyond the critical density of the
        // free road): the queue discharges at the bottleneck's capacity, under the equilibrium curve.
        if (k < 0.6 * critical_density) {
          BOOST_TEST(std::abs(q - qe) <= 0.05 * qe);
          ++free_points;
        } else if (k > critical_density) {
          BOOST_TEST(q * 3600 >= 0.8 * bottleneck_capacity);
          BOOST_TEST(q * 3600 <= 1.02 * bottleneck_capacity);
          BOOST_TEST(q <= 1.05 * qe);
          ++congested_points;
        }
      }
      crossings = 0;
      veh_s_in_zone = 0;
    }
  }
  BOOST_TEST(free_points >= 3);
  BOOST_TEST(congested_points >= 3);
}

BOOST_AUTO_TEST_CASE(conservation_and_no_overlap_on_a_signalised_grid) {
  const Network n = network_from_city(test::grid(6, 6, 150, 2, true));
  Simulation sim(n, {VehicleType{}}, random_trips(n, 3000, 1800, 7), {});
  while (sim.time() < 2400) {
    sim.step();
    check_state(sim);
  }
  const Counters& c = sim.counters();
  BOOST_TEST(c.unroutable == 0);
  BOOST_TEST(c.inserted > 2500);
  BOOST_TEST(c.arrived > 2000);
}

BOOST_AUTO_TEST_CASE(same_results_at_one_and_two_threads) {
  const Network n = network_from_city(test::grid(6, 6, 150, 2, true));
  const auto trips = random_trips(n, 4000, 1800, 11);
  auto run = [&](int threads) {
    SimulationOptions o;
    o.threads = threads;
    o.reroute_period_s = 300;
    Simulation sim(n, {VehicleType{}}, trips, o);
    sim.run_until(2400);
    return std::make_pair(sim.counters(), sim.completed());
  };
  const auto [c1, r1] = run(1);
  const auto [c2, r2] = run(2);
  BOOST_TEST(c1.arrived == c2.arrived);
  BOOST_TEST(c1.teleports == c2.teleports);
  BOOST_TEST(c1.vehicle_updates == c2.vehicle_updates);
  BOOST_REQUIRE(r1.size() == r2.size());
  for (size_t i = 0; i < r1.size(); ++i) {
    BOOST_TEST_REQUIRE(r1[i].trip == r2[i].trip);
    BOOST_TEST_REQUIRE(r1[i].arrive_s == r2[i].arrive_s);
    BOOST_TEST_REQUIRE(r1[i].route_length_m == r2[i].route_length_m);
  }
}

BOOST_AUTO_TEST_CASE(red_means_stop) {
  // A signal on a plain street (one approach): nobody enters the next edge while the light is red.
  RoadNetwork r = test::line_road({400, 400}, {13.89, 13.89});
  r.junctions[1].signalised = true;
  const Network n = network_from_city(r);
  BOOST_REQUIRE(n.junction_kind[1] == JunctionKind::traffic_light);
  std::vector<Trip> trips;
  add_uniform(trips, 900, 0, 1800, 0, 1);
  Simulation sim(n, {VehicleType{}}, trips, {});
  const SignalProgram& p = n.programs[n.junction_program[1]];
  int entered_red = 0, entered_green = 0;
  while (sim.time() < 1800) {
    const char state = p.phases[p.phase_at(sim.time())].state[0];
    sim.step();
    const double entered = sim.take_edge_stats().entered[1];
    (state == 'r' ? entered_red : entered_green) += static_cast<int>(entered);
    check_state(sim);
  }
  BOOST_TEST(entered_red == 0);
  BOOST_TEST(entered_green > 300);
}

BOOST_AUTO_TEST_CASE(minor_road_yields) {
  const Network n = network_from_city(test::crossing(RoadClass::primary, RoadClass::residential, false));
  std::vector<Trip> trips;
  add_uniform(trips, 900, 0, 1800, 4, 1);  // W -> E, major straight
  add_uniform(trips, 900, 1, 1800, 0, 5);  // E -> W, major straight
  const size_t first_minor = trips.size();
  add_uniform(trips, 300, 2, 1800, 6, 3);  // S -> N, minor straight across both
  Simulation sim(n, {VehicleType{}}, trips, {});
  sim.run_until(2400);
  double major_delay = 0, minor_delay = 0;
  int majors = 0, minors = 0;
  for (const auto& rec : sim.completed()) {
    const double delay = rec.arrive_s - rec.insert_s - rec.free_time_s;
    if (static_cast<size_t>(rec.trip) >= first_minor) minor_delay += delay, ++minors;
    else major_delay += delay, ++majors;
  }
  BOOST_REQUIRE(majors > 0);
  BOOST_REQUIRE(minors > 0);
  std::printf("major delay %.1f s, minor delay %.1f s, teleports %lld\n", major_delay / majors, minor_delay / minors,
              sim.counters().teleports);
  BOOST_TEST(minor_delay / minors > 3 * std::max(1.0, major_delay / majors));
  BOOST_TEST(sim.counters().teleports == 0);
  BOOST_TEST(sim.counters().arrived == static_cast<long long>(trips.size()));
}

BOOST_AUTO_TEST_CASE(stop_sign_means_standing_at_the_line) {
  // One car from the south across an empty crossing: with a stop sign it comes to rest at the line first.
  for (const bool sign : {false, true}) {
    RoadNetwork r = test::crossing(RoadClass::primary, RoadClass::residential, false);
    if (sign) r.edges[6].sign = TrafficSign::stop;
    const Network n = network_from_city(r);
    Simulation sim(n, {VehicleType{}}, {{"a", 0, 6, 3, 0, {}}}, {});
    const int lane = n.edge_first_lane[6];
    double slowest_near_line = 1e9;
    while (sim.time() < 300 && sim.trip_status(0) != TripStatus::arrived) {
      sim.step();
      if (sim.trip_status(0) == TripStatus::running && sim.vehicle_lane(0) == lane &&
          sim.vehicle_pos(0) > n.lane_length_m[lane] - 5)
        slowest_near_line = std::min(slowest_near_line, sim.vehicle_speed(0));
    }
    BOOST_TEST((sim.trip_status(0) == TripStatus::arrived));
    if (sign) BOOST_TEST(slowest_near_line < 0.1);
    else BOOST_TEST(slowest_near_line > 5.0);
  }
}

BOOST_AUTO_TEST_CASE(minor_link_is_approached_slowly) {
  // One car across an empty crossing, straight on: from the minor road it reaches the line no faster than it
  // can stop from within SUMO's 4.5 m foe visibility (sqrt(2 b 4.5 m) = 6.4 m/s); from the major road at speed.
  const Network n = network_from_city(test::crossing(RoadClass::primary, RoadClass::residential, false));
  const double v_vis = std::sqrt(2 * VehicleType{}.decel_mps2 * 4.5);
  for (const int from : {6, 4}) {
    const int to = from == 6 ? 3 : 1;
    Simulation sim(n, {VehicleType{}}, {{"a", 0, from, to, 0, {}}}, {});
    const int lane = n.edge_first_lane[from];
    double at_line = -1;
    while (sim.time() < 300 && sim.trip_status(0) != TripStatus::arrived) {
      const bool before = sim.trip_status(0) == TripStatus::running && sim.vehicle_lane(0) == lane;
      const double v = before ? sim.vehicle_speed(0) : -1;
      sim.step();
      if (before && sim.vehicle_lane(0) != lane) at_line = v;  // the speed of the step that crossed the line
    }
    BOOST_TEST((sim.trip_status(0) == TripStatus::arrived));
    if (from == 6) BOOST_TEST(at_line <= v_vis + 0.5 * VehicleType{}.decel_mps2);
    else BOOST_TEST(at_line > 12.0);
  }
}

BOOST_AUTO_TEST_CASE(faster_car_overtakes_on_two_lanes) {
  // One lane for 300 m, then two: the car catches up with the truck on the first edge.
  RoadNetwork road = test::line_road({300, 3000}, {30.0, 30.0}, 2);
  road.edges[0].lanes = 1;
  const Network n = network_from_city(road);
  VehicleType truck;
  truck.id = "truck";
  truck.max_speed_mps = 15;
  truck.speed_dev = 0;
  VehicleType car;
  car.speed_dev = 0;
  std::vector<Trip> trips = {{"slow", 0, 0, 1, 0, {}}, {"fast", 8, 0, 1, 1, {}}};
  for (bool changes : {true, false}) {
    SimulationOptions o;
    o.lane_changing = changes;
    Simulation sim(n, {truck, car}, trips, o);
    sim.run_until(400);
    BOOST_REQUIRE(sim.completed().size() == 2u);
    // With lane changing the car passes the truck; without it the car stays behind.
    BOOST_TEST((sim.completed()[0].trip == 1) == changes);
  }
}

BOOST_AUTO_TEST_CASE(gridlock_is_resolved_and_counted) {
  // The middle edge is closed after departure and nobody reroutes: the queue at its entrance is
  // teleported after 60 s standing, past the closure, and still arrives.
  const Network n = network_from_city(test::line_road({500, 300, 500}, {13.89, 13.89, 13.89}));
  std::vector<Trip> trips;
  add_uniform(trips, 600, 0, 300, 0, 2);
  // Routed up front, every trip drives into the closure; routed at departure (the default), the trips that
  // depart after it find no route and are counted as unroutable.
  for (const bool up_front : {true, false}) {
    SimulationOptions o;
    o.teleport_after_s = 60;
    o.route_at_departure = !up_front;
    Simulation sim(n, {VehicleType{}}, trips, o);
    sim.run_until(20);
    sim.set_edge_open(1, false);
    while (sim.time() < 4000) {
      sim.step();
      check_state(sim);
    }
    const Counters& c = sim.counters();
    BOOST_TEST(c.teleports > 0);
    BOOST_TEST(c.teleports <= c.inserted);
    BOOST_TEST(c.arrived + c.removed + c.unroutable == static_cast<long long>(trips.size()));
    if (up_front) BOOST_TEST(c.unroutable == 0);
    else BOOST_TEST(c.unroutable >= static_cast<long long>(trips.size()) - 10);
  }
}

BOOST_AUTO_TEST_CASE(entering_closer_than_the_minimum_gap_is_a_collision_teleport) {
  // A congested signalised grid. Every vehicle that crossed a junction in a step is checked against its new
  // leader: with SUMO's collision rule on, none stays closer than its minimum gap (such a vehicle is
  // teleported on, reason 'c'); with it off, some do (so the check can fail).
  const Network n = network_from_city(test::grid(5, 5, 120, 1, true));
  const auto trips = random_trips(n, 4000, 1200, 5);
  for (const bool rule : {true, false}) {
    SimulationOptions o;
    o.collision_teleport = rule;
    Simulation sim(n, {VehicleType{}}, trips, o);
    std::vector<int> edge_before(trips.size(), -1);
    int close_entries = 0, entries = 0;
    while (sim.time() < 1800) {
      for (size_t v = 0; v < trips.size(); ++v)
        edge_before[v] = sim.trip_status(static_cast<int>(v)) == TripStatus::running && sim.vehicle_lane(static_cast<int>(v)) >= 0
                             ? n.lane_edge[sim.vehicle_lane(static_cast<int>(v))]
                             : -1;
      sim.step();
      check_state(sim);
      for (int l = 0; l < n.lanes(); ++l) {
        const auto& q = sim.lane_vehicles(l);
        for (size_t k = 1; k < q.size(); ++k) {
          if (edge_before[q[k]] < 0 || edge_before[q[k]] == n.lane_edge[l]) continue;
          ++entries;
          const double gap = sim.vehicle_pos(q[k - 1]) - sim.vehicle_type(q[k - 1]).length_m - sim.vehicle_pos(q[k]);
          close_entries += gap < sim.vehicle_type(q[k]).min_gap_m - 1e-9;
        }
      }
    }
    int collisions = 0;
    for (const TeleportEvent& e : sim.teleport_events()) collisions += e.reason == 'c';
    BOOST_TEST_MESSAGE("collision rule " << rule << ": " << entries << " entries behind a leader, " << close_entries
                                         << " closer than the minimum gap, " << collisions << " collision teleports");
    BOOST_TEST(entries > 1000);
    if (rule) {
      BOOST_TEST(close_entries == 0);
      BOOST_TEST(collisions > 0);
    } else {
      BOOST_TEST(close_entries > 0);
      BOOST_TEST(collisions == 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(router_finds_the_fastest_route) {
  // A* with landmark bounds against a plain Dijkstra on the edge graph, on free-flow and on slowed times (the
  // bounds stay valid for times at or above free flow), 300 random pairs on a 12 x 12 grid.
  const Network n = network_from_city(test::grid(12, 12, 150, 1, false));
  BOOST_REQUIRE(n.edges() >= 64);  // large enough for landmarks
  const Router router(n);
  auto dijkstra = [&](int from, int to, const std::vector<double>& w) {
    std::vector<double> d(n.edges(), INFINITY);
    std::priority_queue<std::pair<double, int>, std::vector<std::pair<double, int>>, std::greater<>> q;
    d[from] = w[from];
    q.push({d[from], from});
    while (!q.empty()) {
      auto [x, e] = q.top();
      q.pop();
      if (x > d[e]) continue;
      for (int k = n.edge_first_next[e]; k < n.edge_first_next[e + 1]; ++k) {
        const int m = n.edge_next[k];
        if (x + w[m] < d[m]) q.push({d[m] = x + w[m], m});
      }
    }
    return d[to];
  };
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> edge(0, n.edges() - 1);
  std::uniform_real_distribution<double> slow(1.0, 4.0);
  for (const bool slowed : {false, true}) {
    std::vector<double> w = free_flow_times(n);
    if (slowed)
      for (double& x : w) x *= slow(rng);
    for (int i = 0; i < 150; ++i) {
      const int a = edge(rng), b = edge(rng);
      std::vector<std::int32_t> route;
      const bool ok = router.route(a, b, w, 13.89, route);
      const double best = dijkstra(a, b, w);
      BOOST_TEST_REQUIRE(ok == std::isfinite(best));
      if (!ok) continue;
      double cost = 0;
      for (int e : route) cost += w[e];
      BOOST_TEST(cost <= best * (1 + 1e-9));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
