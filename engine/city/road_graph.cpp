#include "engine/city/road_graph.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>
#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace citytwin {
namespace {

struct PointKey {
  double x, y;
  bool operator==(const PointKey& o) const { return x == o.x && y == o.y; }
};
struct PointKeyHash {
  size_t operator()(const PointKey& k) const {
    return std::hash<double>()(k.x) * 1000003u ^ std::hash<double>()(k.y);
  }
};

enum class Direction { both, forward, backward };

Direction way_direction(const RoadWay& way) {
  auto tag = [&](const char* k) {
    auto it = way.tags.find(k);
    return it == way.tags.end() ? std::string() : it->second;
  };
  const std::string oneway = tag("oneway");
  if (oneway == "yes" || oneway == "true" || oneway == "1") return Direction::forward;
  if (oneway == "-1" || oneway == "reverse") return Direction::backward;
  if (oneway == "no" || oneway == "false" || oneway == "0") return Direction::both;
  const std::string junction = tag("junction");
  if (junction == "roundabout" || junction == "circular") return Direction::forward;
  if (way.road_class == RoadClass::motorway) return Direction::forward;
  return Direction::both;
}

struct LaneSplit {
  int forward, backward;
};

LaneSplit lanes_for(const RoadWay& way, Direction dir) {
  auto tag_lanes = [&](const char* k) -> std::optional<int> {
    auto it = way.tags.find(k);
    return it == way.tags.end() ? std::nullopt : parse_lanes(it->second);
  };
  const int def = road_defaults(way.road_class).lanes_per_direction;
  auto total = tag_lanes("lanes");
  if (dir != Direction::both) {
    int n = total.value_or(def);
    return {n, n};
  }
  int fwd = tag_lanes("lanes:forward").value_or(total ? std::max(1, *total / 2) : def);
  int bwd = tag_lanes("lanes:backward").value_or(total ? std::max(1, *total - fwd) : def);
  return {fwd, bwd};
}

double speed_for(const RoadWay& way) {
  auto it = way.tags.find("maxspeed");
  if (it != way.tags.end())
    if (auto v = parse_speed_mps(it->second)) return *v;
  return road_defaults(way.road_class).speed_kmh / 3.6;
}

/// Keeps the junctions and edges of the largest strongly connected component.
void keep_largest_component(RoadNetwork& net, ImportReport& report) {
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  const int n = static_cast<int>(net.junctions.size());
  Graph g(n);
  for (const auto& e : net.edges) boost::add_edge(e.from, e.to, g);
  std::vector<int> component(n);
  int count = n == 0 ? 0 : boost::strong_components(g, component.data());
  std::vector<int> size(count, 0);
  for (int c : component) ++size[c];
  int largest = 0;
  for (int c = 1; c < count; ++c)
    if (size[c] > size[largest]) largest = c;
  report.components_dropped = std::max(0, count - 1);

  std::vector<int> new_index(n, -1);
  std::vector<Junction> junctions;
  for (int j = 0; j < n; ++j)
    if (component[j] == largest) {
      new_index[j] = static_cast<int>(junctions.size());
      junctions.push_back(net.junctions[j]);
    }
  std::vector<int> new_edge(net.edges.size(), -1);
  std::vector<RoadEdge> edges;
  for (size_t i = 0; i < net.edges.size(); ++i) {
    const auto& e = net.edges[i];
    if (new_index[e.from] < 0 || new_index[e.to] < 0) continue;
    new_edge[i] = static_cast<int>(edges.size());
    edges.push_back(e);
    edges.back().from = new_index[e.from];
    edges.back().to = new_index[e.to];
  }
  for (auto& e : edges)
    if (e.reverse >= 0) e.reverse = new_edge[e.reverse];
  report.junctions_dropped = n - static_cast<int>(junctions.size());
  report.edges_dropped = static_cast<int>(net.edges.size() - edges.size());
  net.junctions = std::move(junctions);
  net.edges = std::move(edges);
}

}  // namespace

RoadNetwork build_road_network(const std::vector<RoadWay>& ways, const std::vector<Point2>& signals,
                               ImportReport& report) {
  // A vertex is a junction when it ends a way or is shared by several ways (or twice by one).
  std::unordered_map<PointKey, int, PointKeyHash> uses;
  for (const auto& w : ways) {
    for (size_t i = 0; i < w.points.size(); ++i) {
      int weight = (i == 0 || i + 1 == w.points.size()) ? 2 : 1;
      uses[{w.points[i].x, w.points[i].y}] += weight;
    }
  }
  RoadNetwork net;
  std::unordered_map<PointKey, int, PointKeyHash> junction_of;
  auto junction_at = [&](const Point2& p) {
    auto [it, inserted] = junction_of.try_emplace({p.x, p.y}, static_cast<int>(net.junctions.size()));
    if (inserted) net.junctions.push_back({p, false});
    return it->second;
  };

  for (const auto& w : ways) {
    if (w.points.size() < 2) continue;
    const Direction dir = way_direction(w);
    const LaneSplit lanes = lanes_for(w, dir);
    const double speed = speed_for(w);
    auto name_it = w.tags.find("name");
    const std::string name = name_it == w.tags.end() ? std::string() : name_it->second;
    Polyline segment{w.points[0]};
    int start = junction_at(w.points[0]);
    int piece = 0;
    for (size_t i = 1; i < w.points.size(); ++i) {
      const Point2& p = w.points[i];
      if (p.x == segment.back().x && p.y == segment.back().y) continue;
      segment.push_back(p);
      bool is_junction = i + 1 == w.points.size() || uses[{p.x, p.y}] > 1;
      if (!is_junction) continue;
      int end = junction_at(p);
      const double length = polyline_length(segment);
      if (start != end && length > 0) {
        RoadEdge e;
        e.length_m = length;
        e.speed_mps = speed;
        e.road_class = w.road_class;
        e.oneway = dir != Direction::both;
        e.name = name;
        const std::string id = w.id + "#" + std::to_string(piece);
        int fwd_index = -1;
        if (dir != Direction::backward) {
          e.from = start, e.to = end, e.lanes = lanes.forward, e.shape = segment, e.id = id;
          fwd_index = static_cast<int>(net.edges.size());
          net.edges.push_back(e);
        }
        if (dir != Direction::forward) {
          e.from = end, e.to = start, e.lanes = lanes.backward, e.id = "-" + id;
          e.shape.assign(segment.rbegin(), segment.rend());
          e.reverse = fwd_index;
          if (fwd_index >= 0) net.edges[fwd_index].reverse = static_cast<int>(net.edges.size());
          net.edges.push_back(e);
        }
      }
      ++piece;
      start = end;
      segment = {p};
    }
  }
  report.graph_junctions_before_cleaning = static_cast<int>(net.junctions.size());
  report.graph_edges_before_cleaning = static_cast<int>(net.edges.size());

  // Signals: at a junction vertex, or snapped to the nearest junction of degree >= 3 nearby.
  const std::vector<int> degree = net.junction_degrees();
  for (const Point2& s : signals) {
    if (auto it = junction_of.find({s.x, s.y}); it != junction_of.end() && degree[it->second] >= 3) {
      net.junctions[it->second].signalised = true;
      continue;
    }
    int best = -1;
    double best_d = kSignalSnapM;
    for (size_t j = 0; j < net.junctions.size(); ++j) {
      if (degree[j] < 3) continue;
      double d = std::hypot(net.junctions[j].pos.x - s.x, net.junctions[j].pos.y - s.y);
      if (d < best_d) best_d = d, best = static_cast<int>(j);
    }
    if (best >= 0) net.junctions[best].signalised = true;
  }
  keep_largest_component(net, report);
  return net;
}

}  // namespace citytwin
