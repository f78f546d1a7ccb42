#include "engine/geo/geometry.hpp"

#include <cmath>

namespace citytwin {

double polyline_length(const Polyline& line) {
  double length = 0;
  for (size_t i = 1; i < line.size(); ++i) length += std::hypot(line[i].x - line[i - 1].x, line[i].y - line[i - 1].y);
  return length;
}

}  // namespace citytwin
