#pragma once
/// Nearest-element queries on Boost.Geometry's R-tree (bulk-loaded once, then read-only and thread-safe).
/// Each answers exactly what a scan over every element in index order would: the smallest distance, and
/// among equal distances the lowest index.
#include <memory>
#include <span>
#include <vector>

#include "engine/geo/geometry.hpp"

namespace citytwin {

/// Points; those not usable (and those with non-finite coordinates) are left out.
class PointIndex {
 public:
  explicit PointIndex(std::span<const Point2> points, std::span<const char> usable = {});
  ~PointIndex();
  PointIndex(PointIndex&&) noexcept;
  PointIndex& operator=(PointIndex&&) noexcept;
  /// The nearest point's index and its distance (Euclidean), or -1 when the index is empty.
  int nearest(const Point2& p, double* distance = nullptr) const;
  size_t size() const;

 private:
  struct Tree;
  std::unique_ptr<Tree> tree_;
  std::vector<Point2> points_;
};

/// Polylines, by the distance from a point to the nearest of their segments.
class PolylineIndex {
 public:
  explicit PolylineIndex(std::span<const Polyline> lines);
  ~PolylineIndex();
  PolylineIndex(PolylineIndex&&) noexcept;
  PolylineIndex& operator=(PolylineIndex&&) noexcept;
  /// The nearest polyline's index and the distance to it, or -1 when there is none.
  int nearest(const Point2& p, double* distance = nullptr) const;

 private:
  struct Tree;
  std::unique_ptr<Tree> tree_;
  std::vector<Polyline> lines_;
};

/// Distance from p to the segment a-b.
double distance_to_segment(const Point2& p, const Point2& a, const Point2& b);

}  // namespace citytwin
