#include "models/traffic/router.hpp"

#include <tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

namespace citytwin::traffic {

struct Router::Scratch {
  std::vector<double> g;              // best known time to the end of each edge
  std::vector<std::int32_t> parent;
  std::vector<std::uint32_t> stamp;   // which query last touched each entry
  std::uint32_t query = 0;
};

struct ScratchPool {
  tbb::enumerable_thread_specific<Router::Scratch> local;
};

Router::Router(const Network& net) : net_(net), pool_(std::make_unique<ScratchPool>()) {}
Router::~Router() = default;

bool Router::route(int from, int to, std::span<const double> edge_time_s, double max_speed_mps,
                   std::vector<std::int32_t>& out) const {
  out.clear();
  const int ne = net_.edges();
  if (from < 0 || to < 0 || from >= ne || to >= ne) return false;
  if (!std::isfinite(edge_time_s[from]) || !std::isfinite(edge_time_s[to])) return false;
  if (from == to) {
    out.push_back(from);
    return true;
  }
  Scratch& s = pool_->local.local();
  if (static_cast<int>(s.g.size()) != ne) {
    s.g.assign(ne, 0);
    s.parent.assign(ne, -1);
    s.stamp.assign(ne, 0);
    s.query = 0;
  }
  if (++s.query == 0) {
    std::fill(s.stamp.begin(), s.stamp.end(), 0);
    s.query = 1;
  }
  const Point2 goal = net_.junction_pos[net_.edge_from[to]];
  const double inv_v = 1.0 / std::max(max_speed_mps, 1.0);
  auto h = [&](int e) {
    const Point2 p = net_.junction_pos[net_.edge_to[e]];
    const double dx = p.x - goal.x, dy = p.y - goal.y;
    return std::sqrt(dx * dx + dy * dy) * inv_v;  // not std::hypot: this is the hot loop of routing
  };
  // (f, edge): ties broken by edge index so the result does not depend on heap internals.
  using Item = std::pair<double, std::int32_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> open;
  s.stamp[from] = s.query;
  s.g[from] = edge_time_s[from];
  s.parent[from] = -1;
  open.push({s.g[from] + h(from), from});
  bool found = false;
  while (!open.empty()) {
    auto [f, e] = open.top();
    open.pop();
    if (f > s.g[e] + h(e) + 1e-9) continue;  // stale entry
    if (e == to) {
      found = true;
      break;
    }
    for (int k = net_.edge_first_next[e]; k < net_.edge_first_next[e + 1]; ++k) {
      const int n = net_.edge_next[k];
      const double w = edge_time_s[n];
      if (!std::isfinite(w)) continue;
      const double g = s.g[e] + w;
      if (s.stamp[n] != s.query || g < s.g[n]) {
        s.stamp[n] = s.query;
        s.g[n] = g;
        s.parent[n] = e;
        open.push({g + h(n), n});
      }
    }
  }
  if (!found) return false;
  for (int e = to; e >= 0; e = s.parent[e]) out.push_back(e);
  std::reverse(out.begin(), out.end());
  return true;
}

std::vector<double> free_flow_times(const Network& net) {
  std::vector<double> t(net.edges());
  for (int e = 0; e < net.edges(); ++e) t[e] = net.edge_length_m[e] / std::max(net.edge_speed_mps[e], 0.5);
  return t;
}

}  // namespace citytwin::traffic
