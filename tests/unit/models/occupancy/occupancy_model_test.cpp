#define BOOST_TEST_MODULE occupancy model
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "engine/sim/simulation.hpp"
#include "models/occupancy/occupancy_model.hpp"
#include "models/occupancy/profiles.hpp"

using namespace citytwin;

namespace {

City two_buildings() {
  City c;
  auto add = [&](const char* id, UseClass use, double floor_area) {
    Building b;
    b.id = id;
    b.footprint = {Polygon{{{0, 0}, {10, 0}, {10, 10}}, {}}};
    b.area_m2 = 50, b.height_m = 3, b.floor_area_m2 = floor_area, b.use = use;
    c.buildings.push_back(b);
  };
  add("home", UseClass::residential, 6000);  // 100 residents at 60 m2 each
  add("work", UseClass::office, 4000);       // 200 workers at 20 m2 each
  return c;
}

Results run(const std::string& extra) {
  ModelRegistry registry;
  occupancy::register_occupancy_model(registry);
  Scenario sc = parse_scenario(R"(
[city]
file = "unused"
[period]
start = "2026-07-13T00:00"
duration = "24h"
step = "1h"
[models.occupancy]
)" + extra,
                               "occupancy_test.toml");
  return run_simulation(sc, two_buildings(), registry, {});
}

}  // namespace

BOOST_AUTO_TEST_CASE(people_follow_capacity_times_presence) {
  Results r = run("");
  const Layer* people = r.find_layer("occupancy.people");
  BOOST_REQUIRE(people);
  // Monday 03:00: every resident at home, nobody at the office (presence tables in README.md).
  const float* at3 = people->row(people->time_index(3 * 3600));
  BOOST_TEST(std::abs(at3[0] - 100.0f) < 1e-3);
  BOOST_TEST(std::abs(at3[1] - 0.0f) < 1e-3);
  // Monday 10:00: office at 95%.
  const float* at10 = people->row(people->time_index(10 * 3600));
  BOOST_TEST(std::abs(at10[1] - 200 * occupancy::presence(UseClass::office, 10, false)) < 1e-3);
  BOOST_TEST(std::abs(at10[1] - 190.0f) < 1e-3);
}

BOOST_AUTO_TEST_CASE(totals_and_kpis_are_consistent) {
  Results r = run("");
  const Layer* people = r.find_layer("occupancy.people");
  const Series* total = nullptr;
  for (const auto& s : r.series)
    if (s.name == "occupancy.total_people") total = &s;
  BOOST_REQUIRE(total);
  double peak = 0, integral = 0;
  for (size_t t = 0; t < people->times_s.size(); ++t) {
    const double sum = static_cast<double>(people->row(t)[0]) + people->row(t)[1];
    BOOST_TEST(std::abs(total->values[t] - sum) < 1e-3);  // the series is the sum of the layer
    peak = std::max(peak, total->values[t]);
    if (t > 0) integral += total->values[t] * (total->times_s[t] - total->times_s[t - 1]) / 3600;
  }
  BOOST_TEST(std::abs(r.find_kpi("occupancy.peak_people")->value - peak) < 1e-9);
  BOOST_TEST(std::abs(r.find_kpi("occupancy.person_hours")->value - integral) < 1e-6);
  BOOST_TEST(std::abs(r.find_kpi("occupancy.capacity")->value - 300) < 1e-9);
}

BOOST_AUTO_TEST_CASE(scale_intervention_applies_in_its_window_only) {
  Results r = run(R"(
[[interventions]]
at = "09:00"
until = "12:00"
model = "occupancy"
action = "scale"
target = "office"
factor = 0.25
)");
  const Layer* people = r.find_layer("occupancy.people");
  auto office_at = [&](int hour) { return people->row(people->time_index(hour * 3600.0))[1]; };
  BOOST_TEST(std::abs(office_at(10) - 190 * 0.25f) < 1e-3);
  BOOST_TEST(std::abs(office_at(11) - 190 * 0.25f) < 1e-3);
  BOOST_TEST(std::abs(office_at(14) - 190.0f) < 1e-3);
  const double home_expected = 100 * occupancy::presence(UseClass::residential, 10, false);
  BOOST_TEST(std::abs(people->row(people->time_index(10 * 3600.0))[0] - home_expected) < 1e-3);  // untouched
}

BOOST_AUTO_TEST_CASE(bad_parameters_and_interventions) {
  BOOST_CHECK_THROW(run("scale = -1\n"), InputError);
  BOOST_CHECK_THROW(run("colour = 1\n"), InputError);
  // Every problem of every intervention at once, each at its line and key.
  try {
    run("[[interventions]]\nat = \"09:00\"\nmodel = \"occupancy\"\naction = \"scale\"\ntarget = \"castle\"\nfactor = 200\n"
        "[[interventions]]\nat = \"10:00\"\nmodel = \"occupancy\"\naction = \"evacuate\"\n"
        "[[interventions]]\nat = \"11:00\"\nmodel = \"occupancy\"\naction = \"scale\"\nfactr = 2\n");
    BOOST_FAIL("expected an error");
  } catch (const InputError& e) {
    const std::string m = e.what();
    BOOST_TEST_MESSAGE(m);
    BOOST_TEST(m.find("occupancy_test.toml:9: interventions[0].target: unknown target \"castle\"") != std::string::npos);
    BOOST_TEST(m.find("occupancy_test.toml:14: interventions[0].factor: expected a number") != std::string::npos);
    BOOST_TEST(m.find("occupancy_test.toml:15: interventions[1].action: unknown action \"evacuate\"") != std::string::npos);
    BOOST_TEST(m.find("occupancy_test.toml:19: interventions[2].factor: missing") != std::string::npos);
    BOOST_TEST(m.find("occupancy_test.toml:23: interventions[2].factr: unknown key") != std::string::npos);
  }
}
