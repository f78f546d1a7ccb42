// libFuzzer target: the sensor registry readers (CSV and GeoJSON; the first byte picks), then each sensor
// placed on a small element set of its quantity's kind (engine/data/sensor_placement.cpp: by element ID,
// by zone, or by lon/lat through PROJ and the nearest-element index). Any input must give placed sensors
// or an InputError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/core/error.hpp"
#include "engine/data/sensor_placement.hpp"
#include "engine/data/sensor_registry.hpp"

namespace {

/// Two elements of every kind a quantity can sit on, near the bundled city's origin (EPSG:32632).
citytwin::ElementSet set_for(const citytwin::QuantityInfo& q) {
  citytwin::ElementSet set;
  set.name = q.set;
  set.ids = {"e1", "DMA1"};
  if (q.set == "roads" || q.set == "water.pipes") {
    set.kind = citytwin::GeometryKind::line;
    set.lines = {{{0, 0}, {100, 0}}, {{0, 50}, {0, 150}}};
  } else {
    set.kind = citytwin::GeometryKind::point;
    set.points = {{0, 0}, {200, 200}};
  }
  return set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const auto registry = (data[0] & 1) ? citytwin::parse_sensor_registry_geojson(text, "fuzz.geojson")
                                        : citytwin::parse_sensor_registry_csv(text, "fuzz.csv");
    citytwin::SensorPlacer placer({"EPSG:32632", {373000, 4844000}});
    for (const auto& s : registry.sensors) {
      const citytwin::ElementSet set = set_for(*s.quantity);
      placer.place(s, s.quantity->set.empty() ? nullptr : &set, 500);
    }
  } catch (const citytwin::InputError&) {
  }
  return 0;
}
