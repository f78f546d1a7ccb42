// libFuzzer target: the sensor registry readers (CSV and GeoJSON; the first byte picks). Any input must give a
// registry or an InputError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/core/error.hpp"
#include "engine/data/sensor_registry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    if (data[0] & 1) citytwin::parse_sensor_registry_geojson(text, "fuzz.geojson");
    else citytwin::parse_sensor_registry_csv(text, "fuzz.csv");
  } catch (const citytwin::InputError&) {
  }
  return 0;
}
