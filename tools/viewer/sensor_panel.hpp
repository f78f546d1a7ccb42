#pragma once
/// The Sensor window: the picked sensor's ID, quantity, unit, feed and role, the element it sits on, its fit
/// metrics (validation.csv's row) and its measured and simulated series over time, in the scenario's local
/// time and the units a planner reads (kW rather than W, km/h rather than m/s).
#include <array>
#include <string>

#include "tools/viewer/session.hpp"

namespace citytwin::viewer {

/// The chart's line colours (8-bit RGB).
inline constexpr std::array<unsigned char, 3> kMeasuredLineRgb{100, 190, 255};
inline constexpr std::array<unsigned char, 3> kSimulatedLineRgb{255, 150, 40};

/// Where the window opens in a width x height viewer window: x, y (from the top-left), w, h pixels.
std::array<float, 4> sensor_panel_rect(int width, int height);

/// A model unit as shown: "W" as kW (factor 0.001), "m/s" as km/h (3.6), others as they are.
struct DisplayUnit {
  std::string unit;
  double factor = 1;
};
DisplayUnit display_unit(const std::string& model_unit);

/// Draws the window for the selected sensor (nothing when none); closing it clears the sensor selection.
void draw_sensor_panel(Session& session, int width, int height);

/// The window's content as text, for scripts and tests: one "key: value" line each; metrics in the model
/// unit, as validation.csv has them.
std::string sensor_text(const Session& session);

}  // namespace citytwin::viewer
