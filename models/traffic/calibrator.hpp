#pragma once
/// A calibrator on a road edge, as SUMO's `<calibrator>`: over each interval its target is set for, vehicles
/// are inserted at the start of the edge, or taken off the network as they enter it, so that the number
/// entering the edge follows the target flow. A measured count driving the traffic model works this way.
#include <cstdint>
#include <vector>

namespace citytwin::traffic {

struct Calibrator {
  std::int32_t edge = -1;
  double flow_veh_h = 0;  ///< target over the current interval; NaN: switched off
  double since_s = 0;     ///< start of the current interval
  /// Vehicles that entered the edge since since_s, inserted ones included and removed ones not.
  long long passed = 0;
  std::vector<std::int32_t> entered_now;  ///< vehicles that entered the edge during this step, in order
  /// The route on from this edge of the latest vehicle to enter it, and its type: what an inserted vehicle
  /// drives (so it turns as the traffic there does). Empty until one has entered: the vehicle then drives
  /// this edge only.
  std::vector<std::int32_t> route;
  std::int32_t type = 0;
};

}  // namespace citytwin::traffic
