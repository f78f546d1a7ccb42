#include "models/energy/grid/city_grid.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <numbers>
#include <queue>
#include <stdexcept>

#include "engine/core/error.hpp"
#include "engine/geo/spatial_index.hpp"

namespace citytwin::energy {
namespace {

double dist2(const Point2& a, const Point2& b) { return (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y); }

// Aluminium XLPE 12/20 kV single-core cables in trefoil, buried. Resistance: IEC 60228 class 2 aluminium, d.c.
// at 20 C; reactance, capacitance and current rating: typical values of manufacturers' tables for this
// cable family (assumption of the order of those tables, not one manufacturer's figures).
constexpr CableType kCables[] = {
    {95, 0.320, 0.12, 210, 240},
    {150, 0.206, 0.11, 250, 300},
    {240, 0.125, 0.10, 300, 390},
    {400, 0.0778, 0.095, 360, 490},
};

}  // namespace

std::span<const CableType> cable_types() { return kCables; }

CityGrid generate_city_grid(const City& city, const CityGridParams& p) {
  const auto& junctions = city.roads.junctions;
  const auto& edges = city.roads.edges;
  if (junctions.empty() || city.buildings.empty())
    throw InputError(SourceLocation{city.source, 0, {}}, "a grid needs roads and buildings");
  if (p.design_load_w.size() != city.buildings.size())
    throw std::logic_error("generate_city_grid: design_load_w needs one entry per building");
  const int nj = static_cast<int>(junctions.size());
  std::vector<Point2> jpos(nj);
  for (int j = 0; j < nj; ++j) jpos[j] = junctions[j].pos;

  // Undirected street graph (one entry per street: a two-way street's reverse edge is skipped).
  std::vector<std::vector<std::pair<int, int>>> adj(nj);  // (neighbour, edge)
  for (size_t e = 0; e < edges.size(); ++e) {
    const auto& ed = edges[e];
    if (ed.reverse >= 0 && ed.reverse < static_cast<int>(e)) continue;
    adj[ed.from].emplace_back(ed.to, static_cast<int>(e));
    adj[ed.to].emplace_back(ed.from, static_cast<int>(e));
  }
  std::vector<char> connected(nj, 0);
  for (int j = 0; j < nj; ++j) connected[j] = !adj[j].empty();

  // Substations: weighted k-means on building centroids (floor area), seeded with spread-out buildings.
  const int k = std::max(1, std::min<int>(p.substations, static_cast<int>(city.buildings.size())));
  std::vector<Point2> centre(k);
  centre[0] = city.buildings[0].centroid;
  for (int c = 1; c < k; ++c) {  // farthest-point initialisation (deterministic)
    double far = -1;
    for (const auto& b : city.buildings) {
      double d = std::numeric_limits<double>::infinity();
      for (int q = 0; q < c; ++q) d = std::min(d, dist2(b.centroid, centre[q]));
      if (d > far) far = d, centre[c] = b.centroid;
    }
  }
  for (int it = 0; it < 20; ++it) {
    std::vector<double> sx(k, 0), sy(k, 0), sw(k, 0);
    const PointIndex centres(centre);
    for (const auto& b : city.buildings) {
      int c = centres.nearest(b.centroid);
      double w = std::max(b.floor_area_m2, 1.0);
      sx[c] += w * b.centroid.x, sy[c] += w * b.centroid.y, sw[c] += w;
    }
    for (int c = 0; c < k; ++c)
      if (sw[c] > 0) centre[c] = {sx[c] / sw[c], sy[c] / sw[c]};
  }
  std::vector<int> root(k);
  const PointIndex connected_junctions(jpos, connected);
  for (int c = 0; c < k; ++c) root[c] = connected_junctions.nearest(centre[c]);

  // Multi-source Dijkstra over street lengths: each junction's feeder path to its nearest substation.
  std::vector<double> d(nj, std::numeric_limits<double>::infinity());
  std::vector<int> parent_edge(nj, -1), parent(nj, -1), owner(nj, -1);
  using Item = std::pair<double, int>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
  for (int c = 0; c < k; ++c)
    if (owner[root[c]] < 0) d[root[c]] = 0, owner[root[c]] = c, queue.emplace(0.0, root[c]);
  while (!queue.empty()) {
    auto [dj, j] = queue.top();
    queue.pop();
    if (dj > d[j]) continue;
    for (auto [n, e] : adj[j]) {
      double nd = dj + edges[e].length_m;
      if (nd < d[n]) d[n] = nd, parent[n] = j, parent_edge[n] = e, owner[n] = owner[j], queue.emplace(nd, n);
    }
  }

  // Buildings on their nearest reachable junction; keep the tree paths that serve them.
  std::vector<char> reachable(nj), used(nj, 0);
  for (int j = 0; j < nj; ++j) reachable[j] = owner[j] >= 0;
  CityGrid out;
  std::vector<int> building_junction(city.buildings.size());
  const PointIndex reachable_junctions(jpos, reachable);
  for (size_t i = 0; i < city.buildings.size(); ++i) {
    int j = reachable_junctions.nearest(city.buildings[i].centroid);
    building_junction[i] = j;
    for (int x = j; x >= 0 && !used[x]; x = parent[x]) used[x] = 1;
  }
  for (int c = 0; c < k; ++c) used[root[c]] = 1;

  // Design load below each junction: the buildings' design loads summed up the tree, farthest junctions
  // first (no diversity factor: the sum of building peaks bounds any coincident peak).
  std::vector<double> below(nj, 0.0);
  for (size_t i = 0; i < city.buildings.size(); ++i) below[building_junction[i]] += std::max(p.design_load_w[i], 0.0);
  std::vector<int> order;
  for (int j = 0; j < nj; ++j)
    if (used[j]) order.push_back(j);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return d[a] > d[b] || (d[a] == d[b] && a > b); });
  for (int j : order)
    if (parent[j] >= 0) below[parent[j]] += below[j];
  // Current of a design load at the MV voltage and design power factor.
  auto design_current_a = [&](double w) { return w / p.power_factor / (std::sqrt(3.0) * p.mv_kv * 1e3); };

  GridCase& g = out.grid;
  g.file = "generated grid of " + city.source;
  g.base_va = 100e6;
  auto add_bus = [&](BusType type, double kv) {
    GridBus b;
    b.id = static_cast<long>(g.buses.size()) + 1;
    b.type = type;
    b.base_kv = kv;
    b.vmax_pu = 1.05;
    b.vmin_pu = 0.95;
    g.bus_index[b.id] = static_cast<int>(g.buses.size());
    g.buses.push_back(b);
    return static_cast<int>(g.buses.size()) - 1;
  };
  std::vector<int> jbus(nj, -1);
  for (int c = 0; c < k; ++c) {
    int hv = add_bus(BusType::ref, p.hv_kv);
    out.substation_bus.push_back(hv);
    out.substation_pos.push_back(jpos[root[c]]);
    GridGenerator gen;
    gen.bus = hv;
    gen.vg_pu = 1.0;
    gen.qmax_var = 1e9, gen.qmin_var = -1e9, gen.pmax_w = 1e9;
    g.generators.push_back(gen);
  }
  for (int j = 0; j < nj; ++j)
    if (used[j]) jbus[j] = add_bus(BusType::pq, p.mv_kv);
  // 110/20 kV transformers in parallel (one branch): at least two per substation (one may fail), more when
  // the design load needs them.
  for (int c = 0; c < k; ++c) {
    GridBranch t;
    t.from = out.substation_bus[c];
    t.to = jbus[root[c]];
    const double design_va = below[root[c]] / p.power_factor;
    const int units = std::max(2, static_cast<int>(std::ceil(design_va / (p.design_loading * p.transformer_mva * 1e6))));
    const double rating = units * p.transformer_mva * 1e6;
    t.x_pu = p.transformer_x_pu * g.base_va / rating;
    t.r_pu = p.transformer_r_pu * g.base_va / rating;
    t.rate_a_va = rating;
    t.tap = 1.0;
    g.branches.push_back(t);
    out.branch_substation.push_back(c);
    out.branch_ids.push_back("T" + std::to_string(c + 1));
    out.branch_circuits.push_back(units);
    out.branch_cross_section_mm2.push_back(0);
    out.branch_design_load_w.push_back(below[root[c]]);
    const Point2 s = jpos[root[c]];
    out.branch_shapes.push_back({{s.x - 15, s.y - 15}, s});
  }
  const double z_base = p.mv_kv * p.mv_kv * 1e6 / g.base_va;
  for (int j = 0; j < nj; ++j) {
    if (!used[j] || parent[j] < 0) continue;
    const auto& e = edges[parent_edge[j]];
    const double km = e.length_m / 1000;
    // The smallest conductor that carries the design current within the design loading, else parallel
    // circuits of the largest.
    const double current = design_current_a(below[j]);
    const CableType* cable = &kCables[std::size(kCables) - 1];
    int circuits = 1;
    for (const auto& c : kCables)
      if (current <= p.design_loading * c.rating_a) {
        cable = &c;
        break;
      }
    if (current > p.design_loading * cable->rating_a)
      circuits = static_cast<int>(std::ceil(current / (p.design_loading * cable->rating_a)));
    GridBranch l;
    l.from = jbus[parent[j]];
    l.to = jbus[j];
    l.r_pu = std::max(cable->r_ohm_km * km, 1e-4) / circuits / z_base;
    l.x_pu = std::max(cable->x_ohm_km * km, 1e-4) / circuits / z_base;
    l.b_pu = circuits * 2 * std::numbers::pi * 50 * cable->c_nf_km * 1e-9 * km * z_base;
    l.rate_a_va = circuits * std::sqrt(3.0) * p.mv_kv * 1e3 * cable->rating_a;
    out.branch_circuits.push_back(circuits);
    out.branch_cross_section_mm2.push_back(cable->cross_section_mm2);
    out.branch_design_load_w.push_back(below[j]);
    g.branches.push_back(l);
    out.branch_substation.push_back(owner[j]);
    out.branch_ids.push_back("L" + std::to_string(g.branches.size() - k));
    out.branch_shapes.push_back(e.shape.size() >= 2 ? e.shape : Polyline{jpos[parent[j]], jpos[j]});
  }
  out.building_bus.resize(city.buildings.size());
  for (size_t i = 0; i < city.buildings.size(); ++i) out.building_bus[i] = jbus[building_junction[i]];
  return out;
}

}  // namespace citytwin::energy
