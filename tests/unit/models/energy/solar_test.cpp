#include <boost/test/unit_test.hpp>
#include <cmath>
#include <numbers>

#include "models/energy/io/epw.hpp"
#include "models/energy/weather/solar.hpp"
#include "test_util.hpp"

using namespace citytwin::energy;
using namespace citytwin::energy::test;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_SUITE(solar)

// The file's global horizontal irradiance was measured (or modelled) independently of its direct and diffuse
// parts: GHI = DNI cos(zenith) + DHI holds only if the sun position is right, hour by hour.
BOOST_AUTO_TEST_CASE(sun_position_closes_the_horizontal_balance) {
  for (std::string path : {data_path("725650TYCST.epw"), std::string(CITYTWIN_ASSETS) + "/weather/PRT_Lisboa.085360_INETI.epw"}) {
    Weather w = read_epw(path);
    auto sun = sun_hours(w, irradiance_time_shift_h(w));
    double ghi = 0, calc = 0, abs_err = 0;
    for (size_t i = 0; i < w.size(); ++i) {
      double c = w.dni_wm2[i] * sun[i].cos_zenith + w.dhi_wm2[i];
      ghi += w.ghi_wm2[i];
      calc += c;
      abs_err += std::abs(c - w.ghi_wm2[i]);
    }
    BOOST_TEST_MESSAGE(path << ": mean |GHI - (DNI cos z + DHI)| = " << abs_err / w.size() << " W/m2");
    BOOST_TEST(calc == ghi, tt::tolerance(0.01));
    BOOST_TEST(abs_err / w.size() < 3.5);
  }
}

// Denver's TMY3 follows the EPW convention (hour ending at the stamp); the Lisbon file is centred on its stamps.
BOOST_AUTO_TEST_CASE(irradiance_time_convention_is_detected) {
  BOOST_TEST(irradiance_time_shift_h(read_epw(data_path("725650TYCST.epw"))) == 0.0);
  BOOST_TEST(irradiance_time_shift_h(read_epw(std::string(CITYTWIN_ASSETS) + "/weather/PRT_Lisboa.085360_INETI.epw")) == 0.5);
}

BOOST_AUTO_TEST_CASE(highest_sun_is_at_the_summer_solstice_noon) {
  Weather w = read_epw(data_path("725650TYCST.epw"));
  auto sun = sun_hours(w);
  size_t best = 0;
  for (size_t i = 0; i < sun.size(); ++i)
    if (sun[i].cos_zenith > sun[best].cos_zenith) best = i;
  // Noon zenith = latitude - declination (23.44 deg); the hour mean is a little lower than the noon value.
  double noon = std::cos((39.83 - 23.44) * std::numbers::pi / 180);
  BOOST_TEST(sun[best].cos_zenith <= noon);
  BOOST_TEST(sun[best].cos_zenith > noon - 0.01);
  BOOST_TEST(w.month[best] == 6);
  BOOST_TEST(std::abs(w.day[best] - 21) <= 4);
  BOOST_TEST((w.hour[best] == 12 || w.hour[best] == 13));  // local standard time, UTC-7, longitude -104.65
}

BOOST_AUTO_TEST_CASE(horizontal_plane_gets_the_global_irradiance) {
  Weather w = read_epw(data_path("725650TYCST.epw"));
  auto sun = sun_hours(w);
  auto h = plane_series(w, sun, Plane{0, 0}, 0.2);
  double total = 0, ghi = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    total += h[i].total();
    ghi += w.ghi_wm2[i];
    BOOST_TEST_REQUIRE(h[i].ground_wm2 == 0.0);
  }
  BOOST_TEST(total == ghi, tt::tolerance(0.01));
  // A south wall gets more in winter than in summer at 40 N; a north wall only diffuse and little beam.
  auto south = plane_series(w, sun, Plane{std::numbers::pi / 2, 0}, 0.2);
  auto north = plane_series(w, sun, Plane{std::numbers::pi / 2, std::numbers::pi}, 0.2);
  double jan = 0, jul = 0, north_beam = 0, south_beam = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    if (w.month[i] == 1) jan += south[i].total();
    if (w.month[i] == 7) jul += south[i].total();
    north_beam += north[i].beam_wm2;
    south_beam += south[i].beam_wm2;
  }
  BOOST_TEST(jan > jul);
  BOOST_TEST(north_beam < 0.05 * south_beam);
}

BOOST_AUTO_TEST_CASE(sky_temperature_and_long_wave_share) {
  // A black body at 0 deg C emits sigma * 273.15^4 = 315.6 W/m2.
  BOOST_TEST(sky_temperature_c(315.64) == 0.0, tt::tolerance(0.01));
  BOOST_TEST(sky_long_wave_fraction(0) == 1.0);
  BOOST_TEST(sky_long_wave_fraction(std::numbers::pi / 2) == 0.5 * std::sqrt(0.5), tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_SUITE_END()
