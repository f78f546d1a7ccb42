#pragma once
/// Puts sensors on elements: by element ID, or by snapping lon/lat to the nearest element of the set its
/// quantity lives on (road, building, water node or pipe), reporting the distance.
#include <memory>
#include <string>
#include <vector>

#include "engine/data/results.hpp"
#include "engine/data/sensor_registry.hpp"

namespace citytwin {

struct Placement {
  long element = -1;         ///< index in the set; -1 for city-wide quantities (weather)
  double snap_m = 0;         ///< distance from the sensor's position to the element (0 when given by ID)
  Point2 position;           ///< local metres: the sensor's own position, else the element's
};

/// Converts WGS 84 lon/lat to the City's local metres.
struct LocalFrame {
  std::string crs;  ///< the City's CRS
  Point2 origin;    ///< CRS coordinates of local (0, 0)
};

/// Places sensors on element sets, building each set's spatial index and the lon/lat transformation once.
class SensorPlacer {
 public:
  explicit SensorPlacer(const LocalFrame& frame);
  ~SensorPlacer();
  /// Places one sensor on set (null for city-wide quantities). Throws InputError at the sensor's registry
  /// line for an unknown element ID, or a position further than max_snap_m from every element.
  Placement place(const Sensor& sensor, const ElementSet* set, double max_snap_m);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A representative point of element i (centroid of a footprint, midpoint of a line, the point).
Point2 element_anchor(const ElementSet& set, size_t i);

}  // namespace citytwin
