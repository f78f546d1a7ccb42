#include "engine/city/traffic_signs.hpp"

#include <cmath>

namespace citytwin {
namespace {

/// A sign mapped on the junction node itself: only an all-way stop says which approaches it means.
constexpr double kOnNodeM = 0.5;
/// A sign node lies on its way; allow for rounding through the projection.
constexpr double kOnWayM = 0.5;

bool is_reverse(const RoadEdge& e) { return !e.id.empty() && e.id[0] == '-'; }

}  // namespace

void place_traffic_signs(const std::vector<SignNode>& signs, RoadNetwork& roads, ImportReport& report) {
  auto skip = [&](const char* why) { ++report.signs_skipped[why]; };
  // A pass-through vertex (degree 2) is not a junction a sign controls.
  const std::vector<int> degree = roads.junction_degrees();
  for (const SignNode& s : signs) {
    int at_junction = -1;
    for (size_t j = 0; j < roads.junctions.size(); ++j)
      if (std::hypot(roads.junctions[j].pos.x - s.pos.x, roads.junctions[j].pos.y - s.pos.y) < kOnNodeM)
        at_junction = static_cast<int>(j);
    if (at_junction >= 0) {
      if (!s.all_way || s.kind != TrafficSign::stop) {
        skip("on the junction node: approach unknown");
        continue;
      }
      roads.junctions[at_junction].all_way_stop = true;
      for (auto& e : roads.edges)
        if (e.to == at_junction) e.sign = TrafficSign::stop;
      ++report.signs_applied;
      continue;
    }
    // The edge the sign stands on, in the direction that has the sign ahead (nearest its end junction).
    int best = -1;
    double best_ahead = kSignReachM;
    for (size_t i = 0; i < roads.edges.size(); ++i) {
      const RoadEdge& e = roads.edges[i];
      const LineProjection p = project_onto(e.shape, s.pos);
      if (p.distance > kOnWayM) continue;
      if (s.direction == "forward" && is_reverse(e)) continue;
      if (s.direction == "backward" && !is_reverse(e)) continue;
      const double ahead = e.length_m - p.along;
      if (ahead < best_ahead) best_ahead = ahead, best = static_cast<int>(i);
    }
    if (best < 0) {
      skip("not on a kept road within 40 m before a junction");
      continue;
    }
    RoadEdge& e = roads.edges[best];
    if (degree[e.to] < 3) {
      skip("the road ahead only continues (no junction)");
      continue;
    }
    if (s.all_way) roads.junctions[e.to].all_way_stop = true;
    e.sign = s.kind;
    ++report.signs_applied;
  }
}

}  // namespace citytwin
