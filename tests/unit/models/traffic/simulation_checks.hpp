#pragma once
// Invariants of a traffic Simulation that every test can check after any step.
#include <boost/test/unit_test.hpp>

#include "models/traffic/simulation.hpp"

namespace citytwin::traffic::test {

/// Checks conservation and the absence of overlaps on every lane.
inline void check_state(const Simulation& sim) {
  const Counters& c = sim.counters();
  BOOST_TEST_REQUIRE(c.inserted == c.arrived + c.running + c.removed);
  long long on_lanes = 0;
  const Network& n = sim.network();
  for (int l = 0; l < n.lanes(); ++l) {
    const auto& q = sim.lane_vehicles(l);
    on_lanes += static_cast<long long>(q.size());
    for (size_t k = 0; k < q.size(); ++k) {
      BOOST_TEST_REQUIRE(sim.vehicle_lane(q[k]) == l);
      BOOST_TEST_REQUIRE(sim.vehicle_pos(q[k]) <= n.lane_length_m[l] + 1e-9);
      if (k == 0) continue;
      const double gap = sim.vehicle_pos(q[k - 1]) - sim.vehicle_type(q[k - 1]).length_m - sim.vehicle_pos(q[k]);
      BOOST_TEST_REQUIRE(gap >= -1e-6);
    }
  }
  BOOST_TEST_REQUIRE(on_lanes + c.teleporting == c.running);
}


}  // namespace citytwin::traffic::test
