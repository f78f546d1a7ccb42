#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <numeric>

#include "models/energy/building/bestest.hpp"
#include "test_util.hpp"

using namespace citytwin::energy;
using namespace citytwin::energy::test;

namespace {

const Weather& denver() {
  static const Weather w = read_epw(data_path("725650TYCST.epw"));
  return w;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bestest)

// ASHRAE 140-2023 Addendum b acceptance criteria (tests/data/energy/BESTEST600.md, 3B).
BOOST_AUTO_TEST_CASE(case600_annual_loads_within_acceptance) {
  BestestResult r = run_bestest(BestestCase::case600, denver());
  BOOST_TEST_MESSAGE("Case 600: heating " << r.heating_mwh << " MWh (accept 3.75-4.98, programs 3.993-4.504), cooling "
                                          << r.cooling_mwh << " MWh (accept 5.00-6.83, programs 5.432-6.162), peaks "
                                          << r.peak_heating_kw << " / " << r.peak_cooling_kw << " kW");
  BOOST_TEST(r.heating_mwh >= 3.75);
  BOOST_TEST(r.heating_mwh <= 4.98);
  BOOST_TEST(r.cooling_mwh >= 5.00);
  BOOST_TEST(r.cooling_mwh <= 6.83);
  BOOST_TEST(r.max_balance_error_w < 1e-6);
  // Every example program has its peak cooling on 22 January, hour 14 or 15 (3A).
  const Weather& w = denver();
  BOOST_TEST(w.month[r.peak_cooling_hour] == 1);
  BOOST_TEST(w.day[r.peak_cooling_hour] == 22);
  BOOST_TEST((w.hour[r.peak_cooling_hour] == 14 || w.hour[r.peak_cooling_hour] == 15));
}

BOOST_AUTO_TEST_CASE(case600ff_temperatures_within_example_results) {
  BestestResult r = run_bestest(BestestCase::case600, denver(), true);
  const auto& t = r.air_temperature_c;
  double lo = *std::min_element(t.begin(), t.end()), hi = *std::max_element(t.begin(), t.end());
  double mean = std::accumulate(t.begin(), t.end(), 0.0) / t.size();
  BOOST_TEST_MESSAGE("Case 600FF: min " << lo << ", max " << hi << ", mean " << mean << " C");
  BOOST_TEST(r.heating_mwh == 0.0);
  BOOST_TEST(r.cooling_mwh == 0.0);
  BOOST_TEST((lo >= -13.8 && lo <= -9.9));
  BOOST_TEST((hi >= 62.4 && hi <= 68.4));
  BOOST_TEST((mean >= 24.3 && mean <= 26.1));
}

BOOST_AUTO_TEST_CASE(case900_reported_and_within_acceptance) {
  BestestResult r = run_bestest(BestestCase::case900, denver());
  BestestResult ff = run_bestest(BestestCase::case900, denver(), true);
  const auto& t = ff.air_temperature_c;
  BOOST_TEST_MESSAGE("Case 900: heating " << r.heating_mwh << " MWh (accept 1.04-2.28, programs 1.379-1.814), cooling "
                                          << r.cooling_mwh << " MWh (accept 2.35-2.60, programs 2.267-2.714); 900FF min "
                                          << *std::min_element(t.begin(), t.end()) << ", max "
                                          << *std::max_element(t.begin(), t.end()) << " C");
  BOOST_TEST(r.heating_mwh >= 1.04);
  BOOST_TEST(r.heating_mwh <= 2.28);
  BOOST_TEST(r.cooling_mwh >= 2.267);
  BOOST_TEST(r.cooling_mwh <= 2.714);
  BOOST_TEST(r.max_balance_error_w < 1e-6);
  // The heavy building needs much less heating and cooling than the light one.
  BestestResult light = run_bestest(BestestCase::case600, denver());
  BOOST_TEST(r.heating_mwh < 0.6 * light.heating_mwh);
  BOOST_TEST(r.cooling_mwh < 0.6 * light.cooling_mwh);
}

BOOST_AUTO_TEST_SUITE_END()
