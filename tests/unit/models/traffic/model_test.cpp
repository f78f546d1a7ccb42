#include <boost/test/unit_test.hpp>

#include <cmath>
#include <map>

#include "engine/core/time.hpp"
#include <numbers>

#include "engine/sim/simulation.hpp"
#include "models/traffic/demand_generator.hpp"
#include "models/traffic/simulation.hpp"
#include "models/traffic/traffic_model.hpp"
#include "test_networks.hpp"

using namespace citytwin;
using namespace citytwin::traffic;

namespace {

/// A 5 x 5 grid (150 m blocks) with homes in the south-west and offices, shops, a school in the north-east.
City grid_city(int lanes = 1) {
  City c;
  c.roads = test::grid(5, 5, 150, lanes, true);
  auto add = [&](const std::string& id, UseClass use, double x, double y, double floor_area) {
    Building b;
    b.id = id;
    b.centroid = {x, y};
    b.footprint = {Polygon{{{x - 5, y - 5}, {x + 5, y - 5}, {x + 5, y + 5}, {x - 5, y + 5}}, {}}};
    b.area_m2 = 100, b.height_m = 10, b.floor_area_m2 = floor_area, b.use = use;
    c.buildings.push_back(b);
  };
  add("home1", UseClass::residential, 20, 75, 5000);
  add("home2", UseClass::residential, 75, 20, 5000);
  add("office", UseClass::office, 580, 525, 8000);
  add("shop", UseClass::commercial, 525, 580, 3000);
  add("school", UseClass::public_use, 450, 525, 2000);
  return c;
}

/// Where a vehicle sample lies relative to the City's road edges: among the edges running in the sample's
/// heading, the one whose shape is nearest on the right (lanes lie right of a two-way street's centre line),
/// with the distance along it and the offset to the right of it; edge -1 when no edge runs that way. The end of
/// an edge and the start of its straight continuation are one point: it is taken as the end (a vehicle at a
/// stop line).
struct OnRoad {
  int edge = -1;
  double along_m = 0, right_m = 0;
};
OnRoad locate(const RoadNetwork& roads, Point2 p, double heading_rad) {
  OnRoad best;
  double best_d = 1e18, best_t = -1;
  for (size_t e = 0; e < roads.edges.size(); ++e) {
    const auto& s = roads.edges[e].shape;
    double start = 0;
    for (size_t k = 1; k < s.size(); ++k) {
      const double dx = s[k].x - s[k - 1].x, dy = s[k].y - s[k - 1].y, len = std::hypot(dx, dy);
      const double turn = std::remainder(std::atan2(dy, dx) - heading_rad, 2 * std::numbers::pi);
      const double t = ((p.x - s[k - 1].x) * dx + (p.y - s[k - 1].y) * dy) / (len * len);
      const double right = ((p.x - s[k - 1].x) * dy - (p.y - s[k - 1].y) * dx) / len;
      const double seg_start = start;
      start += len;
      if (std::abs(turn) > 1e-9 || t < -1e-9 || t > 1 + 1e-9 || right <= 0) continue;
      if (right < best_d - 1e-9 || (right < best_d + 1e-9 && t > best_t))
        best_d = right, best_t = t, best = {static_cast<int>(e), seg_start + t * len, right};
    }
  }
  return best;
}

/// Column `name` of row `r`.
double cell(const Table& t, size_t r, const char* name) { return t.at(r, *t.column(name)); }

OnRoad locate(const RoadNetwork& roads, const Table& v, size_t row) {
  return locate(roads, {cell(v, row, "x_m"), cell(v, row, "y_m")}, cell(v, row, "heading_rad"));
}

/// Index of the edge with the most flow over the run, among those with at least `lanes` lanes.
size_t busiest_edge(const Results& r, const City& city, int lanes = 1) {
  const Layer* f = r.find_layer("traffic.flow");
  size_t busiest = 0;
  double most = -1;
  for (size_t e = 0; e < f->elements(); ++e) {
    if (city.roads.edges[e].lanes < lanes) continue;
    double sum = 0;
    for (size_t t = 0; t < f->times_s.size(); ++t) sum += f->row(t)[e];
    if (sum > most) most = sum, busiest = e;
  }
  BOOST_REQUIRE(most > 0);
  return busiest;
}

/// Vehicles seen on an edge into junction j at one sample and on an edge out of j at the next, with both
/// samples in [t0, t1).
int crossings(const Results& r, const RoadNetwork& roads, int j, double t0, double t1) {
  const Table* v = r.find_table("traffic.vehicles");
  std::map<int, std::pair<double, int>> last;  // vehicle -> (time, edge)
  int n = 0;
  for (size_t i = 0; i < v->rows(); ++i) {
    const double t = cell(*v, i, "t_s");
    const int id = static_cast<int>(cell(*v, i, "vehicle"));
    const int e = locate(roads, *v, i).edge;
    auto it = last.find(id);
    if (it != last.end() && it->second.first >= t0 && t < t1 && roads.edges[it->second.second].to == j &&
        roads.edges[e].from == j)
      ++n;
    last[id] = {t, e};
  }
  return n;
}

/// A traffic intervention in scenario TOML; `until` and `target` may be empty.
std::string intervention(const std::string& at, const std::string& until, const std::string& action,
                         const std::string& target, const std::string& more = "") {
  std::string s = "[[interventions]]\nat = \"" + at + "\"\nmodel = \"traffic\"\naction = \"" + action + "\"\n";
  if (!until.empty()) s += "until = \"" + until + "\"\n";
  if (!target.empty()) s += "target = \"" + target + "\"\n";
  return s + more;
}

Results run(const City& city, const std::string& extra) {
  ModelRegistry registry;
  register_traffic_model(registry);
  Scenario sc = parse_scenario(R"(
seed = 3
[city]
file = "unused"
[period]
start = "2026-07-13T06:00"
duration = "4h"
step = "5min"
[models.traffic]
trips_per_day = 6000
)" + extra,
                               "traffic_test.toml");
  return run_simulation(sc, city, registry, {});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(traffic_model)

BOOST_AUTO_TEST_CASE(layers_and_kpis_agree) {
  const City city = grid_city();
  const Results r = run(city, "");
  const Layer* flow = r.find_layer("traffic.flow");
  const Layer* speed = r.find_layer("traffic.speed");
  const Layer* density = r.find_layer("traffic.density");
  BOOST_REQUIRE(flow && speed && density);
  BOOST_TEST(flow->elements() == city.roads.edges.size());
  const double completed = r.find_kpi("traffic.trips_completed")->value;
  const double inserted = r.find_kpi("traffic.trips_inserted")->value;
  BOOST_TEST(completed > 500);
  BOOST_TEST(inserted == completed + r.find_kpi("traffic.running_at_end")->value + r.find_kpi("traffic.removed")->value);
  // Vehicle-km from the density layer (veh/km x km x h) equals the speed x density integral.
  double veh_km = 0;
  for (size_t t = 0; t < speed->times_s.size(); ++t)
    for (size_t e = 0; e < speed->elements(); ++e) {
      const double v = speed->row(t)[e], k = density->row(t)[e];
      if (!std::isnan(v)) veh_km += v * 3.6 * k * city.roads.edges[e].length_m / 1000 * (300.0 / 3600);
    }
  BOOST_TEST(std::abs(veh_km - r.find_kpi("traffic.vehicle_km")->value) <= 0.01 * veh_km);
  // Travel time per road: never shorter than the road at its limit x the largest speed factor (1.2), and the
  // road's length over the recorded mean speed wherever vehicles moved.
  const Layer* travel = r.find_layer("traffic.travel_time");
  BOOST_REQUIRE(travel);
  int timed = 0;
  for (size_t t = 0; t < travel->times_s.size(); ++t)
    for (size_t e = 0; e < travel->elements(); ++e) {
      const double tt = travel->row(t)[e], v = speed->row(t)[e];
      BOOST_TEST_REQUIRE(std::isnan(tt) == std::isnan(v));
      if (std::isnan(tt)) continue;
      const auto& road = city.roads.edges[e];
      BOOST_TEST_REQUIRE(tt >= road.length_m / (road.speed_mps * 1.2) * 0.999);
      if (v > 0.1) BOOST_TEST_REQUIRE(std::abs(tt * v - road.length_m) <= 1e-3 * road.length_m);
      ++timed;
    }
  BOOST_TEST(timed > 100);
  const double mean_speed = r.find_kpi("traffic.mean_speed_kmh")->value;
  BOOST_TEST(mean_speed > 5);
  BOOST_TEST(mean_speed < 50.1 * 1.25);  // speed limit 50 km/h x speed factor <= 1.2
}

BOOST_AUTO_TEST_CASE(closed_edge_carries_no_traffic) {
  const City city = grid_city();
  const Results open = run(city, "");
  // The busiest edge of the open run is closed from 07:00 to 08:00.
  const size_t busiest = busiest_edge(open, city);
  const Results closed = run(city, intervention("07:00", "08:00", "close_edge", city.roads.edges[busiest].id));
  const Layer* f1 = closed.find_layer("traffic.flow");
  double during = 0, after = 0;
  for (size_t t = 0; t < f1->times_s.size(); ++t) {
    const double at = f1->times_s[t];
    if (at > 3600 + 300 && at <= 7200) during += f1->row(t)[busiest];
    if (at > 7200 + 600) after += f1->row(t)[busiest];
  }
  BOOST_TEST(during == 0.0);
  BOOST_TEST(after > 0.0);  // reopened
  BOOST_TEST(closed.find_kpi("traffic.trips_completed")->value > 500);
}

BOOST_AUTO_TEST_CASE(bad_intervention_names_the_line) {
  const City city = grid_city();
  try {
    run(city, "[[interventions]]\nat = \"07:00\"\nmodel = \"traffic\"\naction = \"close_edge\"\ntarget = \"nowhere\"\n");
    BOOST_FAIL("no error");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()).find("traffic_test.toml:") == 0);
    BOOST_TEST(std::string(e.what()).find("unknown road edge") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(generator_follows_purposes_and_gravity) {
  const City city = grid_city();
  const Network net = network_from_city(city.roads);
  GeneratorOptions g;
  g.trips_per_day = 10000;
  const auto day = generate_city_trips(city, net, g, 0, 86400);
  // Every tour gives two trips; a few fall off when both ends snap to one edge.
  BOOST_TEST(day.trips.size() <= 10000u);
  BOOST_TEST(day.trips.size() >= 9000u);
  int morning_to_office = 0, to_office = 0;
  for (size_t i = 0; i < day.trips.size(); ++i)
    if (city.buildings[day.to_building[i]].id == "office") {
      ++to_office;
      morning_to_office += day.trips[i].depart_s >= 6 * 3600 && day.trips[i].depart_s < 10 * 3600;
    }
  BOOST_TEST(morning_to_office > 0.9 * to_office);  // commuters leave home around 08:00 +- 45 min
  for (size_t i = 1; i < day.trips.size(); ++i) BOOST_TEST_REQUIRE(day.trips[i - 1].depart_s <= day.trips[i].depart_s);
}

// Departure hours are local: in Monaco, summer time starts on 2026-03-29 (clocks 02:00 -> 03:00), so every
// trip of the second day leaves 1 h earlier in run time than on the start's clock; the first day's do not move.
BOOST_AUTO_TEST_CASE(generator_keeps_local_hours_across_daylight_saving) {
  const City city = grid_city();
  const Network net = network_from_city(city.roads);
  GeneratorOptions fixed;
  fixed.trips_per_day = 2000;
  fixed.start_unix_s = *parse_datetime("2026-03-28T00:00+01:00");
  fixed.zone = TimeZone::fixed(3600);  // Monaco's winter time all along
  GeneratorOptions local = fixed;
  local.zone = *TimeZone::find("Europe/Monaco");
  const auto a = generate_city_trips(city, net, fixed, 0, 2 * 86400);
  const auto b = generate_city_trips(city, net, local, 0, 2 * 86400);
  std::map<std::string, double> depart;
  for (const auto& t : a.trips) depart[t.id] = t.depart_s;
  size_t first = 0, second = 0;
  for (const auto& t : b.trips) {
    if (t.depart_s < 0 || !depart.count(t.id)) continue;
    const bool day_two = t.id[1] == '1';  // ids are <purpose><day>_<k>
    BOOST_TEST_REQUIRE(t.depart_s == depart[t.id] - (day_two ? 3600 : 0), boost::test_tools::tolerance(1e-12));
    ++(day_two ? second : first);
  }
  BOOST_TEST(first > 500u);
  BOOST_TEST(second > 500u);
}

BOOST_AUTO_TEST_CASE(trip_records_agree_with_the_kpis) {
  const City city = grid_city();
  const Results r = run(city, "");
  const Table* trips = r.find_table("traffic.trips");
  BOOST_REQUIRE(trips);
  BOOST_TEST(trips->columns == (std::vector<std::string>{"trip", "depart_s", "insert_s", "arrival_s", "travel_time_s",
                                                         "delay_s", "route_length_m", "vehicle_type", "status"}),
             boost::test_tools::per_element());
  BOOST_TEST(trips->rows() == r.find_kpi("traffic.trips")->value);
  std::map<int, double> count;
  double travel = 0, delay = 0, arrived_km = 0;
  for (size_t i = 0; i < trips->rows(); ++i) {
    const int status = static_cast<int>(cell(*trips, i, "status"));
    ++count[status];
    if (status != 0) {
      BOOST_TEST_REQUIRE(std::isnan(cell(*trips, i, "arrival_s")));
      continue;
    }
    const double tt = cell(*trips, i, "travel_time_s"), len = cell(*trips, i, "route_length_m");
    BOOST_TEST_REQUIRE(tt == cell(*trips, i, "arrival_s") - cell(*trips, i, "insert_s"));
    BOOST_TEST_REQUIRE(cell(*trips, i, "insert_s") >= cell(*trips, i, "depart_s"));
    // No faster than the speed limit (13.89 m/s) x the largest speed factor (1.2), one step of slack.
    BOOST_TEST_REQUIRE(len <= 13.89 * 1.2 * (tt + 1) + 1e-6);
    BOOST_TEST_REQUIRE(cell(*trips, i, "delay_s") >= 0);
    BOOST_TEST_REQUIRE(cell(*trips, i, "delay_s") <= tt);
    travel += tt;
    delay += cell(*trips, i, "delay_s");
    arrived_km += len / 1000;
  }
  BOOST_TEST(count[0] == r.find_kpi("traffic.trips_completed")->value);
  BOOST_TEST(count[1] == r.find_kpi("traffic.running_at_end")->value);
  BOOST_TEST(count[2] == r.find_kpi("traffic.removed")->value);
  BOOST_TEST(count[3] == r.find_kpi("traffic.trips_unroutable")->value);
  BOOST_TEST(travel / count[0] == r.find_kpi("traffic.mean_travel_time_s")->value, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(delay / 3600 == r.find_kpi("traffic.total_delay_h")->value, boost::test_tools::tolerance(1e-9));
  // Distance driven by the arrived vehicles is part of the vehicle-km integrated from the edge statistics.
  BOOST_TEST(arrived_km <= r.find_kpi("traffic.vehicle_km")->value * (1 + 1e-9));
  BOOST_TEST(arrived_km >= 0.9 * r.find_kpi("traffic.vehicle_km")->value);
}

BOOST_AUTO_TEST_CASE(vehicle_positions_lie_on_the_lanes_and_move_at_most_vmax) {
  const City city = grid_city();
  // Without SUMO's collision teleports, so that every vehicle's motion is continuous.
  const Results r = run(city, "collision_teleport = false\n");
  const Table* v = r.find_table("traffic.vehicles");
  BOOST_REQUIRE(v);
  BOOST_TEST(v->columns == (std::vector<std::string>{"t_s", "vehicle", "x_m", "y_m", "heading_rad", "speed_mps"}),
             boost::test_tools::per_element());
  BOOST_REQUIRE(v->rows() > 1000u);
  BOOST_REQUIRE(r.find_kpi("traffic.gridlock_resolutions")->value == 0);  // no teleport jumps
  const double v_max = 13.89 * 1.2;  // speed limit x the largest speed factor (N(1, 0.1) clipped at 2 sigma)
  const double lane_offset = 1.6;    // one lane each way, 3.2 m wide: its centre 1.6 m right of the centre line
  std::map<int, size_t> last;
  int moves = 0;
  for (size_t i = 0; i < v->rows(); ++i) {
    // On an edge running in the vehicle's heading, at its lane's centre, between the edge's ends.
    const Point2 p{cell(*v, i, "x_m"), cell(*v, i, "y_m")};
    const OnRoad at = locate(city.roads, *v, i);
    BOOST_TEST_REQUIRE(at.edge >= 0);
    BOOST_TEST_REQUIRE(std::abs(at.right_m - lane_offset) < 1e-6);
    BOOST_TEST_REQUIRE(cell(*v, i, "speed_mps") <= v_max + 1e-9);
    const int id = static_cast<int>(cell(*v, i, "vehicle"));
    if (auto it = last.find(id); it != last.end()) {
      const size_t k = it->second;
      const double dt = cell(*v, i, "t_s") - cell(*v, k, "t_s");
      const double moved = std::hypot(p.x - cell(*v, k, "x_m"), p.y - cell(*v, k, "y_m"));
      // A turn moves the lane centre across the corner: up to twice the lane offset.
      BOOST_TEST_REQUIRE(moved <= v_max * dt + 2 * lane_offset + 1e-9);
      BOOST_TEST_REQUIRE(dt == 10.0);
      ++moves;
    }
    last[id] = i;
  }
  BOOST_TEST(moves > 1000);
  // Sampled every 10 s (positions_every default), none when switched off.
  BOOST_TEST(std::fmod(cell(*v, 0, "t_s"), 10.0) == 0.0);
  BOOST_TEST(!run(city, "positions_every = 0\n").find_table("traffic.vehicles"));
}

BOOST_AUTO_TEST_CASE(vehicle_en_route_reroutes_round_a_closure) {
  // Along the bottom row of a grid (150 m blocks) from edge 0_1 to edge 3_4: 600 m straight on. Edge 2_3 is
  // closed while the vehicle is on 0_1, as the close_edge intervention does it (close, then reroute everyone).
  const Network net = network_from_city(test::grid(5, 5, 150, 1, false));
  auto drive = [&](bool close) {
    Trip trip;
    trip.from_edge = net.find_edge("0_1");
    trip.to_edge = net.find_edge("3_4");
    Simulation sim(net, {VehicleType{}}, {trip}, SimulationOptions{});
    sim.run_until(5);
    BOOST_REQUIRE(sim.counters().running == 1);
    if (close) {
      sim.set_edge_open(net.find_edge("2_3"), false);
      sim.reroute_all();
    }
    double entered_closed = 0;
    while (!sim.finished() && sim.time() < 600) {
      sim.step();
      entered_closed += sim.take_edge_stats().entered[net.find_edge("2_3")];
    }
    BOOST_REQUIRE(sim.completed().size() == 1u);
    return std::pair{sim.completed()[0].route_length_m, entered_closed};
  };
  const auto [straight, entered_open] = drive(false);
  const auto [detour, entered_closed] = drive(true);
  BOOST_TEST(std::abs(straight - 600) < 15);  // the vehicle's length and the last step's overshoot aside
  BOOST_TEST(entered_open == 1);
  BOOST_TEST(entered_closed == 0);
  BOOST_TEST(std::abs(detour - 900) < 15);  // round the block: two more edges of 150 m
}

BOOST_AUTO_TEST_CASE(speed_limit_intervention_slows_the_edge) {
  const City city = grid_city();
  const Results open = run(city, "");
  const size_t e = busiest_edge(open, city);
  const Results slow = run(city, intervention("06:00", "", "speed_limit", city.roads.edges[e].id, "speed_kmh = 10\n"));
  auto fastest = [&](const Results& r) {
    const Layer* l = r.find_layer("traffic.speed");
    double m = 0;
    for (size_t t = 0; t < l->times_s.size(); ++t)
      if (!std::isnan(l->row(t)[e])) m = std::max(m, static_cast<double>(l->row(t)[e]));
    return m;
  };
  BOOST_TEST(fastest(open) > 10 / 3.6 * 1.2);
  BOOST_TEST(fastest(slow) <= 10 / 3.6 * 1.2 + 1e-3);  // the limit x the largest speed factor
  BOOST_TEST(fastest(slow) > 0);
}

BOOST_AUTO_TEST_CASE(closed_lane_is_not_used_until_it_reopens) {
  const City city = grid_city(2);
  const Results open = run(city, "");
  const size_t e = busiest_edge(open, city, 2);
  const Results closed = run(city, intervention("07:00", "08:00", "close_lane", city.roads.edges[e].id, "lane = 1\n"));
  // Samples on edge e (away from its ends) in lane 1: the left lane, 1.6 m right of the centre line (lane 0 is
  // at 4.8 m), from 07:02 (vehicles already on it have left) to 08:00, and after 08:10.
  auto left_lane = [&](const Results& r, double t0, double t1) {
    const Table* v = r.find_table("traffic.vehicles");
    int n = 0;
    for (size_t i = 0; i < v->rows(); ++i) {
      const double t = cell(*v, i, "t_s");
      if (t < t0 || t >= t1) continue;
      const OnRoad at = locate(city.roads, *v, i);
      n += at.edge == static_cast<int>(e) && at.along_m > 10 && at.along_m < 140 && std::abs(at.right_m - 1.6) < 0.1;
    }
    return n;
  };
  BOOST_TEST(left_lane(open, 3720, 7200) > 0);
  BOOST_TEST(left_lane(closed, 3720, 7200) == 0);
  BOOST_TEST(left_lane(closed, 7800, 14400) > 0);
  BOOST_TEST(closed.find_kpi("traffic.removed")->value == 0);
}

BOOST_AUTO_TEST_CASE(signal_plan_intervention_holds_the_junction) {
  const City city = grid_city();
  // Junction 12, the centre of the 5 x 5 grid, is signalised with 4 approaches x 3 movements = 12 links.
  BOOST_REQUIRE(city.roads.junctions[12].signalised);
  const std::string keep = "teleport_after = \"2h\"\n";
  const Results normal = run(city, keep);
  const Results red = run(city, keep + intervention("07:00", "08:00", "signal_plan", "j12",
                                                    "phases = [[60, \"rrrrrrrrrrrr\"], [30, \"rrrrrrrrrrrr\"]]\n"));
  BOOST_TEST(crossings(normal, city.roads, 12, 3600, 7200) > 10);
  BOOST_TEST(crossings(red, city.roads, 12, 3600, 7200) == 0);
  BOOST_TEST(crossings(red, city.roads, 12, 7200, 14400) > 10);  // the plan reverts at `until`
}

BOOST_AUTO_TEST_CASE(demand_scale_drops_or_copies_trips) {
  const City city = grid_city();
  const double base = run(city, "").find_kpi("traffic.trips")->value;
  auto scaled = [&](double f) {
    return run(city, intervention("06:00", "", "demand_scale", "", "factor = " + std::to_string(f) + "\n"));
  };
  const Results half = scaled(0.5), twice = scaled(2);
  // Each trip is kept with probability 0.5 (binomial: sd = sqrt(n/4), well within 10% for n > 500).
  double kept = 0;
  const Table* t = half.find_table("traffic.trips");
  for (size_t i = 0; i < t->rows(); ++i) kept += cell(*t, i, "status") != 5;
  BOOST_TEST(base > 500);
  BOOST_TEST(std::abs(kept / base - 0.5) < 0.1);
  BOOST_TEST(twice.find_kpi("traffic.trips")->value == 2 * base);
}

BOOST_AUTO_TEST_SUITE_END()
