#pragma once
/// Builds the directed road graph from road polylines: splits ways where they meet, adds reverse edges
/// for two-way streets, flags signalised junctions and keeps the largest strongly connected component.
#include <string>
#include <vector>

#include "engine/city/city.hpp"
#include "engine/city/tags.hpp"

namespace citytwin {

/// A drivable way, already in local metres.
struct RoadWay {
  std::string id;
  Polyline points;
  Tags tags;
  RoadClass road_class = RoadClass::other;
};

/// Distance within which a traffic-signal node that lies on a street (not at its junction) is
/// assigned to the nearest junction: OSM maps signals at the stop line, a few metres before it.
constexpr double kSignalSnapM = 30.0;

RoadNetwork build_road_network(const std::vector<RoadWay>& ways, const std::vector<Point2>& signals,
                               ImportReport& report);

}  // namespace citytwin
