#pragma once
// Small road networks built in code, for the traffic tests.
#include <cmath>
#include <string>
#include <vector>

#include "engine/city/city.hpp"

namespace citytwin::traffic::test {

/// A straight chain of one-way edges along x: edge i has lengths[i], speeds[i], `lanes` lanes.
inline RoadNetwork line_road(const std::vector<double>& lengths, const std::vector<double>& speeds, int lanes = 1) {
  RoadNetwork net;
  double x = 0;
  net.junctions.push_back({{0, 0}, false});
  for (size_t i = 0; i < lengths.size(); ++i) {
    x += lengths[i];
    net.junctions.push_back({{x, 0}, false});
    RoadEdge e;
    e.from = static_cast<int>(i);
    e.to = static_cast<int>(i + 1);
    e.length_m = lengths[i];
    e.lanes = lanes;
    e.speed_mps = speeds[i];
    e.road_class = RoadClass::primary;
    e.oneway = true;
    e.shape = {net.junctions[i].pos, net.junctions[i + 1].pos};
    e.id = "e" + std::to_string(i);
    net.edges.push_back(e);
  }
  return net;
}

/// Adds a two-way street between junctions a and b (two edges, reverse of each other).
inline void add_street(RoadNetwork& net, int a, int b, RoadClass cls, double speed, int lanes) {
  const int i = static_cast<int>(net.edges.size());
  for (int d = 0; d < 2; ++d) {
    RoadEdge e;
    e.from = d == 0 ? a : b;
    e.to = d == 0 ? b : a;
    e.shape = {net.junctions[e.from].pos, net.junctions[e.to].pos};
    e.length_m = std::hypot(e.shape[1].x - e.shape[0].x, e.shape[1].y - e.shape[0].y);
    e.lanes = lanes;
    e.speed_mps = speed;
    e.road_class = cls;
    e.reverse = d == 0 ? i + 1 : i;
    e.id = std::to_string(a) + "_" + std::to_string(b);
    if (d == 1) e.id.insert(0, "-");
    net.edges.push_back(e);
  }
}

/// An nx x ny grid of two-way streets, `spacing` metres apart; every junction with 4 streets signalised
/// when `signals`. Streets along x are primary with `lanes` lanes, along y residential with one lane.
inline RoadNetwork grid(int nx, int ny, double spacing, int lanes, bool signals) {
  RoadNetwork net;
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      const bool inner = i > 0 && j > 0 && i < nx - 1 && j < ny - 1;
      net.junctions.push_back({{i * spacing, j * spacing}, signals && inner});
    }
  auto id = [&](int i, int j) { return j * nx + i; };
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      if (i + 1 < nx) add_street(net, id(i, j), id(i + 1, j), RoadClass::primary, 13.89, lanes);
      if (j + 1 < ny) add_street(net, id(i, j), id(i, j + 1), RoadClass::residential, 13.89, 1);
    }
  return net;
}

/// A four-arm crossing at (0,0): arms 100 m long to the E, N, W, S. E-W is `major`, N-S is `minor`.
inline RoadNetwork crossing(RoadClass major, RoadClass minor, bool signalised) {
  RoadNetwork net;
  net.junctions.push_back({{0, 0}, signalised});
  net.junctions.push_back({{100, 0}, false});
  net.junctions.push_back({{0, 100}, false});
  net.junctions.push_back({{-100, 0}, false});
  net.junctions.push_back({{0, -100}, false});
  add_street(net, 1, 0, major, 13.89, 1);  // edges 0: E->C, 1: C->E
  add_street(net, 2, 0, minor, 13.89, 1);  // edges 2: N->C, 3: C->N
  add_street(net, 3, 0, major, 13.89, 1);  // edges 4: W->C, 5: C->W
  add_street(net, 4, 0, minor, 13.89, 1);  // edges 6: S->C, 7: C->S
  return net;
}

}  // namespace citytwin::traffic::test
