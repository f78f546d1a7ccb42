#include "engine/geo/spatial_index.hpp"

#include <algorithm>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cmath>
#include <iterator>
#include <limits>
#include <utility>

namespace citytwin {
namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {

using BPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using Box = bg::model::box<BPoint>;

BPoint to_b(const Point2& p) { return BPoint(p.x, p.y); }

/// The square of half-side r around p (r enlarged by a hair, so that rounding never drops a candidate).
Box square(const Point2& p, double r) {
  r = r * (1 + 1e-12) + 1e-9;
  return Box(BPoint(p.x - r, p.y - r), BPoint(p.x + r, p.y + r));
}

bool finite(const Point2& p) { return std::isfinite(p.x) && std::isfinite(p.y); }

/// The element nearest to p in an R-tree, as a scan in element order finds it. dist scores a value as the
/// scan does (the exact distance), element_of names its element. The nearest by the tree's own measure
/// (a box's distance is at most its element's) bounds the answer; every value within that bound has its
/// box in the square around p, and the best of those by (distance, element) is the scan's answer.
template <class Tree, class Dist, class ElementOf>
int nearest_in(const Tree& tree, const Point2& p, Dist dist, ElementOf element_of, double* distance) {
  std::vector<typename Tree::value_type> hits;
  tree.query(bgi::nearest(to_b(p), 1), std::back_inserter(hits));
  int best = -1;
  double best_d = std::numeric_limits<double>::infinity();
  if (!hits.empty()) {
    const double bound = dist(hits.front().second);
    hits.clear();
    tree.query(bgi::intersects(square(p, bound)), std::back_inserter(hits));
    for (const auto& hit : hits) {
      const double d = dist(hit.second);
      const int e = element_of(hit.second);
      if (d < best_d || (d == best_d && e < best)) best_d = d, best = e;
    }
  }
  if (distance) *distance = best_d;
  return best;
}

}  // namespace

double distance_to_segment(const Point2& p, const Point2& a, const Point2& b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  return std::hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

struct PointIndex::Tree {
  bgi::rtree<std::pair<BPoint, int>, bgi::rstar<16>> rtree;
};

PointIndex::PointIndex(std::span<const Point2> points, std::span<const char> usable)
    : tree_(std::make_unique<Tree>()), points_(points.begin(), points.end()) {
  std::vector<std::pair<BPoint, int>> values;
  for (size_t i = 0; i < points.size(); ++i)
    if ((usable.empty() || usable[i]) && finite(points[i])) values.emplace_back(to_b(points[i]), static_cast<int>(i));
  tree_->rtree = decltype(tree_->rtree)(values.begin(), values.end());  // bulk loading
}
PointIndex::~PointIndex() = default;
PointIndex::PointIndex(PointIndex&&) noexcept = default;
PointIndex& PointIndex::operator=(PointIndex&&) noexcept = default;
size_t PointIndex::size() const { return tree_->rtree.size(); }

int PointIndex::nearest(const Point2& p, double* distance) const {
  return nearest_in(
      tree_->rtree, p, [&](int i) { return std::hypot(points_[i].x - p.x, points_[i].y - p.y); },
      [](int i) { return i; }, distance);
}

struct PolylineIndex::Tree {
  bgi::rtree<std::pair<Box, std::pair<int, int>>, bgi::rstar<16>> rtree;  ///< segment box -> (line, segment)
};

PolylineIndex::PolylineIndex(std::span<const Polyline> lines)
    : tree_(std::make_unique<Tree>()), lines_(lines.begin(), lines.end()) {
  std::vector<std::pair<Box, std::pair<int, int>>> values;
  for (size_t l = 0; l < lines.size(); ++l)
    for (size_t i = 0; i + 1 < lines[l].size(); ++i) {
      const Point2 &a = lines[l][i], &b = lines[l][i + 1];
      values.push_back({Box(BPoint(std::min(a.x, b.x), std::min(a.y, b.y)), BPoint(std::max(a.x, b.x), std::max(a.y, b.y))),
                        {static_cast<int>(l), static_cast<int>(i)}});
    }
  tree_->rtree = decltype(tree_->rtree)(values.begin(), values.end());
}
PolylineIndex::~PolylineIndex() = default;
PolylineIndex::PolylineIndex(PolylineIndex&&) noexcept = default;
PolylineIndex& PolylineIndex::operator=(PolylineIndex&&) noexcept = default;

int PolylineIndex::nearest(const Point2& p, double* distance) const {
  auto dist = [&](std::pair<int, int> s) {
    const auto& line = lines_[static_cast<size_t>(s.first)];
    return distance_to_segment(p, line[static_cast<size_t>(s.second)], line[static_cast<size_t>(s.second) + 1]);
  };
  return nearest_in(tree_->rtree, p, dist, [](std::pair<int, int> s) { return s.first; }, distance);
}

}  // namespace citytwin
