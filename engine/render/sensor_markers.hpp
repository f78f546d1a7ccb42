#pragma once
/// The sensors of a run as pins on the elements they are placed on: one pin per sensor that sits on an
/// element (city-wide sensors such as a weather station have no place and no pin). A pin keeps its size on
/// screen (like a map's point symbol) and is drawn over the city, so that no sensor hides behind a tower;
/// all pins are one geometry whose vertices update() rewrites when the camera moves.
#include <optional>
#include <osg/Geode>
#include <osg/Geometry>
#include <osg/Matrixd>
#include <string>
#include <vector>

#include "engine/data/results.hpp"
#include "engine/render/city_scene.hpp"

namespace citytwin::render {

/// A pin's shape in window pixels, from its foot on the element: a stem up to a round head.
inline constexpr float kPinHeadRadiusPx = 7.0f;   ///< the coloured disc
inline constexpr float kPinOutlinePx = 1.5f;      ///< dark ring around it (wider and magenta when selected)
inline constexpr float kPinHeadHeightPx = 30.0f;  ///< the head's centre above the foot, up the screen

/// The dark colour of a pin's stem, foot and ring.
inline constexpr Rgb kPinOutlineColor{0.12f, 0.12f, 0.12f};
/// The ring of the selected sensor's pin: the viewer's selection colour.
inline constexpr Rgb kPinSelectedColor{1.0f, 0.0f, 1.0f};

/// The colour of a quantity ("water.flow"): a fixed colour per known quantity, the same in every run.
Rgb quantity_color(const std::string& quantity);

/// Classes of fit by the Nash-Sutcliffe efficiency (Moriasi et al. 2007: NSE > 0.5 is satisfactory; NSE < 0
/// means the measured mean predicts better than the model).
struct FitClass {
  std::string label;
  Rgb color;
};
/// The classes, best first, then the one for sensors without an NSE (fewer than two pairs, constant data).
const std::vector<FitClass>& fit_classes();
/// The class of an NSE value (NaN: the last class).
const FitClass& fit_class(double nse);

class SensorMarkers {
 public:
  /// One pin per sensor of results placed on an element of scene (results must outlive the markers).
  /// Sensors whose set or element the results lack are left out (unplaced()).
  SensorMarkers(const Results& results, const CityScene& scene);

  osg::Geode* node() const { return node_.get(); }
  /// The number of pins.
  size_t size() const { return sensor_.size(); }
  /// The index in results.sensors of pin k.
  size_t sensor(size_t k) const { return sensor_[k]; }
  /// Pin k's foot, local metres: the element's anchor (engine element_anchor) at the element's top.
  osg::Vec3d anchor(size_t k) const { return anchor_[k]; }
  /// Sensors on an element that the results do not hold, by ID.
  const std::vector<std::string>& unplaced() const { return unplaced_; }

  /// Fill colours, one per sensor of results (index as results.sensors).
  void set_colors(std::vector<Rgb> per_sensor);
  /// The sensor (index in results.sensors) whose pin gets the selection ring; nullopt: none.
  void set_selected(std::optional<size_t> sensor);
  /// Lays the pins out for a frame drawn with these matrices into a width x height viewport (nothing when
  /// neither they nor the colours changed).
  void update(const osg::Matrixd& view, const osg::Matrixd& projection, int width, int height);
  /// The sensor (index in results.sensors) whose pin is under window pixel x, y (right, up from the
  /// bottom-left) of such a frame, the nearest to the eye where pins overlap; nullopt when none.
  std::optional<size_t> pick(const osg::Matrixd& view, const osg::Matrixd& projection, int width, int height,
                             double x, double y) const;
  /// Window pixel (x right, y up) of pin k's head centre in such a frame; nullopt when behind the eye.
  std::optional<osg::Vec2d> head_pixel(size_t k, const osg::Matrixd& view, const osg::Matrixd& projection,
                                       int width, int height) const;

 private:
  std::vector<size_t> sensor_;
  std::vector<osg::Vec3d> anchor_;
  std::vector<std::string> unplaced_;
  std::vector<Rgb> fill_;           // per pin
  std::optional<size_t> selected_;  // pin
  osg::ref_ptr<osg::Geode> node_;
  osg::ref_ptr<osg::Geometry> geometry_;
  std::string laid_out_key_;
  bool colors_changed_ = true;
};

}  // namespace citytwin::render
