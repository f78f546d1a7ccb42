#define BOOST_TEST_MODULE energy_model
#include <boost/test/unit_test.hpp>
