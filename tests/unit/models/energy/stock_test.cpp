#include <oneapi/tbb/task_arena.h>

#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <cmath>

#include "models/energy/building/rc_zone.hpp"
#include "models/energy/building/stock.hpp"
#include "test_util.hpp"

using namespace citytwin;
using namespace citytwin::energy;
namespace tt = boost::test_tools;

namespace {

/// One 20 m (east-west) x 10 m (north-south) building, 10 m high, 3 levels.
City one_building(bool clockwise, UseClass use = UseClass::residential) {
  City c;
  Building b;
  b.id = "b";
  Ring r{{0, 0}, {20, 0}, {20, 10}, {0, 10}};
  if (clockwise) std::reverse(r.begin(), r.end());
  b.footprint = {Polygon{r, {}}};
  b.area_m2 = 200;
  b.height_m = 10;
  b.levels = 3;
  b.floor_area_m2 = 600;
  b.use = use;
  c.buildings.push_back(b);
  return c;
}

/// n buildings of every use class, sizes and orientations varying (several blocks of run_stock).
City many_buildings(int n) {
  City c;
  for (int i = 0; i < n; ++i) {
    Building b;
    b.id = "b" + std::to_string(i);
    const double w = 8 + i % 13, d = 6 + i % 7, x = 30.0 * (i % 40), y = 30.0 * (i / 40);
    Ring r{{x, y}, {x + w, y + 0.3 * (i % 5)}, {x + w, y + d}, {x, y + d}};
    b.footprint = {Polygon{r, {}}};
    b.area_m2 = w * d;
    b.levels = 1 + i % 9;
    b.height_m = 3.0 * b.levels;
    b.floor_area_m2 = b.area_m2 * b.levels;
    b.use = static_cast<UseClass>(i % kUseClassCount);
    c.buildings.push_back(b);
  }
  return c;
}

struct StockRun {
  StockState state;
  StockTotals totals;
  std::vector<double> electric_j;
};

constexpr size_t kRunHours = 400;

/// Hour h (from 0) of the runs below: from 1 July of the Denver file, 3 K warmer after hour 200.
StockStepInputs july_hour(const std::vector<ClimateHour>& climate, size_t h) {
  StockStepInputs in;
  in.climate = &climate[181 * 24 + h];
  in.hour_of_day = static_cast<int>(h % 24);
  in.weekend = (h / 24) % 7 >= 5;
  in.temperature_offset_c = h > 200 ? 3.0 : 0.0;
  return in;
}

/// kRunHours hours from 1 July of the Denver file in one run_stock call on `threads` threads.
StockRun run_hours(const BuildingStock& s, const std::vector<ClimateHour>& climate, int threads) {
  std::vector<StockStepInputs> steps(kRunHours);
  for (size_t h = 0; h < steps.size(); ++h) steps[h] = july_hour(climate, h);
  StockRun r{StockState(s.size()), {}, std::vector<double>(s.size(), 0.0)};
  tbb::task_arena arena(threads);
  arena.execute([&] { run_stock(s, steps, r.state, &r.totals, r.electric_j); });
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(building_stock)

// Time-blocked stepping (blocks of buildings carried through runs of steps) must give bitwise the same
// results on 1 and 2 threads, the same states as stepping hour by hour, and totals equal to plain sums.
BOOST_AUTO_TEST_CASE(time_blocked_run_is_deterministic_and_matches_hourly_steps) {
  const BuildingStock s = make_stock(many_buildings(1500));
  const Weather w = read_epw(test::data_path("725650TYCST.epw"));
  const auto climate = climate_hours(w, s.envelope);
  const StockRun one = run_hours(s, climate, 1), two = run_hours(s, climate, 2);
  BOOST_TEST(one.state.theta_m == two.state.theta_m);
  BOOST_TEST(one.state.theta_air == two.state.theta_air);
  BOOST_TEST(one.electric_j == two.electric_j);
  BOOST_TEST(one.totals.heating_w == two.totals.heating_w);
  BOOST_TEST(one.totals.cooling_w == two.totals.cooling_w);
  BOOST_TEST(one.totals.electric_w == two.totals.electric_w);

  StockState hourly(s.size());
  std::vector<double> electric_j(s.size(), 0.0);
  double max_total_error = 0, cooling_sum = 0;
  for (size_t h = 0; h < kRunHours; ++h) {
    step_stock(s, july_hour(climate, h), hourly);
    double heat = 0, cool = 0, elec = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      heat += hourly.heating_w[i], cool += hourly.cooling_w[i], elec += hourly.electric_w[i];
      electric_j[i] += hourly.electric_w[i] * 3600;
    }
    max_total_error = std::max({max_total_error, std::abs(heat - one.totals.heating_w[h]) / (1 + heat),
                                std::abs(cool - one.totals.cooling_w[h]) / (1 + cool),
                                std::abs(elec - one.totals.electric_w[h]) / (1 + elec)});
    cooling_sum += cool;
  }
  BOOST_TEST(cooling_sum > 0);  // July in Denver: the control branch is exercised
  BOOST_TEST(hourly.theta_m == one.state.theta_m);
  BOOST_TEST(hourly.theta_air == one.state.theta_air);
  BOOST_TEST(max_total_error < 1e-12);
  for (size_t i = 0; i < s.size(); ++i) BOOST_TEST(electric_j[i] == one.electric_j[i], tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(facades_by_orientation_whatever_the_winding) {
  for (bool cw : {false, true}) {
    BuildingStock s = make_stock(one_building(cw));
    const EnvelopeDefaults env;
    const double wwr = use_defaults(UseClass::residential).window_to_wall;
    // South and north facades are 20 m long, west and east 10 m; all 10 m high.
    const double gross[4] = {200, 100, 200, 100};
    for (int f = 0; f < kFacades; ++f) {
      BOOST_TEST(s.window_area_m2[0][f] == wwr * gross[f] * (1 - env.frame_fraction), tt::tolerance(1e-12));
      BOOST_TEST(s.wall_ua_w_k[0][f] == env.u_wall * (1 - wwr) * gross[f], tt::tolerance(1e-12));
    }
    BOOST_TEST(s.roof_area_m2[0] == 200.0);
    BOOST_TEST(s.volume_m3[0] == 2000.0);
    BOOST_TEST(s.c_m[0] == env.kappa_per_floor_area * 600, tt::tolerance(1e-12));
    BOOST_TEST(s.h_op_w_k[0] == env.u_wall * (1 - wwr) * 600 + env.u_roof * 200 + env.u_ground_floor * 200,
               tt::tolerance(1e-12));
  }
}

// With no sun, no sky and the ground at the air temperature, a long steady cold spell must cost what the
// steady 3-node network needs, solved here directly (Cramer's rule) from the node balances at theta_air = 20.
BOOST_AUTO_TEST_CASE(steady_state_through_the_stock) {
  City city = one_building(false, UseClass::other);
  BuildingStock s = make_stock(city);
  ClimateHour c;
  c.theta_e = 0;
  c.pressure_pa = 101325;
  StockState st(1);
  StockStepInputs in;
  in.climate = &c;
  in.ground_c = 0;
  in.hour_of_day = 3;
  for (int h = 0; h < 24 * 400; ++h) step_stock(s, in, st);

  const double gains = 2.0 * 600;  // "other" use: 2 W/m2 all day, half to the air node
  ZoneRc z;
  z.h_tr_w = s.h_w_w_k[0];
  z.a_m_m2 = s.a_m_m2[0];
  z.a_t_m2 = s.a_t_m2[0];
  GainSplit g = split_gains(z, gains, 0.5, 0);
  const double h_is = s.h_tr_is[0], h_ms = s.h_tr_ms[0], h_em = s.h_tr_em[0], h_w = s.h_w_w_k[0];
  const double h_ve = 101325 / (287.05 * 293.15) * 1006 * 0.5 * 2000 / 3600;
  // surface: -(h_is + h_w + h_ms) ts + h_ms tm = -h_is 20 - phi_st;  mass: h_ms ts - (h_ms + h_em) tm = -phi_m
  const double a = -(h_is + h_w + h_ms), b = h_ms, c1 = -h_is * 20 - g.phi_st;
  const double d = h_ms, e = -(h_ms + h_em), f = -g.phi_m;
  const double ts = (c1 * e - b * f) / (a * e - b * d);
  const double heating = h_ve * 20 + h_is * (20 - ts) - g.phi_ia;
  BOOST_TEST(st.theta_air[0] == 20.0, tt::tolerance(1e-9));
  BOOST_TEST(st.heating_w[0] == heating, tt::tolerance(1e-6));
  BOOST_TEST(st.cooling_w[0] == 0.0);
  const EnvelopeDefaults env;
  BOOST_TEST(st.electric_w[0] == heating / env.heating_cop + 0.7 * gains, tt::tolerance(1e-6));
}

BOOST_AUTO_TEST_SUITE_END()
