// Trips scaled by local hour of departure: whole factors copy each trip exactly, a zero drops the hour,
// a fraction keeps about that share (the same trips on every call with the same seed).
#include <boost/test/unit_test.hpp>

#include "models/traffic/hourly_demand.hpp"

using namespace citytwin;
using namespace citytwin::traffic;

BOOST_AUTO_TEST_SUITE(hourly_demand)

BOOST_AUTO_TEST_CASE(trips_follow_their_hour_s_factor) {
  const auto zone = *TimeZone::find("Europe/Monaco");
  const std::int64_t start = 1772406000;  // 2026-03-02T00:00+01:00
  std::vector<Trip> trips;
  std::vector<int> to_building;
  for (int i = 0; i < 3000; ++i) {
    Trip t;
    t.id = "t" + std::to_string(i);
    t.depart_s = (i % 3) * 3600.0 + 60;  // hours 0, 1, 2 local
    trips.push_back(t);
    to_building.push_back(i);
  }
  std::array<double, 24> f;
  f.fill(1.0);
  f[0] = 2.0;
  f[1] = 0.0;
  f[2] = 0.3;
  auto a = trips;
  auto ab = to_building;
  scale_trips_by_hour(a, ab, f, start, zone, 7);
  size_t hour0 = 0, hour1 = 0, hour2 = 0;
  for (const auto& t : a) (t.depart_s < 3600 ? hour0 : t.depart_s < 7200 ? hour1 : hour2)++;
  BOOST_TEST(hour0 == 2000u);
  BOOST_TEST(hour1 == 0u);
  BOOST_TEST(hour2 > 255u);  // 1000 x 0.3 = 300, binomial sd 14.5: 3 sd either side
  BOOST_TEST(hour2 < 345u);
  BOOST_TEST(a.size() == ab.size());
  BOOST_TEST(a[1].id == "t0#c1");
  BOOST_TEST(ab[1] == 0);
  auto b = trips;
  auto bb = to_building;
  scale_trips_by_hour(b, bb, f, start, zone, 7);
  BOOST_TEST(b.size() == a.size());
  BOOST_TEST(bb == ab);
}

BOOST_AUTO_TEST_SUITE_END()
