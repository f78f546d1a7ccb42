#include <boost/test/unit_test.hpp>

#include "engine/core/error.hpp"
#include "engine/sim/simulation.hpp"
#include "models/energy/energy_model.hpp"
#include "test_util.hpp"

using namespace citytwin;
using namespace citytwin::energy::test;
namespace tt = boost::test_tools;

namespace {

/// n rectangular buildings of every use class on a grid.
City test_city(int n) {
  City c;
  c.crs = "EPSG:32632";
  for (int i = 0; i < n; ++i) {
    Building b;
    b.id = std::to_string(i);
    b.id.insert(0, 1, 'b');
    const double x = 40.0 * (i % 20), y = 40.0 * (i / 20);
    const double w = 10 + i % 7, d = 8 + i % 5;
    b.footprint = {Polygon{{{x, y}, {x + w, y}, {x + w, y + d}, {x, y + d}}, {}}};
    b.area_m2 = w * d;
    b.levels = 1 + i % 6;
    b.height_m = 3.0 * b.levels;
    b.floor_area_m2 = b.area_m2 * b.levels;
    b.use = static_cast<UseClass>(i % kUseClassCount);
    c.buildings.push_back(b);
  }
  return c;
}

Scenario scenario(const std::string& energy_keys, const std::string& extra = "") {
  return parse_scenario("seed = 3\n[city]\nfile = \"unused\"\n[period]\nstart = \"2026-01-12T00:00\"\nduration = \"72h\"\n"
                        "step = \"1h\"\n[models.energy]\nweather = \"" + data_path("725650TYCST.epw") + "\"\n" +
                            energy_keys + "\n" + extra,
                        "energy_test.toml");
}

ModelRegistry registry() {
  ModelRegistry r;
  energy::register_energy_model(r);
  return r;
}

double kpi(const Results& r, const std::string& name) {
  const Kpi* k = r.find_kpi(name);
  BOOST_TEST_REQUIRE(k != nullptr);
  return k->value;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(energy_model)

BOOST_AUTO_TEST_CASE(layers_and_kpis_and_same_results_at_one_and_two_threads) {
  const City city = test_city(300);
  const Scenario sc = scenario("pv_share = 0.5\nev_share = 0.3");
  RunOptions one, two;
  one.threads = 1;
  two.threads = 2;
  Results a = run_simulation(sc, city, registry(), one);
  Results b = run_simulation(sc, city, registry(), two);
  const Layer* demand = a.find_layer("energy.demand");
  BOOST_TEST_REQUIRE(demand != nullptr);
  BOOST_TEST(demand->elements() == 300u);
  BOOST_TEST(demand->values == b.find_layer("energy.demand")->values);
  BOOST_TEST(a.find_layer("energy.indoor_temperature")->values == b.find_layer("energy.indoor_temperature")->values);
  BOOST_TEST(kpi(a, "energy.peak_load_w") == kpi(b, "energy.peak_load_w"));
  BOOST_TEST(kpi(a, "energy.heating_mwh") > 0);  // Denver in January
  BOOST_TEST(kpi(a, "energy.pv_mwh") > 0);
  BOOST_TEST(kpi(a, "energy.ev_mwh") > 0);
}

// Net electricity = building use + EV charging - PV: switching PV or EVs on changes the net by exactly
// their own energy (the building thermal model does not see them).
BOOST_AUTO_TEST_CASE(pv_and_ev_energy_are_conserved_in_the_net_demand) {
  const City city = test_city(120);
  Results none = run_simulation(scenario(""), city, registry(), {});
  Results pv = run_simulation(scenario("pv_share = 1.0"), city, registry(), {});
  Results ev = run_simulation(scenario("ev_share = 1.0"), city, registry(), {});
  BOOST_TEST(kpi(none, "energy.pv_mwh") == 0.0);
  BOOST_TEST(kpi(none, "energy.ev_mwh") == 0.0);
  BOOST_TEST(kpi(pv, "energy.electricity_mwh") == kpi(none, "energy.electricity_mwh") - kpi(pv, "energy.pv_mwh"),
             tt::tolerance(1e-9));
  BOOST_TEST(kpi(ev, "energy.electricity_mwh") == kpi(none, "energy.electricity_mwh") + kpi(ev, "energy.ev_mwh"),
             tt::tolerance(1e-9));
  BOOST_TEST(kpi(pv, "energy.heating_mwh") == kpi(none, "energy.heating_mwh"));
}

BOOST_AUTO_TEST_CASE(heat_wave_intervention_raises_temperatures_and_cuts_heating) {
  const City city = test_city(60);
  Results base = run_simulation(scenario(""), city, registry(), {});
  Results hot = run_simulation(
      scenario("", "[[interventions]]\nat = \"+24h\"\nmodel = \"energy\"\naction = \"heat_wave\"\noffset_c = 15\n"), city,
      registry(), {});
  BOOST_TEST(kpi(hot, "energy.heating_mwh") < kpi(base, "energy.heating_mwh"));
  const Series* tb = nullptr;
  const Series* th = nullptr;
  for (const auto& s : base.series) if (s.name == "energy.outdoor_temperature") tb = &s;
  for (const auto& s : hot.series) if (s.name == "energy.outdoor_temperature") th = &s;
  BOOST_TEST_REQUIRE((tb && th));
  // Before the heat wave identical, after it 15 K warmer outside.
  BOOST_TEST(th->values[10] == tb->values[10]);
  BOOST_TEST(th->values[40] == tb->values[40] + 15, tt::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(bad_parameters_and_interventions_are_located) {
  const City city = test_city(5);
  auto message = [&](const Scenario& sc) {
    try {
      run_simulation(sc, city, registry(), {});
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  std::string m = message(scenario("pv_share = 1.5"));
  BOOST_TEST(m.find("energy_test.toml") != std::string::npos);
  BOOST_TEST(m.find("pv_share") != std::string::npos);
  m = message(scenario("", "[[interventions]]\nat = \"+1h\"\nmodel = \"energy\"\naction = \"explode\"\n"));
  BOOST_TEST(m.find("energy_test.toml") != std::string::npos);
  BOOST_TEST(m.find("unknown action \"explode\"") != std::string::npos);
  Scenario no_weather = parse_scenario("[city]\nfile = \"unused\"\n[period]\nstart = \"2026-01-12T00:00\"\nduration = \"2h\"\n"
                                       "step = \"1h\"\n[models.energy]\n", "nw.toml");
  BOOST_TEST(message(no_weather).find("weather") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
