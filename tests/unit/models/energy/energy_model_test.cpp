#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

#include "engine/core/error.hpp"
#include "engine/sim/signals.hpp"
#include "engine/sim/simulation.hpp"
#include "models/energy/energy_model.hpp"
#include "models/energy/grid/city_grid.hpp"
#include "models/energy/grid/power_flow.hpp"
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
    b.centroid = {x + w / 2, y + d / 2};
    b.levels = 1 + i % 6;
    b.height_m = 3.0 * b.levels;
    b.floor_area_m2 = b.area_m2 * b.levels;
    b.use = static_cast<UseClass>(i % kUseClassCount);
    c.buildings.push_back(b);
  }
  // Streets between the rows and columns of buildings: a lattice of two-way edges.
  const int cols = 20, rows = (n + 19) / 20 + 1;
  auto junction = [&](int col, int row) { return row * (cols + 1) + col; };
  for (int r = 0; r < rows; ++r)
    for (int q = 0; q <= cols; ++q) c.roads.junctions.push_back(Junction{{40.0 * q - 5, 40.0 * r - 5}, false});
  auto street = [&](int a, int b) {
    RoadEdge e;
    e.from = a, e.to = b, e.length_m = 40;
    e.shape = {c.roads.junctions[a].pos, c.roads.junctions[b].pos};
    const int k = static_cast<int>(c.roads.edges.size());
    e.reverse = k + 1;
    c.roads.edges.push_back(e);
    std::swap(e.from, e.to);
    std::reverse(e.shape.begin(), e.shape.end());
    e.reverse = k;
    c.roads.edges.push_back(e);
  };
  for (int r = 0; r < rows; ++r)
    for (int q = 0; q <= cols; ++q) {
      if (q < cols) street(junction(q, r), junction(q + 1, r));
      if (r + 1 < rows) street(junction(q, r), junction(q, r + 1));
    }
  return c;
}

Scenario scenario(std::string energy_keys, const std::string& extra = "") {
  if (energy_keys.find("grid") == std::string::npos) energy_keys += "\ngrid = false";
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

/// A stand-in for the traffic model: writes `traffic.building.ev_arrivals` (cars arriving at every building in
/// the interval starting at arrive_at_s) and records the `grid.building.energized` values it reads at each
/// interval's start, so the Exchange couplings of the energy model can be checked from outside.
struct Probe {
  double arrive_at_s = -1, cars = 0;
  std::vector<std::pair<double, double>> energized_sum;  // (t0, sum over buildings read at t0)
};

class ProbeModel final : public Model {
 public:
  explicit ProbeModel(Probe* probe) : probe_(probe) {}
  std::string name() const override { return "traffic"; }
  SignalAccess signals() const override {
    return {{}, {signals::kBuildingEvArrivals}, {signals::kBuildingEnergized}};
  }
  void setup(RunContext& ctx) override {
    ctx_ = &ctx;
    arrivals_ = ctx.exchange.declare(signals::kBuildingEvArrivals, ctx.city.buildings.size());
  }
  // Without a grid every building counts as energized.
  void connect(RunContext& ctx) override {
    if (ctx.exchange.has(signals::kBuildingEnergized)) energized_ = ctx.exchange.id(signals::kBuildingEnergized);
  }
  void apply(const Intervention&, double) override {}
  void advance(double t0_s, double) override {
    double sum = energized_ ? 0.0 : static_cast<double>(ctx_->city.buildings.size());
    if (energized_)
      for (double v : ctx_->exchange.read(*energized_)) sum += v;
    probe_->energized_sum.emplace_back(t0_s, sum);
    auto out = ctx_->exchange.write(arrivals_);
    std::fill(out.begin(), out.end(), t0_s == probe_->arrive_at_s ? probe_->cars : 0.0);
  }
  void record(double) override {}
  void finish() override {}

 private:
  Probe* probe_;
  RunContext* ctx_ = nullptr;
  Exchange::SignalId arrivals_ = 0;
  std::optional<Exchange::SignalId> energized_;
};

ModelRegistry registry_with_probe(Probe* probe) {
  ModelRegistry r = registry();
  r.add("traffic", "test probe", [probe](Params&) { return std::make_unique<ProbeModel>(probe); });
  return r;
}

/// The InputError message of a run, empty if it ran.
std::string error_of(const Scenario& sc, const City& city) {
  try {
    run_simulation(sc, city, registry(), {});
  } catch (const InputError& e) {
    return e.what();
  }
  return {};
}

/// The outdoor temperature of each hourly interval (the series' first record is the start, before any step).
std::vector<double> outdoor(const Results& r) {
  for (const auto& s : r.series)
    if (s.name == "energy.outdoor_temperature") {
      BOOST_TEST_REQUIRE(s.values.size() == 73u);
      return std::vector<double>(s.values.begin() + 1, s.values.end());
    }
  BOOST_FAIL("no energy.outdoor_temperature series");
  return {};
}

// Replacement of the temperature series: every hour of the year gets its own value (-60 + 0.01 hour), so
// the recorded outdoor temperature tells which hour of the file the model read. The first interval must read
// the hour of 2026-01-12T00:00 UTC in Denver standard time (UTC-7): 11 January 17:00-18:00, hour 258.
BOOST_AUTO_TEST_CASE(temperature_file_replaces_the_weather_hour_by_hour) {
  std::string csv = "# test series\nhour_of_year,temperature_c\n";
  for (int h = 1; h <= 8760; ++h) csv += std::to_string(h) + "," + std::to_string(-60 + 0.01 * h) + "\n";
  TempFile file("series.csv", csv);
  const City city = test_city(20);
  const Results r = run_simulation(scenario("temperature_file = \"" + file.path + "\""), city, registry(), {});
  const std::vector<double> s = outdoor(r);
  const Scenario sc = scenario("");
  const double hours_since_new_year = (sc.start_unix_s - 1767225600 - 7 * 3600) / 3600.0;  // 2026-01-01T00:00Z
  BOOST_TEST(hours_since_new_year == 257.0);
  for (size_t k = 0; k < 72; ++k) BOOST_TEST(s[k] == -60 + 0.01 * (258 + k), tt::tolerance(1e-9));
  for (const auto& series : r.series)  // the record at the start shows the temperature of that instant
    if (series.name == "energy.outdoor_temperature") BOOST_TEST(series.values[0] == -60 + 0.01 * 258, tt::tolerance(1e-9));

  // The replacement feeds the buildings: a colder year heats more.
  const Results base = run_simulation(scenario(""), city, registry(), {});
  BOOST_TEST(kpi(r, "energy.heating_mwh") > kpi(base, "energy.heating_mwh"));
}

// A heat wave replaces the temperature with a constant, a daily profile or a file over its period and leaves
// the rest of the run alone; an offset adds to whatever the temperature is.
BOOST_AUTO_TEST_CASE(heat_wave_replaces_the_temperature_over_its_period) {
  const City city = test_city(20);
  const Results base = run_simulation(scenario(""), city, registry(), {});
  auto wave = [&](const std::string& keys) {
    return run_simulation(scenario("", "[[interventions]]\nat = \"+24h\"\nuntil = \"+48h\"\nmodel = \"energy\"\n"
                                       "action = \"heat_wave\"\n" + keys + "\n"),
                          city, registry(), {});
  };
  const Results constant = wave("temperature_c = 35");
  const std::vector<double> b = outdoor(base), c = outdoor(constant);
  for (size_t k = 0; k < 72; ++k) {
    if (k >= 24 && k < 48) BOOST_TEST(c[k] == 35.0);
    else BOOST_TEST(c[k] == b[k]);
  }
  BOOST_TEST(kpi(constant, "energy.cooling_mwh") > kpi(base, "energy.cooling_mwh"));

  const Results daily = wave("daily_min_c = 24\ndaily_max_c = 38");
  const std::vector<double> d = outdoor(daily);
  const double lo = *std::min_element(d.begin() + 24, d.begin() + 48);
  const double hi = *std::max_element(d.begin() + 24, d.begin() + 48);
  // Hourly means of a cosine sampled at the middle of each hour: within cos(pi/24) of the extremes.
  BOOST_TEST(lo == 24.0, tt::tolerance(0.01));
  BOOST_TEST(hi == 38.0, tt::tolerance(0.01));
  BOOST_TEST(d[50] == b[50]);

  TempFile file("wave.csv", "hour_of_year,temperature_c\n" + [] {
    std::string rows;
    for (int h = 250; h <= 300; ++h) rows += std::to_string(h) + ",40.5\n";
    return rows;
  }());
  const Results from_file = wave("file = \"" + file.path + "\"");
  const std::vector<double> f = outdoor(from_file);
  for (size_t k = 0; k < 72; ++k) {
    // Hours 282..300 of the file fall inside the wave (interval k reads hour 258 + k); the rest keep the weather.
    if (k >= 24 && k < 43) BOOST_TEST(f[k] == 40.5);
    else BOOST_TEST(f[k] == b[k]);
  }

  // Offset on top of a replacement: the scenario's temperature file plus a heat wave's offset.
  const Results offset = wave("offset_c = 4");
  for (size_t k = 24; k < 48; ++k) BOOST_TEST(outdoor(offset)[k] == b[k] + 4, tt::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(bad_temperature_series_and_heat_waves_are_located) {
  const City city = test_city(5);
  auto message = [&](const Scenario& sc) { return error_of(sc, city); };
  TempFile bad("bad.csv", "hour_of_year,temperature_c\n1,20\n2,warm\n3,21\n1,22\n9000,3\n");
  const std::string m = message(scenario("temperature_file = \"" + bad.path + "\""));
  BOOST_TEST(m.find(bad.path + ":3: field 2 (temperature_c)") != std::string::npos, m);
  BOOST_TEST(m.find(bad.path + ":5: field 1 (hour_of_year): hour 1 already given on line 2") != std::string::npos, m);
  BOOST_TEST(m.find(bad.path + ":6: field 1 (hour_of_year): expected an integer from 1 to 8760") != std::string::npos, m);
  TempFile header("header.csv", "hour,temp\n1,20\n");
  BOOST_TEST(message(scenario("temperature_file = \"" + header.path + "\"")).find(header.path + ":1: expected the header") !=
             std::string::npos);
  auto wave = [&](const std::string& keys) {
    return message(scenario("", "[[interventions]]\nat = \"+1h\"\nmodel = \"energy\"\naction = \"heat_wave\"\n" + keys + "\n"));
  };
  BOOST_TEST(wave("offset_c = 3\ntemperature_c = 30").find("energy_test.toml") != std::string::npos);
  BOOST_TEST(wave("offset_c = 3\ntemperature_c = 30").find("exactly one of") != std::string::npos);
  BOOST_TEST(wave("daily_max_c = 30").find("daily_max_c needs daily_min_c") != std::string::npos);
  BOOST_TEST(wave("daily_min_c = 30\ndaily_max_c = 20").find("below daily_min_c") != std::string::npos);
  BOOST_TEST(wave("temperature_c = 300").find("interventions[0].temperature_c: expected a number") != std::string::npos,
             wave("temperature_c = 300"));
  BOOST_TEST(wave("file = \"" + bad.path + "\"").find(bad.path + ":3:") != std::string::npos);
  BOOST_TEST(wave("colour = 3").find("interventions[0].colour: unknown key") != std::string::npos);
  // Every problem of the entry at once.
  const std::string both = wave("daily_max_c = 30\ncolour = 3");
  BOOST_TEST(both.find("daily_max_c needs daily_min_c") != std::string::npos, both);
  BOOST_TEST(both.find("interventions[0].colour: unknown key") != std::string::npos, both);
}

BOOST_AUTO_TEST_CASE(bad_parameters_and_interventions_are_located) {
  const City city = test_city(5);
  auto message = [&](const Scenario& sc) { return error_of(sc, city); };
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

BOOST_AUTO_TEST_CASE(generated_grid_power_flow_and_outages) {
  const City city = test_city(200);
  const Scenario plain = scenario("grid = true");
  Results r = run_simulation(plain, city, registry(), {});
  const ElementSet* lines = r.find_set("grid.lines");
  BOOST_TEST_REQUIRE(lines != nullptr);
  const Layer* loading = r.find_layer("energy.line_loading");
  BOOST_TEST_REQUIRE(loading != nullptr);
  BOOST_TEST(loading->elements() == lines->size());
  BOOST_TEST(kpi(r, "energy.grid_losses_mwh") > 0);
  BOOST_TEST(kpi(r, "energy.max_line_loading") > 0);
  BOOST_TEST(kpi(r, "energy.power_flow_failures") == 0.0);
  BOOST_TEST(kpi(r, "energy.unserved_mwh") == 0.0);
  // Losses are a small share of the energy drawn.
  BOOST_TEST(kpi(r, "energy.grid_losses_mwh") < 0.05 * kpi(r, "energy.electricity_mwh"));

  // Every substation out for 6 hours: no power anywhere, exactly the demand of those hours unserved.
  const std::string outages =
      "[[interventions]]\nat = \"+12h\"\nuntil = \"+18h\"\nmodel = \"energy\"\naction = \"substation_outage\"\ntarget = \"S1\"\n"
      "[[interventions]]\nat = \"+12h\"\nuntil = \"+18h\"\nmodel = \"energy\"\naction = \"substation_outage\"\ntarget = \"S2\"\n";
  Results out = run_simulation(scenario("grid = true", outages), city, registry(), {});
  const Series* total = nullptr;
  for (const auto& s : out.series)
    if (s.name == "energy.total_demand") total = &s;
  BOOST_TEST_REQUIRE(total != nullptr);
  double expected_j = 0;  // intervals (12h, 18h]: recorded at their end times 13h..18h
  for (size_t k = 0; k < total->times_s.size(); ++k)
    if (total->times_s[k] > 12 * 3600 && total->times_s[k] <= 18 * 3600) expected_j += total->values[k] * 3600;
  BOOST_TEST(kpi(out, "energy.unserved_mwh") == expected_j / 3.6e9, tt::tolerance(1e-6));
  BOOST_TEST(kpi(out, "energy.grid_losses_mwh") < kpi(r, "energy.grid_losses_mwh"));

  auto bad = scenario("grid = true", "[[interventions]]\nat = \"+1h\"\nmodel = \"energy\"\naction = \"line_outage\"\ntarget = \"L99999\"\n");
  BOOST_CHECK_THROW(run_simulation(bad, city, registry(), {}), InputError);
}

// With a traffic model in the run, EV charging comes from its arrivals through the Exchange: 3 cars arrive at
// each of 20 buildings in the interval starting at 2 h (visible to the energy model from 3 h); with every car
// electric each needs 5.4 kWh, charged at no more than 3 x 7.4 kW per building and nothing before 3 h.
BOOST_AUTO_TEST_CASE(ev_charging_from_traffic_arrivals_through_the_exchange) {
  const City city = test_city(20);
  Probe probe;
  probe.arrive_at_s = 2 * 3600;
  probe.cars = 3;
  const Results r = run_simulation(scenario("ev_share = 1.0", "[models.traffic]\n"), city, registry_with_probe(&probe), {});
  BOOST_TEST(kpi(r, "energy.ev_mwh") == 20 * 3 * 5.4e-3, tt::tolerance(1e-9));
  for (const auto& s : r.series)
    if (s.name == "energy.ev_charging")
      for (size_t k = 0; k < s.values.size(); ++k) {
        if (s.times_s[k] <= 3 * 3600) BOOST_TEST(s.values[k] == 0.0);
        BOOST_TEST(s.values[k] <= 20 * 3 * 7400.0 * (1 + 1e-12));
      }
  // Half the cars electric: the expected share of the energy (3 cars x 20 buildings, fluid approximation).
  const Results half = run_simulation(scenario("ev_share = 0.5", "[models.traffic]\n"), city, registry_with_probe(&probe), {});
  BOOST_TEST(kpi(half, "energy.ev_mwh") == 0.5 * 20 * 3 * 5.4e-3, tt::tolerance(1e-9));
}

// A substation outage reaches other models as grid.building.energized = 0 for every building it fed, from
// the sync point after the energy model saw it until the one after it ended.
BOOST_AUTO_TEST_CASE(outage_is_signalled_to_other_models_on_the_exchange) {
  const City city = test_city(40);
  Probe probe;
  const std::string outages =
      "[models.traffic]\n"
      "[[interventions]]\nat = \"+12h\"\nuntil = \"+18h\"\nmodel = \"energy\"\naction = \"substation_outage\"\ntarget = \"S1\"\n"
      "[[interventions]]\nat = \"+12h\"\nuntil = \"+18h\"\nmodel = \"energy\"\naction = \"substation_outage\"\ntarget = \"S2\"\n";
  run_simulation(scenario("grid = true", outages), city, registry_with_probe(&probe), {});
  BOOST_TEST_REQUIRE(probe.energized_sum.size() == 72u);
  for (const auto& [t0, sum] : probe.energized_sum) {
    const bool dark = t0 >= 13 * 3600 && t0 <= 18 * 3600;
    BOOST_TEST(sum == (dark ? 0.0 : 40.0), "t0 = " << t0);
  }
}

// pv_share and ev_share interventions switch PV and EVs on from their time on.
BOOST_AUTO_TEST_CASE(pv_and_ev_share_interventions_act_from_their_time) {
  const City city = test_city(60);
  const Results r = run_simulation(
      scenario("", "[[interventions]]\nat = \"+36h\"\nmodel = \"energy\"\naction = \"pv_share\"\nshare = 1.0\n"
                   "[[interventions]]\nat = \"+36h\"\nmodel = \"energy\"\naction = \"ev_share\"\nshare = 1.0\n"),
      city, registry(), {});
  const Results all = run_simulation(scenario("pv_share = 1.0\nev_share = 1.0"), city, registry(), {});
  for (const char* name : {"energy.pv", "energy.ev_charging"}) {
    const Series *a = nullptr, *b = nullptr;
    for (const auto& s : r.series) if (s.name == name) a = &s;
    for (const auto& s : all.series) if (s.name == name) b = &s;
    BOOST_TEST_REQUIRE((a && b));
    double before = 0, after_a = 0, after_b = 0;
    for (size_t k = 0; k < a->values.size(); ++k) {
      if (a->times_s[k] <= 36 * 3600) before += a->values[k];
      // From 48 h on, the standalone EV profile no longer carries sessions begun before the switch.
      else if (a->times_s[k] > 48 * 3600) after_a += a->values[k], after_b += b->values[k];
    }
    BOOST_TEST(before == 0.0, name);
    BOOST_TEST(after_a > 0.0, name);
    BOOST_TEST(after_a == after_b, tt::tolerance(1e-12));
  }
}

// Feeder sizing, checked by a power flow: with every building at its design load at once (power factor
// 0.95), no cable or transformer of the generated grid is above its rating, and the trunks near the
// substations needed larger conductors or parallel circuits.
BOOST_AUTO_TEST_CASE(generated_grid_carries_its_design_load) {
  const City city = test_city(400);
  energy::CityGridParams p;
  for (const auto& b : city.buildings) p.design_load_w.push_back(400.0 * b.floor_area_m2);
  const energy::CityGrid g = energy::generate_city_grid(city, p);
  std::vector<double> pd(g.grid.buses.size(), 0.0), qd(g.grid.buses.size(), 0.0);
  const double tan_phi = std::tan(std::acos(0.95));
  for (size_t i = 0; i < city.buildings.size(); ++i) {
    pd[g.building_bus[i]] += p.design_load_w[i];
    qd[g.building_bus[i]] += p.design_load_w[i] * tan_phi;
  }
  const energy::PowerFlowResult r = energy::PowerFlow(g.grid).solve({}, pd, qd);
  BOOST_TEST_REQUIRE(r.converged);
  double worst = 0, total = 0;
  for (size_t b = 0; b < g.grid.branches.size(); ++b) {
    const double s = std::max(std::hypot(r.p_from_w[b], r.q_from_var[b]), std::hypot(r.p_to_w[b], r.q_to_var[b]));
    worst = std::max(worst, s / g.grid.branches[b].rate_a_va);
  }
  for (double w : p.design_load_w) total += w;
  BOOST_TEST(worst <= 1.0);
  BOOST_TEST(worst > 0.5 * p.design_loading);  // sized, not oversized
  BOOST_TEST(*std::max_element(g.branch_circuits.begin() + g.substation_bus.size(), g.branch_circuits.end()) > 1);
  BOOST_TEST(*std::min_element(g.branch_cross_section_mm2.begin() + g.substation_bus.size(), g.branch_cross_section_mm2.end()) ==
             energy::cable_types().front().cross_section_mm2);
  double at_substations = 0;
  for (size_t c = 0; c < g.substation_bus.size(); ++c) at_substations += g.branch_design_load_w[c];
  BOOST_TEST(at_substations == total, tt::tolerance(1e-12));  // every building counted once
}

// Sized on each building's yearly peak, the grid carries the model's own loads without overload.
BOOST_AUTO_TEST_CASE(model_grid_is_not_overloaded_by_the_base_load) {
  const City city = test_city(200);
  const Results base = run_simulation(scenario("grid = true"), city, registry(), {});
  BOOST_TEST(kpi(base, "energy.line_overload_hours") == 0.0);
  BOOST_TEST(kpi(base, "energy.transformer_overload_hours") == 0.0);
  BOOST_TEST(kpi(base, "energy.max_line_loading") < 1.0);
  BOOST_TEST(kpi(base, "energy.max_line_loading") > 0.0);
}

BOOST_AUTO_TEST_SUITE_END()
