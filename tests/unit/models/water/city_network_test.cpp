// The water network generated for the bundled city: conservation of demand, connectivity, design
// pressures, and a written .inp that reads back to the same network.
#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <cmath>
#include <sstream>

#include "engine/city/import.hpp"
#include "engine/sim/simulation.hpp"
#include "models/water/water_model.hpp"
#include "models/water/city_network.hpp"
#include "models/water/io/inp_reader.hpp"
#include "models/water/io/inp_writer.hpp"
#include "models/water/report.hpp"

using namespace citytwin;
using namespace citytwin::water;

BOOST_AUTO_TEST_SUITE(city_network)

BOOST_AUTO_TEST_CASE(monaco_network_is_sound) {
  CitySource src;
  src.path = std::string(CITYTWIN_ASSETS) + "/monaco/monaco-2026-07-10.osm.pbf";
  const City city = load_city(src);
  CityNetworkOptions o;
  const Network net = generate_city_network(city, o);
  BOOST_CHECK_EQUAL(net.num_junctions, static_cast<int>(city.roads.junctions.size()));
  BOOST_CHECK_EQUAL(net.num_tanks(), 1);
  // Every building's demand lands on a junction: the totals agree (use factors as documented).
  const double factors[] = {1.0, 0.8, 0.6, 1.2, 0.7, 0.4};
  double expected = 0, total = 0;
  for (const auto& b : city.buildings)
    expected += b.floor_area_m2 * o.litres_per_m2_day * factors[static_cast<int>(b.use)] / 1000.0 / 86400.0;
  for (double d : net.demand_base_m3s) total += d;
  BOOST_CHECK_CLOSE(total, expected, 1e-9);
  BOOST_CHECK_GT(total, 0.05);

  // Written and read back, it solves without warnings; the source delivers exactly the demand at every
  // period (mass balance) and the sized pipes keep every junction above 20 m at the peak hour.
  std::ostringstream text;
  write_inp(text, net);
  const Network back = parse_inp(text.str(), "generated.inp");
  BOOST_CHECK_EQUAL(back.num_links(), net.num_links());
  HydraulicRun run(back);
  double min_p = 1e9;
  int periods = 0;
  run_extended_period(run, [&](const HydraulicRun& r) {
    ++periods;
    const auto& s = r.state();
    double demand = 0;
    for (int i = 0; i < back.num_junctions; ++i) {
      demand += s.demand_m3s[i];
      min_p = std::min(min_p, s.head_m[i] - back.elevation_m[i]);
    }
    BOOST_CHECK_CLOSE(-s.demand_m3s[back.tanks[0].node], demand, 1e-4);  // relative 1e-6
    BOOST_CHECK(r.last_solve().converged);
  });
  BOOST_CHECK_EQUAL(periods, 25);
  BOOST_CHECK(run.warnings().empty());
  BOOST_CHECK_GT(min_p, 20.0);
}

BOOST_AUTO_TEST_CASE(water_model_runs_the_generated_network_on_the_city) {
  CitySource src;
  src.path = std::string(CITYTWIN_ASSETS) + "/monaco/monaco-2026-07-10.osm.pbf";
  const City city = load_city(src);
  ModelRegistry registry;
  register_water_model(registry);
  const Scenario sc = parse_scenario(R"(
[city]
file = "unused"
[period]
start = "2026-07-13T00:00"
duration = "3h"
step = "30min"
[models.water]
network = "generated"
demand_model = "pda"
[[interventions]]
at = "+1h"
model = "water"
action = "demand_multiplier"
factor = 2.0
)",
                                     "generated.toml");
  const Results r = run_simulation(sc, city, registry, {});
  const ElementSet* nodes = r.find_set("water.nodes");
  const ElementSet* pipes = r.find_set("water.pipes");
  BOOST_REQUIRE(nodes && pipes);
  BOOST_CHECK_EQUAL(nodes->points.size(), city.roads.junctions.size() + 1);
  // Junctions sit on the road junctions, in the city's local metres.
  BOOST_CHECK_EQUAL(nodes->points[0].x, city.roads.junctions[0].pos.x);
  const Layer* p = r.find_layer("water.pressure");
  BOOST_REQUIRE(p);
  BOOST_CHECK_EQUAL(p->elements(), nodes->size());
  BOOST_CHECK_EQUAL(p->times_s.size(), 7u);
  // Doubling the demand lowers every junction's pressure.
  const float* before = p->row(p->time_index(3600));
  const float* after = p->row(p->time_index(5400));
  int lower = 0;
  for (size_t i = 0; i + 1 < nodes->size(); ++i) lower += after[i] < before[i] ? 1 : 0;
  BOOST_CHECK_GT(lower, static_cast<int>(nodes->size()) * 9 / 10);
  BOOST_CHECK_GT(r.find_kpi("water.min_pressure_m")->value, 0.0);
}

BOOST_AUTO_TEST_SUITE_END()
