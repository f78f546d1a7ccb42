#pragma once
/// Places OSM give-way and stop signs (nodes on a way, a few metres before the junction they control) on
/// the road edge that approaches that junction.
#include <string>
#include <vector>

#include "engine/city/city.hpp"

namespace citytwin {

/// A highway=give_way / highway=stop node, in local metres.
struct SignNode {
  Point2 pos;
  TrafficSign kind = TrafficSign::none;
  std::string direction;  ///< OSM direction=forward|backward (relative to the way), or empty
  bool all_way = false;   ///< stop=all
};

/// Farthest a sign may stand from the junction it controls (along its edge).
constexpr double kSignReachM = 40.0;

/// Sets RoadEdge::sign (and Junction::all_way_stop) and counts applied and skipped signs in the report.
void place_traffic_signs(const std::vector<SignNode>& signs, RoadNetwork& roads, ImportReport& report);

}  // namespace citytwin
