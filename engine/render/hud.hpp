#pragma once
/// The 2D overlay of a picture: title, subtitle (time), legend with units, north arrow and scale bar.
#include <osg/Camera>
#include <string>

#include "engine/render/city_scene.hpp"

namespace citytwin::render {

struct HudText {
  std::string title;     ///< e.g. the scenario name and the layer
  std::string subtitle;  ///< e.g. the time shown
};

/// An orthographic overlay camera of width x height pixels. metres_per_pixel (at the scene centre) sizes
/// the scale bar; north_angle_rad is the screen angle of north (0 = up, counter-clockwise positive).
osg::ref_ptr<osg::Camera> make_hud(const HudText& text, const LegendInfo& legend, int width, int height,
                                   double metres_per_pixel, double north_angle_rad);

}  // namespace citytwin::render
