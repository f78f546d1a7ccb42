#define BOOST_TEST_MODULE citytwin engine
#include <boost/test/unit_test.hpp>
