#include <boost/test/unit_test.hpp>

#include "engine/core/random.hpp"

using namespace citytwin;

BOOST_AUTO_TEST_CASE(streams_depend_only_on_seed_purpose_and_entity) {
  auto a = random_stream(42, 1, 7);
  auto b = random_stream(42, 1, 7);
  auto c = random_stream(42, 1, 8);
  const auto first = a();
  BOOST_TEST(first == b());
  BOOST_TEST(first != c());
}

BOOST_AUTO_TEST_CASE(uniform01_mean_and_range) {
  auto rng = random_stream(1, 2, 3);
  double sum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    double u = uniform01(rng);
    BOOST_REQUIRE(u >= 0.0 && u < 1.0);
    sum += u;
  }
  // Mean of U(0,1) is 1/2 with standard error 1/sqrt(12 n) ~ 6.5e-4: allow 5 standard errors.
  BOOST_TEST(std::abs(sum / n - 0.5) < 3.3e-3);
}
