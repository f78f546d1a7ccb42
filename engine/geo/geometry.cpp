#include "engine/geo/geometry.hpp"

#include <cmath>

namespace citytwin {

double signed_area(const Ring& ring) {
  double twice = 0;
  for (size_t i = 0; i < ring.size(); ++i) {
    const Point2 &a = ring[i], &b = ring[(i + 1) % ring.size()];
    twice += a.x * b.y - b.x * a.y;
  }
  return twice / 2;
}

double polyline_length(const Polyline& line) {
  double length = 0;
  for (size_t i = 1; i < line.size(); ++i) length += std::hypot(line[i].x - line[i - 1].x, line[i].y - line[i - 1].y);
  return length;
}

LineProjection project_onto(const Polyline& line, const Point2& p) {
  LineProjection best;
  if (line.size() == 1) return {std::hypot(p.x - line[0].x, p.y - line[0].y), 0};
  double start = 0;
  for (size_t i = 1; i < line.size(); ++i) {
    const Point2 a = line[i - 1], b = line[i];
    const double dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
    const double t = len2 > 0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0) : 0.0;
    const double d = std::hypot(a.x + t * dx - p.x, a.y + t * dy - p.y);
    const double len = std::sqrt(len2);
    if (d < best.distance) best = {d, start + t * len};
    start += len;
  }
  return best;
}

Point2 direction(const Point2& a, const Point2& b) {
  const double dx = b.x - a.x, dy = b.y - a.y, n = std::hypot(dx, dy);
  return n > 0 ? Point2{dx / n, dy / n} : Point2{1, 0};
}

double turn_angle_rad(const Point2& in, const Point2& out) {
  return std::atan2(in.x * out.y - in.y * out.x, in.x * out.x + in.y * out.y);
}

}  // namespace citytwin
