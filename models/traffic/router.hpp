#pragma once
/// Fastest paths on the edge graph: A* (Hart, Nilsson, Raphael 1968) with landmark lower bounds (ALT,
/// Goldberg & Harrelson 2005) and the straight line. Thread-safe: route() may be called from several threads
/// at once (scratch is per thread).
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "models/traffic/network.hpp"

namespace citytwin::traffic {

class Router {
 public:
  explicit Router(const Network& net);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;
  struct Scratch;  ///< per-thread search arrays

  /// The fastest route from the start of edge `from` to the end of edge `to`, given the time to traverse
  /// each edge (seconds; +inf for a closed edge), written into `route` (from ... to). Returns false, with
  /// `route` empty, when `to` cannot be reached. `max_speed_mps` bounds speeds for the heuristic.
  bool route(int from, int to, std::span<const double> edge_time_s, double max_speed_mps,
             std::vector<std::int32_t>& route) const;

 private:
  const Network& net_;
  std::unique_ptr<struct ScratchPool> pool_;
  /// Free-flow time from each landmark to the end of each edge, and from the end of each edge to it.
  std::vector<std::vector<float>> from_mark_, to_mark_;
};

/// Free-flow traversal time of every edge: length over speed limit.
std::vector<double> free_flow_times(const Network& net);

}  // namespace citytwin::traffic
