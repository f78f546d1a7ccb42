#include "models/water/city_network.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <numbers>
#include <queue>

#include "engine/core/error.hpp"
#include "engine/core/time.hpp"

namespace citytwin::water {
namespace {

constexpr std::array<double, 13> kDiametersMm{100, 150, 200, 250, 300, 350, 400, 500, 600, 700, 800, 1000, 1200};
// Daily demand per m2 of floor area relative to residential use (order of UseClass).
constexpr std::array<double, kUseClassCount> kUseFactor{1.0, 0.8, 0.6, 1.2, 0.7, 0.4};
// A typical residential diurnal curve, hour 0..23 (normalised to mean 1 below).
constexpr std::array<double, 24> kDiurnal{0.6, 0.5, 0.45, 0.45, 0.5, 0.7, 1.1, 1.5, 1.4, 1.2, 1.1, 1.1,
                                          1.2, 1.1, 1.0, 1.0, 1.1, 1.3, 1.5, 1.4, 1.2, 1.0, 0.8, 0.7};
constexpr double kPeakFactor = 1.8;
constexpr double kFireFlowM3s = 0.015;

double size_diameter_m(double q_m3s, double v_mps) {
  const double d_mm = std::sqrt(4.0 * q_m3s / (std::numbers::pi * v_mps)) * 1000.0;
  for (double d : kDiametersMm)
    if (d >= d_mm) return d / 1000.0;
  return kDiametersMm.back() / 1000.0;
}

void add_pipe(Network& net, const std::string& id, int a, int b, double length_m, double diameter_m, double c,
              std::vector<double> vertices) {
  net.link_index[id] = net.num_links();
  net.link_ids.push_back(id);
  net.link_type.push_back(LinkType::Pipe);
  net.from.push_back(a);
  net.to.push_back(b);
  net.length_m.push_back(std::max(1.0, length_m));
  net.diameter_m.push_back(diameter_m);
  net.roughness.push_back(c);
  net.minor_loss.push_back(0.0);
  net.init_status.push_back(LinkStatus::Open);
  net.init_setting.push_back(kMissing);
  net.link_vertices.push_back(std::move(vertices));
}

}  // namespace

Network generate_city_network(const City& city, const CityNetworkOptions& o) {
  const auto& roads = city.roads;
  const int nj = static_cast<int>(roads.junctions.size());
  if (nj == 0 || roads.edges.empty()) throw InputError(city.source + ": the city has no roads to lay pipes along");
  Network net;
  net.title = "citytwin: water network generated from " + city.source + " (" + city.crs + ", local metres)";
  net.units.flow_units = FlowUnits::LPS;
  net.units.si = true;
  net.units.pressure_units = PressureUnits::METERS;
  net.options.headloss = HeadlossFormula::HazenWilliams;
  net.options.trials = 200;
  net.options.extra_trials = 10;
  net.times.duration = 24 * 3600;
  net.times.hydraulic_step = net.times.pattern_step = net.times.report_step = 3600;
  net.times.quality_step = 300;
  net.times.rule_step = 360;

  // Diurnal pattern "1".
  Pattern diurnal{"1", {}};
  double mean = 0;
  for (double f : kDiurnal) mean += f / 24.0;
  for (double f : kDiurnal) diurnal.factors.push_back(f / mean);
  net.patterns.push_back(diurnal);
  net.pattern_index["1"] = 0;
  net.options.default_pattern = 0;

  // Building demands to the nearest junction.
  std::vector<double> demand(nj, 0.0);
  double total = 0, cx = 0, cy = 0;
  for (const auto& b : city.buildings) {
    const double q = b.floor_area_m2 * o.litres_per_m2_day * kUseFactor[static_cast<int>(b.use)] / 1000.0 / kSecondsPerDay;
    if (q <= 0) continue;
    int best = 0;
    double best_d2 = std::numeric_limits<double>::infinity();
    for (int j = 0; j < nj; ++j) {
      const double dx = roads.junctions[j].pos.x - b.centroid.x, dy = roads.junctions[j].pos.y - b.centroid.y;
      const double d2 = dx * dx + dy * dy;
      if (d2 < best_d2) best_d2 = d2, best = j;
    }
    demand[best] += q;
    total += q;
    cx += q * b.centroid.x;
    cy += q * b.centroid.y;
  }
  // Source: the junction nearest the demand-weighted centre.
  int source = 0;
  if (total > 0) {
    cx /= total;
    cy /= total;
    double best = std::numeric_limits<double>::infinity();
    for (int j = 0; j < nj; ++j) {
      const double dx = roads.junctions[j].pos.x - cx, dy = roads.junctions[j].pos.y - cy;
      if (dx * dx + dy * dy < best) best = dx * dx + dy * dy, source = j;
    }
  }

  // Junctions.
  net.num_junctions = nj;
  for (int j = 0; j < nj; ++j) {
    const std::string id = "J" + std::to_string(j + 1);
    net.node_index[id] = j;
    net.node_ids.push_back(id);
    net.node_type.push_back(NodeType::Junction);
    net.elevation_m.push_back(0.0);
    net.x.push_back(roads.junctions[j].pos.x);
    net.y.push_back(roads.junctions[j].pos.y);
    net.demand_begin.push_back(static_cast<int>(net.demand_base_m3s.size()));
    net.demand_base_m3s.push_back(demand[j]);
    net.demand_pattern.push_back(0);
    net.demand_category.push_back("");
  }
  net.demand_begin.push_back(static_cast<int>(net.demand_base_m3s.size()));
  // Reservoir, 50 m from the source junction.
  const int res = nj;
  net.node_index["R1"] = res;
  net.node_ids.push_back("R1");
  net.node_type.push_back(NodeType::Reservoir);
  net.elevation_m.push_back(o.supply_head_m);
  net.x.push_back(roads.junctions[source].pos.x + 50.0);
  net.y.push_back(roads.junctions[source].pos.y);
  Tank reservoir;
  reservoir.node = res;
  reservoir.init_head_m = reservoir.min_head_m = reservoir.max_head_m = o.supply_head_m;
  net.tanks.push_back(reservoir);
  net.emitter_coeff.assign(net.num_nodes(), 0.0);

  // One pipe per street.
  struct Street {
    int a, b;
    double length;
    std::vector<double> vertices;
  };
  std::vector<Street> streets;
  for (size_t e = 0; e < roads.edges.size(); ++e) {
    const RoadEdge& edge = roads.edges[e];
    if (edge.from == edge.to) continue;
    if (edge.reverse >= 0 && static_cast<size_t>(edge.reverse) < e) continue;
    Street s{edge.from, edge.to, edge.length_m, {}};
    for (size_t i = 1; i + 1 < edge.shape.size(); ++i) {
      s.vertices.push_back(edge.shape[i].x);
      s.vertices.push_back(edge.shape[i].y);
    }
    streets.push_back(std::move(s));
  }
  // Shortest-path tree from the source (Dijkstra on street lengths) and peak design flows.
  std::vector<std::vector<std::pair<int, int>>> adj(nj);  // (neighbour, street)
  for (size_t s = 0; s < streets.size(); ++s) {
    adj[streets[s].a].emplace_back(streets[s].b, static_cast<int>(s));
    adj[streets[s].b].emplace_back(streets[s].a, static_cast<int>(s));
  }
  std::vector<double> dist(nj, std::numeric_limits<double>::infinity());
  std::vector<int> parent_street(nj, -1), order;
  using Item = std::pair<double, int>;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> pq;
  dist[source] = 0;
  pq.emplace(0.0, source);
  std::vector<char> done(nj, 0);
  while (!pq.empty()) {
    const auto [d, u] = pq.top();
    pq.pop();
    if (done[u]) continue;
    done[u] = 1;
    order.push_back(u);
    for (const auto& [v, s] : adj[u]) {
      const double nd = d + std::max(1.0, streets[s].length);
      if (nd < dist[v]) dist[v] = nd, parent_street[v] = s, pq.emplace(nd, v);
    }
  }
  std::vector<double> downstream(nj, 0.0), street_flow(streets.size(), 0.0);
  for (int j = 0; j < nj; ++j) downstream[j] = demand[j];
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const int u = *it;
    const int s = parent_street[u];
    if (s < 0) continue;
    street_flow[s] = downstream[u];
    const int p = streets[s].a == u ? streets[s].b : streets[s].a;
    downstream[p] += downstream[u];
  }
  for (size_t s = 0; s < streets.size(); ++s) {
    const double q = street_flow[s] > 0 ? kPeakFactor * street_flow[s] + kFireFlowM3s : 0.0;
    const double d = q > 0 ? size_diameter_m(q, o.design_velocity_mps) : kDiametersMm.front() / 1000.0;
    add_pipe(net, "P" + std::to_string(s + 1), streets[s].a, streets[s].b, streets[s].length, d, o.hazen_williams_c,
             std::move(streets[s].vertices));
  }
  add_pipe(net, "MAIN", res, source, 50.0, size_diameter_m(kPeakFactor * total + kFireFlowM3s, o.design_velocity_mps),
           o.hazen_williams_c, {});
  // Junctions that no street reaches (cannot happen on a cleaned road graph) would be rejected by EPANET.
  std::vector<int> degree(net.num_nodes(), 0);
  for (int k = 0; k < net.num_links(); ++k) ++degree[net.from[k]], ++degree[net.to[k]];
  for (int j = 0; j < nj; ++j) {
    if (degree[j] == 0) throw InputError(city.source + ": road junction " + std::to_string(j) + " has no street");
  }
  net.finalize();
  return net;
}

Network tile_network(const Network& net, int copies, double dx_m) {
  Network out = net;
  if (copies <= 1) return out;
  const int nn = net.num_nodes(), nl = net.num_links(), nj = net.num_junctions;
  auto suffix = [](const std::string& id, int c) { return id + "_" + std::to_string(c); };
  // Junctions of every copy first (EPANET's order), then the fixed-grade nodes.
  out.node_ids.clear(), out.node_type.clear(), out.elevation_m.clear(), out.emitter_coeff.clear();
  out.x.clear(), out.y.clear(), out.demand_begin.assign(1, 0), out.demand_base_m3s.clear();
  out.demand_pattern.clear(), out.demand_category.clear(), out.tanks.clear(), out.node_index.clear();
  std::vector<int> new_index(static_cast<size_t>(nn) * copies);
  auto add_node = [&](int c, int n) {
    new_index[static_cast<size_t>(c) * nn + n] = out.num_nodes();
    out.node_index[suffix(net.node_ids[n], c)] = out.num_nodes();
    out.node_ids.push_back(suffix(net.node_ids[n], c));
    out.node_type.push_back(net.node_type[n]);
    out.elevation_m.push_back(net.elevation_m[n]);
    out.emitter_coeff.push_back(net.emitter_coeff.empty() ? 0.0 : net.emitter_coeff[n]);
    out.x.push_back(net.x[n] + c * dx_m);
    out.y.push_back(net.y[n]);
  };
  for (int c = 0; c < copies; ++c) {
    for (int n = 0; n < nj; ++n) {
      add_node(c, n);
      for (int d = net.demand_begin[n]; d < net.demand_begin[n + 1]; ++d) {
        out.demand_base_m3s.push_back(net.demand_base_m3s[d]);
        out.demand_pattern.push_back(net.demand_pattern[d]);
        out.demand_category.push_back(net.demand_category[d]);
      }
      out.demand_begin.push_back(static_cast<int>(out.demand_base_m3s.size()));
    }
  }
  out.num_junctions = out.num_nodes();
  for (int c = 0; c < copies; ++c) {
    for (const Tank& t : net.tanks) {
      add_node(c, t.node);
      Tank copy = t;
      copy.node = out.num_nodes() - 1;
      out.tanks.push_back(copy);
    }
  }
  out.link_ids.clear(), out.link_type.clear(), out.from.clear(), out.to.clear(), out.length_m.clear();
  out.diameter_m.clear(), out.roughness.clear(), out.minor_loss.clear(), out.init_status.clear();
  out.init_setting.clear(), out.link_vertices.clear(), out.link_index.clear(), out.pumps.clear(), out.valves.clear();
  out.controls.clear(), out.rules.clear();
  for (int c = 0; c < copies; ++c) {
    for (int k = 0; k < nl; ++k) {
      out.link_index[suffix(net.link_ids[k], c)] = out.num_links();
      out.link_ids.push_back(suffix(net.link_ids[k], c));
      out.link_type.push_back(net.link_type[k]);
      out.from.push_back(new_index[static_cast<size_t>(c) * nn + net.from[k]]);
      out.to.push_back(new_index[static_cast<size_t>(c) * nn + net.to[k]]);
      out.length_m.push_back(net.length_m[k]);
      out.diameter_m.push_back(net.diameter_m[k]);
      out.roughness.push_back(net.roughness[k]);
      out.minor_loss.push_back(net.minor_loss[k]);
      out.init_status.push_back(net.init_status[k]);
      out.init_setting.push_back(net.init_setting[k]);
      std::vector<double> v = net.link_vertices[k];
      for (size_t i = 0; i < v.size(); i += 2) v[i] += c * dx_m;
      out.link_vertices.push_back(std::move(v));
      if (net.link_type[k] == LinkType::Pump) {
        Pump p = net.pumps[net.link_pump[k]];
        p.link = out.num_links() - 1;
        out.pumps.push_back(p);
      }
      if (is_valve(net.link_type[k])) out.valves.push_back(out.num_links() - 1);
    }
    if (c + 1 < copies && nj > 0) {
      const std::string id = "TIE_" + std::to_string(c);
      out.link_index[id] = out.num_links();
      out.link_ids.push_back(id);
      out.link_type.push_back(LinkType::Pipe);
      out.from.push_back(new_index[static_cast<size_t>(c) * nn]);
      out.to.push_back(new_index[static_cast<size_t>(c + 1) * nn]);
      out.length_m.push_back(std::max(1.0, dx_m));
      out.diameter_m.push_back(0.3);
      out.roughness.push_back(net.options.headloss == HeadlossFormula::HazenWilliams ? 120.0 : net.roughness[0]);
      out.minor_loss.push_back(0.0);
      out.init_status.push_back(LinkStatus::Open);
      out.init_setting.push_back(kMissing);
      out.link_vertices.emplace_back();
    }
  }
  out.finalize();
  return out;
}

}  // namespace citytwin::water
