#include "models/water/districts.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include <boost/geometry.hpp>
#include <boost/geometry/geometries/multi_point.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>

namespace citytwin::water {
namespace {

double base_demand(const Network& net, int j) {
  double sum = 0;
  for (int d = net.demand_begin[j]; d < net.demand_begin[j + 1]; ++d) sum += std::max(0.0, net.demand_base_m3s[d]);
  return sum;
}

/// Splits nodes into count groups, appended to out in order (the lower side of each cut first).
void bisect(const Network& net, std::vector<int> nodes, int count, std::vector<std::vector<int>>& out) {
  if (count == 1) {
    std::sort(nodes.begin(), nodes.end());
    out.push_back(std::move(nodes));
    return;
  }
  Box2 box;
  for (int n : nodes) box.add(Point2{net.x[n], net.y[n]});
  const bool along_x = box.max_x - box.min_x >= box.max_y - box.min_y;
  auto coord = [&](int n) { return along_x ? net.x[n] : net.y[n]; };
  std::sort(nodes.begin(), nodes.end(), [&](int a, int b) { return coord(a) != coord(b) ? coord(a) < coord(b) : a < b; });
  std::vector<double> w(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) w[i] = base_demand(net, nodes[i]);
  double total = std::accumulate(w.begin(), w.end(), 0.0);
  if (total <= 0) std::fill(w.begin(), w.end(), 1.0), total = static_cast<double>(w.size());
  const int low = count / 2;
  const double target = total * low / count;
  // The cut leaves at least `low` nodes below and count - low above, so every district gets a node.
  size_t cut = static_cast<size_t>(low);
  double sum = std::accumulate(w.begin(), w.begin() + low, 0.0);
  while (cut < nodes.size() - static_cast<size_t>(count - low) && sum + w[cut] / 2 < target) sum += w[cut++];
  bisect(net, std::vector<int>(nodes.begin(), nodes.begin() + static_cast<long>(cut)), low, out);
  bisect(net, std::vector<int>(nodes.begin() + static_cast<long>(cut), nodes.end()), count - low, out);
}

/// Every link whose ends lie in different districts meters the one (or two) it enters or leaves.
void add_boundary_meters(const Network& net, Districts& d) {
  for (int k = 0; k < net.num_links(); ++k) {
    const int a = d.of_node[net.from[k]], b = d.of_node[net.to[k]];
    if (a == b) continue;
    if (b >= 0) d.list[b].meters.push_back({k, +1});
    if (a >= 0) d.list[a].meters.push_back({k, -1});
  }
}

struct Graph {
  std::vector<std::vector<std::pair<int, int>>> adjacent;  ///< per node: (link, other node)
  explicit Graph(const Network& net) : adjacent(net.num_nodes()) {
    for (int k = 0; k < net.num_links(); ++k) {
      if (net.init_status[k] == LinkStatus::Closed) continue;
      adjacent[net.from[k]].push_back({k, net.to[k]});
      adjacent[net.to[k]].push_back({k, net.from[k]});
    }
  }
  /// Nodes reached from start without crossing a blocked link; sets reservoir when one is among them.
  std::vector<int> reach(const Network& net, int start, const std::vector<char>& blocked, bool& reservoir) const {
    std::vector<char> seen(adjacent.size(), 0);
    std::vector<int> out{start};
    seen[start] = 1;
    reservoir = false;
    for (size_t i = 0; i < out.size(); ++i) {
      const int n = out[i];
      if (net.node_type[n] == NodeType::Reservoir) reservoir = true;
      for (const auto& [k, m] : adjacent[n])
        if (!blocked[k] && !seen[m]) seen[m] = 1, out.push_back(m);
    }
    return out;
  }
};

}  // namespace

double Districts::net_inflow(size_t d, std::span<const double> link_flows) const {
  double q = 0;
  for (const auto& m : list[d].meters) q += m.sign * link_flows[m.link];
  return q;
}

Districts partition_districts(const Network& net, int count) {
  std::vector<int> located;
  for (int j = 0; j < net.num_junctions; ++j)
    if (std::isfinite(net.x[j]) && std::isfinite(net.y[j])) located.push_back(j);
  if (static_cast<int>(located.size()) < count)
    throw InputError({}, "districts = " + std::to_string(count) + ": the network has only " + std::to_string(located.size()) +
                             " junctions with coordinates");
  std::vector<std::vector<int>> groups;
  bisect(net, std::move(located), count, groups);
  Districts d;
  d.of_node.assign(net.num_nodes(), -1);
  for (size_t g = 0; g < groups.size(); ++g) {
    for (int n : groups[g]) d.of_node[n] = static_cast<int>(g);
    d.list.push_back({"DMA" + std::to_string(g + 1), std::move(groups[g]), {}});
  }
  add_boundary_meters(net, d);
  return d;
}

Districts districts_behind_meters(const Network& net, const std::vector<ZoneMeters>& zones) {
  std::vector<char> blocked(net.num_links(), 0);
  std::vector<std::vector<int>> links(zones.size());
  for (size_t z = 0; z < zones.size(); ++z)
    for (const auto& id : zones[z].links) {
      const auto it = net.link_index.find(id);
      if (it == net.link_index.end())
        throw InputError(zones[z].where, "zone \"" + zones[z].zone + "\": no link \"" + id + "\" in the network to meter");
      blocked[it->second] = 1;
      links[z].push_back(it->second);
    }
  const Graph graph(net);
  Districts d;
  d.of_node.assign(net.num_nodes(), -1);
  for (size_t z = 0; z < zones.size(); ++z) {
    District district{zones[z].zone, {}, {}};
    for (int k : links[z]) {
      bool res_from = false, res_to = false;
      const auto from_side = graph.reach(net, net.from[k], blocked, res_from);
      const auto to_side = graph.reach(net, net.to[k], blocked, res_to);
      const std::string meter = "zone \"" + zones[z].zone + "\", meter on link \"" + net.link_ids[k] + "\": ";
      if (res_from == res_to)
        throw InputError(zones[z].where, meter + (res_from ? "both sides reach a reservoir: the district is not closed (close its "
                                                             "boundary valves in the network file, or meter every pipe into it)"
                                                           : "neither side reaches a reservoir, so the district cannot be told from "
                                                             "the rest"));
      district.meters.push_back({k, res_from ? +1 : -1});
      const auto& inner = res_from ? to_side : from_side;
      district.nodes.insert(district.nodes.end(), inner.begin(), inner.end());
    }
    std::sort(district.nodes.begin(), district.nodes.end());
    district.nodes.erase(std::unique(district.nodes.begin(), district.nodes.end()), district.nodes.end());
    for (int n : district.nodes) {
      if (d.of_node[n] >= 0)
        throw InputError(zones[z].where, "zone \"" + zones[z].zone + "\" overlaps zone \"" + d.list[d.of_node[n]].id +
                                             "\" at node \"" + net.node_ids[n] + "\"");
      d.of_node[n] = static_cast<int>(d.list.size());
    }
    d.list.push_back(std::move(district));
  }
  return d;
}

Ring district_outline(const Network& net, const District& d) {
  namespace bg = boost::geometry;
  using P = bg::model::d2::point_xy<double>;
  bg::model::multi_point<P> points;
  for (int n : d.nodes)
    if (std::isfinite(net.x[n]) && std::isfinite(net.y[n])) points.push_back(P(net.x[n], net.y[n]));
  bg::model::polygon<P> hull;
  bg::convex_hull(points, hull);
  Ring ring;
  for (const auto& p : hull.outer()) ring.push_back({p.x(), p.y()});
  if (ring.size() > 1) ring.pop_back();  // boost closes the ring; ours is closed implicitly
  return ring;
}

}  // namespace citytwin::water
