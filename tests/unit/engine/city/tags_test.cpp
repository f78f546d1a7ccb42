#include <boost/test/unit_test.hpp>

#include "engine/city/tags.hpp"

using namespace citytwin;

BOOST_AUTO_TEST_CASE(hstore_other_tags) {
  Tags t;
  parse_hstore(R"("building:levels"=>"7","height"=>"24.5","name"=>"Le \"Grand\" Hotel")", t);
  BOOST_TEST(t.at("building:levels") == "7");
  BOOST_TEST(t.at("height") == "24.5");
  BOOST_TEST(t.at("name") == "Le \"Grand\" Hotel");
  Tags broken;
  parse_hstore(R"("a"=>"1","b"=>)", broken);
  BOOST_TEST(broken.size() == 1u);
}

BOOST_AUTO_TEST_CASE(lengths_levels_speeds_lanes) {
  BOOST_TEST(*parse_length_m("12") == 12.0);
  BOOST_TEST(*parse_length_m("12.5 m") == 12.5);
  BOOST_TEST(std::abs(*parse_length_m("10 ft") - 3.048) < 1e-12);
  BOOST_TEST(std::abs(*parse_length_m("12'6\"") - (12 * 0.3048 + 6 * 0.0254)) < 1e-12);
  BOOST_TEST(!parse_length_m("tall"));
  BOOST_TEST(*parse_levels("7") == 7);
  BOOST_TEST(*parse_levels("3;4") == 3);
  BOOST_TEST(*parse_levels("0") == 1);
  BOOST_TEST(!parse_levels("many"));
  BOOST_TEST(std::abs(*parse_speed_mps("50") - 50 / 3.6) < 1e-12);
  BOOST_TEST(std::abs(*parse_speed_mps("30 mph") - 30 * 0.44704) < 1e-12);
  BOOST_TEST(std::abs(*parse_speed_mps("FR:urban") - 50 / 3.6) < 1e-12);
  BOOST_TEST(!parse_speed_mps("fast"));
  BOOST_TEST(*parse_lanes("2") == 2);
  BOOST_TEST(!parse_lanes("0"));
}

BOOST_AUTO_TEST_CASE(road_classes) {
  BOOST_TEST(*drivable_road_class("primary_link") == RoadClass::primary);
  BOOST_TEST(*drivable_road_class("service") == RoadClass::service);
  BOOST_TEST(!drivable_road_class("footway"));
  BOOST_TEST(!drivable_road_class("steps"));
  BOOST_TEST(!drivable_road_class("pedestrian"));
}

BOOST_AUTO_TEST_CASE(use_classes) {
  BOOST_TEST(use_class_from_tags({{"building", "apartments"}}) == UseClass::residential);
  BOOST_TEST(use_class_from_tags({{"building", "yes"}, {"shop", "bakery"}}) == UseClass::commercial);
  BOOST_TEST(use_class_from_tags({{"building", "yes"}, {"amenity", "school"}}) == UseClass::public_use);
  BOOST_TEST(use_class_from_tags({{"building", "yes"}, {"office", "company"}}) == UseClass::office);
  BOOST_TEST(use_class_from_tags({{"building", "warehouse"}}) == UseClass::industrial);
  BOOST_TEST(use_class_from_tags({{"building", "yes"}}) == UseClass::other);
  BOOST_TEST(default_height_m(UseClass::residential, "house") == 6.0);
}
