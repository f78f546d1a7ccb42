// Derives the lane network of a City: turn connections from geometry, conflicts, right of way, signal plans.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "models/traffic/network.hpp"

namespace citytwin::traffic {
namespace {

int class_rank(RoadClass c) {
  switch (c) {
    case RoadClass::motorway: return 9;
    case RoadClass::trunk: return 8;
    case RoadClass::primary: return 7;
    case RoadClass::secondary: return 6;
    case RoadClass::tertiary: return 5;
    case RoadClass::unclassified: return 4;
    case RoadClass::residential: return 3;
    case RoadClass::living_street: return 2;
    case RoadClass::service: return 1;
    case RoadClass::other: return 0;
  }
  return 0;
}

/// Direction of travel where an edge ends (its last segment) and where it starts (its first segment).
Point2 end_heading(const Polyline& s) { return direction(s[s.size() - 2], s.back()); }
Point2 start_heading(const Polyline& s) { return direction(s[0], s[1]); }

double cross(Point2 a, Point2 b) { return a.x * b.y - a.y * b.x; }

/// Proper intersection of segments p1-p2 and q1-q2 (touching at an end point does not count).
bool segments_cross(Point2 p1, Point2 p2, Point2 q1, Point2 q2) {
  auto orient = [](Point2 a, Point2 b, Point2 c) { return cross({b.x - a.x, b.y - a.y}, {c.x - a.x, c.y - a.y}); };
  const double d1 = orient(q1, q2, p1), d2 = orient(q1, q2, p2), d3 = orient(p1, p2, q1), d4 = orient(p1, p2, q2);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

struct Conn {
  int from_edge, from_lane, to_edge, to_lane;  // lanes as index within the edge
  Turn turn;
  double angle;  // signed turn angle, radians, negative = right
};

}  // namespace

Network network_from_city(const RoadNetwork& roads, const CityNetworkOptions& opt) {
  Network net;
  const int nj = static_cast<int>(roads.junctions.size());
  const int ne = static_cast<int>(roads.edges.size());

  for (int e = 0; e < ne; ++e) {
    const RoadEdge& r = roads.edges[e];
    net.edge_id.push_back(r.id);
    net.edge_from.push_back(r.from);
    net.edge_to.push_back(r.to);
    net.edge_length_m.push_back(std::max(r.length_m, 0.1));
    net.edge_speed_mps.push_back(r.speed_mps);
    net.edge_priority.push_back(class_rank(r.road_class));
    net.edge_city.push_back(e);
    Polyline shape = r.shape;
    if (shape.size() < 2) shape = {roads.junctions[r.from].pos, roads.junctions[r.to].pos};
    net.edge_shape.push_back(std::move(shape));
    net.edge_first_lane.push_back(static_cast<std::int32_t>(net.lane_edge.size()));
    const int n = std::max(1, r.lanes);
    for (int l = 0; l < n; ++l) {
      // A two-way street's shape is its centre line: its lanes lie right of it; a one-way's are centred on it.
      net.lane_offset_m.push_back((r.reverse >= 0 ? n - l - 0.5 : n / 2.0 - l - 0.5) * opt.lane_width_m);
      net.lane_edge.push_back(e);
      net.lane_index.push_back(l);
      net.lane_length_m.push_back(net.edge_length_m.back());
      net.lane_speed_mps.push_back(r.speed_mps);
    }
  }
  net.edge_first_lane.push_back(static_cast<std::int32_t>(net.lane_edge.size()));

  std::vector<std::vector<int>> in_edges(nj), out_edges(nj);
  for (int e = 0; e < ne; ++e) {
    in_edges[roads.edges[e].to].push_back(e);
    out_edges[roads.edges[e].from].push_back(e);
  }
  std::vector<std::vector<const TurnRestriction*>> restrictions_from(ne);
  for (const auto& r : roads.restrictions)
    if (r.from_edge >= 0 && r.from_edge < ne) restrictions_from[r.from_edge].push_back(&r);
  // A movement e -> f at junction j is allowed unless a no_* restriction names it, or only_* restrictions
  // from e at j name other targets.
  auto turn_allowed = [&](int e, int j, int f) {
    bool any_only = false, named_by_only = false;
    for (const auto* r : restrictions_from[e]) {
      if (r->via != j) continue;
      if (r->only) {
        any_only = true;
        named_by_only = named_by_only || r->to_edge == f;
      } else if (r->to_edge == f) {
        return false;
      }
    }
    return !any_only || named_by_only;
  };

  auto lane_offset = [&](int e, int lane) { return net.lane_offset_m[net.edge_first_lane[e] + lane]; };

  net.junction_first_link.push_back(0);
  for (int j = 0; j < nj; ++j) {
    const Point2 jp = roads.junctions[j].pos;
    net.junction_id.push_back("j" + std::to_string(j));
    net.junction_pos.push_back(jp);

    // 1. Connections: every in-edge to every out-edge but its own reverse (a U-turn only at a dead end).
    std::vector<Conn> conns;
    for (int e : in_edges[j]) {
      const Point2 ue = end_heading(net.edge_shape[e]);
      struct Target {
        int edge;
        double angle;
        Turn turn;
      };
      std::vector<Target> targets, forbidden;
      for (int f : out_edges[j]) {
        const bool uturn = f == roads.edges[e].reverse;
        if (uturn) continue;
        const Point2 uf = start_heading(net.edge_shape[f]);
        const double a = turn_angle_rad(ue, uf);
        Turn t = std::abs(a) < std::numbers::pi / 6 ? Turn::straight : (a < 0 ? Turn::right : Turn::left);
        if (std::abs(a) > std::numbers::pi * 8 / 9) t = Turn::uturn;
        (turn_allowed(e, j, f) ? targets : forbidden).push_back({f, t == Turn::uturn ? std::numbers::pi : a, t});
      }
      const int reverse = roads.edges[e].reverse;
      const bool other_ways = !forbidden.empty();
      if (targets.empty() && reverse >= 0) {
        if (turn_allowed(e, j, reverse)) targets.push_back({reverse, std::numbers::pi, Turn::uturn});
        else forbidden.push_back({reverse, std::numbers::pi, Turn::uturn});
      }
      if (targets.empty() && !forbidden.empty()) {
        // The restrictions would leave the edge without a way on (e.g. a mapped restriction whose other
        // members fell outside the extract): keep the movements it would have without them.
        ++net.restrictions_overridden;
        if (other_ways && forbidden.back().edge == reverse) forbidden.pop_back();
        targets = std::move(forbidden);
      } else {
        net.forbidden_turns += static_cast<int>(forbidden.size());
      }
      // Rightmost target first, so lanes are shared out from the right.
      std::sort(targets.begin(), targets.end(), [](const Target& a, const Target& b) {
        return a.angle != b.angle ? a.angle < b.angle : a.edge < b.edge;
      });
      const int n = net.edge_lanes(e), k = static_cast<int>(targets.size());
      for (int l = 0; l < n; ++l)
        for (int i = 0; i < k; ++i) {
          // Lane l serves target i when [l/n, (l+1)/n) and [i/k, (i+1)/k) overlap.
          if (!(l * k < (i + 1) * n && i * n < (l + 1) * k)) continue;
          const int m = net.edge_lanes(targets[i].edge);
          int first = 0, last = n - 1;  // from-lanes serving this target
          while (!(first * k < (i + 1) * n && i * n < (first + 1) * k)) ++first;
          while (!(last * k < (i + 1) * n && i * n < (last + 1) * k)) --last;
          const int used = last - first + 1;
          int to = l - first;
          if (used <= m) {
            if (targets[i].turn == Turn::left || targets[i].turn == Turn::uturn) to += m - used;
          } else {
            to = (l - first) * m / used;
          }
          conns.push_back({e, l, targets[i].edge, std::clamp(to, 0, m - 1), targets[i].turn, targets[i].angle});
        }
    }

    // 2. Geometry of each connection's path, for conflicts.
    const int nc = static_cast<int>(conns.size());
    std::vector<Point2> p0(nc), p1(nc), u_in(nc);
    for (int c = 0; c < nc; ++c) {
      const Point2 ui = end_heading(net.edge_shape[conns[c].from_edge]);
      const Point2 uo = start_heading(net.edge_shape[conns[c].to_edge]);
      const double oi = lane_offset(conns[c].from_edge, conns[c].from_lane);
      const double oo = lane_offset(conns[c].to_edge, conns[c].to_lane);
      const double r = opt.junction_radius_m;
      p0[c] = {jp.x - r * ui.x + oi * ui.y, jp.y - r * ui.y - oi * ui.x};
      p1[c] = {jp.x + r * uo.x + oo * uo.y, jp.y + r * uo.y - oo * uo.x};
      u_in[c] = ui;
    }
    std::vector<std::vector<int>> foes(nc);
    for (int a = 0; a < nc; ++a)
      for (int b = a + 1; b < nc; ++b) {
        const bool same_lane = conns[a].from_edge == conns[b].from_edge && conns[a].from_lane == conns[b].from_lane;
        if (same_lane) continue;
        const bool merge = conns[a].to_edge == conns[b].to_edge && conns[a].to_lane == conns[b].to_lane;
        const bool cross_paths =
            conns[a].from_edge != conns[b].from_edge && segments_cross(p0[a], p1[a], p0[b], p1[b]);
        if (merge || cross_paths) {
          foes[a].push_back(b);
          foes[b].push_back(a);
        }
      }

    // 3. Kind of junction. A give-way or stop sign puts its approach below every unsigned one of any class.
    auto rank = [&](int e) { return net.edge_priority[e] + (roads.edges[e].sign == TrafficSign::none ? 1000 : 0); };
    int max_rank = -1, at_max = 0;
    for (int e : in_edges[j]) max_rank = std::max(max_rank, rank(e));
    for (int e : in_edges[j]) at_max += rank(e) == max_rank;
    bool any_foe = false;
    for (const auto& f : foes) any_foe = any_foe || !f.empty();
    JunctionKind kind = JunctionKind::priority;
    if (roads.junctions[j].signalised && !conns.empty())
      kind = JunctionKind::traffic_light;
    else if (!any_foe)
      kind = JunctionKind::dead_end;
    else if (at_max >= 3 || roads.junctions[j].all_way_stop)
      kind = JunctionKind::all_way;
    net.junction_kind.push_back(kind);

    // 4. Right of way: who yields to whom among conflicting links.
    auto is_turn_across = [](Turn t) { return t == Turn::left || t == Turn::uturn; };
    auto yields = [&](int a, int b) {
      const int ra = rank(conns[a].from_edge), rb = rank(conns[b].from_edge);
      if (kind == JunctionKind::priority && ra != rb) return ra < rb;
      // Two lanes of one approach merging into one lane: the left lane gives way.
      if (conns[a].from_edge == conns[b].from_edge) return conns[a].from_lane > conns[b].from_lane;
      const bool la = is_turn_across(conns[a].turn), lb = is_turn_across(conns[b].turn);
      if (la != lb) return la;
      // Same kind of movement: the one coming from the right goes first.
      const Point2 from_b{-u_in[b].x, -u_in[b].y};
      return cross(u_in[a], from_b) < -1e-9;
    };
    std::vector<std::vector<int>> response(nc);
    for (int a = 0; a < nc; ++a)
      for (int b : foes[a])
        if (yields(a, b) && !yields(b, a)) response[a].push_back(b);

    // 5. Signal program: approaches grouped by axis, one green phase per group, each followed by yellow.
    if (kind == JunctionKind::traffic_light) {
      std::vector<int> group_of_edge(ne, -1);
      std::vector<Point2> axis;
      for (int e : in_edges[j]) {
        const Point2 u = end_heading(net.edge_shape[e]);
        int g = -1;
        for (size_t k = 0; k < axis.size() && g < 0; ++k)
          if (std::abs(u.x * axis[k].x + u.y * axis[k].y) > std::cos(std::numbers::pi / 4)) g = static_cast<int>(k);
        if (g < 0) {
          g = static_cast<int>(axis.size());
          axis.push_back(u);
        }
        group_of_edge[e] = g;
      }
      const int groups = static_cast<int>(axis.size());
      SignalProgram prog;
      if (groups == 1) {
        // A signal on a plain street (a pedestrian crossing): cars get most of the cycle.
        const double red = std::min(opt.cycle_s / 4, 20.0);
        prog.phases.push_back({opt.cycle_s - red - opt.yellow_s, std::string(nc, 'G')});
        prog.phases.push_back({opt.yellow_s, std::string(nc, 'y')});
        prog.phases.push_back({red, std::string(nc, 'r')});
      } else {
        const double green = std::max(5.0, (opt.cycle_s - groups * opt.yellow_s) / groups);
        for (int g = 0; g < groups; ++g) {
          std::string st(nc, 'r'), yl(nc, 'r');
          for (int c = 0; c < nc; ++c) {
            if (group_of_edge[conns[c].from_edge] != g) continue;
            bool yields_to_green = false;
            for (int b : response[c]) yields_to_green = yields_to_green || group_of_edge[conns[b].from_edge] == g;
            st[c] = yields_to_green ? 'g' : 'G';
            yl[c] = 'y';
          }
          prog.phases.push_back({green, st});
          prog.phases.push_back({opt.yellow_s, yl});
        }
      }
      net.junction_program.push_back(static_cast<std::int32_t>(net.programs.size()));
      net.programs.push_back(std::move(prog));
    } else {
      net.junction_program.push_back(-1);
    }

    // 6. Store, with global connection indices.
    const int base = net.connections();
    for (int c = 0; c < nc; ++c) {
      net.conn_from_lane.push_back(net.edge_first_lane[conns[c].from_edge] + conns[c].from_lane);
      net.conn_to_lane.push_back(net.edge_first_lane[conns[c].to_edge] + conns[c].to_lane);
      net.conn_junction.push_back(j);
      net.conn_link.push_back(c);
      net.conn_turn.push_back(conns[c].turn);
      net.conn_stop.push_back(kind != JunctionKind::traffic_light &&
                              roads.edges[conns[c].from_edge].sign == TrafficSign::stop);
      net.conn_first_foe.push_back(static_cast<std::int32_t>(net.conn_foe.size()));
      for (int b : foes[c]) net.conn_foe.push_back(base + b);
      net.conn_first_response.push_back(static_cast<std::int32_t>(net.conn_response.size()));
      for (int b : response[c]) net.conn_response.push_back(base + b);
    }
    net.junction_first_link.push_back(net.connections());
  }
  net.conn_first_foe.push_back(static_cast<std::int32_t>(net.conn_foe.size()));
  net.conn_first_response.push_back(static_cast<std::int32_t>(net.conn_response.size()));
  net.finalise();
  return net;
}

}  // namespace citytwin::traffic
