// Calibration's pieces: hourly least-squares factors recover a known multiplier from a synthetic training
// run (the fit is exact when simulated x factor = measured), hours without data keep 1, and the calibrated
// scenario text compounds earlier factors and moves relative paths to the new file's folder.
#include <boost/test/unit_test.hpp>
#include <cmath>

#include <toml++/toml.h>

#include "engine/core/error.hpp"
#include "engine/sim/calibrated_scenario.hpp"
#include "engine/sim/calibration.hpp"

using namespace citytwin;

BOOST_AUTO_TEST_SUITE(calibration)

BOOST_AUTO_TEST_CASE(hourly_least_squares_recovers_a_known_multiplier) {
  Results r;
  SensorTrace tr;
  tr.id = "dma1";
  tr.quantity = "water.zone_inflow";
  tr.role = "compare";
  tr.element = "DMA1";
  const auto zone = *TimeZone::find("Europe/Rome");
  const std::int64_t start = 1614553200;  // 2021-03-01T00:00+01:00
  for (int k = 0; k <= 48; ++k) {
    tr.times_s.push_back(k * 3600.0);
    const double s = 10 + k % 7;
    const int hour_of_step = (k + 23) % 24;  // the step that ends at k h began at local hour k - 1
    tr.simulated.push_back(s);
    // Hour 5 measured with noise that averages out in least squares: +1 and -1 on the two days.
    tr.measured.push_back(hour_of_step == 7 ? NAN : 0.5 * (1 + hour_of_step / 24.0) * s + (hour_of_step == 5 ? (k < 24 ? 1 : -1) : 0));
  }
  r.sensors.push_back(tr);
  r.sensors.push_back(tr);
  r.sensors.back().role = "drive";  // driven sensors are not fitted
  const auto fits = fit_multipliers(r, 3600, start, zone);
  BOOST_REQUIRE_EQUAL(fits.size(), 1u);
  BOOST_TEST(fits[0].knob->key == "district_demand_multipliers");
  BOOST_TEST(fits[0].factors[0] == 0.5, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(fits[0].factors[12] == 0.75, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(fits[0].factors[7] == 1.0);  // never measured: left alone
  BOOST_TEST(fits[0].pairs[7] == 0);
  BOOST_TEST(fits[0].pairs[3] == 2);
  // Hour 5 on the two days (k = 6, 30): s = 16 then 12, m = f s + 1 then f s - 1: (16 - 12) / (16^2 + 12^2) off f.
  const double f5 = 0.5 * (1 + 5 / 24.0);
  BOOST_TEST(fits[0].factors[5] == f5 + 4.0 / 400.0, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(the_calibrated_scenario_compounds_factors_and_moves_paths) {
  const std::string text =
      "name = \"x\"\n[city]\nfile = \"../assets/city.gpkg\"\n[models.water]\nnetwork = \"generated\"\n"
      "district_demand_multipliers = { DMA1 = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2] }\n"
      "[[feeds]]\nfiles = [\"../feeds/a_*.csv\", \"/abs/b.csv\"]\nsensors = \"reg.csv\"\n";
  FittedMultipliers fit;
  fit.knob = calibration_knob("water.zone_inflow");
  fit.element = "DMA1";
  fit.factors.fill(1.5);
  fit.factors[3] = 0.123456;
  FittedMultipliers b = fit;
  b.element = "DMA2";
  const std::string out = calibrated_scenario_text(text, "/p/scenarios/s.toml", {fit, b}, "/p/results/cal/s.toml", "# head\n");
  BOOST_TEST(out.starts_with("# head\n"));
  const auto t = toml::parse(out);
  BOOST_TEST(t["city"]["file"].value_or(std::string()) == "../../assets/city.gpkg");
  BOOST_TEST(t["models"]["water"]["network"].value_or(std::string()) == "generated");
  BOOST_TEST(t["feeds"][0]["files"][0].value_or(std::string()) == "../../feeds/a_*.csv");
  BOOST_TEST(t["feeds"][0]["files"][1].value_or(std::string()) == "/abs/b.csv");
  BOOST_TEST(t["feeds"][0]["sensors"].value_or(std::string()) == "../../scenarios/reg.csv");
  const auto& m = t["models"]["water"]["district_demand_multipliers"];
  BOOST_TEST(m["DMA1"][0].value_or(0.0) == 3.0);              // 2 x 1.5
  BOOST_TEST(m["DMA1"][3].value_or(0.0) == 0.2469);           // 2 x 0.123456, four decimals
  BOOST_TEST(m["DMA2"][3].value_or(0.0) == 0.1235);
  fit.knob = calibration_knob("energy.building_electricity");
  BOOST_CHECK_THROW(calibrated_scenario_text(text, "/p/scenarios/s.toml", {fit}, "/p/s.toml", ""), InputError);
}

BOOST_AUTO_TEST_SUITE_END()
