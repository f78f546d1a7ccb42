#define BOOST_TEST_MODULE water
#include <boost/test/unit_test.hpp>
