#include "models/traffic/router.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

namespace citytwin::traffic {

struct Router::Scratch {
  std::vector<double> g;              // best known time to the end of each edge
  std::vector<double> h;              // lower bound on the time from there to the goal
  std::vector<std::int32_t> parent;
  std::vector<std::uint32_t> stamp;   // which query last touched each entry
  std::uint32_t query = 0;
};

struct ScratchPool {
  tbb::enumerable_thread_specific<Router::Scratch> local;
};

namespace {

constexpr int kLandmarks = 8;

// Dijkstra on the edge graph from `source`: dist[x] = time from the end of `source` to the end of x (forward),
// or from the end of x to the end of `source` over the reversed graph (backward).
void edge_dijkstra(const std::vector<std::int32_t>& first, const std::vector<std::int32_t>& next,
                   const std::vector<double>& cost_in, int source, std::vector<float>& out) {
  // One entry per edge (`first` has edges + 1 offsets); cost_in has one per link.
  std::vector<double> dist(first.size() - 1, std::numeric_limits<double>::infinity());
  using Item = std::pair<double, std::int32_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> open;
  dist[source] = 0;
  open.push({0, source});
  while (!open.empty()) {
    auto [d, e] = open.top();
    open.pop();
    if (d > dist[e]) continue;
    for (int k = first[e]; k < first[e + 1]; ++k) {
      const int n = next[k];
      const double w = cost_in[k];
      if (d + w < dist[n]) {
        dist[n] = d + w;
        open.push({dist[n], n});
      }
    }
  }
  out.resize(dist.size());
  // Rounded down so that the float bound never exceeds the true distance.
  for (size_t i = 0; i < dist.size(); ++i)
    out[i] = std::isfinite(dist[i]) ? std::nextafter(static_cast<float>(dist[i]), 0.0f) : INFINITY;
}

}  // namespace

Router::Router(const Network& net) : net_(net), pool_(std::make_unique<ScratchPool>()) {
  // ALT (Goldberg & Harrelson 2005): exact free-flow times to and from a few landmarks spread over the network
  // give, by the triangle inequality, lower bounds on the remaining time that are far tighter than the
  // straight line. Landmarks: farthest-point selection on the junction positions.
  const int ne = net_.edges();
  if (ne < 64) return;
  const std::vector<double> free = free_flow_times(net_);
  std::vector<double> fwd_cost(net_.edge_next.size());
  std::vector<std::int32_t> rfirst(ne + 1, 0), rnext(net_.edge_next.size());
  std::vector<double> rcost(net_.edge_next.size());
  for (int e = 0; e < ne; ++e)
    for (int k = net_.edge_first_next[e]; k < net_.edge_first_next[e + 1]; ++k) {
      fwd_cost[k] = free[net_.edge_next[k]];
      ++rfirst[net_.edge_next[k] + 1];
    }
  for (int e = 0; e < ne; ++e) rfirst[e + 1] += rfirst[e];
  std::vector<std::int32_t> fill(rfirst.begin(), rfirst.end() - 1);
  for (int e = 0; e < ne; ++e)
    for (int k = net_.edge_first_next[e]; k < net_.edge_first_next[e + 1]; ++k) {
      const int n = net_.edge_next[k];
      rnext[fill[n]] = e;
      rcost[fill[n]++] = free[n];  // reversed: from the end of n back to the end of e costs n's time
    }
  auto pos = [&](int e) { return net_.junction_pos[net_.edge_to[e]]; };
  std::vector<double> nearest(ne, std::numeric_limits<double>::infinity());
  Point2 c{0, 0};
  for (int e = 0; e < ne; ++e) c.x += pos(e).x / ne, c.y += pos(e).y / ne;
  std::vector<int> marks;
  for (int m = 0; m < kLandmarks; ++m) {
    int best = 0;
    double best_d = -1;
    for (int e = 0; e < ne; ++e) {
      const double dx = pos(e).x - c.x, dy = pos(e).y - c.y;
      const double d = m == 0 ? dx * dx + dy * dy : nearest[e];
      if (d > best_d) best = e, best_d = d;
    }
    marks.push_back(best);
    for (int e = 0; e < ne; ++e) {
      const double dx = pos(e).x - pos(best).x, dy = pos(e).y - pos(best).y;
      nearest[e] = std::min(nearest[e], dx * dx + dy * dy);
    }
  }
  from_mark_.resize(marks.size());
  to_mark_.resize(marks.size());
  tbb::parallel_for(0, static_cast<int>(marks.size()), [&](int m) {
    edge_dijkstra(net_.edge_first_next, net_.edge_next, fwd_cost, marks[m], from_mark_[m]);
    edge_dijkstra(rfirst, rnext, rcost, marks[m], to_mark_[m]);
  });
}
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
    s.h.assign(ne, 0);
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
  // Landmark bounds hold for costs at or above free flow (observed times are); a speed limit raised above
  // the network's can make a route slightly longer than the fastest, never invalid.
  const int nm = static_cast<int>(from_mark_.size());
  float goal_from[kLandmarks], goal_to[kLandmarks];
  for (int m = 0; m < nm; ++m) goal_from[m] = from_mark_[m][to], goal_to[m] = to_mark_[m][to];
  auto h = [&](int e) {
    const Point2 p = net_.junction_pos[net_.edge_to[e]];
    const double dx = p.x - goal.x, dy = p.y - goal.y;
    double best = std::sqrt(dx * dx + dy * dy) * inv_v;  // not std::hypot: this is the hot loop of routing
    for (int m = 0; m < nm; ++m) {
      const float a = goal_from[m] - from_mark_[m][e], b = to_mark_[m][e] - goal_to[m];
      if (std::isfinite(a)) best = std::max(best, static_cast<double>(a));
      if (std::isfinite(b)) best = std::max(best, static_cast<double>(b));
    }
    return best;
  };
  // (f, edge): ties broken by edge index so the result does not depend on heap internals.
  using Item = std::pair<double, std::int32_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> open;
  s.stamp[from] = s.query;
  s.g[from] = edge_time_s[from];
  s.h[from] = h(from);
  s.parent[from] = -1;
  open.push({s.g[from] + s.h[from], from});
  bool found = false;
  while (!open.empty()) {
    auto [f, e] = open.top();
    open.pop();
    if (f > s.g[e] + s.h[e] + 1e-9) continue;  // stale entry
    if (e == to) {
      found = true;
      break;
    }
    for (int k = net_.edge_first_next[e]; k < net_.edge_first_next[e + 1]; ++k) {
      const int n = net_.edge_next[k];
      const double w = edge_time_s[n];
      if (!std::isfinite(w)) continue;
      const double g = s.g[e] + w;
      const bool fresh = s.stamp[n] != s.query;
      if (fresh || g < s.g[n]) {
        if (fresh) s.h[n] = h(n);
        s.stamp[n] = s.query;
        s.g[n] = g;
        s.parent[n] = e;
        open.push({g + s.h[n], n});
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
