#include <boost/test/unit_test.hpp>
#include <numeric>
#include <span>

#include "models/energy/ev/ev_charging.hpp"
#include "models/energy/io/epw.hpp"
#include "models/energy/pv/rooftop_pv.hpp"
#include "test_util.hpp"

using namespace citytwin;
using namespace citytwin::energy;
using namespace citytwin::energy::test;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_SUITE(rooftop_pv)

BOOST_AUTO_TEST_CASE(rated_power_at_standard_conditions_and_temperature_derating) {
  PvParams p;
  // STC: 1000 W/m2 with the cell at 25 C, i.e. air at 25 - (NOCT - 20) / 800 * 1000.
  const double air = 25 - (p.noct_c - 20) / 800 * 1000;
  BOOST_TEST(pv_power_w_m2(p, 1000, 1000, air) == p.efficiency * 1000 * (1 - p.system_losses), tt::tolerance(1e-12));
  // 10 K hotter: 3.5 % less.
  BOOST_TEST(pv_power_w_m2(p, 1000, 1000, air + 10) ==
                 p.efficiency * 1000 * (1 - p.system_losses) * (1 - 0.035), tt::tolerance(1e-12));
  BOOST_TEST(pv_power_w_m2(p, 0, 0, 20) == 0.0);
}

// PVGIS-order specific yields: about 1,400-1,600 kWh/kWp a year at Lisbon for low tilts with 14 % losses.
BOOST_AUTO_TEST_CASE(annual_yield_is_of_the_expected_order) {
  PvParams p;
  Weather w = read_epw(std::string(CITYTWIN_ASSETS) + "/weather/PRT_Lisboa.085360_INETI.epw");
  PvIrradiance irr = pv_irradiance(w, p);
  double wh_per_m2 = 0, poa = 0, eff = 0;
  for (size_t t = 0; t < w.size(); ++t) {
    wh_per_m2 += pv_power_w_m2(p, irr.poa_wm2[t], irr.effective_wm2[t], w.dry_bulb_c[t]);
    poa += irr.poa_wm2[t];
    eff += irr.effective_wm2[t];
  }
  const double kwh_per_kwp = wh_per_m2 / (p.efficiency * 1000);
  BOOST_TEST_MESSAGE("Lisbon, 10 deg south: plane of array " << poa / 1000 << " kWh/m2, after reflection "
                                                             << eff / 1000 << ", yield " << kwh_per_kwp << " kWh/kWp");
  BOOST_TEST(eff < poa);
  BOOST_TEST(eff > 0.93 * poa);
  BOOST_TEST(kwh_per_kwp > 1300);
  BOOST_TEST(kwh_per_kwp < 1650);
}

BOOST_AUTO_TEST_CASE(raising_the_share_only_adds_roofs) {
  int at30 = 0, at60 = 0, both = 0;
  for (size_t i = 0; i < 10000; ++i) {
    double r = pv_rank(7, i);
    at30 += r < 0.3;
    at60 += r < 0.6;
    both += r < 0.3 && r < 0.6;
  }
  BOOST_TEST(both == at30);
  BOOST_TEST(std::abs(at30 - 3000) < 200);
  BOOST_TEST(std::abs(at60 - 6000) < 200);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ev_charging)

BOOST_AUTO_TEST_CASE(a_day_of_charging_delivers_each_cars_need) {
  BuildingStock stock;
  stock.use = {static_cast<std::uint8_t>(UseClass::residential), static_cast<std::uint8_t>(UseClass::office),
               static_cast<std::uint8_t>(UseClass::residential)};
  stock.floor_area_m2 = {800, 5000, 160};
  EvParams p;
  EvFleet fleet = make_fleet(stock, p, 11);
  BOOST_TEST(fleet.building.size() == 12u);  // 10 + 2 dwellings, none in the office
  const double share = 0.5;
  int active = 0;
  for (double r : fleet.rank) active += r < share;
  // Energy over two whole days in 15-minute steps, from day 100: every active car gets its daily energy.
  std::vector<double> power(3);
  double energy_wh = 0, peak = 0;
  for (int k = 0; k < 2 * 96; ++k) {
    double t0 = 2400 + k * 0.25;
    ev_charging_power(fleet, p, share, t0, t0 + 0.25, power);
    BOOST_TEST_REQUIRE(power[1] == 0.0);
    double total = std::accumulate(power.begin(), power.end(), 0.0);
    energy_wh += total * 0.25;
    peak = std::max(peak, total);
  }
  BOOST_TEST(energy_wh == 2 * active * p.daily_energy_kwh * 1000, tt::tolerance(1e-9));
  BOOST_TEST(peak <= active * p.charger_kw * 1000 + 1e-6);
  // No share, no charging.
  ev_charging_power(fleet, p, 0.0, 2418, 2419, power);
  BOOST_TEST(std::accumulate(power.begin(), power.end(), 0.0) == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ev_arrivals)

// Two buildings; 4 cars arrive at the first (half electric), none at the second: the 2 EVs charge at twice the
// rated power for E / P hours, and the energy delivered is exactly what was queued.
BOOST_AUTO_TEST_CASE(arrivals_charge_at_rated_power_until_full) {
  EvParams p;
  std::vector<double> pending(2, 0.0), power(2, 0.0), arrivals{4, 0};
  const double dt = 60;
  double energy_j = 0, first_power = 0;
  int charging_steps = 0;
  for (int k = 0; k < 24 * 60; ++k) {
    ev_queue_step(pending, k == 0 ? std::span<const double>(arrivals) : std::span<const double>{}, 0.5, p, dt, power);
    if (k == 0) first_power = power[0];
    energy_j += (power[0] + power[1]) * dt;
    charging_steps += power[0] > 0;
    BOOST_TEST_REQUIRE(power[1] == 0.0);
  }
  BOOST_TEST(energy_j == 2 * p.daily_energy_kwh * 3.6e6, tt::tolerance(1e-9));
  BOOST_TEST(first_power == 2 * p.charger_kw * 1e3, tt::tolerance(1e-12));
  // Charging lasts about E / P (the queue drains exponentially at the end, as the last car fills up).
  BOOST_TEST(charging_steps * dt / 3600 >= p.daily_energy_kwh / p.charger_kw);
}

BOOST_AUTO_TEST_SUITE_END()
