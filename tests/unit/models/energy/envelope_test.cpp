#include <boost/test/unit_test.hpp>
#include <cmath>

#include "models/energy/building/bestest.hpp"
#include "models/energy/building/constructions.hpp"
#include "models/energy/building/glazing.hpp"

using namespace citytwin::energy;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_SUITE(envelope)

// Layer resistances derived in tests/data/energy/BESTEST600.md, section 2.
BOOST_AUTO_TEST_CASE(bestest_layer_resistances) {
  auto c600 = bestest_constructions(BestestCase::case600);
  auto c900 = bestest_constructions(BestestCase::case900);
  BOOST_TEST(c600.wall.layers_resistance() == 1.789, tt::tolerance(5e-4));
  BOOST_TEST(c600.roof.layers_resistance() == 2.993, tt::tolerance(5e-4));
  BOOST_TEST(c600.floor.layers_resistance() == 25.254, tt::tolerance(5e-5));
  BOOST_TEST(c900.wall.layers_resistance() == 1.798, tt::tolerance(5e-4));
  BOOST_TEST(c900.floor.layers_resistance() == 25.246, tt::tolerance(5e-5));
  BOOST_TEST(c600.wall.u_value(kRsiWall) == 1 / (0.13 + 1.789 + 0.04), tt::tolerance(5e-4));
}

BOOST_AUTO_TEST_CASE(internal_heat_capacity_stops_at_insulation_and_10_cm) {
  auto c600 = bestest_constructions(BestestCase::case600);
  auto c900 = bestest_constructions(BestestCase::case900);
  BOOST_TEST(c600.wall.internal_heat_capacity() == 0.012 * 950 * 840, tt::tolerance(1e-12));  // plasterboard only
  BOOST_TEST(c600.floor.internal_heat_capacity() == 0.025 * 650 * 1200, tt::tolerance(1e-12));
  // 900 wall: 0.1705 m in all, so half its thickness (0.08525 m of the block) counts.
  BOOST_TEST(c900.wall.internal_heat_capacity() == 0.08525 * 1400 * 1000, tt::tolerance(1e-12));
  Construction thick{"slab", {{"concrete", 0.30, 2.0, 2400, 1000}}};
  BOOST_TEST(thick.internal_heat_capacity() == 0.10 * 2400 * 1000, tt::tolerance(1e-12));
  Construction half{"thin slab", {{"concrete", 0.12, 2.0, 2400, 1000}}};
  BOOST_TEST(half.internal_heat_capacity() == 0.06 * 2400 * 1000, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(glazing_reproduces_the_pane_and_the_two_pane_closed_form) {
  PaneSpec pane{0.834, 0.075, 0.003048, 1.0, 0.84};
  Glazing one(pane, 1, 0);
  BOOST_TEST(one.transmittance(1.0) == 0.834, tt::tolerance(1e-6));
  BOOST_TEST(one.refractive_index() > 1.45);
  BOOST_TEST(one.refractive_index() < 1.6);
  Glazing two(pane, 2, 0.012);
  // Two identical panes at normal incidence: T = T1^2 / (1 - R1^2) (interreflections between the panes).
  BOOST_TEST(two.transmittance(1.0) == 0.834 * 0.834 / (1 - 0.075 * 0.075), tt::tolerance(2e-3));
  BOOST_TEST(two.shgc(1.0) > two.transmittance(1.0));
  BOOST_TEST(two.shgc(1.0) < two.transmittance(1.0) + 2 * (1 - 0.834 - 0.075));
  // Transmission falls with incidence and vanishes at grazing incidence.
  BOOST_TEST(two.transmittance(std::cos(0.5)) < two.transmittance(1.0));
  BOOST_TEST(two.transmittance(std::cos(1.2)) < two.transmittance(std::cos(0.5)));
  BOOST_TEST(two.transmittance(1e-9) < 1e-3);
  BOOST_TEST(two.shgc(-0.5) == 0.0);
  BOOST_TEST(two.shgc_diffuse() < two.shgc(1.0));
  BOOST_TEST(two.shgc_diffuse() > 0.7 * two.shgc(1.0));
  // EN 673 gap (h_r + h_g, 12 mm air) plus ISO 6946 films: between 2.7 and 3.0 for clear double glazing.
  BOOST_TEST(two.u_value() > 2.7);
  BOOST_TEST(two.u_value() < 3.0);
}

BOOST_AUTO_TEST_SUITE_END()
