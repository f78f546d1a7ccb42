#include "engine/city/city.hpp"

#include <algorithm>
#include <ostream>

namespace citytwin {

const char* to_string(RoadClass c) {
  switch (c) {
    case RoadClass::motorway: return "motorway";
    case RoadClass::trunk: return "trunk";
    case RoadClass::primary: return "primary";
    case RoadClass::secondary: return "secondary";
    case RoadClass::tertiary: return "tertiary";
    case RoadClass::unclassified: return "unclassified";
    case RoadClass::residential: return "residential";
    case RoadClass::living_street: return "living_street";
    case RoadClass::service: return "service";
    case RoadClass::other: return "other";
  }
  return "other";
}

const char* to_string(UseClass u) {
  switch (u) {
    case UseClass::residential: return "residential";
    case UseClass::commercial: return "commercial";
    case UseClass::office: return "office";
    case UseClass::industrial: return "industrial";
    case UseClass::public_use: return "public";
    case UseClass::other: return "other";
  }
  return "other";
}

const char* to_string(HeightSource s) {
  switch (s) {
    case HeightSource::height_tag: return "height";
    case HeightSource::levels_tag: return "levels";
    case HeightSource::default_by_use: return "default";
  }
  return "default";
}

std::ostream& operator<<(std::ostream& os, RoadClass c) { return os << to_string(c); }
std::ostream& operator<<(std::ostream& os, UseClass u) { return os << to_string(u); }
std::ostream& operator<<(std::ostream& os, HeightSource s) { return os << to_string(s); }

double RoadNetwork::lane_km() const {
  double m = 0;
  for (const auto& e : edges) m += e.length_m * e.lanes;
  return m / 1000.0;
}

int RoadNetwork::signalised_junctions() const {
  int n = 0;
  for (const auto& j : junctions) n += j.signalised ? 1 : 0;
  return n;
}

std::vector<int> RoadNetwork::junction_degrees() const {
  std::vector<std::vector<std::int32_t>> neighbours(junctions.size());
  for (const auto& e : edges) {
    neighbours[e.from].push_back(e.to);
    neighbours[e.to].push_back(e.from);
  }
  std::vector<int> degree(junctions.size(), 0);
  for (size_t j = 0; j < neighbours.size(); ++j) {
    auto& n = neighbours[j];
    std::sort(n.begin(), n.end());
    degree[j] = static_cast<int>(std::unique(n.begin(), n.end()) - n.begin());
  }
  return degree;
}

double City::total_floor_area_m2() const {
  double a = 0;
  for (const auto& b : buildings) a += b.floor_area_m2;
  return a;
}

}  // namespace citytwin
