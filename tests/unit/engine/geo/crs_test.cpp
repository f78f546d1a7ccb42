#include <boost/test/unit_test.hpp>
#include <cmath>

#include "engine/core/error.hpp"
#include "engine/geo/crs.hpp"

using namespace citytwin;

BOOST_AUTO_TEST_CASE(utm_zone_from_extent) {
  BOOST_TEST(utm_epsg_for(7.42, 43.73) == 32632);   // Monaco
  BOOST_TEST(utm_epsg_for(-0.12, 51.5) == 32630);   // London
  BOOST_TEST(utm_epsg_for(-58.4, -34.6) == 32721);  // Buenos Aires
  BOOST_TEST(utm_epsg_for(179.9, 0) == 32660);
}

BOOST_AUTO_TEST_CASE(central_meridian_maps_to_false_easting) {
  // By the definition of UTM: on a zone's central meridian easting = 500,000 m; on the equator northing = 0.
  Transform t("EPSG:4326", "EPSG:32632");
  Point2 p = t.forward(Point2{9.0, 0.0});
  BOOST_TEST(std::abs(p.x - 500000.0) < 1e-6);
  BOOST_TEST(std::abs(p.y) < 1e-6);
  // One degree of latitude along the central meridian: 110,574 m at the equator on the WGS 84
  // ellipsoid (meridian arc), scaled by UTM's k0 = 0.9996.
  Point2 q = t.forward(Point2{9.0, 1.0});
  BOOST_TEST(std::abs(q.y - 110574.4 * 0.9996) < 1.0);
}

BOOST_AUTO_TEST_CASE(round_trip_is_accurate_to_a_millimetre) {
  Transform t("EPSG:4326", "EPSG:32632");
  std::vector<Point2> pts;
  for (double lon = 7.40; lon <= 7.45; lon += 0.005)
    for (double lat = 43.72; lat <= 43.76; lat += 0.005) pts.push_back({lon, lat});
  auto projected = pts;
  t.forward(projected);
  auto back = projected;
  t.inverse(back);
  double worst_m = 0;
  for (size_t i = 0; i < pts.size(); ++i) {
    const double dx = (back[i].x - pts[i].x) * 111320 * std::cos(pts[i].y * M_PI / 180);
    const double dy = (back[i].y - pts[i].y) * 110574;
    worst_m = std::max(worst_m, std::hypot(dx, dy));
  }
  BOOST_TEST(worst_m < 1e-3);
}

BOOST_AUTO_TEST_CASE(unknown_crs_is_an_input_error) {
  BOOST_CHECK_THROW(Transform("EPSG:4326", "EPSG:999999"), InputError);
}
