#include "models/energy/grid/synthetic_grid.hpp"

#include <cmath>
#include <map>
#include <utility>
#include <vector>

#include "engine/core/random.hpp"

namespace citytwin::energy {

GridCase synthetic_grid(int n, std::uint64_t seed) {
  GridCase g;
  g.file = "synthetic-" + std::to_string(n);
  g.base_va = 100e6;
  const int side = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
  auto rng = random_stream(seed, 0x67726964ULL, static_cast<std::uint64_t>(n));  // "grid"
  double total_load = 0;
  for (int i = 0; i < n; ++i) {
    GridBus b;
    b.id = i + 1;
    b.type = i == 0 ? BusType::ref : (i % 25 == 0 ? BusType::pv : BusType::pq);
    b.pd_w = (0.5 + uniform01(rng)) * 1e6;
    b.qd_var = 0.3 * b.pd_w;
    b.base_kv = 110;
    total_load += b.pd_w;
    g.bus_index[b.id] = i;
    g.buses.push_back(b);
  }
  const int gens = (n + 24) / 25;
  for (int i = 0; i < n; i += 25) {
    GridGenerator gen;
    gen.bus = i;
    gen.pg_w = i == 0 ? 0 : total_load / gens;
    gen.qmax_var = 300e6;
    gen.qmin_var = -300e6;
    gen.vg_pu = 1.02;
    gen.pmax_w = 2 * total_load / gens;
    g.generators.push_back(gen);
  }
  auto add_line = [&](int a, int b) {
    GridBranch br;
    br.from = a;
    br.to = b;
    br.x_pu = 0.002 + 0.004 * uniform01(rng);
    br.r_pu = br.x_pu / 3;
    br.b_pu = 0.002;
    g.branches.push_back(br);
  };
  // Regions of 7 x 7 lattice buses (like the areas of a real grid): inside each a seeded random spanning tree
  // of the lattice links plus local ties; between adjacent regions two tie lines. Lattice links are shuffled
  // (Fisher-Yates with the seeded stream) and taken in that order (Kruskal).
  constexpr int kRegion = 7;
  auto region = [&](int i) { return (i / side) / kRegion * side + (i % side) / kRegion; };
  std::vector<std::pair<int, int>> links;
  for (int i = 0; i < n; ++i) {
    if ((i % side) + 1 < side && i + 1 < n) links.emplace_back(i, i + 1);
    if (i + side < n) links.emplace_back(i, i + side);
  }
  for (size_t k = links.size(); k > 1; --k) std::swap(links[k - 1], links[static_cast<size_t>(uniform01(rng) * k)]);
  std::vector<int> parent(n);
  for (int i = 0; i < n; ++i) parent[i] = i;
  auto root = [&](int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  int ties = 0;
  std::map<std::pair<int, int>, int> between;  // lines added between two regions
  for (auto [a, b] : links) {
    const int ra = region(a), rb = region(b);
    if (ra != rb) {
      int& count = between[{std::min(ra, rb), std::max(ra, rb)}];
      if (count < 2) {
        ++count;
        add_line(a, b);
      }
      continue;
    }
    int ta = root(a), tb = root(b);
    if (ta != tb) {
      parent[ta] = tb;
      add_line(a, b);
    } else if (ties < n / 6) {
      ++ties;
      add_line(a, b);
    }
  }
  return g;
}

}  // namespace citytwin::energy
