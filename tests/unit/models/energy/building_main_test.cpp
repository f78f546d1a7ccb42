#define BOOST_TEST_MODULE energy_building
#include <boost/test/unit_test.hpp>
