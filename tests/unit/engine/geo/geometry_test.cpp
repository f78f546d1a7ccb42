#include "engine/geo/geometry.hpp"

#include <boost/test/unit_test.hpp>

using namespace citytwin;

BOOST_AUTO_TEST_CASE(signed_area_is_the_enclosed_area_positive_counter_clockwise) {
  const Ring square{{0, 0}, {10, 0}, {10, 10}, {0, 10}};
  BOOST_TEST(signed_area(square) == 100.0);
  BOOST_TEST(signed_area(Ring(square.rbegin(), square.rend())) == -100.0);
  // An L of three 10 m squares, and rings without area.
  BOOST_TEST(signed_area(Ring{{0, 0}, {20, 0}, {20, 10}, {10, 10}, {10, 20}, {0, 20}}) == 300.0);
  BOOST_TEST(signed_area(Ring{{0, 0}, {5, 0}, {10, 0}}) == 0.0);
  BOOST_TEST(signed_area(Ring{}) == 0.0);
}
