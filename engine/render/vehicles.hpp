#pragma once
/// Moving vehicles from a run's sampled positions (the "traffic.vehicles" table: t_s, vehicle, x_m, y_m,
/// heading_rad, speed_mps, local metres in the frame of the element sets). All vehicles are one batched
/// geometry of small boxes; update() moves them to a time, interpolating each vehicle between its samples,
/// and colours them by speed. Nothing is rebuilt per frame: the vertex and colour arrays are rewritten.
#include <osg/Geode>
#include <osg/Geometry>
#include <string>
#include <vector>

#include "engine/data/results.hpp"
#include "engine/render/color_map.hpp"

namespace citytwin::render {

/// The table the traffic model records vehicle positions in.
inline constexpr const char* kVehicleTable = "traffic.vehicles";

class Vehicles {
 public:
  /// Reads the table; throws InputError naming the table when a column is missing or a row is not finite.
  explicit Vehicles(const Table& table);

  /// The drawn boxes (hide it with a node mask of 0).
  osg::Geode* node() const { return node_.get(); }
  /// Places every vehicle at time t_s (seconds from the run's start): linearly between the two samples
  /// around t_s (heading the shorter way round), hidden before its first and after its last sample.
  /// Returns the number shown.
  size_t update(double t_s);

  size_t vehicles() const { return first_.size() - 1; }
  /// The vehicle's ID as recorded (a number in the table).
  double vehicle_id(size_t v) const { return ids_[v]; }
  /// Where update() put vehicle v: the centre of its drawn box (local metres; the origin when hidden).
  osg::Vec3 position(size_t v) const;
  /// Whether update() showed vehicle v (a hidden one's box is collapsed to the origin).
  bool shown(size_t v) const;
  /// The top of the speed colour map (the fastest recorded speed, m/s).
  double max_speed_mps() const { return max_speed_; }

  static constexpr float kLength = 4.5f, kWidth = 2.0f, kHeight = 1.6f;
  static constexpr int kVerticesPerVehicle = 8;

 private:
  struct Sample {
    double t, x, y, heading, speed;
  };
  std::vector<Sample> samples_;  // grouped by vehicle, by time within a vehicle
  std::vector<size_t> first_;    // vehicle v: samples_[first_[v], first_[v + 1])
  std::vector<double> ids_;
  ColorMap map_ = ColorMap::named("traffic");
  double max_speed_ = 1;
  osg::ref_ptr<osg::Geode> node_;
  osg::ref_ptr<osg::Geometry> geometry_;
};

}  // namespace citytwin::render
