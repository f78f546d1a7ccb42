#include "engine/data/sensor_placement.hpp"

#include <cmath>
#include <cstdio>
#include <map>

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

/// One set's nearest-element index: by distance to the line for roads and pipes, to the anchor otherwise.
struct SetIndex {
  std::unique_ptr<PolylineIndex> lines;
  std::unique_ptr<PointIndex> points;
  explicit SetIndex(const ElementSet& set) {
    if (set.kind == GeometryKind::line) {
      lines = std::make_unique<PolylineIndex>(set.lines);
      return;
    }
    std::vector<Point2> anchors(set.size());
    for (size_t i = 0; i < set.size(); ++i) anchors[i] = element_anchor(set, i);
    points = std::make_unique<PointIndex>(anchors);
  }
  int nearest(const Point2& p, double& d) const { return lines ? lines->nearest(p, &d) : points->nearest(p, &d); }
};

struct SensorPlacer::Impl {
  LocalFrame frame;
  std::unique_ptr<Transform> to_local;  ///< made for the first sensor given by lon/lat
  std::map<std::string, SetIndex> indexes;
  explicit Impl(const LocalFrame& f) : frame(f) {}
  Point2 local(const Point2& lonlat) {
    if (!to_local) to_local = std::make_unique<Transform>("EPSG:4326", frame.crs);
    const Point2 c = to_local->forward(lonlat);
    return {c.x - frame.origin.x, c.y - frame.origin.y};
  }
  const SetIndex& index(const ElementSet& set) {
    auto it = indexes.find(set.name);
    if (it == indexes.end()) it = indexes.emplace(set.name, SetIndex(set)).first;
    return it->second;
  }
};

SensorPlacer::SensorPlacer(const LocalFrame& frame) : impl_(std::make_unique<Impl>(frame)) {}
SensorPlacer::~SensorPlacer() = default;

Placement SensorPlacer::place(const Sensor& sensor, const ElementSet* set, double max_snap_m) {
  Placement pl;
  if (sensor.lonlat) pl.position = impl_->local(*sensor.lonlat);
  if (!set) return pl;
  const bool by_zone = sensor.element.empty() && sensor.quantity->by_zone && !sensor.zone.empty();
  if (!sensor.element.empty() || by_zone) {
    const std::string& id = by_zone ? sensor.zone : sensor.element;
    for (size_t i = 0; i < set->ids.size(); ++i)
      if (set->ids[i] == id) {
        pl.element = static_cast<long>(i);
        if (!sensor.lonlat) pl.position = element_anchor(*set, i);
        return pl;
      }
    throw InputError(sensor.where, "sensor \"" + sensor.id + "\": no element \"" + id + "\" in " + set->name);
  }
  double d = 0;
  const int i = impl_->index(*set).nearest(pl.position, d);
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
