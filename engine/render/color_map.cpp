#include "engine/render/color_map.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace citytwin::render {

ColorMap ColorMap::named(const std::string& name) {
  ColorMap m;
  m.name_ = name;
  if (name == "viridis") {
    // Sampled at 0, 0.1, ..., 1 from matplotlib's viridis (van der Walt and Smith, 2015; CC0).
    m.stops_ = {{0.267f, 0.005f, 0.329f}, {0.283f, 0.141f, 0.458f}, {0.254f, 0.265f, 0.530f},
                {0.207f, 0.372f, 0.553f}, {0.164f, 0.471f, 0.558f}, {0.128f, 0.567f, 0.551f},
                {0.135f, 0.659f, 0.518f}, {0.267f, 0.749f, 0.441f}, {0.478f, 0.821f, 0.318f},
                {0.741f, 0.873f, 0.150f}, {0.993f, 0.906f, 0.144f}};
  } else if (name == "traffic") {
    m.stops_ = {{0.70f, 0.05f, 0.05f}, {0.95f, 0.35f, 0.10f}, {0.98f, 0.80f, 0.15f}, {0.55f, 0.80f, 0.25f},
                {0.10f, 0.60f, 0.25f}};
  } else if (name == "diverging") {
    m.stops_ = {{0.13f, 0.40f, 0.67f}, {0.57f, 0.77f, 0.87f}, {0.97f, 0.97f, 0.97f}, {0.96f, 0.65f, 0.51f},
                {0.70f, 0.09f, 0.17f}};
  } else if (name == "heat") {
    m.stops_ = {{1.00f, 0.98f, 0.75f}, {0.99f, 0.80f, 0.36f}, {0.99f, 0.55f, 0.24f}, {0.89f, 0.10f, 0.11f},
                {0.50f, 0.00f, 0.15f}};
  } else {
    std::string known;
    for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown colour map \"" + name + "\" (" + known + ")");
  }
  return m;
}

std::vector<std::string> ColorMap::names() { return {"viridis", "traffic", "diverging", "heat"}; }

Rgb ColorMap::at(double f) const {
  if (std::isnan(f)) f = 0;
  f = std::clamp(f, 0.0, 1.0) * static_cast<double>(stops_.size() - 1);
  const size_t i = std::min(static_cast<size_t>(f), stops_.size() - 2);
  const float t = static_cast<float>(f - static_cast<double>(i));
  const Rgb& a = stops_[i];
  const Rgb& b = stops_[i + 1];
  return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

Rgb category_color(size_t i) {
  // A qualitative palette of ten well-separated hues.
  static constexpr std::array<Rgb, 10> kColors{{{0.90f, 0.62f, 0.00f}, {0.34f, 0.71f, 0.91f},
                                                {0.00f, 0.62f, 0.45f}, {0.94f, 0.89f, 0.26f},
                                                {0.00f, 0.45f, 0.70f}, {0.84f, 0.37f, 0.00f},
                                                {0.80f, 0.47f, 0.65f}, {0.60f, 0.60f, 0.60f},
                                                {0.55f, 0.35f, 0.17f}, {0.20f, 0.20f, 0.20f}}};
  return kColors[i % kColors.size()];
}

}  // namespace citytwin::render
