// The water Model on the run's clock: same hydraulics as the standalone run, interventions, KPIs, sets.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "engine/core/error.hpp"
#include "engine/city/import.hpp"
#include "engine/geo/crs.hpp"
#include "engine/sim/simulation.hpp"
#include "models/occupancy/occupancy_model.hpp"
#include "models/water/water_model.hpp"

using namespace citytwin;

namespace {

const std::string kNet1 = std::string(CITYTWIN_TEST_DATA) + "/water/Net1.inp";

/// An hourly scenario from Monday 2026-07-13 00:00 with the given [models.*] tables (and what follows them).
Scenario hourly_scenario(const std::string& duration, const std::string& models) {
  return parse_scenario(R"(
[city]
file = "unused"
[period]
start = "2026-07-13T00:00"
duration = ")" + duration + R"("
step = "1h"
)" + models,
                        "water_test.toml");
}

Results run(const std::string& extra, int threads = 0) {
  ModelRegistry registry;
  water::register_water_model(registry);
  Scenario sc = hourly_scenario("24h", "[models.water]\nnetwork = \"" + kNet1 + "\"\nservice_pressure_m = 80\n" + extra);
  RunOptions o;
  o.threads = threads;
  return run_simulation(sc, City{}, registry, o);
}

double value_at(const Results& r, const std::string& layer, const std::string& set, const std::string& id,
                double t) {
  const Layer* l = r.find_layer(layer);
  const ElementSet* s = r.find_set(set);
  BOOST_REQUIRE(l && s);
  for (size_t i = 0; i < s->ids.size(); ++i)
    if (s->ids[i] == id) return l->row(l->time_index(t))[i];
  BOOST_FAIL("no element " + id);
  return 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(water_model)

BOOST_AUTO_TEST_CASE(hourly_pressures_equal_epanet_reference) {
  const Results r = run("");
  // Reference pressures (psi) of node 11 and flow (gpm) of pipe 11 at every hour.
  std::ifstream in(std::string(CITYTWIN_TEST_DATA) + "/water/Net1.reference.csv");
  std::string line;
  std::getline(in, line);
  int checked = 0;
  const double m_per_psi = 0.3048 / 0.4333, ls_per_gpm = 0.028316846592 / 448.831 * 1000.0;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string t, kind, id, prop, v;
    std::getline(ss, t, ','), std::getline(ss, kind, ','), std::getline(ss, id, ','), std::getline(ss, prop, ','),
        std::getline(ss, v, ',');
    if (id != "11") continue;
    const double time = std::stod(t);
    if (prop == "pressure") {
      BOOST_CHECK_SMALL(value_at(r, "water.pressure", "water.nodes", "11", time) - std::stod(v) * m_per_psi, 1e-3);
      ++checked;
    } else if (prop == "flow") {
      BOOST_CHECK_SMALL(value_at(r, "water.flow", "water.pipes", "11", time) - std::stod(v) * ls_per_gpm, 1e-2);
      ++checked;
    }
  }
  BOOST_CHECK_EQUAL(checked, 50);
  BOOST_CHECK_EQUAL(r.find_set("water.nodes")->points.size(), 11u);
  BOOST_CHECK_EQUAL(r.find_set("water.pipes")->lines.size(), 13u);
  BOOST_CHECK_GT(r.find_kpi("water.pump_energy_kwh")->value, 0.0);
  BOOST_CHECK_EQUAL(r.find_kpi("water.leak_volume_m3")->value, 0.0);
}

BOOST_AUTO_TEST_CASE(interventions_change_the_hydraulics_in_their_window) {
  const Results r = run(R"(
[[interventions]]
at = "+2h"
model = "water"
action = "close_pipe"
target = "111"
[[interventions]]
at = "+4h"
until = "+6h"
model = "water"
action = "burst"
target = "22"
leak_diameter_mm = 50
[[interventions]]
at = "+8h"
until = "+9h"
model = "water"
action = "fire_flow"
target = "32"
flow_lps = 30
[[interventions]]
at = "+10h"
until = "+12h"
model = "water"
action = "pump_outage"
target = "9"
)");
  BOOST_CHECK_EQUAL(value_at(r, "water.flow", "water.pipes", "111", 1 * 3600) != 0.0, true);
  BOOST_CHECK_EQUAL(value_at(r, "water.flow", "water.pipes", "111", 3 * 3600), 0.0);
  // Leak: volume = integral of Cd A sqrt(2 g p) over two hours, p about 80 m at node 22.
  const double leak = r.find_kpi("water.leak_volume_m3")->value;
  const double area = M_PI * 0.05 * 0.05 / 4.0;
  const double p22 = value_at(r, "water.pressure", "water.nodes", "22", 5 * 3600);
  BOOST_CHECK_CLOSE(leak, 0.75 * area * std::sqrt(2 * 9.80665 * p22) * 7200.0, 5.0);
  // Fire flow: 30 L/s more total demand during the window only.
  const auto* demand = [&]() -> const Series* {
    for (const auto& s : r.series)
      if (s.name == "water.demand") return &s;
    return nullptr;
  }();
  BOOST_REQUIRE(demand);
  const Results base = run(R"(
[[interventions]]
at = "+2h"
model = "water"
action = "close_pipe"
target = "111"
)");
  const Series* base_demand = nullptr;
  for (const auto& s : base.series)
    if (s.name == "water.demand") base_demand = &s;
  BOOST_REQUIRE(base_demand);
  // Applied at the start of [8 h, 9 h), recorded at 9 h; removed before [9 h, 10 h).
  BOOST_CHECK_CLOSE(demand->values[9] - base_demand->values[9], 30.0, 1e-6);
  BOOST_CHECK_SMALL(demand->values[10] - base_demand->values[10], 1e-9);
  // Pump outage: no pump flow from 10 h to 12 h, pumping again after (the tank is low by then).
  BOOST_CHECK_EQUAL(value_at(r, "water.flow", "water.pipes", "9", 11 * 3600), 0.0);
  BOOST_CHECK_GT(value_at(r, "water.flow", "water.pipes", "9", 13 * 3600) +
                     value_at(r, "water.flow", "water.pipes", "9", 14 * 3600) +
                     value_at(r, "water.flow", "water.pipes", "9", 16 * 3600),
                 0.0);
}

BOOST_AUTO_TEST_CASE(same_results_on_one_or_two_threads) {
  const Results a = run("", 1), b = run("", 2);
  const Layer* la = a.find_layer("water.pressure");
  const Layer* lb = b.find_layer("water.pressure");
  BOOST_REQUIRE(la && lb);
  BOOST_CHECK(la->values == lb->values);
}

BOOST_AUTO_TEST_CASE(bad_interventions_are_input_errors) {
  BOOST_CHECK_THROW(run("[[interventions]]\nat = \"1h\"\nmodel = \"water\"\naction = \"close_pipe\"\ntarget = \"nope\"\n"),
                    InputError);
  BOOST_CHECK_THROW(run("[[interventions]]\nat = \"1h\"\nmodel = \"water\"\naction = \"flood\"\n"), InputError);
  BOOST_CHECK_THROW(run("[[interventions]]\nat = \"1h\"\nmodel = \"water\"\naction = \"burst\"\ntarget = \"22\"\n"),
                    InputError);
}

BOOST_AUTO_TEST_CASE(utility_network_is_placed_on_the_city_with_its_crs) {
  // Net1's coordinates read as Web Mercator metres near Monaco (EPSG:3857), placed on a city in UTM 32N.
  ModelRegistry registry;
  water::register_water_model(registry);
  Scenario sc = hourly_scenario("2h", "[models.water]\nnetwork = \"" + kNet1 + "\"\ncrs = \"EPSG:3857\"\n");
  City city;
  city.crs = "EPSG:32632";
  city.origin = {373200, 4844100};
  const Results r = run_simulation(sc, city, registry, {});
  const ElementSet* nodes = r.find_set("water.nodes");
  BOOST_REQUIRE(nodes);
  // Where PROJ puts the Web Mercator point (20, 70) in UTM 32N, relative to the city's origin.
  const Point2 expected = Transform("EPSG:3857", "EPSG:32632").forward(Point2{20, 70});
  bool found = false;
  for (size_t i = 0; i < nodes->size(); ++i)
    if (nodes->ids[i] == "10") {
      found = true;
      BOOST_TEST(std::abs(nodes->points[i].x - (expected.x - city.origin.x)) < 1e-6);
      BOOST_TEST(std::abs(nodes->points[i].y - (expected.y - city.origin.y)) < 1e-6);
    }
  BOOST_TEST(found);
  // Node 11 lies 10 m east of node 10 in the file; Mercator's scale at the equator is 1, and UTM's point
  // scale on the equator 9 degrees from the central meridian is k0 / cos(9 deg) (transverse Mercator on a
  // sphere; the ellipsoid changes it far below the tolerance).
  const auto& p = nodes->points;
  size_t i10 = 0, i11 = 0;
  for (size_t i = 0; i < nodes->size(); ++i) {
    if (nodes->ids[i] == "10") i10 = i;
    if (nodes->ids[i] == "11") i11 = i;
  }
  const double k = 0.9996 / std::cos(9.0 * M_PI / 180.0);
  BOOST_TEST(std::abs(std::hypot(p[i11].x - p[i10].x, p[i11].y - p[i10].y) - 10.0 * k) < 0.01);
}

BOOST_AUTO_TEST_CASE(people_below_service_pressure_come_from_the_occupancy_model) {
  ModelRegistry registry;
  water::register_water_model(registry);
  occupancy::register_occupancy_model(registry);
  const City city = load_city({std::string(CITYTWIN_ASSETS) + "/monaco/monaco-2026-07-10.osm.pbf", "", "", ""});
  auto run_with = [&](double service_pressure_m) {
    Scenario sc = hourly_scenario(
        "24h", "[models.occupancy]\n[models.water]\nservice_pressure_m = " + std::to_string(service_pressure_m) + "\n");
    return run_simulation(sc, city, registry, {});
  };
  // Every junction below 1,000 m of pressure: everybody is affected, so the KPI is the occupancy peak.
  const Results all = run_with(1000);
  BOOST_REQUIRE(all.find_kpi("water.people_below_service_pressure"));
  const double peak = all.find_kpi("occupancy.peak_people")->value;
  BOOST_TEST(peak > 0);
  BOOST_TEST(std::abs(all.find_kpi("water.people_below_service_pressure")->value / peak - 1) < 1e-9);
  // No junction below 0 m: nobody.
  BOOST_TEST(run_with(0).find_kpi("water.people_below_service_pressure")->value == 0.0);
  // Without the occupancy model there is no population to count, and no KPI.
  BOOST_TEST(!run("").find_kpi("water.people_below_service_pressure"));
}

BOOST_AUTO_TEST_SUITE_END()
