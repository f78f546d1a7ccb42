#include "engine/data/sensor_placement.hpp"

#include <cmath>
#include <cstdio>

#include "engine/geo/crs.hpp"
#include "engine/geo/spatial_index.hpp"

namespace citytwin {

Point2 element_anchor(const ElementSet& set, size_t i) {
  switch (set.kind) {
    case GeometryKind::point: return set.points[i];
    case GeometryKind::line: {
      const auto& l = set.lines[i];
      return l.empty() ? Point2{} : l[l.size() / 2];
    }
    case GeometryKind::polygon: {
      Box2 b;
      for (const auto& poly : set.polygons[i])
        for (const auto& p : poly.outer) b.add(p);
      return b.empty() ? Point2{} : b.centre();
    }
  }
  return {};
}

namespace {

/// Distance from p to element i (0 inside a footprint's bounding box, which is enough to pick a building).
int nearest_element(const ElementSet& set, const Point2& p, double& distance) {
  if (set.kind == GeometryKind::line) return PolylineIndex(set.lines).nearest(p, &distance);
  std::vector<Point2> anchors(set.size());
  for (size_t i = 0; i < set.size(); ++i) anchors[i] = element_anchor(set, i);
  return PointIndex(anchors).nearest(p, &distance);
}

}  // namespace

Placement place_sensor(const Sensor& sensor, const ElementSet* set, const LocalFrame& frame, double max_snap_m) {
  Placement pl;
  if (sensor.lonlat) {
    const Point2 c = Transform("EPSG:4326", frame.crs).forward(*sensor.lonlat);
    pl.position = {c.x - frame.origin.x, c.y - frame.origin.y};
  }
  if (!set) return pl;
  if (!sensor.element.empty()) {
    for (size_t i = 0; i < set->ids.size(); ++i)
      if (set->ids[i] == sensor.element) {
        pl.element = static_cast<long>(i);
        if (!sensor.lonlat) pl.position = element_anchor(*set, i);
        return pl;
      }
    throw InputError(sensor.where, "sensor \"" + sensor.id + "\": no element \"" + sensor.element + "\" in " + set->name);
  }
  double d = 0;
  const int i = nearest_element(*set, pl.position, d);
  if (i < 0) throw InputError(sensor.where, "sensor \"" + sensor.id + "\": the city has no " + set->name + " to snap to");
  if (d > max_snap_m) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f m", d);
    throw InputError(sensor.where, "sensor \"" + sensor.id + "\": the nearest of " + set->name + " (" + set->ids[i] +
                                       ") is " + buf + " away, more than max_snap = " + std::to_string(static_cast<int>(max_snap_m)) + " m");
  }
  pl.element = i;
  pl.snap_m = d;
  return pl;
}

}  // namespace citytwin
