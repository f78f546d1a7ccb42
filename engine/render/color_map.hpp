#pragma once
/// Colour maps for result layers, and a categorical palette for text attributes.
#include <algorithm>
#include <array>
#include <cmath>
#include <osg/Vec4ub>
#include <string>
#include <vector>

namespace citytwin::render {

struct Rgb {
  float r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

class ColorMap {
 public:
  /// Known names: "viridis" (sequential), "traffic" (red = low to green = high, for speeds),
  /// "diverging" (blue - white - red, for differences), "heat" (yellow to dark red, for loads).
  /// Throws std::invalid_argument listing the known names.
  static ColorMap named(const std::string& name);
  static std::vector<std::string> names();
  /// Colour at a fraction in [0, 1] (clamped).
  Rgb at(double fraction) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::vector<Rgb> stops_;  // evenly spaced
};

/// The colour scaled by a light factor, as opaque bytes (each channel clamped to [0, 1], rounded).
inline osg::Vec4ub to_bytes(const Rgb& c, float shade = 1.0f) {
  auto byte = [](float x) {
    return static_cast<unsigned char>(std::lround(std::clamp(x, 0.0f, 1.0f) * 255));
  };
  return {byte(c.r * shade), byte(c.g * shade), byte(c.b * shade), 255};
}

/// A colour for category number i (distinct for the first 10).
Rgb category_color(size_t i);

}  // namespace citytwin::render
