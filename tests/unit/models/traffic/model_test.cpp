#include <boost/test/unit_test.hpp>

#include <cmath>

#include "engine/sim/simulation.hpp"
#include "models/traffic/demand_generator.hpp"
#include "models/traffic/traffic_model.hpp"
#include "test_networks.hpp"

using namespace citytwin;
using namespace citytwin::traffic;

namespace {

/// A 5 x 5 grid (150 m blocks) with homes in the south-west and offices, shops, a school in the north-east.
City grid_city() {
  City c;
  c.roads = test::grid(5, 5, 150, 1, true);
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
  const double mean_speed = r.find_kpi("traffic.mean_speed_kmh")->value;
  BOOST_TEST(mean_speed > 5);
  BOOST_TEST(mean_speed < 50.1 * 1.25);  // speed limit 50 km/h x speed factor <= 1.2
}

BOOST_AUTO_TEST_CASE(closed_edge_carries_no_traffic) {
  const City city = grid_city();
  const Results open = run(city, "");
  const Layer* f0 = open.find_layer("traffic.flow");
  // The busiest edge of the open run is closed from 07:00 to 08:00.
  size_t busiest = 0;
  double most = -1;
  for (size_t e = 0; e < f0->elements(); ++e) {
    double sum = 0;
    for (size_t t = 0; t < f0->times_s.size(); ++t) sum += f0->row(t)[e];
    if (sum > most) most = sum, busiest = e;
  }
  BOOST_REQUIRE(most > 0);
  const Results closed = run(city, "[[interventions]]\nat = \"07:00\"\nuntil = \"08:00\"\nmodel = \"traffic\"\n"
                                   "action = \"close_edge\"\ntarget = \"" + city.roads.edges[busiest].id + "\"\n");
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
  const auto day = generate_city_trips(city, net, g, 0, 86400, 0);
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

BOOST_AUTO_TEST_SUITE_END()
