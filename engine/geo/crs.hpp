#pragma once
/// Coordinate reference systems through PROJ: a transformation between two CRSs with x = easting or
/// longitude and y = northing or latitude whatever the CRS's own axis order.
#include <memory>
#include <string>
#include <vector>

#include "engine/geo/geometry.hpp"

namespace citytwin {

/// EPSG code of the WGS 84 / UTM zone that holds (lon, lat), e.g. 32632 for Monaco.
int utm_epsg_for(double lon_deg, double lat_deg);

/// A PROJ transformation. Each object owns its own PROJ context, so different objects may be used from
/// different threads; one object is not thread-safe.
class Transform {
 public:
  /// source and target: anything PROJ accepts ("EPSG:4326", WKT, a PROJ string).
  /// Throws InputError naming both CRSs when PROJ cannot build the transformation.
  Transform(const std::string& source, const std::string& target);
  ~Transform();
  Transform(const Transform&) = delete;
  Transform& operator=(const Transform&) = delete;

  void forward(std::vector<Point2>& points) const;
  void inverse(std::vector<Point2>& points) const;
  Point2 forward(Point2 p) const;
  Point2 inverse(Point2 p) const;

 private:
  void apply(std::vector<Point2>& points, int direction) const;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace citytwin
