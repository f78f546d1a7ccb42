#pragma once
/// Planar geometry in a local metric frame (metres east and north of the City's origin).
#include <algorithm>
#include <limits>
#include <vector>

namespace citytwin {

struct Point2 {
  double x = 0;
  double y = 0;
};

using Ring = std::vector<Point2>;  ///< closed implicitly: the last point is not repeated

struct Polygon {
  Ring outer;
  std::vector<Ring> holes;
};

using Polyline = std::vector<Point2>;

struct Box2 {
  double min_x = std::numeric_limits<double>::infinity();
  double min_y = std::numeric_limits<double>::infinity();
  double max_x = -std::numeric_limits<double>::infinity();
  double max_y = -std::numeric_limits<double>::infinity();

  void add(const Point2& p) {
    min_x = std::min(min_x, p.x);
    min_y = std::min(min_y, p.y);
    max_x = std::max(max_x, p.x);
    max_y = std::max(max_y, p.y);
  }
  void add(const Box2& b) {
    add(Point2{b.min_x, b.min_y});
    add(Point2{b.max_x, b.max_y});
  }
  bool empty() const { return min_x > max_x; }
  Point2 centre() const { return {(min_x + max_x) / 2, (min_y + max_y) / 2}; }
  double width() const { return max_x - min_x; }
  double height() const { return max_y - min_y; }
};

/// Area enclosed by a ring (shoelace formula), positive when it runs counter-clockwise.
double signed_area(const Ring& ring);

/// Length of a polyline in its own units.
double polyline_length(const Polyline& line);

/// The point of a polyline nearest to p: its distance from p and its distance along the line from the start.
struct LineProjection {
  double distance = std::numeric_limits<double>::infinity();
  double along = 0;
};
LineProjection project_onto(const Polyline& line, const Point2& p);

/// Unit vector from a to b ({1, 0} where they coincide).
Point2 direction(const Point2& a, const Point2& b);

/// Turn from heading `in` to heading `out` (unit vectors) in radians, in [-pi, pi], left (counter-clockwise) positive.
double turn_angle_rad(const Point2& in, const Point2& out);

}  // namespace citytwin
